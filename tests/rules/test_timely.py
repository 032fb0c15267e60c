"""TIMELY reads each payer's window from the payer table, including a practice's own payer file."""

from __future__ import annotations

from bhdash.payers import PayerDirectory
from bhdash.rules import run_checks
from tests.rules.conftest import canonical_frame

ROWS = [
    {"payer": "Aetna", "service_date": "2026-01-02", "submitted_date": "2026-03-10"},
    {"payer": "Acme Health Plan", "service_date": "2026-01-02", "submitted_date": "2026-02-20"},
]


def test_practice_payer_file_sets_window_and_confirms_it(tmp_path) -> None:
    payer_file = tmp_path / "payers.csv"
    payer_file.write_text("payer,payer_type,timely_filing_days,confirmed\nAetna,commercial,60,yes\n"
                          "Acme Health Plan,commercial,45,yes\n")
    result = run_checks(canonical_frame(ROWS), payers=PayerDirectory.load(payer_file),
                        select={"TIMELY"}, as_of="2026-03-31")
    errors = result.findings[result.findings["rule"] == "TIMELY-001"]
    assert errors["line_index"].tolist() == [0, 1]
    assert errors["message"].tolist() == [
        "Aetna allows 60 days to file; submitted 2026-03-10, 67 days after the service on 2026-01-02 "
        "(7 days late).",
        "Acme Health Plan allows 45 days to file; submitted 2026-02-20, 49 days after the service on "
        "2026-01-02 (4 days late).",
    ]


def test_shipped_table_unconfirmed_and_unknown_payers_only_warn() -> None:
    result = run_checks(canonical_frame(ROWS), select={"TIMELY"}, as_of="2026-03-31")
    assert result.findings["rule"].tolist() == []
    late = run_checks(canonical_frame([{"payer": "Acme Health Plan", "service_date": "2025-10-01",
                                        "status": "Not billed"}]),
                      select={"TIMELY"}, as_of="2026-03-31")
    assert late.findings["rule"].tolist() == ["TIMELY-002"]
    assert "(limit unconfirmed)" in late.findings["message"][0]
    assert any("Acme Health Plan" in warning for warning in late.warnings)


def test_without_a_filing_record_old_lines_are_not_judged_and_the_rule_says_so() -> None:
    rows = [{"payer": "UHC", "service_date": "2025-01-02"}, {"payer": "UHC", "service_date": "2026-01-15"},
            {"payer": "Medicare", "service_date": "2025-02-01"}]
    result = run_checks(canonical_frame(rows), select={"TIMELY"}, as_of="2026-03-31")
    assert result.findings[["rule", "line_index"]].values.tolist() == [["TIMELY-002", 1]]
    status = result.rules.set_index("id")
    assert status.loc["TIMELY-001", "status"] == "ran"
    assert status.loc["TIMELY-001", "reason"] == (
        "2 line(s) past their filing window not judged: the export has no submitted date or claim status, "
        "so whether they were filed in time is unknown")
