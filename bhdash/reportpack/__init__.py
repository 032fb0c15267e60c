"""The consultant's report pack: one report, as a self-contained HTML file or a print-ready PDF.

    from bhdash.reportpack import ReportOptions, build_report, report_html, report_pdf
    report = build_report(analysis, ReportOptions(practice="Lakeview Behavioral Health"))
    Path("report.pdf").write_bytes(report_pdf(report))

`build_report` reads everything from the same analysis the dashboard and `bhdash check` use; the HTML is
rendered from one template, and the PDF is that HTML printed by headless Chromium.
"""

from __future__ import annotations

from bhdash.reportpack.content import (
    ClinicianCard,
    Report,
    ReportOptions,
    build_report,
    clinician_cards_report,
    logo_data_uri,
    practice_name_from,
)
from bhdash.reportpack.pdf import BrowserMissing, find_browser, html_to_pdf
from bhdash.reportpack.render import render_html


def report_html(report: Report) -> bytes:
    """The interactive, self-contained HTML report."""
    return render_html(report).encode("utf-8")


def report_pdf(report: Report) -> bytes:
    """The print-ready PDF; raises BrowserMissing when no Chrome/Chromium is installed."""
    return html_to_pdf(render_html(report, for_print=True))


def cards_html(report: Report) -> bytes:
    """The report cards alone (a `clinician_cards_report`), as HTML."""
    return render_html(report, cards=report.clinicians).encode("utf-8")


def cards_pdf(report: Report) -> bytes:
    """The report cards alone, as PDF; raises BrowserMissing."""
    return html_to_pdf(render_html(report, for_print=True, cards=report.clinicians))


__all__ = [
    "BrowserMissing",
    "ClinicianCard",
    "Report",
    "ReportOptions",
    "build_report",
    "cards_html",
    "cards_pdf",
    "clinician_cards_report",
    "find_browser",
    "logo_data_uri",
    "practice_name_from",
    "report_html",
    "report_pdf",
]
