"""Time `bhdash report --format pdf` on a 25,000-line practice against the 20-second budget.

Usage: python bench/report.py [--lines 25000] [--repeat 1]
Writes the sample practice scaled to about --lines claim lines as a Claims Detail Report in a temporary
folder, then times each step of the report as the CLI runs it: read and check (the same analysis
`bhdash check` runs), assemble the report, render the print HTML, and print the PDF with headless
Chromium. Prints each step's wall time, the total, and the total's ratio to the 20 s target (< 1 passes).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bhdash.analysis import analyze
from bhdash.ingest import ingest
from bhdash.reportpack import ReportOptions, build_report, find_browser
from bhdash.reportpack.pdf import html_to_pdf
from bhdash.reportpack.render import render_html
from bhdash.sample import generate_practice
from bhdash.sample.generator import draft_practice
from bhdash.sample.layouts import CLAIMS_DETAIL_FILE, write_claims_detail

TARGET_SECONDS = 20.0


def _once(path: Path) -> tuple[dict[str, float], int, int, int]:
    steps: dict[str, float] = {}
    start = time.perf_counter()
    analysis = analyze(ingest(path))
    steps["read and check"] = time.perf_counter() - start
    mark = time.perf_counter()
    report = build_report(analysis, ReportOptions(practice="Benchmark practice"))
    steps["assemble report"] = time.perf_counter() - mark
    mark = time.perf_counter()
    html = render_html(report, for_print=True)
    steps["render HTML"] = time.perf_counter() - mark
    mark = time.perf_counter()
    pdf = html_to_pdf(html)
    steps["print PDF (Chromium)"] = time.perf_counter() - mark
    return steps, len(analysis.claims), len(report.clinicians), len(pdf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if find_browser() is None:
        raise SystemExit("the PDF needs Chromium: apt-get install chromium")
    scale = args.lines / len(draft_practice().lines)
    practice = generate_practice(scale=scale)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / CLAIMS_DETAIL_FILE
        write_claims_detail(practice, path)
        runs = [_once(path) for _ in range(args.repeat)]
    lines, cards, size = runs[0][1:]
    print(f"{lines:,} claim lines, {cards} clinician report cards, PDF {size / 1024:,.0f} KB "
          f"(median of {args.repeat} run{'s' if args.repeat > 1 else ''})")
    total = 0.0
    for step in runs[0][0]:
        seconds = statistics.median(run[0][step] for run in runs)
        total += seconds
        print(f"  {step:<22} {seconds:6.2f} s")
    print(f"  {'total':<22} {total:6.2f} s   ratio to the {TARGET_SECONDS:.0f} s target: "
          f"{total / TARGET_SECONDS:.2f} ({'pass' if total < TARGET_SECONDS else 'FAIL'})")


if __name__ == "__main__":
    main()
