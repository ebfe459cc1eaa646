"""Key facts reproduce the Home Office figures, and count what was recorded, nothing else."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.demo.outcome_history import TABLE_1_1, plan, write_history
from conductlens.report.key_facts import Filters, compute, financial_year, year_bounds
from conductlens.report.records import Outcome
from conductlens.report.terms import (
    Action,
    CaseType,
    FindingLevel,
    OutcomeRefused,
    Proceeding,
    SubjectType,
)
from conductlens.store import Store

CONTRACT_KEYS = ["year", "cases_finalised", "proceedings", "findings", "actions", "standards",
                 "median_days_to_finalise", "hours"]


def test_table_1_1_year_ending_march_2022_is_reproduced_exactly(tmp_path: Path) -> None:
    db = str(tmp_path / "kf.db")
    store = Store.open(db)
    planned = plan(TABLE_1_1, "2021-22")
    with store.engine.begin() as conn:
        write_history(conn, planned, "Example Police", "HIST")
    store.close()
    result = CliRunner().invoke(app, ["key-facts", "--json", "--year", "2021-22", "--db", db])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert list(facts) == CONTRACT_KEYS
    expected = {ct.value: {p.value: n for p, n in row.items()} for ct, row in TABLE_1_1.items()}
    assert facts["proceedings"] == expected
    assert facts["cases_finalised"] == 105 + 46 + 6 + 471 + 189 + 124 + 200 + 126 + 175
    assert facts["year"] == "2021-22"
    assert sum(facts["findings"].values()) == facts["cases_finalised"]
    assert list(facts["actions"])[0] == "dismissal_without_notice"  # dismissals first
    assert set(facts["median_days_to_finalise"]) == set(expected)
    assert facts["hours"]["total"] > 0 and facts["hours"]["per_case_median"] > 0
    # Nothing in the year before.
    before = CliRunner().invoke(app, ["key-facts", "--json", "--year", "2020-21", "--db", db])
    assert json.loads(before.output)["cases_finalised"] == 0
    table = CliRunner().invoke(app, ["key-facts", "--year", "2021-22", "--db", db],
                               env={"COLUMNS": "120"}).output
    assert "Proceedings: Complaint" in table and "Median per case" in table
    assert "per_case_median" not in table
    empty = CliRunner().invoke(app, ["key-facts", "--year", "2020-21", "--db", db]).output
    assert empty.splitlines()[1] == ("No outcome was finalised in that year; years with "
                                     "outcomes: 2021-22 (--year).")


def _o(case_id: int, finalised: date, **changes: object) -> Outcome:
    base = Outcome(case_id, case_id, CaseType.COMPLAINT, SubjectType.POLICE_OFFICER,
                   date(2025, 4, 1), ("Discreditable conduct",), True,
                   Proceeding.MISCONDUCT_MEETING, FindingLevel.MISCONDUCT,
                   Action.WRITTEN_WARNING, finalised_on=finalised)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_medians_hours_and_filters() -> None:
    records = [
        _o(1, date(2025, 5, 1)),  # 30 days
        _o(2, date(2025, 7, 10), standards=("Equality and diversity",)),  # 100 days
        _o(3, date(2025, 4, 11), case_type=CaseType.CONDUCT_MATTER,  # 10 days
           proceeding=Proceeding.MISCONDUCT_HEARING, finding=FindingLevel.GROSS_MISCONDUCT,
           action=Action.DISMISSAL_WITHOUT_NOTICE),
        _o(4, date(2026, 4, 1)),  # next year
        _o(5, None),  # type: ignore[arg-type]  # not finalised
    ]
    facts = compute(records, "2025-26", {1: 10.0, 2: 4.0, 3: 7.5, 4: 100.0})
    assert facts["cases_finalised"] == 3
    assert facts["median_days_to_finalise"] == {"complaint": 65, "conduct_matter": 10}
    assert facts["hours"] == {"total": 21.5, "per_case_median": 7.5}
    assert facts["actions"] == {"dismissal_without_notice": 1, "written_warning": 2}
    assert facts["standards"] == {"Discreditable conduct": 2, "Equality and diversity": 1}
    only = compute(records, "2025-26", filters=Filters(standard="Equality and diversity"))
    assert only["cases_finalised"] == 1
    dismissed = compute(records, "2025-26", filters=Filters(outcome="dismissal_without_notice"))
    assert dismissed["proceedings"] == {"conduct_matter": {"misconduct_hearing": 1}}


def test_financial_years() -> None:
    assert financial_year(date(2022, 3, 31)) == "2021-22"
    assert financial_year(date(2022, 4, 1)) == "2022-23"
    assert financial_year(date(1999, 12, 1)) == "1999-00"
    assert year_bounds("2025-26") == (date(2025, 4, 1), date(2026, 3, 31))
    with pytest.raises(OutcomeRefused, match="not a financial year"):
        year_bounds("2025-27")
