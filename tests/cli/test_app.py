"""The CLI never prints a traceback or local variables, and serves the dashboard locally by default."""

from __future__ import annotations

import io
import json
import subprocess

import openpyxl
import pytest
from typer.testing import CliRunner

from bhdash.cli import app, dashboard
from tests.ingest.hostile_corpus import HEADER, ROWS, xlsx

RUNNER = CliRunner()


def test_an_internal_error_is_one_line_without_traceback_or_locals(monkeypatch, tmp_path, capsys):
    import bhdash.ingest

    def explode(*args, **kwargs):
        patient = "Jane Doe"
        raise RuntimeError(f"boom near {patient}")

    monkeypatch.setattr(bhdash.ingest, "ingest", explode)
    monkeypatch.delenv("BHDASH_DEBUG", raising=False)
    path = tmp_path / "claims.csv"
    path.write_text("Date of Service,CPT Code\n2024-01-05,90837\n")
    with pytest.raises(SystemExit) as stopped:
        app(["check", str(path)], prog_name="bhdash")  # as the installed `bhdash` script runs it
    assert stopped.value.code == 1
    printed = capsys.readouterr()
    assert printed.err == (
        "error: bhdash stopped on an internal error (RuntimeError); "
        "run again with BHDASH_DEBUG=1 for details and report it\n"
    )
    assert "Jane Doe" not in printed.out + printed.err


def test_dashboard_listens_on_this_computer_unless_told(monkeypatch):
    calls = []
    monkeypatch.setattr(dashboard.subprocess, "call", lambda command, **kwargs: calls.append(command) or 0)
    RUNNER.invoke(app, ["dashboard"])
    RUNNER.invoke(app, ["dashboard", "--host", "0.0.0.0"])
    addresses = [command[command.index("--server.address") + 1] for command in calls]
    assert addresses == ["127.0.0.1", "0.0.0.0"]
    assert subprocess is dashboard.subprocess


def test_ingestion_warnings_reach_every_check_output(tmp_path):
    path = tmp_path / "two.xlsx"
    path.write_bytes(xlsx({"Old": [HEADER, *ROWS], "Claims": [HEADER, *ROWS]}, hidden=("Old",)))
    expected = (
        "sheet 'Old' also looks like claims and was not read; sheet 'Claims' was read because it is visible "
        "and 'Old' is hidden. Export one claims sheet per file"
    )
    as_json = RUNNER.invoke(app, ["check", str(path), "--format", "json"])
    assert as_json.exit_code == 0
    assert expected in json.loads(as_json.stdout)["warnings"]
    as_table = RUNNER.invoke(app, ["check", str(path)])
    assert f"  - {expected}" in as_table.stdout
    out = tmp_path / "report.xlsx"
    assert RUNNER.invoke(app, ["check", str(path), "--format", "xlsx", "--out", str(out)]).exit_code == 0
    summary = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))["Summary"]
    column_a = [row[0] for row in summary.iter_rows(values_only=True)]
    assert column_a[column_a.index("Warnings") + 1 :][:1] == [expected]
