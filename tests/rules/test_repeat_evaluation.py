"""AUDIT-004's window is per payer: a practice's payer file sets evaluation_repeat_months."""

from __future__ import annotations

from bhdash.payers import PayerDirectory
from bhdash.rules import run_checks
from tests.rules.conftest import canonical_frame


def _pair(patient: str, payer: str) -> list[dict[str, str]]:
    return [{"patient_id": patient, "service_date": day, "clinician_name": "Alex Kim",
             "procedure_code": "90791", "payer": payer} for day in ("2026-01-05", "2026-09-07")]


def test_payer_file_sets_a_longer_window_for_one_payer(tmp_path) -> None:
    payer_file = tmp_path / "payers.csv"
    payer_file.write_text("payer,payer_type,evaluation_repeat_months\nAetna,commercial,12\n")
    claims = canonical_frame(_pair("P1", "Aetna") + _pair("P2", "Cigna"))
    result = run_checks(claims, payers=PayerDirectory.load(payer_file), select={"AUDIT-004"})
    assert result.findings["line_index"].tolist() == [1]
    assert result.findings["message"].iloc[0].endswith("inside the 12-month window (payer setting)")


def test_default_window_is_six_months() -> None:
    result = run_checks(canonical_frame(_pair("P1", "Aetna")), select={"AUDIT-004"})
    assert result.findings.empty
