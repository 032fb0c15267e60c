"""`bhdash remit`: the JSON shape of the issue, exit codes, no patient names in the table."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bhdash.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "remit" / "fixtures"
RUNNER = CliRunner()


def test_json_has_the_issue_shape_with_exact_values() -> None:
    result = RUNNER.invoke(app, ["remit", str(FIXTURES / "ig_single_payment.835"),
                                 str(FIXTURES / "acknowledgment_999.835"), "--format", "json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    good, bad = document["files"]
    assert {key: good[key] for key in ("payer", "payment_date", "payment_total", "claims", "lines", "error",
                                      "warnings")} == {
        "payer": "BLUE CROSS BLUE SHIELD OF ILLINOIS", "payment_date": "2026-01-14", "payment_total": 245.25,
        "claims": 3, "lines": 4, "error": None, "warnings": []}
    assert bad["error"].startswith("this is a 999") and bad["claims"] == 0 and bad["payment_total"] == 0
    first = document["claims"][0]
    assert {key: first[key] for key in ("claim_id", "status", "charge", "paid", "patient_responsibility",
                                       "patient_name")} == {
        "claim_id": "CLM1001", "status": "1", "charge": 280.0, "paid": 120.0, "patient_responsibility": 50.0,
        "patient_name": "JANE DOE"}
    assert first["lines"][0] == {
        "procedure_code": "90837", "modifiers": ["95"], "service_date": "2026-01-05", "charge": 250.0,
        "paid": 120.0, "units": 1.0, "remarks": [],
        "adjustments": [{"group": "CO", "reason": "45", "amount": 80.0},
                        {"group": "PR", "reason": "2", "amount": 30.0},
                        {"group": "PR", "reason": "3", "amount": 20.0}]}
    assert "999" in result.stderr


def test_exit_2_when_no_file_is_read() -> None:
    result = RUNNER.invoke(app, ["remit", str(FIXTURES / "truncated.835"), str(FIXTURES / "not_x12.835")])
    assert result.exit_code == 2
    assert "0 of 2 remittance file(s) read" in result.stdout
    assert "not read: " in result.stdout and "truncated" in result.stdout


def test_table_summarizes_without_patient_names() -> None:
    result = RUNNER.invoke(app, ["remit", str(FIXTURES)])
    assert result.exit_code == 0
    assert "5 of 10 remittance file(s) read" in result.stdout
    assert "JANE" not in result.stdout and "DOE" not in result.stdout
    assert "claim CLM4001: does not balance" in result.stdout


def test_csv_has_one_row_per_service_line() -> None:
    result = RUNNER.invoke(app, ["remit", str(FIXTURES / "ig_single_payment.835"), "--format", "csv"])
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 5
    assert lines[1].endswith(",90837,95,2026-01-05,250.0,120.0,1.0,CO-45 80.00 PR-2 30.00 PR-3 20.00,")
