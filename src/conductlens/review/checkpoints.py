"""Signed checkpoints of the audit chain head, kept by the auditor outside the store.

The hash chain alone catches edits, deletions and reorders, but not a log cut short with its
head row moved to the new last record, nor a log wiped and restarted: whoever can write the
store can rewrite the head too. A checkpoint is the head (last id and hash, and the first
record's hash, which names the chain) signed with an Ed25519 key that lives in a file apart
from the store. ``check`` proves the log still holds every record the checkpoint covers,
unchanged: the chain verifies from the start and record ``last_id`` still has ``last_hash``.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, select

from conductlens.errors import ConductLensError
from conductlens.review import audit
from conductlens.store.tables_review import audit_events

FORMAT = "conductlens-audit-checkpoint/1"
SIGNED_FIELDS = ("format", "last_id", "last_hash", "first_hash", "created_at")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What a checkpoint file says: the head it covers, who signed it, and the signature."""

    last_id: int
    last_hash: str
    first_hash: str
    created_at: str
    public_key: str  # raw Ed25519 public key, hex
    signature: str  # hex, over the canonical JSON of SIGNED_FIELDS

    def signed_payload(self) -> bytes:
        fields = {"format": FORMAT, "last_id": self.last_id, "last_hash": self.last_hash,
                  "first_hash": self.first_hash, "created_at": self.created_at}
        return audit.canonical(fields).encode("utf-8")

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "last_id": self.last_id, "last_hash": self.last_hash,
                "first_hash": self.first_hash, "created_at": self.created_at,
                "public_key": self.public_key, "signature": self.signature}


def refuse_key_inside(key_path: Path, inside: list[Path], beside: list[Path]) -> None:
    """The signing key must not live with what it protects: not anywhere under the folders
    in ``inside`` (the exhibits folder), not directly in those in ``beside`` (next to the
    store file); whoever can rewrite the log there could then re-sign it."""
    resolved = key_path.expanduser().resolve()
    for folder in [f.expanduser().resolve() for f in inside + beside]:
        under = folder in resolved.parents and folder in [f.resolve() for f in inside]
        if resolved == folder or resolved.parent == folder or under:
            raise ConductLensError(f"the audit signing key {key_path} must not be kept inside "
                                   f"{folder}: keep it apart from the store and its exhibits")


def load_key(path: Path, create: bool) -> Ed25519PrivateKey:
    """The private key at ``path``; created (mode 0600) when ``create`` and it is missing."""
    path = path.expanduser()
    if not path.exists():
        if not create:
            raise ConductLensError(f"no audit signing key at {path}")
        return _create_key(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if os.name == "posix" and mode & 0o077:
        raise ConductLensError(f"the audit signing key {path} is readable by others "
                               f"(mode {mode:o}); run chmod 600 on it")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise ConductLensError(f"{path} is not a PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConductLensError(f"{path} is not an Ed25519 key")
    return key


def _pem_public(data: bytes) -> bool:
    return b"PUBLIC KEY" in data[:200]  # the PEM header: "-----BEGIN PUBLIC KEY-----"


def is_public(path: Path) -> bool:
    """Whether ``path`` holds a PEM public key (not a signing key)."""
    try:
        return _pem_public(path.expanduser().read_bytes())
    except OSError:
        return False


def verifying_key(path: Path) -> Ed25519PublicKey:
    """The key that checks checkpoints: a public key file (what an auditor keeps, written
    beside each checkpoint) or the signing key itself."""
    path = path.expanduser()
    if not path.exists():
        raise ConductLensError(f"no audit key at {path}")
    data = path.read_bytes()
    if _pem_public(data):
        try:
            public = serialization.load_pem_public_key(data)
        except ValueError as exc:
            raise ConductLensError(f"{path} is not a PEM public key: {exc}") from None
        if not isinstance(public, Ed25519PublicKey):
            raise ConductLensError(f"{path} is not an Ed25519 key")
        return public
    return load_key(path, create=False).public_key()


def write_public(path: Path, key: Ed25519PrivateKey) -> None:
    """Write the public half of ``key`` as PEM: enough to verify, never to sign."""
    path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def _create_key(path: Path) -> Ed25519PrivateKey:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    # O_EXCL: never overwrite a key another process created meanwhile.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def _public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _hash_of(conn: Connection, record_id: int) -> str | None:
    found = conn.scalar(select(audit_events.c.hash).where(audit_events.c.id == record_id))
    return None if found is None else str(found)


def make(conn: Connection, key: Ed25519PrivateKey, now: datetime | None = None) -> Checkpoint:
    """Sign the current head; refuses a log that does not verify (it would bless a break)."""
    result = audit.verify_chain(conn)
    if not result.ok:
        raise ConductLensError(f"audit chain broken at record {result.first_bad_id}: "
                               f"{result.reason}; no checkpoint written")
    if result.records == 0:
        raise ConductLensError("the audit log is empty: nothing to checkpoint")
    last_hash, first_hash = _hash_of(conn, result.records), _hash_of(conn, 1)
    assert last_hash is not None and first_hash is not None  # the chain just verified
    created = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    unsigned = Checkpoint(result.records, last_hash, first_hash, created,
                          _public_hex(key.public_key()), "")
    signature = key.sign(unsigned.signed_payload()).hex()
    return Checkpoint(unsigned.last_id, last_hash, first_hash, created, unsigned.public_key,
                      signature)


def write(path: Path, checkpoint: Checkpoint) -> None:
    path.write_text(json.dumps(checkpoint.as_json(), indent=2) + "\n", encoding="utf-8")


def read(path: Path) -> Checkpoint:
    """A checkpoint file, or a one-line error naming what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConductLensError(f"no checkpoint file {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConductLensError(f"{path}: not a checkpoint (bad JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConductLensError(f"{path}: not a checkpoint (format is not {FORMAT})")
    try:
        return Checkpoint(int(data["last_id"]), str(data["last_hash"]),
                          str(data["first_hash"]), str(data["created_at"]),
                          str(data["public_key"]), str(data["signature"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConductLensError(f"{path}: field {exc} is missing or malformed") from None


def check(conn: Connection, checkpoint: Checkpoint, key: Ed25519PublicKey) -> audit.VerifyResult:
    """The log against ``checkpoint``: signed by ``key``, and nothing it covers lost or changed."""
    if checkpoint.public_key != _public_hex(key):
        return audit.VerifyResult(False, 0, None, "the checkpoint was signed by another key")
    try:
        key.verify(bytes.fromhex(checkpoint.signature), checkpoint.signed_payload())
    except (InvalidSignature, ValueError):
        return audit.VerifyResult(False, 0, None, "the checkpoint's signature is not valid")
    result = audit.verify_chain(conn)
    if not result.ok:
        return result
    n = checkpoint.last_id
    if result.records < n:
        return audit.VerifyResult(False, result.records, result.records + 1,
                                  f"the log ends at record {result.records} but the checkpoint "
                                  f"of {checkpoint.created_at} covers {n} (records lost)")
    if _hash_of(conn, 1) != checkpoint.first_hash or _hash_of(conn, n) != checkpoint.last_hash:
        return audit.VerifyResult(False, result.records, n,
                                  f"record {n} is not the one the checkpoint of "
                                  f"{checkpoint.created_at} signed (the log was rewritten)")
    return result


def default_key_path() -> Path:
    """``$XDG_CONFIG_HOME/conductlens/audit-signing-key.pem`` (``~/.config`` by default)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "conductlens" / "audit-signing-key.pem"
