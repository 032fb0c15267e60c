"""`bhdash check --remit`: the JSON remit block, unmatched lines in table and xlsx, exit 2 when unusable."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from bhdash.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "remit" / "fixtures"
RUNNER = CliRunner()
CLAIMS = """Claim ID,Date of Service,Patient Name,Rendering Provider,Payer,CPT Code,Modifier,Units,Charge
CLM1001,01/05/2026,Jane Doe,Alex Kim,Blue Cross Blue Shield of Illinois,90837,95,1,250
CLM1001,01/05/2026,Jane Doe,Alex Kim,Blue Cross Blue Shield of Illinois,90785,,1,30
CLM1002,01/06/2026,Richard Roe,Priya Shah,Blue Cross Blue Shield of Illinois,90834,,1,180
CLM7777,01/08/2026,Mary Major,Priya Shah,Blue Cross Blue Shield of Illinois,90834,,1,180
"""


def _claims(tmp_path: Path) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text(CLAIMS)
    return path


def test_json_gains_the_remit_block(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["check", str(_claims(tmp_path)),
                                 "--remit", str(FIXTURES / "ig_single_payment.835"),
                                 "--remit", str(FIXTURES / "acknowledgment_999.835"), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["remit"] == {"files": 1, "remit_lines": 4, "remit_lines_unmatched": 1,
                                 "claim_lines_matched": 3, "claim_lines_unmatched": 1}
    assert any("acknowledgment_999.835" in warning and "999" in warning for warning in document["warnings"])


def test_table_and_xlsx_list_unmatched_lines_with_reasons(tmp_path: Path) -> None:
    claims = _claims(tmp_path)
    remit = str(FIXTURES / "ig_single_payment.835")
    table = RUNNER.invoke(app, ["check", str(claims), "--remit", remit]).stdout
    assert "Remittances: 1 file, 4 lines; 3 claim lines matched, 1 without a remittance" in table
    assert "row 5: CLM7777 90834 2026-01-08: no remittance for this line" in table
    assert ("ig_single_payment.835: CLM1003 90834 2026-01-07: claim CLM1003 and its patient are not in"
            in table)
    assert "POE" not in table and "EDGAR" not in table
    out = tmp_path / "report.xlsx"
    assert RUNNER.invoke(app, ["check", str(claims), "--remit", remit, "--format", "xlsx", "--out",
                               str(out)]).exit_code == 0
    sheets = pd.read_excel(io.BytesIO(out.read_bytes()), sheet_name=None, engine="calamine")
    assert sheets["Unmatched claim lines"]["claim_id"].tolist() == ["CLM7777"]
    assert sheets["Unmatched remittances"]["reason"].str.contains("not in the claims file").all()


def test_no_readable_remittance_is_unusable_input(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["check", str(_claims(tmp_path)), "--remit", str(FIXTURES / "truncated.835")])
    assert result.exit_code == 2
    assert "no 835 remittance could be read (truncated" in result.stderr


def test_report_reads_remittances_like_check(tmp_path: Path) -> None:
    claims, bad = str(_claims(tmp_path)), str(FIXTURES / "truncated.835")
    check = RUNNER.invoke(app, ["check", claims, "--remit", bad])
    report = RUNNER.invoke(app, ["report", claims, "--remit", bad, "--format", "html",
                                 "--out", str(tmp_path / "r.html")])
    assert (report.exit_code, report.stderr) == (check.exit_code, check.stderr) == (2, check.stderr)
    assert "no 835 remittance could be read" in report.stderr
    written = RUNNER.invoke(app, ["report", claims, "--remit", str(FIXTURES / "ig_single_payment.835"),
                                  "--format", "html", "--out", str(tmp_path / "r.html")])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("Plotly.newPlot") >= 2
