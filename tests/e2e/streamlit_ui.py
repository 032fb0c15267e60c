"""Streamlit 1.67 test ids and waits in one place (they change between releases)."""

from __future__ import annotations

from playwright.sync_api import Page

UPLOAD_INPUT = "stFileUploaderDropzoneInput"
METRIC = "stMetric"
METRIC_LABEL = "stMetricLabel"
METRIC_VALUE = "stMetricValue"
PLOTLY = "stPlotlyChart"
DATAFRAME = "stDataFrame"
SIDEBAR_NAV = "stSidebarNav"
EXCEPTION = "stException"


def wait_for_app_run(page: Page, timeout: float = 120_000) -> None:
    """Wait until the script run started by the last interaction has finished (Streamlit's e2e signal)."""
    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )


def go_to(page: Page, title: str) -> None:
    """Click a page in the sidebar navigation (same browser session, so the upload is kept)."""
    page.get_by_test_id(SIDEBAR_NAV).get_by_role("link", name=title, exact=True).click()
    wait_for_app_run(page)
    page.get_by_role("heading", level=1).first.wait_for(timeout=120_000)


def metric_value(page: Page, label: str) -> str:
    """The displayed value of the st.metric whose label is exactly `label`."""
    metric = page.get_by_test_id(METRIC).filter(
        has=page.get_by_test_id(METRIC_LABEL).get_by_text(label, exact=True)
    )
    return metric.get_by_test_id(METRIC_VALUE).first.inner_text().strip()
