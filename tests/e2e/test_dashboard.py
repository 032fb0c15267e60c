"""The dashboard in a real browser: upload the messy sample workbook, visit every page, export findings."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from bhdash import metrics, money
from bhdash.analysis import Analysis, analyze
from bhdash.app import formatting
from bhdash.coverage import coverage
from bhdash.ingest import ingest
from tests.e2e.streamlit_ui import (
    EXCEPTION,
    PLOTLY,
    UPLOAD_INPUT,
    go_to,
    metric_value,
    wait_for_app_run,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "claims_detail_report.xlsx"
READ_AND_CHECK_MS = 600_000


@pytest.fixture(scope="module")
def workbook() -> bytes:
    """The bytes uploaded, read once so the browser and the library see the very same file."""
    return SAMPLE.read_bytes()


@pytest.fixture(scope="module")
def expected(workbook: bytes) -> Analysis:
    """The same workbook read and checked by the library, as the dashboard and the CLI do it."""
    return analyze(ingest(workbook, filename=SAMPLE.name))


@pytest.fixture(scope="module")
def loaded_page(browser: Browser, app_url: str, workbook: bytes) -> Page:
    """One browser session with the workbook uploaded through the real file uploader."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(app_url)
    wait_for_app_run(page)
    page.get_by_test_id(UPLOAD_INPUT).first.set_input_files(
        files=[
            {
                "name": SAMPLE.name,
                "buffer": workbook,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ]
    )
    page.get_by_test_id("stAlertContentSuccess").wait_for(timeout=READ_AND_CHECK_MS)
    wait_for_app_run(page, timeout=READ_AND_CHECK_MS)
    yield page
    context.close()


def _no_exception(page: Page) -> None:
    expect(page.get_by_test_id(EXCEPTION)).to_have_count(0)


def test_start_page_reports_what_was_read(loaded_page: Page, expected: Analysis):
    page = loaded_page
    claims = len(expected.claims)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"{claims:,} claim lines")
    assert metric_value(page, "Claim lines") == f"{claims:,}"
    assert metric_value(page, "Rows read") == f"{expected.rows_read:,}"
    assert metric_value(page, "Rows skipped") == f"{len(expected.skipped):,}"
    expect(page.get_by_text(f"header on row {expected.source.header_row}")).to_be_visible()
    _no_exception(page)


def test_every_page_shows_its_key_numbers(loaded_page: Page, expected: Analysis):
    page = loaded_page
    findings = expected.check.findings
    kpis = metrics.kpis(expected.claims, findings, expected.risk)

    go_to(page, "Overview")
    assert metric_value(page, "Claim lines") == f"{len(expected.claims):,}"
    assert metric_value(page, "Error lines") == f"{kpis.lines_with_errors:,}"
    assert metric_value(page, money.LABELS["at_risk"]) == formatting.money_short(kpis.money.at_risk)
    assert metric_value(page, money.LABELS["baseline"]) == formatting.money_short(kpis.money.baseline)
    expect(page.get_by_test_id(PLOTLY)).to_have_count(4)
    _no_exception(page)

    go_to(page, "Findings")
    assert metric_value(page, "Findings") == f"{len(findings):,}"
    assert metric_value(page, "Errors") == f"{int((findings['severity'] == 'error').sum()):,}"
    _no_exception(page)

    go_to(page, "Clinicians")
    expect(page.get_by_text("Practice at a glance")).to_be_visible()
    expect(page.get_by_test_id(PLOTLY).first).to_be_visible()
    expect(page.get_by_test_id("stMainBlockContainer")).to_contain_text("Audit outlier")
    _no_exception(page)

    go_to(page, "Credentialing")
    outside = metrics.outside_enrollment(findings, metrics.enrollment_rule_ids())
    assert metric_value(page, "Billed outside enrollment") == f"${outside['at_risk'].sum():,.0f}"
    expect(page.get_by_test_id(PLOTLY)).to_have_count(3)
    _no_exception(page)

    go_to(page, "Denial risk")
    page.get_by_text("How well does the risk predict denials?").click()
    assert metric_value(page, "Held-out AUC") == f"{expected.risk_model['auc']:.3f}"
    expect(page.get_by_test_id(PLOTLY)).to_have_count(3)
    _no_exception(page)

    go_to(page, "What-if")
    page.get_by_role("button", name="90837 outliers to the norm").click()
    wait_for_app_run(page)
    assert int(metric_value(page, "Lines affected").replace(",", "")) > 0
    _no_exception(page)

    go_to(page, "Rules")
    status = expected.check.rules
    assert metric_value(page, "Ran on this data") == f"{int((status['status'] == 'ran').sum()):,}"
    _no_exception(page)


