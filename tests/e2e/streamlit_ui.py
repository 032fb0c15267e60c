"""Streamlit 1.67 test ids and waits in one place (they change between releases)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]

UPLOADER = "stFileUploader"
UPLOAD_INPUT = "stFileUploaderDropzoneInput"
UPLOADED_FILE = "stFileChipName"
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


def upload(page: Page, index: int, files: list[dict[str, object]], timeout: float = 120_000,
           attempts: int = 3) -> None:
    """Put files in the `index`-th uploader and wait until the uploader lists one of them.

    Under load the uploader can re-render while Playwright sets its files, and a file set on the old
    element is lost: the page is left to settle first, and the files are set again while the uploader
    still lists none of them."""
    wait_for_app_run(page, timeout=timeout)
    uploader = page.get_by_test_id(UPLOADER).nth(index)
    chip = uploader.get_by_test_id(UPLOADED_FILE).first
    for attempt in range(attempts):
        uploader.get_by_test_id(UPLOAD_INPUT).set_input_files(files=files)
        try:
            chip.wait_for(timeout=timeout / attempts)
            break
        except PlaywrightTimeoutError:
            if uploader.get_by_test_id(UPLOADED_FILE).count():
                break
            if attempt == attempts - 1:
                raise
    wait_for_app_run(page, timeout=timeout)


def go_to(page: Page, title: str, attempts: int = 3) -> None:
    """Click a page in the sidebar navigation (same browser session, so the upload is kept).

    A click that lands while a rerun is being replaced can be dropped, so the click is repeated until the
    browser is on the page's address."""
    link = page.get_by_test_id(SIDEBAR_NAV).get_by_role("link", name=title, exact=True)
    address = urllib.parse.urlsplit(link.get_attribute("href") or "").path
    for attempt in range(attempts):
        link.click()
        try:
            page.wait_for_url(lambda url: urllib.parse.urlsplit(url).path == address, timeout=20_000)
            break
        except PlaywrightTimeoutError:
            if attempt == attempts - 1:
                raise
    wait_for_app_run(page)
    page.get_by_role("heading", level=1).first.wait_for(timeout=120_000)


def metric_value(page: Page, label: str, timeout: float = 120_000) -> str:
    """The displayed value of the st.metric whose label is exactly `label` (waiting while the page
    computes it)."""
    metric = page.get_by_test_id(METRIC).filter(
        has=page.get_by_test_id(METRIC_LABEL).get_by_text(label, exact=True)
    )
    return metric.get_by_test_id(METRIC_VALUE).first.inner_text(timeout=timeout).strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(*, open_sample: bool, start_seconds: float = 60) -> Iterator[str]:
    """`streamlit run` the dashboard headless on a free local port; yields its URL, stops it after."""
    port = _free_port()
    env = {**os.environ, "BHDASH_OPEN_SAMPLE": "1" if open_sample else ""}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "streamlit_app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_seconds
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start on port {port}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
