"""Rebuild bhdash/reference/icd10cm_validity.csv.gz, the dated ICD-10-CM code-validity table.

Usage: python scripts/build_icd10cm.py [--cache DIR]

The official code sets come from versions of the simple-icd-10-cm package on PyPI, each of which ships
one CDC/CMS release (listed with its fiscal year in bhdash/reference/icd10cm_sets.csv). No PyPI package
carries the FY2022-FY2024 sets, so between two shipped sets:

- a code with the same status in both (billable, category or absent) is taken to keep it throughout
  (ICD-10-CM does not reinstate deleted codes or merge subdivided ones);
- a code whose status differs changed on the date given for it (or its category) in
  icd10cm_transitions.csv, with that row's source;
- otherwise its status in the gap is unknown and the table has no row for it there, so the rule says
  "unconfirmed" instead of calling it invalid.

The first set's status also stands before its start, and the last set's after its end. Output rows:
code (no dot), status (billable | category | none), valid_from, valid_to (blank = open), source.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent.parent / "bhdash" / "reference"
OUTPUT = REFERENCE / "icd10cm_validity.csv.gz"
DAY = timedelta(days=1)


@dataclass(frozen=True)
class CodeSet:
    fiscal_year: str
    start: date
    end: date
    statuses: dict[str, str]  # code (no dot) -> "billable" | "category"


@dataclass
class Segment:
    start: date | None
    end: date | None
    status: str
    source: str


def _wheel(package: str, cache: Path) -> Path:
    """The wheel of `name==version`, downloaded with pip into the cache once."""
    name, _, version = package.partition("==")
    stem = name.replace("-", "_") + "-" + version
    found = sorted(cache.glob(f"{stem}-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(cache),
                        package], check=True)
        found = sorted(cache.glob(f"{stem}-*.whl"))
    return found[0]


def _statuses(lines: list[str], with_flags: bool) -> dict[str, str]:
    """Billable or category per code. The order file flags billable codes; a bare code list does not,
    and there a code is billable exactly when it is a leaf (no longer code starts with it)."""
    if with_flags:
        return {line[6:13].strip(): "billable" if line[14] == "1" else "category"
                for line in lines if line.strip()}
    # The code list also holds chapter numbers ("5") and block ranges ("F40-F48"): not codes.
    codes = sorted({line.strip() for line in lines
                    if line.strip() and "-" not in line and not line.strip().isdigit()})
    following = [*codes[1:], ""]
    return {code: "category" if after.startswith(code) else "billable"
            for code, after in zip(codes, following, strict=True)}


def load_sets(cache: Path) -> list[CodeSet]:
    sets = []
    with (REFERENCE / "icd10cm_sets.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            with zipfile.ZipFile(_wheel(row["package"], cache)) as wheel:
                text = wheel.read(row["file"]).decode("utf-8", errors="replace")
            statuses = _statuses(text.splitlines(), with_flags="order" in row["file"])
            sets.append(CodeSet(row["fiscal_year"], date.fromisoformat(row["effective_from"]),
                                date.fromisoformat(row["effective_to"]), statuses))
    return sorted(sets, key=lambda code_set: code_set.start)


def load_transitions() -> list[tuple[str, date, str]]:
    with (REFERENCE / "icd10cm_transitions.csv").open(newline="") as handle:
        rows = [(row["code"].replace(".", ""), date.fromisoformat(row["changed_on"]), row["source"])
                for row in csv.DictReader(handle)]
    return sorted(rows, key=lambda row: -len(row[0]))  # the most specific category wins


def _transition(code: str, transitions: list[tuple[str, date, str]], after: date, before: date):
    for prefix, changed_on, source in transitions:
        if code.startswith(prefix) and after < changed_on <= before:
            return changed_on, source
    return None


def timeline(code: str, sets: list[CodeSet], transitions: list[tuple[str, date, str]]) -> list[Segment]:
    """The code's known statuses over time, adjacent equal statuses merged."""
    segments: list[Segment] = []
    for position, code_set in enumerate(sets):
        status = code_set.statuses.get(code, "none")
        segments.append(Segment(code_set.start, code_set.end, status, code_set.fiscal_year))
        if position + 1 == len(sets):
            break
        following = sets[position + 1]
        gap_start, gap_end = code_set.end + DAY, following.start - DAY
        if gap_start > gap_end:
            continue
        next_status = following.statuses.get(code, "none")
        if next_status == status:
            bridged = f"{code_set.fiscal_year}-{following.fiscal_year}"
            segments.append(Segment(gap_start, gap_end, status, bridged))
            continue
        change = _transition(code, transitions, code_set.end, following.start)
        if change is not None:
            changed_on, source = change
            if changed_on > gap_start:
                segments.append(Segment(gap_start, changed_on - DAY, status, source))
            if changed_on <= gap_end:
                segments.append(Segment(changed_on, gap_end, next_status, source))
    segments[0].start, segments[-1].end = None, None
    merged: list[Segment] = []
    for segment in segments:
        last = merged[-1] if merged else None
        adjacent = last is not None and last.end is not None and segment.start == last.end + DAY
        if adjacent and last.status == segment.status:
            last.end = segment.end
            last.source = last.source if segment.source in last.source else f"{last.source}; {segment.source}"
        else:
            merged.append(segment)
    return merged


def build(cache: Path) -> str:
    sets = load_sets(cache)
    transitions = load_transitions()
    codes = sorted(set().union(*(code_set.statuses for code_set in sets)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "status", "valid_from", "valid_to", "source"])
    for code in codes:
        for segment in timeline(code, sets, transitions):
            writer.writerow([code, segment.status, segment.start or "", segment.end or "", segment.source])
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="folder for the downloaded wheels (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        cache = args.cache or Path(scratch)
        cache.mkdir(parents=True, exist_ok=True)
        table = build(cache)
    # mtime=0 keeps the compressed file byte-identical across rebuilds of the same sets.
    OUTPUT.write_bytes(gzip.compress(table.encode(), compresslevel=9, mtime=0))
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes, {table.count(chr(10)) - 1:,} rows)")


if __name__ == "__main__":
    main()
