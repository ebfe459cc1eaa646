"""The password policy: long enough, not blank, not common, not the user name.

The common list is the 30,000 most frequent passwords of public breach corpora that the
``zxcvbn`` package (Dropbox's strength estimator, MIT licence) ships offline in
``zxcvbn.frequency_lists``; a password is refused when, lower-cased and without spaces, it
is on the list, or is a listed one followed by digits and symbols ("Password2024!").
Messages never repeat the password.
"""

from __future__ import annotations

import re
from functools import cache

from conductlens.errors import ConductLensError

MIN_LENGTH = 12
MAX_LENGTH = 256
_TRAILER = re.compile(r"[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    """The offline list of common and breached passwords (lower case)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.casefold() for p in FREQUENCY_LISTS["passwords"])


def _is_common(password: str) -> bool:
    folded = "".join(password.casefold().split())
    stem = _TRAILER.sub("", folded)
    common = common_passwords()
    return folded in common or (len(stem) >= 4 and stem in common)


def problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused, or None when it may be used."""
    if not password.strip():
        return "a password is needed: it cannot be empty or only spaces"
    if len(password) < MIN_LENGTH:
        return f"passwords need at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"passwords have at most {MAX_LENGTH} characters"
    if len(set(password.casefold()) - {" "}) < 4:
        return "a password needs more than a few different characters"
    if len(username) >= 3 and username.casefold() in password.casefold():
        return "a password must not contain the user name"
    if _is_common(password):
        return "that password is on the list of common or breached passwords"
    return None


def check(password: str, username: str = "") -> None:
    """Raise ``ConductLensError`` (never quoting the password) when it is refused."""
    reason = problem(password, username)
    if reason is not None:
        raise ConductLensError(reason)
