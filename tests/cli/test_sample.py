from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bhdash.cli import app
from bhdash.reportpack import find_browser
from bhdash.sample.layouts import EXAMPLE_REPORT_FILE, LAYOUT_FILES


def test_sample_command_writes_every_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sample", "--months", "1", "--out", str(tmp_path), "--seed", "5",
                                       "--no-report"])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([*LAYOUT_FILES, "remittances"])
    assert "claim lines" in result.output
    manifest = pd.read_csv(tmp_path / "manifest.csv")
    assert {"CRED", "NPI", "DUP"} <= set(manifest["family"])


def test_clean_sample_has_an_empty_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sample", "--months", "1", "--clean", "--out", str(tmp_path),
                                       "--no-report"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "manifest.csv").empty


@pytest.mark.skipif(find_browser() is None, reason="the example PDF needs Chromium")
def test_sample_command_rebuilds_the_example_report(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sample", "--months", "1", "--out", str(tmp_path), "--seed", "5"])
    assert result.exit_code == 0, result.output
    report = tmp_path / EXAMPLE_REPORT_FILE
    assert report.read_bytes().startswith(b"%PDF")
    assert EXAMPLE_REPORT_FILE in result.output
    assert EXAMPLE_REPORT_FILE in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_sample_command_without_a_browser_still_writes_the_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chrome"))
    result = CliRunner().invoke(app, ["sample", "--months", "1", "--out", str(tmp_path), "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "example report not written" in result.output and "apt-get install chromium" in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([*LAYOUT_FILES, "remittances"])
