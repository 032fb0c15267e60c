"""Time bhdash ingestion of a 100,000-line claims workbook against a bare calamine read.

Usage: python bench/ingest.py [--rows 100000] [--repeat 3] [--with-openpyxl]
The workbook is written to a temporary directory and deleted afterwards. Target: ratio <= 1.5.
Also printed: the read phase alone (the safety checks and the raw cell grid, before header detection,
mapping and normalization), the sheet-size guard alone (it runs on the bytes before any reader), and a
bare fastexcel (Arrow) read of the same sheet, the reader issue 13 measures against.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from bhdash.ingest import ingest
from bhdash.ingest.readers import read_sheets
from bhdash.ingest.safety import check_zip

CODES = np.array(["90837", "90834", "90832", "90791", "99214", "90833", "90853", "H0031"])
MODIFIERS = np.array(["", "95", "GT", "HO", ""])
DX = np.array(["F41.1", "F32.9", "F43.10", "F33.1", "F90.0", "Z63.0"])
PAYERS = np.array(["Aetna", "Medicare", "Medicaid", "UnitedHealthcare", "Cigna", "Blue Cross Blue Shield"])
CLINICIANS = np.array(["KIM, ALEX LCSW", "Jordan Lee, PMHNP", "Sam Rivera, PhD", "Casey Park LMFT"])
HEADER = [
    "Claim ID",
    "Line",
    "Patient Name",
    "DOB",
    "Member ID",
    "Date of Service",
    "Rendering Provider",
    "NPI",
    "Payer",
    "POS",
    "CPT Code",
    "Modifier 1",
    "Units",
    "Start Time",
    "End Time",
    "Minutes",
    "Diagnosis 1",
    "Diagnosis 2",
    "Charge",
    "Status",
]


def build_workbook(path: Path, rows: int, seed: int = 7) -> None:
    """A claims-detail workbook shaped like a real export: title row, 20 columns, dates as dates."""
    rng = np.random.default_rng(seed)
    service = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    dob = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 20_000, rows), unit="D")
    start_minutes = rng.integers(8 * 60, 18 * 60, rows)
    length = rng.choice([30, 45, 53, 60], rows)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Claims")
    date_format = workbook.add_format({"num_format": "mm/dd/yyyy"})
    time_format = workbook.add_format({"num_format": "h:mm AM/PM"})
    sheet.write_row(0, 0, HEADER)
    codes = rng.choice(CODES, rows)
    modifiers = rng.choice(MODIFIERS, rows)
    payers = rng.choice(PAYERS, rows)
    clinicians = rng.choice(CLINICIANS, rows)
    dx1 = rng.choice(DX, rows)
    dx2 = rng.choice(DX, rows)
    charges = rng.choice([95.0, 120.0, 150.0, 180.0, 250.0], rows)
    npis = rng.choice([1234567893, 1245319599, 1679576722], rows)
    for index in range(rows):
        row = index + 1
        sheet.write_row(row, 0, [f"C{index // 2:07d}", index % 2 + 1, f"Patient {index % 5000:04d}"])
        sheet.write_datetime(row, 3, dob[index].to_pydatetime(), date_format)
        sheet.write_row(row, 4, [f"M{index % 5000:06d}"])
        sheet.write_datetime(row, 5, service[index].to_pydatetime(), date_format)
        sheet.write_row(
            row,
            6,
            [clinicians[index], int(npis[index]), payers[index], 11, codes[index], modifiers[index], 1],
        )
        sheet.write_number(row, 13, start_minutes[index] / 1440, time_format)
        sheet.write_number(row, 14, (start_minutes[index] + length[index]) / 1440, time_format)
        sheet.write_row(row, 15, [int(length[index]), dx1[index], dx2[index], charges[index], "Paid"])
    workbook.close()


def _fastexcel_read(path: Path) -> None:
    import fastexcel  # optional: pip install fastexcel

    fastexcel.read_excel(path).load_sheet(0, header_row=None).to_arrow()


def _has_fastexcel() -> bool:
    try:
        import fastexcel  # noqa: F401
    except ImportError:
        return False
    return True


def _best_of(repeat: int, action) -> tuple[float, float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings), statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--with-openpyxl", action="store_true", help="also time pandas with openpyxl (about 7x slower)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.xlsx"
        started = time.perf_counter()
        build_workbook(path, args.rows)
        print(
            f"built {args.rows:,} lines ({path.stat().st_size / 1e6:.1f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        result = ingest(path, max_bytes=200 * 1024 * 1024)
        assert len(result.claims) == args.rows, result.skipped.head()
        bare_min, bare_median = _best_of(args.repeat, lambda: pd.read_excel(path, engine="calamine"))
        ours_min, ours_median = _best_of(args.repeat, lambda: ingest(path, max_bytes=200 * 1024 * 1024))
        read_min, _ = _best_of(args.repeat, lambda: read_sheets(path, max_bytes=200 * 1024 * 1024))
        data = path.read_bytes()
        guard_min, _ = _best_of(args.repeat, lambda: check_zip(data, path.name))
        arrow_min = _best_of(args.repeat, lambda: _fastexcel_read(path))[0] if _has_fastexcel() else None
        if args.with_openpyxl:
            slow_min, _ = _best_of(1, lambda: pd.read_excel(path, engine="openpyxl"))
            print(
                f"pandas.read_excel(engine='openpyxl'): {slow_min:.2f} s "
                f"({slow_min / bare_min:.1f}x calamine)"
            )
    print(f"pandas.read_excel(engine='calamine'): min {bare_min:.2f} s, median {bare_median:.2f} s")
    print(f"bhdash.ingest.ingest:                 min {ours_min:.2f} s, median {ours_median:.2f} s")
    print(f"ratio (min/min): {ours_min / bare_min:.2f}x  (target <= 1.5x)")
    print(f"read phase (guard + cell grid):       min {read_min:.2f} s ({read_min / bare_min:.2f}x)")
    print(f"sheet-size guard alone:               min {guard_min:.2f} s ({guard_min / bare_min:.2f}x)")
    if arrow_min is not None:
        print(f"bare fastexcel (Arrow) read:          min {arrow_min:.2f} s ({arrow_min / bare_min:.2f}x)")


if __name__ == "__main__":
    main()