def test_sidebar_filter_applies_across_pages(loaded_page: Page, expected: Analysis):
    page = loaded_page
    go_to(page, "Overview")
    payer = expected.claims["payer"].value_counts().index[0]
    kept = int((expected.claims["payer"] == payer).sum())
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Payers")
    box.scroll_into_view_if_needed()  # below the page list in the sidebar
    box.click()
    page.keyboard.type(payer)
    page.get_by_role("option", name=payer, exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app_run(page)
    assert metric_value(page, "Claim lines") == f"{kept:,}"
    go_to(page, "Findings")
    findings = metrics.filter_findings(
        expected.check.findings, expected.claims, metrics.Filters(payers=(payer,))
    )
    assert metric_value(page, "Findings") == f"{len(findings):,}"
    sidebar.get_by_role("button", name="Clear filters").click()
    wait_for_app_run(page)
    assert metric_value(page, "Findings") == f"{len(expected.check.findings):,}"


def test_findings_export_is_a_formula_safe_workbook(loaded_page: Page, expected: Analysis):
    page = loaded_page
    go_to(page, "Findings")
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Export these findings (Excel)").click()
    assert download.value.suggested_filename == "bhdash_findings.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert workbook.sheetnames == ["Findings", "Money", "Summary", "Rules"]
    sheet = workbook["Findings"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["Row in your file", "Claim ID", "Patient", "Member ID", "Date of service"]
    assert sheet.max_row == len(expected.check.findings) + 1
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    rows = {cell.value for cell in sheet["A"][1:] if cell.value is not None}
    assert rows == set(expected.check.findings["row"].dropna().astype(int))
    formulas = [
        cell.coordinate
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and re.match(r"^[=+@]", cell.value))
    ]
    assert formulas == []


def test_each_browser_session_sees_only_its_own_upload(browser: Browser, app_url: str, loaded_page: Page):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    other = context.new_page()
    other.goto(app_url)
    wait_for_app_run(other)
    expect(other.get_by_test_id("stAlertContentSuccess")).to_have_count(0)
    go_to(other, "Overview")
    expect(other.get_by_text("No claims loaded yet")).to_be_visible()
    context.close()


def test_overview_says_which_checks_could_not_run(browser: Browser, app_url: str):
    """A bare export (no minutes, modifiers or diagnoses): the banner names what it lacks."""
    export = (
        "Date of Service,Client Name,Clinician,Payer,CPT Code,Charge\n"
        + "".join(f"2026-03-0{day},Pat {day},Sam Lee,Aetna,90837,180\n" for day in range(2, 8))
    ).encode()
    ingested = ingest(export, filename="bare_export.csv")
    analysis = analyze(ingested)
    checked = coverage(analysis.check.rules, analysis.claims, analysis.roster)
    assert checked.skipped > 0 and "minutes" in checked.missing
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(app_url)
    wait_for_app_run(page)
    page.get_by_test_id(UPLOAD_INPUT).first.set_input_files(
        files=[{"name": "bare_export.csv", "buffer": export, "mimeType": "text/csv"}]
    )
    page.get_by_test_id("stAlertContentSuccess").wait_for(timeout=READ_AND_CHECK_MS)
    wait_for_app_run(page, timeout=READ_AND_CHECK_MS)
    go_to(page, "Overview")
    banner = page.get_by_test_id("stAlertContentWarning").filter(has_text="could not run")
    expect(banner).to_contain_text(f"{checked.message}: the share of lines with no finding covers only")
    link = page.get_by_role("link", name="See which checks ran and why others could not")
    expect(link).to_be_visible()
    assert metric_value(page, "Lines with no finding").endswith("%")
    link.click()
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name="Rules", level=1)).to_be_visible()
    context.close()


def _findings_shown(page: Page) -> int:
    go_to(page, "Findings")
    return int(metric_value(page, "Findings").replace(",", ""))


def test_payers_view_changes_a_setting_downloads_and_reuploads_its_file(
    loaded_page: Page, expected: Analysis
):
    page = loaded_page
    original = len(expected.check.findings)
    go_to(page, "Payers")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    chooser = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Payer", exact=True))
    chooser.click()
    page.keyboard.type("Cigna")  # the list holds every payer of the sample; typing narrows it
    page.get_by_role("option", name="Cigna", exact=True).click()
    wait_for_app_run(page)
    modifier = page.get_by_role("textbox", name="Telehealth modifier")
    expect(modifier).to_have_value("95")
    modifier.fill("none")
    modifier.press("Enter")
    wait_for_app_run(page)
    page.get_by_role("button", name="Save and recompute").click()
    page.get_by_text("Using your settings from").wait_for(timeout=READ_AND_CHECK_MS)
    wait_for_app_run(page, timeout=READ_AND_CHECK_MS)
    _no_exception(page)

    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download the payer file").click()
    payer_file = Path(download.value.path()).read_bytes()
    table = pd.read_csv(io.BytesIO(payer_file), dtype=str, keep_default_na=False).set_index("payer")
    assert table.loc["Cigna", "telehealth_modifiers"] == "none"
    assert "telehealth_modifiers" not in table.loc["Cigna", "assumed"].split(";")
    ingested = ingest(SAMPLE.read_bytes(), filename=SAMPLE.name)
    edited = len(analyze(ingested, payers_file=payer_file, history=ingested).check.findings)
    assert edited < original
    assert _findings_shown(page) == edited

    go_to(page, "Payers")
    page.get_by_role("button", name="Back to the shipped defaults").click()
    wait_for_app_run(page, timeout=READ_AND_CHECK_MS)
    assert _findings_shown(page) == original

    go_to(page, "Payers")
    page.get_by_test_id(UPLOAD_INPUT).first.set_input_files(
        files=[{"name": "bhdash_payers.csv", "buffer": payer_file, "mimeType": "text/csv"}]
    )
    wait_for_app_run(page, timeout=READ_AND_CHECK_MS)
    expect(page.get_by_text("Using your settings from")).to_be_visible()
    assert _findings_shown(page) == edited
    go_to(page, "Payers")
    page.get_by_role("button", name="Back to the shipped defaults").click()
    wait_for_app_run(page, timeout=READ_AND_CHECK_MS)
