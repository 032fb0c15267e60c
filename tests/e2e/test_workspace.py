"""In a real browser: save two uploads of one practice from Start, then open Progress and see the trend
and the comparison; a second save of the same file asks first."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from bhdash.workspace.progress import progress_figures
from bhdash.workspace.store import Workspace
from tests.e2e.streamlit_ui import EXCEPTION, PLOTLY, UPLOAD_INPUT, go_to, metric_value, wait_for_app_run
from tests.workspace.fixtures import TwoUploads

READ_AND_CHECK_MS = 600_000
PRACTICE = "Browser test clinic"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(page: Page, path: Path) -> None:
    page.get_by_test_id(UPLOAD_INPUT).first.set_input_files(
        files=[{"name": path.name, "buffer": path.read_bytes(), "mimeType": XLSX}])
    expect(page.get_by_text(f"{path.name} is loaded")).to_be_visible(timeout=READ_AND_CHECK_MS)
    wait_for_app_run(page, timeout=READ_AND_CHECK_MS)


def _save(page: Page) -> None:
    page.get_by_role("button", name="Save this upload").click()
    wait_for_app_run(page)


def test_save_two_uploads_then_see_progress(
    browser: Browser, app_url: str, two_uploads: TwoUploads, tmp_path: Path
) -> None:
    workspace = tmp_path / "browser.duckdb"
    page = browser.new_context(viewport={"width": 1440, "height": 1600}).new_page()
    page.goto(app_url)
    wait_for_app_run(page)

    _upload(page, two_uploads.before.path)
    page.get_by_text("Keep this upload to track progress (optional)").click()
    wait_for_app_run(page)
    expect(page.get_by_text("It never keeps patient names, birth dates or member IDs")).to_be_visible()
    page.get_by_role("textbox", name="Workspace file").fill(str(workspace))
    page.get_by_role("textbox", name="Workspace file").press("Enter")
    wait_for_app_run(page)
    page.get_by_role("textbox", name="Name of the new practice").fill(PRACTICE)
    page.get_by_role("textbox", name="Name of the new practice").press("Enter")
    wait_for_app_run(page)
    _save(page)
    expect(page.get_by_text("Saved as upload 1.")).to_be_visible()
    _save(page)  # the same file again: asked first, nothing stored
    expect(page.get_by_text("This very file is already saved in this practice as upload 1")).to_be_visible()

    _upload(page, two_uploads.after.path)
    _save(page)
    expect(page.get_by_text("Saved as upload 2.")).to_be_visible()

    go_to(page, "Progress")
    assert page.get_by_test_id(EXCEPTION).count() == 0
    with Workspace.open(workspace, read_only=True) as stored:
        progress = progress_figures(stored, PRACTICE)
    assert progress.history["upload_id"].tolist() == [1, 2]
    assert metric_value(page, "Uploads saved") == "2"
    assert metric_value(page, "Findings") == f"{int(progress.history['findings'].iloc[-1]):,}"
    expect(page.get_by_test_id(PLOTLY).first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Money at risk by finding family")).to_be_visible()
    expect(page.get_by_text("Findings since the previous upload")).to_be_visible()
    changes = progress.changes.iloc[0]
    assert changes["resolved"] > 0
    # The comparison table shows the counts the workspace computes.
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_contain_text(str(changes["resolved"]))
