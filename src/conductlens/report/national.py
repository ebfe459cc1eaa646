"""The national picture: a force's signed, suppressed aggregate, and a national import.

``export_aggregate`` turns one year's key facts into counts-only tables (``suppression``),
validates them against the versioned schema (``schemas/aggregate-1.0.0.json``) and signs the
canonical JSON with the force's Ed25519 key. ``import_aggregate`` refuses, naming the file, a
file that fails the schema, has an unknown version or force, a bad signature (tampered), or
was imported before (same file name, same bytes, or the same force and year).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, insert, or_, select

from conductlens.errors import ConductLensError
from conductlens.report.key_facts import compute, hours_by_case
from conductlens.report.outcomes import all_outcomes
from conductlens.report.suppression import published, suppress, with_totals
from conductlens.report.terms import (
    STANDARDS,
    Action,
    CaseType,
    FindingLevel,
    Proceeding,
)
from conductlens.review import audit
from conductlens.store.tables_report import aggregate_imports

VERSION = "1.0.0"
SUPPORTED = (VERSION,)
THRESHOLD = 5
SCHEMA = Path(__file__).parent / "schemas" / f"aggregate-{VERSION}.json"


class AggregateRefused(ConductLensError):
    """A national aggregate that cannot be imported, with the file and the reason."""


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _table(rows: list[str], cols: list[str], grid: list[list[int]]) -> dict[str, Any]:
    full = with_totals(grid)
    return {"rows": [*rows, "Total"] if len(rows) > 1 else rows, "columns": [*cols, "Total"],
            "cells": published(full, suppress(full, THRESHOLD))}


def _one_row(counts: dict[str, int], keys: list[str]) -> dict[str, Any]:
    return _table(["Cases"], keys, [[counts.get(k, 0) for k in keys]])


def aggregate_tables(facts: dict[str, Any]) -> dict[str, Any]:
    """Counts-only tables from ``key_facts.compute`` output, suppressed."""
    ctypes, procs = [c.value for c in CaseType], [p.value for p in Proceeding]
    grid = [[facts["proceedings"].get(c, {}).get(p, 0) for p in procs] for c in ctypes]
    return {"proceedings": _table(ctypes, procs, grid),
            "findings": _one_row(facts["findings"], [f.value for f in FindingLevel
                                                     if f != FindingLevel.NONE_RECORDED]),
            "actions": _one_row(facts["actions"], [a.value for a in Action]),
            "standards": _one_row(facts["standards"], list(STANDARDS))}


def canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def validate(doc: object, where: str) -> None:
    """Refuse ``doc`` unless it matches the published schema (first error, by its path)."""
    import jsonschema

    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(doc),
                    key=lambda e: list(e.absolute_path))
    if errors:
        path = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise AggregateRefused(f"{where}: {path}: {errors[0].message[:200]}")


def export_aggregate(conn: Connection, force: str, year: str, key: Ed25519PrivateKey,
                     now: datetime | None = None) -> dict[str, Any]:
    """The signed aggregate document for ``force`` and ``year`` from the store."""
    facts = compute(all_outcomes(conn), year, hours_by_case(conn))
    return aggregate_document(facts, force, key, now)


def aggregate_document(facts: dict[str, Any], force: str, key: Ed25519PrivateKey,
                       now: datetime | None = None) -> dict[str, Any]:
    """Key facts (``compute`` output) as a signed, validated aggregate document."""
    body = {"schema": "conductlens-aggregate", "version": VERSION, "force": force.strip(),
            "year": facts["year"], "produced_at": (now or datetime.now(UTC)).isoformat(
                timespec="seconds"), "threshold": THRESHOLD,
            "tables": aggregate_tables(facts)}
    doc = {"aggregate": body, "signature": key.sign(canonical(body)).hex(),
           "public_key": key.public_key().public_bytes_raw().hex()}
    validate(doc, "export")
    return doc


@dataclass(frozen=True, slots=True)
class Imported:
    file_name: str
    force: str
    year: str


def _check(doc: Any, name: str, trusted: dict[str, str]) -> None:
    version = doc.get("aggregate", {}).get("version") if isinstance(doc, dict) else None
    if isinstance(version, str) and version not in SUPPORTED:
        raise AggregateRefused(f"{name}: schema version {version} is not supported "
                               f"({', '.join(SUPPORTED)})")
    validate(doc, name)
    force = doc["aggregate"]["force"]
    if force not in trusted:
        raise AggregateRefused(f"{name}: {force!r} is not among the trusted forces")
    if doc["public_key"] != trusted[force]:
        raise AggregateRefused(f"{name}: signed with a key that is not {force}'s")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(trusted[force])).verify(
            bytes.fromhex(doc["signature"]), canonical(doc["aggregate"]))
    except InvalidSignature:
        raise AggregateRefused(f"{name}: the signature does not match: the file was "
                               "changed after it was signed") from None


def import_aggregate(conn: Connection, path: Path, trusted: dict[str, str], actor: str
                     ) -> Imported:
    """Check and store one aggregate file; refused (``AggregateRefused``) with its name."""
    raw = path.read_bytes()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise AggregateRefused(f"{path.name}: not JSON ({exc.__class__.__name__})") from None
    _check(doc, path.name, trusted)
    body = doc["aggregate"]
    sha = hashlib.sha256(raw).hexdigest()
    seen = conn.execute(select(aggregate_imports.c.file_name).where(or_(
        aggregate_imports.c.file_name == path.name, aggregate_imports.c.sha256 == sha,
        (aggregate_imports.c.force == body["force"]) & (aggregate_imports.c.year ==
                                                        body["year"])))).first()
    if seen is not None:
        raise AggregateRefused(f"{path.name}: already imported (as {seen[0]}): "
                               f"{body['force']} {body['year']}")
    conn.execute(insert(aggregate_imports).values(
        file_name=path.name, sha256=sha, force=body["force"], year=body["year"],
        schema_version=body["version"], payload=canonical(doc).decode("utf-8"),
        imported_by=actor, imported_at=datetime.now(UTC)))
    audit.append(conn, audit.AuditEvent(actor, "national.import", None, detail={
        "file": path.name, "sha256": sha, "force": body["force"], "year": body["year"]}))
    return Imported(path.name, body["force"], body["year"])


def load_trusted(path: Path) -> dict[str, str]:
    """``{"forces": {force name: public key hex}}``: the forces a national instance trusts."""
    try:
        forces = json.loads(path.read_text(encoding="utf-8"))["forces"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConductLensError(f"{path}: not a trusted-forces file ({exc})") from None
    if not isinstance(forces, dict):
        raise ConductLensError(f"{path}: forces must map force names to public keys")
    return {str(k): str(v) for k, v in forces.items()}
