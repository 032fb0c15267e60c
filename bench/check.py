"""`bhdash check` end to end against a bare `pandas.read_excel(engine="calamine")` of the same workbook.

Run: python bench/check.py [--rows 100000] [--repeat 2]. Builds a claims workbook (bench/ingest.py's
generator) in a temporary folder, times `bhdash check FILE --format json --out …` as a subprocess (what a
user waits for, imports included) against the bare read, and prints the ratio (target <= 1.0x, 1.5x at
the least) with the split: import / read / rules / risk / output, measured in-process on the same file.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingest import build_workbook  # bench/ingest.py: run as `python bench/check.py`
from machine import speed_line  # bench/machine.py

ROOT = Path(__file__).resolve().parents[1]
TARGET, TARGET_AT_LEAST = 1.0, 1.5


def _best_of(repeat: int, action) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def _run(command: list[str]) -> None:
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def split(path: Path, out: Path) -> dict[str, float]:
    """Each phase of one check run, timed in a fresh interpreter so imports are counted once."""
    script = f"""
import json, time
started = time.perf_counter()
import threading
from bhdash.arrow_memory import use_jemalloc
use_jemalloc()  # as `bhdash check` does
from bhdash.analysis import analyze, prepare_analysis
from bhdash.ingest import ingest
from bhdash.report import write_findings_json
from bhdash.collector import settle
settle()  # as `bhdash check` does
imported = time.perf_counter()
threading.Thread(target=prepare_analysis, daemon=True).start()  # as `bhdash check` does
ingested = ingest({str(path)!r}, max_bytes=500 * 1024 * 1024)
read = time.perf_counter()
analysis = analyze(ingested)
analysed = time.perf_counter()
rules = float(analysis.check.rules["seconds"].sum())
write_findings_json(analysis, open({str(out)!r}, "wb"))
written = time.perf_counter()
print(json.dumps({{"import": imported - started, "read": read - imported, "rules": rules,
                  "risk": analysed - read - rules, "output": written - analysed}}))
"""
    completed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True,
                               text=True)
    import json

    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(speed_line())
    with tempfile.TemporaryDirectory() as folder:
        path, out = Path(folder) / "claims.xlsx", Path(folder) / "report.json"
        build_workbook(path, args.rows)
        bare_script = f"import pandas as pd; pd.read_excel({str(path)!r}, engine='calamine')"
        bare = _best_of(args.repeat, lambda: _run([sys.executable, "-c", bare_script]))
        check = _best_of(args.repeat, lambda: _run(
            [sys.executable, "-m", "bhdash.cli", "check", str(path), "--format", "json", "--out", str(out)]))
        phases = split(path, out)
        size = out.stat().st_size / 1e6
    ratio = check / bare
    verdict = ("target met" if ratio <= TARGET else
               "within the 1.5x floor" if ratio <= TARGET_AT_LEAST else "over target")
    print(f"{args.rows:,} lines; JSON report {size:.1f} MB")
    print(f"python -c 'pd.read_excel(calamine)': {bare:6.2f} s (with pandas import)")
    print(f"bhdash check --format json:         {check:6.2f} s")
    print(f"ratio: {ratio:.2f}x  ({verdict}; target <= {TARGET}x, {TARGET_AT_LEAST}x at the least)")
    print("split: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items()))


if __name__ == "__main__":
    main()
