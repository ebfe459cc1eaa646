"""The plain-language nudge that goes with a check: what the message may breach, in words an
officer reads in a second, naming the Standard(s) of Professional Behaviour."""

from __future__ import annotations

from collections.abc import Sequence

from conductlens.detect.base import Finding, Severity
from conductlens.detect.policy import Policy

CLEAR = (
    "Nothing in this message stood out against the Standards of Professional Behaviour. "
    "The check is not perfect: if you would not say it in front of the public, don't send it."
)


def _names(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def nudge(policy: Policy, findings: Sequence[Finding]) -> str:
    """One or two sentences: clear, mild (low findings only) or a prompt to think again."""
    if not findings:
        return CLEAR
    serious = [f for f in findings if f.severity >= Severity.MEDIUM]
    chosen = serious or list(findings)
    kinds = list(dict.fromkeys(_category_name(policy, f.category) for f in chosen))
    standards = list(dict.fromkeys(s for f in chosen for s in f.standards))
    plural = "Standards" if len(standards) > 1 else "Standard"
    if not serious:
        return (
            f"This message has {_names(kinds).lower()} in it. It is unlikely to breach the "
            f"Standards on its own, but think about who reads it ({plural}: {_names(standards)})."
        )
    return (
        f"Think before you send: this message may breach the {plural} of Professional Behaviour "
        f"on {_names(standards)} ({_names(kinds).lower()}). Group chats are not private; "
        "colleagues who see it and say nothing may be in breach too."
    )


def _category_name(policy: Policy, category_id: str) -> str:
    try:
        return policy.category(category_id).name
    except KeyError:
        return category_id
