"""Report page and the Clinicians page's report card: built for the current filters, offered as downloads."""

from bhdash.reportpack import find_browser
from bhdash.reportpack.wording import count, money


def _downloads(app) -> list[str]:
    return [button.proto.label for button in app.get("download_button")]


def test_report_page_builds_the_report_for_the_current_selection(open_page, expected):
    app = open_page("pages/report.py")
    assert app.text_input[0].value == "Lakeview Behavioral Health"
    assert not _downloads(app)
    app.button[0].click().run(timeout=600)  # the form's "Build report"
    assert not app.exception, app.exception[0].message
    labels = _downloads(app)
    assert "Download HTML (interactive)" in labels
    assert ("Download PDF" in labels) == (find_browser() is not None)
    files = app.session_state["report_files"]
    html = files["html"].decode("utf-8")
    kpis = expected.kpis
    assert f"{count(kpis.claim_lines)}</div><div class=\"label\">claim lines checked" in html
    assert f"{money(kpis.dollars_at_risk)}</div><div class=\"label\">at risk" in html
    assert "De-identified report" in html


def test_clinicians_page_downloads_one_report_card(open_page):
    app = open_page("pages/clinicians.py")
    chosen = app.selectbox(key="clinicians_chosen").value
    prepare = next(button for button in app.button if button.label == "Prepare this clinician's report card")
    prepare.click().run(timeout=600)
    assert not app.exception, app.exception[0].message
    assert "Report card (HTML)" in _downloads(app)
    html = app.session_state["report_card_files"]["html"].decode("utf-8")
    assert html.count('class="page card"') == 1
    assert f"<h2>{chosen}," in html
