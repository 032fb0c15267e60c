"""In a real browser: claims without outcomes plus the payers' 835 files, then the Denials page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bhdash import denials
from bhdash.analysis import Analysis, analyze
from bhdash.app import formatting
from bhdash.ingest import ingest
from bhdash.remit import read_remittances
from tests.e2e.streamlit_ui import EXCEPTION, PLOTLY, go_to, metric_value, upload, wait_for_app_run

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
CLAIMS = SAMPLE / "simplepractice_appointment_status.csv"
ROSTER = SAMPLE / "roster.xlsx"
REMITTANCES = sorted((SAMPLE / "remittances").glob("*.835"))
READ_AND_CHECK_MS = 900_000


@pytest.fixture(scope="module")
def expected() -> Analysis:
    ingested = ingest(CLAIMS.read_bytes(), filename=CLAIMS.name, roster=ROSTER.read_bytes(),
                      roster_filename=ROSTER.name)
    return analyze(ingested, remittances=read_remittances(REMITTANCES))


@pytest.fixture(scope="module")
def loaded_page(browser: Browser, app_url: str, expected: Analysis) -> Page:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(app_url)
    wait_for_app_run(page)
    upload(page, 2, [{"name": path.name, "buffer": path.read_bytes(), "mimeType": "text/plain"}
                     for path in REMITTANCES])
    upload(page, 1, [{"name": ROSTER.name, "buffer": ROSTER.read_bytes(),
                      "mimeType": "application/octet-stream"}])
    upload(page, 0, [{"name": CLAIMS.name, "buffer": CLAIMS.read_bytes(), "mimeType": "text/csv"}],
           timeout=READ_AND_CHECK_MS)
    # The analysis shown is the one with the roster and every remittance: same findings as `expected`.
    page.get_by_test_id("stAlertContentSuccess").filter(
        has_text=f"{len(expected.check.findings):,} findings").wait_for(timeout=READ_AND_CHECK_MS)
    wait_for_app_run(page, timeout=READ_AND_CHECK_MS)
    yield page
    context.close()


def test_start_page_shows_the_matching_counts(loaded_page: Page, expected: Analysis) -> None:
    counts = expected.remit.summary()
    assert counts["claim_lines_matched"] > 15_000
    assert metric_value(loaded_page, "Files read") == f"{counts['files']} of {len(REMITTANCES)}"
    assert metric_value(loaded_page, "Claim lines matched") == f"{counts['claim_lines_matched']:,}"
    assert metric_value(loaded_page, "Remittance lines unmatched") == f"{counts['remit_lines_unmatched']:,}"
    expect(loaded_page.get_by_test_id(EXCEPTION)).to_have_count(0)


def test_denials_page_shows_preventable_dollars(loaded_page: Page, expected: Analysis) -> None:
    ran = set(expected.check.rules.loc[expected.check.rules["status"] == "ran", "family"])
    figures = denials.summary(denials.denied_lines(expected.claims, expected.check.findings,
                                                   expected.risk["expected_payment"], ran_families=ran))
    go_to(loaded_page, "Denials")
    expect(loaded_page.get_by_test_id(PLOTLY).first).to_be_visible()
    assert metric_value(loaded_page, "Denied") == formatting.money(figures["denied_dollars"])
    assert metric_value(loaded_page, "Preventable") == formatting.money(figures["preventable_dollars"])
    assert figures["preventable_dollars"] > 0
    expect(loaded_page.get_by_text("Outcomes from 835 remittances")).to_be_visible()
    expect(loaded_page.get_by_test_id(EXCEPTION)).to_have_count(0)
