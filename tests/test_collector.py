"""The garbage collector's settings for a data-heavy process, checked in fresh interpreters (they are
process-wide: a probe in the test process would change the whole test run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_PROBE = """
import gc, json
import pandas
from bhdash.collector import YOUNG_THRESHOLD, settle
before = {"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}
settle()
once = {"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}
kept = [[index] for index in range(1000)]  # new containers, alive after the first settle
settle()
again = {"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}
print(json.dumps({"before": before, "once": once, "again": again, "young": YOUNG_THRESHOLD}))
"""


def _probe() -> dict:
    completed = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    return json.loads(completed.stdout)


def test_settle_freezes_the_imports_and_raises_the_young_threshold_once() -> None:
    seen = _probe()
    assert seen["before"]["threshold"] == [700, 10, 10]
    assert seen["before"]["frozen"] == 0
    # pandas and its dependencies alone are tens of thousands of container objects.
    assert seen["once"]["frozen"] > 20_000
    assert seen["once"]["threshold"] == [10_000, 10, 10] == [seen["young"], 10, 10]
    # A second call changes nothing: the 1,000 lists made since are not frozen.
    assert seen["again"] == seen["once"]


def test_bhdash_check_settles_after_its_imports(tmp_path: Path) -> None:
    script = """
import gc, sys
from bhdash.cli import app
try:
    app(["check", sys.argv[1], "--format", "csv", "--out", sys.argv[2]], standalone_mode=False)
finally:
    print(gc.get_threshold(), gc.get_freeze_count() > 20_000)
"""
    claims = Path(__file__).resolve().parents[1] / "sample_data" / "claims_detail_report.xlsx"
    completed = subprocess.run([sys.executable, "-c", script, str(claims), str(tmp_path / "out.csv")],
                               capture_output=True, text=True, check=True)
    assert completed.stdout.strip().splitlines()[-1] == "(10000, 10, 10) True"
