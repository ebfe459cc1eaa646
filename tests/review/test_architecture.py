"""The one door, kept so by reading the source.

Message content (``messages.text``, ``messages.text_norm``, whole ``messages`` rows) is
selected only inside the door modules (the review door, the custodian's reader) and the
ingest/scan machinery that writes and classifies it; review tables are written only by the
``review`` package; and the web and command-line layers never call a case write directly,
only through ``CaseDoor`` or ``CustodianSession``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conductlens.store import tables_review

SRC = Path(__file__).resolve().parents[2] / "src" / "conductlens"
CONTENT_COLUMNS = {"text", "text_norm"}
CONTENT_TABLES = {"messages", "unparsed"}
REVIEW_TABLES = {name for name, value in vars(tables_review).items()
                 if getattr(value, "name", None) == name and hasattr(value, "c")}

# Who may select content: the door, the custodian's reader, and the machinery that writes
# or classifies messages without showing them (ingest, store writers, search, the scan).
CONTENT_READERS = {
    "review/access.py", "review/custodian.py", "store/reads.py", "store/search.py",
    "store/writes.py", "store/_bulk.py", "detect/run.py",
    # The scan's reads of what is left to scan (``detect/run.py`` selects the text): only
    # compares a text with "" (empty texts are not scanned); the page gets counts.
    "detect/marks.py",
    # Classifies replies for ``conductlens responses``; its records carry ids and names,
    # never text (tests/dynamics checks the record's keys).
    "dynamics/analysis.py",
    # Its reader is built by ``ReviewSession.standard10`` with the scope's clause, and the
    # texts only feed the response classifier.
    "dynamics/standard10.py",
    # The queue's SQL groups findings by their message's identical text; what it returns
    # of the text only buckets group members, and ``ReviewSession`` masks what is shown.
    "review/queue.py",
    # The door's search (a ``ReviewSession``): candidates' text, masked before matching.
    "review/searching.py",
}
PARSERS = "ingest/"  # they read the exhibits' own files and databases, not the store
# Case writes a route or command must make through the door.
DOOR_ONLY = {
    ("scope", "propose"), ("scope", "authorise"), ("scope", "refuse"),
    ("pseudonyms", "request_unmask"), ("pseudonyms", "decide_unmask"),
    ("pseudonyms", "link_pseudonym"), ("pseudonyms", "unlink_person"),
    ("cases", "open_case"), ("cases", "add_subject"), ("cases", "log_hours"),
    ("cases", "add_note"), ("cases", "set_status"), ("register", "link"),
    ("register", "unlink"), ("links", "request"), ("links", "decide"),
    ("reads", "iter_messages"), ("reads", "message_query"),
    ("outcomes", "record_outcome"), ("outcomes", "record_referral"),
    ("recipients", "propose"), ("recipients", "decide"),
}
THIN_LAYERS = ("web/", "cli/")
# Synthetic past cases the demo writes into an empty store (before any account exists).
SEEDERS = {"demo/outcome_history.py"}


def _modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/migrations/" not in rel:
            out.append((rel, ast.parse(path.read_text(encoding="utf-8"), rel)))
    return out


def _aliases(tree: ast.Module, tables: set[str]) -> dict[str, str]:
    """Local names bound to a table: ``m = t.messages``, ``m, c = t.messages, t.x``."""
    out = {name: name for name in tables}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = node.targets[0]
            names = targets.elts if isinstance(targets, ast.Tuple) else [targets]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            for target, value in zip(names, values, strict=False):
                table = _table(value, out)
                if isinstance(target, ast.Name) and table:
                    out[target.id] = table
    return out


def _table(node: ast.AST, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Attribute) and node.attr in aliases.values():
        return node.attr
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    return None


def _content_reads(tree: ast.Module) -> list[str]:
    aliases = _aliases(tree, CONTENT_TABLES)
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in CONTENT_COLUMNS
                and isinstance(node.value, ast.Attribute) and node.value.attr == "c"
                and _table(node.value.value, aliases)):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "select":
            for arg in node.args:
                if _table(arg, aliases):
                    found.append(f"line {node.lineno}: whole rows of {ast.unparse(arg)}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            sql = node.value.upper()
            if "SELECT" in sql and ("FROM MESSAGES" in sql or "TEXT_NORM" in sql):
                found.append(f"line {node.lineno}: SQL {node.value[:40]!r}")
    return found


def _review_writes(tree: ast.Module) -> list[str]:
    aliases = _aliases(tree, REVIEW_TABLES)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = getattr(func, "id", None) or getattr(func, "attr", None)
        if name not in ("insert", "update", "delete"):
            continue
        target = node.args[0] if node.args else (
            func.value if isinstance(func, ast.Attribute) else None)
        if target is not None and _table(target, aliases):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:60]}")
    return found


def _module_aliases(tree: ast.Module) -> dict[str, str]:
    """Local names of imported modules: ``from conductlens.report import outcomes as oc``."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            for alias in node.names:
                out[alias.asname or alias.name] = alias.name.rsplit(".", 1)[-1]
    return out


def _door_bypasses(tree: ast.Module) -> list[str]:
    modules = _module_aliases(tree)
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and (modules.get(node.value.id, node.value.id), node.attr) in DOOR_ONLY):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.ImportFrom) and node.module:
            module = node.module.rsplit(".", 1)[-1]
            for alias in node.names:
                if (module, alias.name) in DOOR_ONLY:
                    found.append(f"line {node.lineno}: imports {module}.{alias.name}")
    return found


def test_only_the_door_selects_message_text() -> None:
    leaks = {rel: hits for rel, tree in _modules()
             if rel not in CONTENT_READERS and not rel.startswith(PARSERS)
             and (hits := _content_reads(tree))}
    assert leaks == {}


def test_only_the_review_package_writes_review_tables() -> None:
    writes = {rel: hits for rel, tree in _modules()
              if not rel.startswith("review/") and rel not in SEEDERS
              and (hits := _review_writes(tree))}
    assert writes == {}


def test_routes_and_commands_write_cases_only_through_the_door() -> None:
    bypasses = {rel: hits for rel, tree in _modules()
                if rel.startswith(THIN_LAYERS) and (hits := _door_bypasses(tree))}
    assert bypasses == {}


def test_the_checks_see_what_they_look_for() -> None:
    """Each check finds a planted violation (a check that finds nothing proves nothing)."""
    planted = ast.parse(
        "from conductlens.store import tables as t\n"
        "from conductlens.review.scope import propose\n"
        "m = t.messages\n"
        "q = select(m.c.id, m.c.text)\n"
        "r = select(t.messages)\n"
        "s = text('SELECT text FROM messages')\n"
        "conn.execute(insert(scopes).values(x=1))\n"
        "conn.execute(decisions.update())\n"
        "scope.authorise(conn, 1, 'me', 'because')\n"
        "from conductlens.report import outcomes as oc\n"
        "oc.record_outcome(conn, o, 'me')\n")
    assert len(_content_reads(planted)) == 3
    assert len(_review_writes(planted)) == 2
    assert len(_door_bypasses(planted)) == 3
    assert "scopes" in REVIEW_TABLES and "audit_events" in REVIEW_TABLES
