"""Denied and underpaid dollars, preventable denials and appeal candidates on a hand-built practice."""

from __future__ import annotations

import pandas as pd

from bhdash import denials

CLAIMS = pd.DataFrame({
    "source_row": [2, 3, 4, 5, 6, 7],
    "claim_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
    "payer": ["Aetna", "Aetna", "Cigna", "Cigna", "Aetna", "Aetna"],
    "clinician_name": ["Ann", "Ann", "Bo", "Bo", "Ann", "Bo"],
    "procedure_code": ["90837", "90785", "90834", "90834", "90832", "90834"],
    "service_date": pd.to_datetime(["2026-01-05", "2026-01-05", "2026-02-03", "2026-02-10", "2026-02-11",
                                    "2026-03-01"]),
    "submitted_date": pd.to_datetime(["2026-01-06", "2026-01-06", "2026-02-04", "2026-02-12", "2026-02-12",
                                      "2026-03-02"]),
    "status": ["Denied", "Denied", "Denied", "Partly paid", "Paid", "Denied"],
    "denial_reason": ["CO-29", "CO-97", "CO-50", None, None, "CO-197"],
    "remit_shortfall": [None, None, None, 25.0, 0.0, None],
})
EXPECTED_PAYMENT = pd.Series([150.0, 20.0, 100.0, 90.0, 70.0, 100.0])
FINDINGS = pd.DataFrame({"line_index": [1.0, 2.0, None], "family": ["ADDON", "TIME", "NORM"],
                         "rule": ["ADD-001", "TIME-001", "NORM-001"]})


def _lines() -> pd.DataFrame:
    return denials.denied_lines(CLAIMS, FINDINGS, EXPECTED_PAYMENT, ran_families={"TIMELY", "ADDON", "TIME"})


def test_denied_and_underpaid_lines_with_their_dollars() -> None:
    lines = _lines()
    assert lines[["row", "kind", "reason", "dollars"]].values.tolist() == [
        [2, "denied", "CO-29", 150.0], [3, "denied", "CO-97", 20.0], [4, "denied", "CO-50", 100.0],
        [5, "underpaid", "unknown", 25.0], [7, "denied", "CO-197", 100.0]]
    assert lines.loc[1, "description"] == "payment included in the allowance for another service (bundled)"


def test_preventable_only_when_the_preventing_family_flagged_the_line() -> None:
    lines = _lines()
    assert lines["preventable"].tolist() == [False, True, False, False, False]
    assert lines.loc[1, "caught_by"] == "ADDON"  # CO-97 ← PTP/ADDON; the TIME finding does not prevent CO-50
    assert denials.summary(lines) == {
        "denied_lines": 4, "denied_dollars": 370.0, "underpaid_dollars": 25.0, "preventable_lines": 1,
        "preventable_dollars": 20.0, "preventable_share": round(20 / 370, 4), "appeal_lines": 1,
        "appeal_dollars": 150.0}


def test_timely_denial_on_a_line_filed_inside_the_window_is_an_appeal_candidate() -> None:
    lines = _lines()
    assert lines["appeal"].tolist() == [True, False, False, False, False]
    assert lines.loc[0, "appeal_why"].startswith("submitted 1 days after service, inside the ")
    skipped = denials.denied_lines(CLAIMS, FINDINGS, EXPECTED_PAYMENT, ran_families={"ADDON"})
    assert not skipped["appeal"].any()  # TIMELY did not run: its silence proves nothing


def test_dollars_by_category_and_the_catalogue_to_do() -> None:
    lines = _lines()
    by_payer = denials.dollars_by(lines, "payer")
    assert by_payer[["payer", "lines", "denied", "underpaid", "preventable", "total"]].values.tolist() == [
        ["Aetna", 3, 270.0, 0.0, 20.0, 270.0], ["Cigna", 2, 100.0, 25.0, 0.0, 125.0]]
    assert denials.dollars_by(lines, "month")["month"].tolist() == ["2026-01", "2026-02", "2026-03"]
    assert denials.uncaught(lines)[["reason", "lines", "dollars"]].values.tolist() == [
        ["CO-197", 1, 100.0], ["CO-50", 1, 100.0]]


def test_tables_for_people_have_readable_headings_and_families_in_words() -> None:
    lines = pd.DataFrame({"line_index": [4], "row": [6], "claim_id": ["C1"], "dollars": [99.5],
                          "preventable": [True], "caught_by": ["CRED, TIMELY"], "appeal_why": [""]})
    shown = denials.for_people(lines)
    assert shown.columns.tolist() == ["Row", "Claim", "Dollars", "Preventable", "Would have been caught by",
                                      "Why appeal"]
    assert shown.loc[0, "Would have been caught by"] == "Licenses and enrollments, Filing deadlines"
    by_payer = pd.DataFrame({"payer": ["Aetna"], "lines": [2], "denied": [10.0], "underpaid": [0.0],
                             "preventable": [5.0], "total": [10.0]})
    assert denials.for_people(by_payer).columns.tolist() == [
        "Payer", "Lines", "Denied", "Underpaid", "Preventable dollars", "Denied and underpaid"]
