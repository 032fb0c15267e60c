"""`bhdash --help` stays instant: no command imports the analysis stack until it runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "sklearn", "scipy", "plotly", "streamlit", "openpyxl", "rapidfuzz")

_PROBE = """
import json, sys
from typer.testing import CliRunner
from bhdash.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"exit": result.exit_code, "modules": sorted({m.partition(".")[0] for m in sys.modules})}))
"""


def _heavy(modules: list[str]) -> list[str]:
    return [name for name in HEAVY if name in modules]


@pytest.mark.parametrize("arguments", [["--help"], ["check", "--help"], ["ingest", "--help"],
                                       ["sample", "--help"], ["dashboard", "--help"],
                                       ["remit", "--help"]])
def test_help_loads_no_analysis_library(arguments: list[str]) -> None:
    completed = subprocess.run([sys.executable, "-c", _PROBE, *arguments], cwd=ROOT, capture_output=True,
                               text=True, check=True)
    probe = json.loads(completed.stdout.strip().splitlines()[-1])
    assert probe["exit"] == 0
    assert _heavy(probe["modules"]) == []


def test_importing_the_package_is_light() -> None:
    code = "import json, sys, bhdash; print(json.dumps(sorted(sys.modules)))"
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                               check=True)
    assert _heavy(json.loads(completed.stdout)) == []


def test_checking_a_file_without_outcomes_never_loads_scikit_learn() -> None:
    code = ("import json, sys\nfrom bhdash.analysis import analyze\nfrom bhdash.ingest import ingest\n"
            "analyze(ingest(b'Date of Service,CPT Code,Charge\\n01/05/2026,90837,200\\n', 'claims.csv'))\n"
            "print(json.dumps(sorted(sys.modules)))")
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                               check=True)
    assert "sklearn" not in json.loads(completed.stdout.strip().splitlines()[-1])


def test_checking_a_small_export_from_the_command_line_never_loads_scikit_learn(tmp_path: Path) -> None:
    """The CLI loads scikit-learn ahead of a fit only while a large workbook is parsed."""
    export = tmp_path / "claims.csv"
    export.write_text("Date of Service,CPT Code,Charge\n01/05/2026,90837,200\n")
    completed = subprocess.run([sys.executable, "-c", _PROBE, "check", str(export), "--format", "json"],
                               cwd=ROOT, capture_output=True, text=True, check=True)
    probe = json.loads(completed.stdout.strip().splitlines()[-1])
    assert probe["exit"] == 0
    assert "sklearn" not in probe["modules"]
