"""A hostile upload in one browser session is refused there, and another session keeps working throughout."""

from __future__ import annotations

import urllib.request

from playwright.sync_api import Browser, expect

from tests.e2e.streamlit_ui import EXCEPTION, UPLOAD_INPUT, wait_for_app_run
from tests.ingest.hostile_corpus import HEADER, ROWS, SHEET, rewrite, xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READ_MS = 300_000


def _stray_cell_workbook() -> bytes:
    """Three claim lines plus one cell at XFD1048576, Excel's last cell: a 17-billion-cell grid if read."""
    stray = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    workbook = xlsx({"Claims": [HEADER, *ROWS]})
    return rewrite(workbook, {SHEET: lambda part: part.replace(b"</sheetData>", stray)})


def _upload(page, name: str, data: bytes) -> None:
    page.get_by_test_id(UPLOAD_INPUT).first.set_input_files(
        files=[{"name": name, "buffer": data, "mimeType": XLSX_TYPE}]
    )


def test_stray_cell_workbook_is_refused_and_another_session_keeps_working(
    browser: Browser, app_url: str, tmp_path
):
    hostile = browser.new_context().new_page()
    other = browser.new_context().new_page()
    for page in (hostile, other):
        page.goto(app_url)
        wait_for_app_run(page)

    _upload(hostile, "stray-cell.xlsx", _stray_cell_workbook())
    refusal = hostile.get_by_test_id("stAlertContentError")
    refusal.wait_for(timeout=READ_MS)
    expect(refusal).to_contain_text("the sheet is too large to read")
    expect(refusal).to_contain_text("XFD1048576")
    expect(hostile.get_by_test_id(EXCEPTION)).to_have_count(0)

    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=10) as response:
        assert response.read() == b"ok"  # the server process survived
    _upload(other, "claims.xlsx", xlsx({"Claims": [HEADER, *ROWS]}))
    other.get_by_test_id("stAlertContentSuccess").wait_for(timeout=READ_MS)
    wait_for_app_run(other, timeout=READ_MS)
    expect(other.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(hostile.get_by_test_id("stAlertContentError")).to_contain_text("too large")
    hostile.screenshot(path=str(tmp_path / "hostile-refused.png"))
    other.screenshot(path=str(tmp_path / "other-session.png"))
