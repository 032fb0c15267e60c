"""`bhdash report`: refuses what `bhdash check` refuses, warns about a bad logo, says what the PDF needs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bhdash.cli import app

RUNNER = CliRunner()


@pytest.fixture
def bad_claims(tmp_path: Path) -> Path:
    path = tmp_path / "claims.xlsx"
    path.write_text("this is not a workbook", encoding="utf-8")
    return path


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text(
        "Claim ID,Date of Service,Patient Name,Rendering Provider,Payer,CPT Code,Units,Minutes,Diagnosis 1,"
        "Charge\n"
        "C1,03/02/2026,Avery Stone,Sam Lee,Aetna,90834,1,45,F41.1,150\n"
        "C2,03/03/2026,Blake Moss,Sam Lee,Aetna,90837,1,30,F41.1,200\n",
        encoding="utf-8",
    )
    return path


def test_report_refuses_what_check_refuses_with_the_same_message(bad_claims: Path, tmp_path: Path) -> None:
    checked = RUNNER.invoke(app, ["check", str(bad_claims)])
    reported = RUNNER.invoke(
        app, ["report", str(bad_claims), "--format", "html", "--out", str(tmp_path / "r.html")]
    )
    assert checked.exit_code == reported.exit_code == 2
    assert reported.stderr == checked.stderr
    assert reported.stderr.startswith("error: file '")
    assert not (tmp_path / "r.html").exists()


def test_a_missing_or_unreadable_logo_is_a_warning_and_the_report_is_written(
    small_csv: Path, tmp_path: Path
) -> None:
    not_png = tmp_path / "logo.png"
    not_png.write_text("GIF89a", encoding="utf-8")
    for logo, words in ((tmp_path / "missing.png", "could not be read"), (not_png, "is not a PNG image")):
        out = tmp_path / "report.html"
        result = RUNNER.invoke(
            app, ["report", str(small_csv), "--logo", str(logo), "--format", "html", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert f"warning: logo '{logo}' {words}" in result.stderr
        assert out.stat().st_size > 1_000_000  # plotly.js inline


def test_html_report_is_self_contained_and_deidentified(small_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = RUNNER.invoke(
        app, ["report", str(small_csv), "--practice", "Lee Counseling", "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script src=" not in html and "<link" not in html
    assert html.count("Plotly.newPlot") >= 2
    assert "Lee Counseling" in html and "De-identified report" in html
    assert "Avery Stone" not in html and "Blake Moss" not in html
    identified = RUNNER.invoke(
        app, ["report", str(small_csv), "--identified", "--format", "html", "--out", str(out)]
    )
    assert identified.exit_code == 0, identified.output
    assert "contains patient names" in out.read_text(encoding="utf-8")


def test_pdf_without_a_browser_says_what_to_install_in_one_line(
    small_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chrome"))
    result = RUNNER.invoke(app, ["report", str(small_csv), "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "apt-get install chromium" in lines[0] and "--format html" in lines[0]
    assert not (tmp_path / "r.pdf").exists()


def test_from_after_to_is_refused(small_csv: Path) -> None:
    result = RUNNER.invoke(app, ["report", str(small_csv), "--from", "2026-04-01", "--to", "2026-03-01"])
    assert result.exit_code == 2
    assert "--from is after --to" in result.output
