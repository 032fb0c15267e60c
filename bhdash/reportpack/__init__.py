"""The consultant's report pack: one report, as a self-contained HTML file or a print-ready PDF.

    from bhdash.reportpack import ReportOptions, build_report, report_html, report_pdf
    report = build_report(analysis, ReportOptions(practice="Lakeview Behavioral Health"))
    Path("report.pdf").write_bytes(report_pdf(report))

`build_report` reads everything from the same analysis the dashboard and `bhdash check` use; the HTML is
rendered from one template, and the PDF is that HTML printed by headless Chromium.
"""

from __future__ import annotations

from bhdash.reportpack.content import ClinicianCard, Report, ReportOptions, build_report, logo_data_uri
from bhdash.reportpack.pdf import BrowserMissing, find_browser, html_to_pdf
from bhdash.reportpack.render import render_html


def report_html(report: Report) -> bytes:
    """The interactive, self-contained HTML report."""
    return render_html(report).encode("utf-8")


def report_pdf(report: Report, cards: list[ClinicianCard] | None = None) -> bytes:
    """The print-ready PDF (or only the given clinicians' report cards); raises BrowserMissing."""
    return html_to_pdf(render_html(report, for_print=True, cards=cards))


def card_html(report: Report, card: ClinicianCard) -> bytes:
    """One clinician's report card alone, as HTML."""
    return render_html(report, cards=[card]).encode("utf-8")


__all__ = [
    "BrowserMissing",
    "ClinicianCard",
    "Report",
    "ReportOptions",
    "build_report",
    "card_html",
    "find_browser",
    "logo_data_uri",
    "report_html",
    "report_pdf",
]
