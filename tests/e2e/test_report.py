"""The report pack in a real browser: open the sample practice, build the report on the Report page,
download the PDF and the HTML, and download one clinician's report card from the Clinicians page. The
downloads carry the library's figures for the same file and, de-identified, no patient name."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Browser, Page, expect

from bhdash.analysis import Analysis, analyze
from bhdash.app.formatting import slug
from bhdash.ingest import ingest
from bhdash.report import report_document
from bhdash.reportpack import ReportOptions, clinician_cards_report
from bhdash.reportpack.wording import count, money
from bhdash.sample.config import practice_config
from tests.e2e.streamlit_ui import EXCEPTION, go_to, wait_for_app_run

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "claims_detail_report.xlsx"
BUILD_MS = 600_000


@pytest.fixture(scope="module")
def expected() -> Analysis:
    """The sample practice read and checked by the library, as the dashboard opens it."""
    return analyze(ingest(SAMPLE))


@pytest.fixture(scope="module")
def practice() -> str:
    return practice_config()["practice"]["name"]


@pytest.fixture(scope="module")
def patient_names(expected: Analysis) -> set[str]:
    """Every patient's full name in the sample, as exported ("Last, First") and as "First Last"."""
    names = set()
    for value in expected.claims["patient_name"].dropna().astype(str).unique():
        value = " ".join(value.split())
        names.add(value)
        if "," in value:
            last, _, first = value.partition(",")
            names.add(f"{first.strip()} {last.strip()}")
    assert len(names) > 50, "the sample carries patient names"
    return names


@pytest.fixture(scope="module")
def sample_page(browser: Browser, app_url: str) -> Page:
    """One browser session that opened the sample practice from the Start page."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(app_url)
    wait_for_app_run(page)
    page.get_by_role("button", name="Explore the sample practice").click()
    wait_for_app_run(page, timeout=BUILD_MS)
    yield page
    context.close()


def _download(page: Page, button: str) -> tuple[str, bytes]:
    with page.expect_download(timeout=BUILD_MS) as download:
        page.get_by_role("button", name=button).click()
    return download.value.suggested_filename, Path(download.value.path()).read_bytes()


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _html_text(data: bytes) -> str:
    body = data.decode("utf-8").split("<body>", 1)[1]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&amp;", "&").replace("&#39;", "'").split())


def _names_in(text: str, names: set[str]) -> list[str]:
    return sorted(name for name in names if name in text)


def test_report_page_builds_the_pdf_and_html_with_the_analysis_figures(
    sample_page: Page, expected: Analysis, practice: str, patient_names: set[str]
):
    page = sample_page
    go_to(page, "Report")
    expect(page.get_by_label("Practice name")).to_have_value(practice)
    page.get_by_role("button", name="Build report").click()
    wait_for_app_run(page, timeout=BUILD_MS)
    cards = expected.claims["clinician_name"].dropna().nunique()
    expect(page.get_by_text(f"Report ready: {cards} clinician report cards")).to_be_visible()
    expect(page.get_by_test_id(EXCEPTION)).to_have_count(0)

    document = report_document(expected)
    at_risk = f"{money(document['money']['at_risk'])} at risk"
    lines = f"{count(document['summary']['claim_lines'])} claim lines checked"
    stem = f"{slug(practice)}_report"

    name, pdf = _download(page, "Download PDF")
    assert name == f"{stem}.pdf"
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert practice in text
    assert at_risk in text and lines in text
    assert "De-identified report" in text
    assert _names_in(text, patient_names) == []

    name, html = _download(page, "Download HTML (interactive)")
    assert name == f"{stem}.html"
    shown = _html_text(html)
    assert practice in shown
    assert at_risk in shown and lines in shown
    assert shown.count("Report card ·") == cards
    assert _names_in(html.decode("utf-8"), patient_names) == []


def test_clinicians_page_downloads_one_report_card(
    sample_page: Page, expected: Analysis, practice: str, patient_names: set[str]
):
    page = sample_page
    go_to(page, "Clinicians")
    billed = sorted(set(expected.claims["clinician_name"].dropna().astype(str)))
    chosen = billed[1]  # not the page's first choice, so the card follows the selection
    chooser = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Clinician", exact=True))
    chooser.click()
    page.keyboard.type(chosen)
    page.get_by_role("option", name=chosen, exact=True).click()
    wait_for_app_run(page)
    page.get_by_role("button", name="Prepare this clinician's report card").click()
    wait_for_app_run(page, timeout=BUILD_MS)
    expect(page.get_by_test_id(EXCEPTION)).to_have_count(0)
    (card,) = clinician_cards_report(expected, ReportOptions(practice=practice), [chosen]).clinicians
    figures = [f"{count(card.lines)} claim lines", f"{money(card.charges)} charges",
               f"{money(card.amount_at_risk)} at risk"]

    name, pdf = _download(page, "Report card (PDF)")
    assert name.endswith("_report_card.pdf")
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert chosen in text and all(figure in text for figure in figures), figures
    assert text.count("Report card ·") == 1
    assert _names_in(text, patient_names) == []

    name, html = _download(page, "Report card (HTML)")
    assert name.endswith("_report_card.html")
    shown = _html_text(html)
    assert shown.count("Report card ·") == 1
    assert chosen in shown and all(figure in shown for figure in figures)
    assert _names_in(html.decode("utf-8"), patient_names) == []
