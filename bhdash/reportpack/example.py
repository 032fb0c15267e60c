"""The example report shipped with the sample practice, so a visitor sees the deliverable without installing
anything. `bhdash sample` rebuilds it after writing the sample files."""

from __future__ import annotations

from pathlib import Path

from bhdash.analysis import analyze
from bhdash.ingest import ingest
from bhdash.reportpack import ReportOptions, build_report, report_pdf
from bhdash.sample.config import practice_config
from bhdash.sample.layouts import CLAIMS_DETAIL_FILE, EXAMPLE_REPORT_FILE


def write_example_report(folder: Path) -> Path:
    """Check the sample's Claims Detail Report and write its PDF report next to it.

    Dated on the data's as-of date rather than today, so regenerating it changes only what Chromium stamps.
    Raises BrowserMissing when no Chromium is installed.
    """
    analysis = analyze(ingest(folder / CLAIMS_DETAIL_FILE))
    options = ReportOptions(
        practice=practice_config()["practice"]["name"],
        prepared_by="bhdash (example report on the sample practice)",
        prepared_on=analysis.as_of.date(),
    )
    path = folder / EXAMPLE_REPORT_FILE
    path.write_bytes(report_pdf(build_report(analysis, options)))
    return path
