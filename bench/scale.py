"""Peak memory and time of a whole check (ingest, rules, risk, JSON report) on 1,000,000 claim lines.

Run: python bench/scale.py [--rows 1000000]. Writes a CSV claims export with the columns of bench/ingest.py's
workbook (a 1M-line xlsx would exceed the 500 MB inflated-size guard; the issue allows a CSV) and runs
the check in a fresh interpreter under `/usr/bin/time -v`, printing wall time, the maximum resident set
size (target < 4 GB) and the report size. The file is over the CLI's and dashboard's 50 MB upload limit,
so the run passes a larger `max_bytes` to the same `ingest` → `analyze` → `write_findings_json` pipeline that
`bhdash check` runs.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from ingest import CLINICIANS, CODES, DX, HEADER, MODIFIERS, PAYERS  # bench/ingest.py

ROOT = Path(__file__).resolve().parents[1]
TARGET_GB = 4.0


def build_csv(path: Path, rows: int, seed: int = 7) -> None:
    """The bench workbook's lines as a CSV export (dates as MM/DD/YYYY, times as h:mm AM/PM)."""
    rng = np.random.default_rng(seed)
    index = np.arange(rows)
    service = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    dob = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 20_000, rows), unit="D")
    start = rng.integers(8 * 60, 18 * 60, rows)
    length = rng.choice([30, 45, 53, 60], rows)

    def clock(minutes: np.ndarray) -> pd.Series:
        return (pd.Timestamp("2000-01-01") + pd.to_timedelta(minutes, unit="m")).strftime("%I:%M %p")

    frame = pd.DataFrame({
        "Claim ID": pd.Series(index // 2).map("C{:07d}".format), "Line": index % 2 + 1,
        "Patient Name": pd.Series(index % 5000).map("Patient {:04d}".format), "DOB": dob.strftime("%m/%d/%Y"),
        "Member ID": pd.Series(index % 5000).map("M{:06d}".format),
        "Date of Service": service.strftime("%m/%d/%Y"),
        "Rendering Provider": rng.choice(CLINICIANS, rows),
        "NPI": rng.choice([1234567893, 1245319599, 1679576722], rows), "Payer": rng.choice(PAYERS, rows),
        "POS": 11, "CPT Code": rng.choice(CODES, rows), "Modifier 1": rng.choice(MODIFIERS, rows), "Units": 1,
        "Start Time": clock(start), "End Time": clock(start + length), "Minutes": length,
        "Diagnosis 1": rng.choice(DX, rows), "Diagnosis 2": rng.choice(DX, rows),
        "Charge": rng.choice([95.0, 120.0, 150.0, 180.0, 250.0], rows), "Status": "Paid",
    })
    frame[HEADER].to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path, out = Path(folder) / "claims.csv", Path(folder) / "report.json"
        build_csv(path, args.rows)
        size = path.stat().st_size
        script = (
            "from bhdash.arrow_memory import use_jemalloc; use_jemalloc(); "  # as `bhdash check` does
            "from bhdash.analysis import analyze; from bhdash.ingest import ingest; "
            "from bhdash.report import write_findings_json; "
            "from bhdash.collector import settle; settle(); "  # as `bhdash check` does
            f"analysis = analyze(ingest({str(path)!r}, max_bytes={size + 1})); "
            f"write_findings_json(analysis, open({str(out)!r}, 'wb')); "
            "print(len(analysis.claims), len(analysis.check.findings))"
        )
        completed = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", script], cwd=ROOT,
                                   capture_output=True, text=True, check=True)
        report = out.stat().st_size
    lines, findings = completed.stdout.split()
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", completed.stderr).group(1)
    peak_gb = peak_kb / 1024 / 1024
    print(f"{int(lines):,} claim lines ({size / 1e6:.0f} MB CSV), {int(findings):,} findings, "
          f"JSON report {report / 1e6:.0f} MB")
    print(f"wall {wall}; peak memory {peak_gb:.2f} GB "
          f"({'target met' if peak_gb < TARGET_GB else 'over target'}; target < {TARGET_GB:.0f} GB)")


if __name__ == "__main__":
    main()
