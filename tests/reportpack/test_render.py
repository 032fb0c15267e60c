"""Charts in the report: the report's look is laid over each figure without changing the figure itself."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go
import plotly.io

from bhdash.reportpack.render import PRINT_WIDTH_PX, REPORT_FONT, _Charts


def _layout(div: str) -> dict:
    arguments = re.search(r'Plotly\.newPlot\(\s*"chart-\d+",\s*(.*)\)\s*\};?', div, flags=re.DOTALL).group(1)
    decoder = json.JSONDecoder()
    _, end = decoder.raw_decode(arguments)
    layout, _ = decoder.raw_decode(arguments[arguments.index(",", end) + 1 :].lstrip())
    return layout


def test_print_chart_gets_the_report_look_and_keeps_its_own_settings(monkeypatch):
    # the dashboard's process default is Streamlit's theme; the report's charts still look the same
    monkeypatch.setattr(plotly.io.templates, "default", "plotly_dark")
    figure = go.Figure(go.Bar(x=["90834", "90837"], y=[0.4, 0.6]))
    figure.update_layout(font={"color": "#123456"}, height=280, title="Code mix")
    before = figure.to_plotly_json()
    chart = _Charts(for_print=True)
    layout = _layout(chart(figure, height=200, width_share=0.5))
    assert layout["font"] == {"color": "#123456", "family": REPORT_FONT, "size": 11}
    assert (layout["height"], layout["width"], layout["autosize"]) == (200, PRINT_WIDTH_PX // 2, False)
    assert layout["title"]["text"] == "Code mix"
    white = plotly.io.templates["plotly_white"].to_plotly_json()
    assert layout["template"] == json.loads(plotly.io.json.to_json_plotly(white))
    assert figure.to_plotly_json() == before
    assert chart(None) == ""
    assert 'id="chart-2"' in chart(figure)


def test_screen_chart_is_interactive_and_sized_by_the_page():
    layout = _layout(_Charts(for_print=False)(go.Figure(go.Bar(x=["a"], y=[1]))))
    assert "width" not in layout and "autosize" not in layout
    assert layout["paper_bgcolor"] == "white"


def test_a_chart_taller_than_its_print_height_is_shrunk_on_paper_only():
    tall = go.Figure(go.Heatmap(z=[[1, 2]] * 30)).update_layout(height=1110)
    short = go.Figure(go.Heatmap(z=[[1, 2]] * 5)).update_layout(height=260)
    on_paper = _Charts(for_print=True)
    assert _layout(on_paper(tall, print_height=760))["height"] == 760
    assert _layout(on_paper(short, print_height=760))["height"] == 260
    assert _layout(_Charts(for_print=False)(tall, print_height=760))["height"] == 1110
    assert tall.layout.height == 1110
