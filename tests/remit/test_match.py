"""Matching remittance lines to claim lines, and the outcomes they give."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bhdash.remit import read_remittances
from bhdash.remit.match import BY_CLAIM_ID, BY_PATIENT, match_remittances, with_remit_outcomes
from bhdash.risk import adjudicated_mask, denial_label

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture()
def claims() -> pd.DataFrame:
    rows = [
        # claim_id, patient, date, code, modifier, charge, spreadsheet status, reason, paid
        ("CLM1001", "Jane Doe", "2026-01-05", "90837", "95", 250.0, None, None, None),
        ("CLM1001", "Jane Doe", "2026-01-05", "90785", None, 30.0, None, None, None),
        ("CLM1002", "Richard Roe", "2026-01-06", "90834", None, 180.0, "Paid", None, 99.0),
        ("CLM1003", "Edgar Poe", "2026-01-07", "90834", None, 200.0, "Denied", "CO-16", 0.0),
        ("CLM0999", "Jane Doe", "2025-12-01", "90832", None, 150.0, None, None, None),
        ("LV-77", "Lois Lane", "2026-01-20", "90832", None, 100.0, None, None, None),
        ("CLM5000", "Nobody Here", "2026-01-21", "90791", None, 200.0, None, None, None),
    ]
    frame = pd.DataFrame(rows, columns=["claim_id", "patient_name", "service_date", "procedure_code",
                                        "modifier_1", "charge", "status", "denial_reason", "paid_amount"])
    frame["service_date"] = pd.to_datetime(frame["service_date"])
    frame["source_row"] = range(2, 2 + len(frame))
    return frame


@pytest.fixture()
def files() -> list:
    return read_remittances([FIXTURES / "ig_single_payment.835", FIXTURES / "two_payments.835"])


def test_outcomes_by_claim_id_latest_remittance_wins(claims: pd.DataFrame, files: list) -> None:
    match = match_remittances(claims, files)
    outcomes = match.outcomes
    assert outcomes.loc[0, ["status", "paid_amount"]].tolist() == ["Paid", 120.0]
    assert pd.isna(outcomes.loc[0, "denial_reason"])
    assert outcomes.loc[1, ["status", "denial_reason", "remit_reasons", "remit_shortfall"]].tolist() == [
        "Denied", "CO-97", "CO-97", 30.0]
    # CLM1002: denied CO-50 on 2026-01-14, paid on the corrected claim of 2026-02-10: the latest wins.
    assert outcomes.loc[2, ["status", "paid_amount"]].tolist() == ["Paid", 130.0]
    assert outcomes.loc[2, "remit_payment_date"] == pd.Timestamp("2026-02-10")
    # CLM1003: the line is paid 150 but the claim-level OA-23 is not the line's; the line is paid.
    assert outcomes.loc[3, ["status", "paid_amount"]].tolist() == ["Paid", 150.0]
    # CLM0999: the reversal is accounted for but the repayment decides.
    assert outcomes.loc[4, ["status", "paid_amount"]].tolist() == ["Paid", 90.0]
    lines = match.lines.set_index(["claim_id", "claim_status"])
    assert lines.loc[("CLM0999", "22"), "claim_index"] == 4
    assert bool(lines.loc[("CLM1002", "4"), "superseded"])
    assert not bool(lines.loc[("CLM1002", "1"), "superseded"])


def test_clearinghouse_number_falls_back_to_patient_name(claims: pd.DataFrame, files: list) -> None:
    match = match_remittances(claims, files)
    line = match.lines[match.lines["claim_id"] == "CLM1004"].iloc[0]
    assert (line["claim_index"], line["matched_by"]) == (5, BY_PATIENT)
    assert match.outcomes.loc[5, ["status", "paid_amount"]].tolist() == ["Paid", 80.0]
    assert set(match.lines.loc[match.lines["claim_id"] == "CLM1001", "matched_by"]) == {BY_CLAIM_ID}


def test_summary_and_unmatched_lines_with_reasons(claims: pd.DataFrame, files: list) -> None:
    match = match_remittances(claims, files)
    assert match.summary() == {"files": 2, "remit_lines": 8, "remit_lines_unmatched": 0,
                               "claim_lines_matched": 6, "claim_lines_unmatched": 1}
    unmatched = match.unmatched_claims
    assert unmatched[["row", "claim_id", "reason"]].values.tolist() == [
        [8, "CLM5000", "no remittance for this line"]]
    other = claims.assign(claim_id=claims["claim_id"].replace("CLM1003", "X1"),
                          patient_name=claims["patient_name"].replace("Edgar Poe", "Someone Else"))
    lines = match_remittances(other, files).unmatched_lines
    assert lines[["claim_id", "procedure_code", "reason"]].values.tolist() == [
        ["CLM1003", "90834", "claim CLM1003 and its patient are not in the claims file"]]
    assert "EDGAR" not in lines.to_string() and "POE" not in lines.to_string()


def test_remittance_wins_and_labels_are_the_spreadsheet_kind(claims: pd.DataFrame, files: list) -> None:
    labeled = with_remit_outcomes(claims, match_remittances(claims, files))
    assert labeled["status"].fillna("(none)").tolist() == ["Paid", "Denied", "Paid", "Paid", "Paid", "Paid",
                                                           "(none)"]
    assert pd.isna(labeled.loc[3, "denial_reason"])  # the spreadsheet said CO-16; the remittance says paid
    assert denial_label(labeled).tolist() == [False, True, False, False, False, False, False]
    assert adjudicated_mask(labeled).tolist() == [True] * 6 + [False]


def test_partly_paid_line_is_adjudicated_but_not_denied(tmp_path: Path) -> None:
    text = (FIXTURES / "odd_separators.835").read_text().replace("CAS|CO|45|10|1|16|0", "CAS|CO|45|5||16|5")
    path = tmp_path / "partly.835"
    claims = pd.DataFrame({"claim_id": ["CLM3001"], "patient_name": ["John Doe"], "procedure_code": ["90834"],
                           "service_date": pd.to_datetime(["2026-03-01"]), "charge": [100.0]})
    path.write_text(text)
    labeled = with_remit_outcomes(claims, match_remittances(claims, read_remittances([path])))
    assert labeled.loc[0, ["status", "remit_reasons", "remit_shortfall"]].tolist() == [
        "Partly paid", "CO-16", 5.0]
    assert adjudicated_mask(labeled).tolist() == [True] and denial_label(labeled).tolist() == [False]


def _remittance(payment_date: str, trace: str, claims: list[str]) -> list[str]:
    """One 835 transaction (ST…SE) paying the given CLP loops."""
    body = [f"BPR*C*0*C*ACH************{payment_date}", f"TRN*1*{trace}*1999999999", "N1*PR*AETNA",
            "N1*PE*LAKEVIEW BEHAVIORAL HEALTH*XX*1234567893", "LX*1", *claims]
    return ["ST*835*0001", *body, f"SE*{len(body) + 2}*0001"]


def _claim(claim_id: str, status: str, paid: int, adjustment: str) -> str:
    return "~".join([f"CLP*{claim_id}*{status}*100*{paid}*0*12*PCN{claim_id}{status}*11*1",
                     "NM1*QC*1*DOE*JANE****MI*XYZ123456789", f"SVC*HC:90834*100*{paid}**1",
                     "DTM*472*20260201", f"CAS*{adjustment}"])


def _file(tmp_path: Path, transactions: list[list[str]]) -> Path:
    envelope = ["ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*LAKEVIEWBH     *260401*1200*^*00501*"
                "000000001*0*P*:", "GS*HP*CLEARINGHOUSE*LAKEVIEWBH*20260401*1200*1*X*005010X221A1"]
    segments = [*envelope, *[segment for transaction in transactions for segment in transaction],
                "GE*1*1", "IEA*1*000000001"]
    path = tmp_path / "era.835"
    path.write_text("~".join(segments) + "~")
    return path


ONE_LINE = pd.DataFrame({"claim_id": ["CLM2001"], "patient_name": ["Jane Doe"], "procedure_code": ["90834"],
                         "service_date": pd.to_datetime(["2026-02-01"]), "charge": [100.0],
                         "source_row": [2]})
DECIDED = ["claim_index", "matched_by", "superseded"]


def test_denied_then_corrected_in_one_remittance_is_one_line_paid(tmp_path: Path) -> None:
    path = _file(tmp_path, [_remittance("20260301", "EFT1", [
        _claim("CLM2001", "4", 0, "CO*16*100"), _claim("CLM2001", "1", 80, "CO*45*20")])])
    match = match_remittances(ONE_LINE, read_remittances([path]))
    assert match.summary()["remit_lines_unmatched"] == 0
    assert match.lines["claim_index"].tolist() == [0, 0]
    assert match.lines["superseded"].tolist() == [True, False]
    assert match.outcomes.loc[0, ["status", "paid_amount"]].tolist() == ["Paid", 80.0]


def test_denial_under_a_clearinghouse_number_later_paid_is_superseded(tmp_path: Path) -> None:
    path = _file(tmp_path, [_remittance("20260301", "EFT1", [_claim("CH998877", "4", 0, "CO*16*100")]),
                            _remittance("20260401", "EFT2", [_claim("CLM2001", "1", 80, "CO*45*20")])])
    match = match_remittances(ONE_LINE, read_remittances([path]))
    lines = match.lines.set_index("claim_id")
    assert lines.loc["CH998877", DECIDED].tolist() == [0, BY_PATIENT, True]
    assert lines.loc["CLM2001", DECIDED].tolist() == [0, BY_CLAIM_ID, False]
    assert match.summary()["remit_lines_unmatched"] == 0
    assert match.outcomes.loc[0, ["status", "paid_amount"]].tolist() == ["Paid", 80.0]
