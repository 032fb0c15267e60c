"""The first chart of a browser session waits for the numbers above it to be painted (bhdash.app.page)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from bhdash.app import page


def _a_metric_then_two_charts() -> None:
    import plotly.graph_objects as go
    import streamlit as st

    from bhdash.app import page

    st.metric("Error lines", "12")
    page.plotly_chart(go.Figure(go.Bar(x=["a"], y=[1])))
    page.plotly_chart(go.Figure(go.Bar(x=["b"], y=[2])))


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    taken: list[float] = []
    monkeypatch.setattr(page, "sleep", taken.append)
    return taken


def test_a_browser_session_pauses_once_before_its_first_chart(monkeypatch, pauses):
    monkeypatch.setattr(page, "browser_connected", lambda: True)
    app = AppTest.from_function(_a_metric_then_two_charts).run(timeout=60)
    assert len(app.get("plotly_chart")) == 2
    assert pauses == [page.FIRST_CHART_PAUSE_SECONDS]
    app.run(timeout=60)  # the session's next run (a filter change, a page switch): the library is loaded
    assert len(app.get("plotly_chart")) == 2
    assert pauses == [0.8]


def test_a_run_without_a_browser_does_not_pause(monkeypatch, pauses):
    app = AppTest.from_function(_a_metric_then_two_charts).run(timeout=60)
    assert len(app.get("plotly_chart")) == 2
    assert pauses == []
