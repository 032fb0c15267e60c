from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from bhdash.cli import app
from bhdash.sample.layouts import LAYOUT_FILES


def test_sample_command_writes_every_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sample", "--months", "1", "--out", str(tmp_path), "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(LAYOUT_FILES)
    assert "claim lines" in result.output
    manifest = pd.read_csv(tmp_path / "manifest.csv")
    assert {"CRED", "NPI", "DUP"} <= set(manifest["family"])


def test_clean_sample_has_an_empty_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sample", "--months", "1", "--clean", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "manifest.csv").empty
