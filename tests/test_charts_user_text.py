"""Every chart builder shows clinician, payer and code names as the characters the user typed.

Names carrying Markdown, LaTeX and HTML payloads go through each builder; no string in the figure may be
read by plotly as a tag or a LaTeX span, and each name is still shown in full (on hover when the axis
wraps it).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from bhdash import charts
from bhdash.workspace import charts as workspace_charts
from tests.plot_text_checks import CLINICIAN, PAYER, shown, shows_literally, unsafe_strings

CODE = "9083<b>7</b>"
MONTHS = pd.to_datetime(["2026-01-01", "2026-02-01"])
HISTORY = pd.DataFrame(
    {"upload_id": [1, 2], "period_end": MONTHS, "older_catalogue": [False, False], "at_risk": [10.0, 20.0]}
)


def _figures() -> dict[str, tuple[go.Figure, list[str]]]:
    """Each builder's figure on hostile names, with the names it must show."""
    pair = {"clinician": [CLINICIAN], "payer": [PAYER]}
    return {
        "findings_by_family": (
            charts.findings_by_family(
                pd.DataFrame({"family": [PAYER], "severity": ["error"], "findings": [2], "at_risk": [5.0]})
            ),
            [PAYER],
        ),
        "amount_by payer": (
            charts.amount_by(pd.DataFrame({"payer": [PAYER], "amount_at_risk": [9.0]}), "payer", PAYER),
            [PAYER],
        ),
        "amount_by clinician": (
            charts.amount_by(
                pd.DataFrame({"clinician_name": [CLINICIAN], "amount_at_risk": [9.0]}), "clinician_name", "t"
            ),
            [CLINICIAN],
        ),
        "code_mix_vs_norm": (
            charts.code_mix_vs_norm(
                pd.DataFrame(
                    {"code": [CODE], "observed_share": [0.5], "expected_share": [0.4], "lines": [3]}
                ),
                CODE,
                CLINICIAN,
            ),
            [CODE, CLINICIAN],
        ),
        "share_trend": (
            charts.share_trend(
                pd.DataFrame({"month": MONTHS, "code": [CODE, CODE], "share": [1.0, 1.0], "lines": [2, 3]}),
                CLINICIAN,
            ),
            [CODE, CLINICIAN],
        ),
        "enrollment_matrix": (
            charts.enrollment_matrix(
                pd.DataFrame(
                    {**pair, "state": ["none"], "label": [f"{PAYER}: none"], "charges": [80.0], "lines": [1],
                     "at_risk": [80.0]}
                )
            ),
            [CLINICIAN, PAYER],
        ),
        "credential_timeline": (
            charts.credential_timeline(
                pd.DataFrame(
                    {"lane": [PAYER], "start": [MONTHS[0]], "end": [MONTHS[1]], "kind": ["active"],
                     "label": [f"{PAYER}: active"]}
                ),
                pd.DataFrame(
                    {"lane": [PAYER], "week": [MONTHS[1]], "lines": [1], "charges": [80.0], "outside": [True]}
                ),
                MONTHS[1],
                f"{CLINICIAN}: license, enrollments and billed weeks",
            ),
            [CLINICIAN, PAYER],
        ),
        "outside_enrollment": (
            charts.outside_enrollment(pd.DataFrame({**pair, "at_risk": [80.0], "lines": [1]})),
            [f"{CLINICIAN} · {PAYER}"],
        ),
        "risk_heatmap": (
            charts.risk_heatmap(pd.DataFrame({PAYER: [0.2]}, index=[CLINICIAN]), CLINICIAN),
            [CLINICIAN, PAYER],
        ),
        "scenario_comparison": (
            charts.scenario_comparison(
                pd.DataFrame({"metric": [PAYER], "baseline": [1.0], "scenario": [2.0], "unit": ["$"]})
            ),
            [PAYER],
        ),
        "denied_dollars": (
            charts.denied_dollars(
                pd.DataFrame({"payer": [PAYER], "total": [9.0], "denied": [9.0], "preventable": [4.0],
                              "underpaid": [0.0]}),
                "payer",
                CLINICIAN,
            ),
            [PAYER, CLINICIAN],
        ),
        "empty_figure": (charts.empty_figure(f"{CLINICIAN} billed no {CODE}"), [CLINICIAN, CODE]),
        "money_at_risk_over_time": (
            workspace_charts.money_at_risk_over_time(
                HISTORY, pd.DataFrame({"upload_id": [1, 2], "family": [PAYER, PAYER], "at_risk": [1.0, 2.0]})
            ),
            [PAYER],
        ),
        "code_share_over_time": (
            workspace_charts.code_share_over_time(
                HISTORY,
                pd.DataFrame({"clinician": [CLINICIAN] * 2, "code": [CODE] * 2, "upload_id": [1, 2],
                              "share": [0.4, 0.5], "norm_share": [0.3, 0.3]}),
                CLINICIAN,
                CODE,
            ),
            [CLINICIAN, CODE],
        ),
    }


FIGURES = _figures()


@pytest.mark.parametrize("builder", list(FIGURES))
def test_builder_shows_hostile_names_literally(builder: str):
    figure, names = FIGURES[builder]
    figure_json = figure.to_plotly_json()
    assert unsafe_strings(figure_json) == []
    for name in names:
        assert shows_literally(figure_json, name), (builder, name)


def test_every_public_builder_is_covered():
    builders = {
        name for module in (charts, workspace_charts) for name, value in vars(module).items()
        if callable(value) and getattr(value, "__module__", "") == module.__name__
        and not name.startswith("_") and value.__annotations__.get("return") == "go.Figure"
    }
    covered = {key.split()[0] for key in FIGURES} | {
        "monthly_trend", "risk_histogram", "calibration", "finding_changes",  # numbers and fixed words only
    }
    assert builders <= covered, builders - covered


def test_wrapped_axis_label_escapes_each_line_and_keeps_the_breaks():
    label = charts.wrapped_label("<b>Blue</b> Shield & Co of the Very Long Name", width=18)
    assert label == "&lt;b&gt;Blue&lt;/b&gt; Shield<br>&amp; Co of the Very<br>Long Name"


def test_plot_text_hides_latex_delimiters_from_plotly():
    assert charts.plot_text("$x^2$ <b>") == "&#36;x^2&#36; &lt;b&gt;"


def test_long_bar_names_wrap_on_the_axis_and_show_whole_on_hover():
    figure = charts.amount_by(pd.DataFrame({"payer": [PAYER], "amount_at_risk": [9.0]}), "payer", "t")
    bar = figure.data[0]
    lines = bar.y[0].split("<br>")
    assert len(lines) > 1 and all(len(shown(line)) <= charts.BAR_LABEL_CHARS for line in lines)
    assert "<br>" not in bar.customdata[0] and "%{customdata}" in bar.hovertemplate
