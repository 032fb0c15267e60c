"""User text is text: names and messages from an upload are escaped in every Markdown-rendered element
and every chart.

A small upload whose file, clinician and payer names carry Markdown, LaTeX and HTML payloads is opened
on every page; no page may hand a payload to Markdown or plotly unescaped.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from bhdash.app import session
from bhdash.app.formatting import plain
from tests.app.conftest import APP, plotly_figures
from tests.plot_text_checks import CLINICIAN, IMAGE, LATEX, LINK, PAYER, shows_literally, unsafe_strings

FILE_NAME = f"{LINK}.csv"
PAYLOADS = (LINK, LATEX, IMAGE, "<b>Blue</b>", "](https://evil")
PAGES = (
    "pages/start.py", "pages/payers.py", "pages/overview.py", "pages/findings.py", "pages/clinicians.py",
    "pages/credentialing.py", "pages/denial_risk.py", "pages/what_if.py", "pages/rules.py",
)
MARKDOWN_ELEMENTS = ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info",
                     "success", "exception")


def _upload() -> bytes:
    header = "Date of Service,Client Name,Clinician,Payer,CPT Code,Units,Charge,Diagnosis,Minutes\n"
    rows = [
        f'2026-0{month}-0{day},Pat {day},"{CLINICIAN}","{PAYER}",90837,1,180,F41.1,{20 + day}\n'
        for month in (1, 2, 3) for day in (2, 3, 4, 5)
    ]
    return (header + "".join(rows)).encode()


@pytest.fixture(scope="module")
def hostile_app() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=600)
    app.session_state[session.CLAIMS_FILE] = session.file_input(FILE_NAME, _upload())
    app.session_state[session.SOURCE_KIND] = "upload"
    app.run()
    assert not app.exception, app.exception[0].message
    return app


def _rendered(app: AppTest) -> list[str]:
    texts = []
    for kind in MARKDOWN_ELEMENTS:
        texts += [str(element.value) for element in getattr(app, kind)]
    texts += [str(element.value) for element in app.sidebar.markdown]
    return texts


def test_payloads_reach_no_markdown_element_unescaped(hostile_app: AppTest):
    assert plain(LINK) != LINK
    seen_escaped = False
    for path in PAGES:
        hostile_app.switch_page(path).run()
        assert not hostile_app.exception, (path, hostile_app.exception[0].message)
        for text in _rendered(hostile_app):
            for payload in PAYLOADS:
                assert payload not in text, (path, text)
            seen_escaped |= plain(LINK) in text
    assert seen_escaped  # the names are shown, escaped, not dropped


def test_charts_on_every_page_show_the_names_as_typed(hostile_app: AppTest):
    names_shown = set()
    for path in PAGES:
        hostile_app.switch_page(path).run()
        assert not hostile_app.exception, (path, hostile_app.exception[0].message)
        for figure in plotly_figures(hostile_app):
            assert unsafe_strings(figure) == [], path
            names_shown |= {name for name in (CLINICIAN, PAYER) if shows_literally(figure, name)}
    assert names_shown == {CLINICIAN, PAYER}  # the names are drawn, escaped, not dropped
