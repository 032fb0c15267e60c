"""Plotly figures for the Progress page: frame in (from `progress.py`), figure out, no Streamlit."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from bhdash.charts import MONEY_AXIS, NORM_COLOR, OBSERVED_COLOR, _layout, empty_figure, plot_text

CHANGE_COLORS: dict[str, str] = {"resolved": "#2da44e", "persisting": "#e8912d", "new": "#d1242f"}
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.15, "xanchor": "left", "x": 0}


def upload_labels(history: pd.DataFrame) -> pd.Series:
    """One x-axis label per upload: the month its period ends, with the upload id; older-catalogue runs
    carry a dagger so the chart marks them as the table does."""
    label = "#" + history["upload_id"].astype(str) + " " + pd.to_datetime(history["period_end"]).dt.strftime(
        "%b %Y")
    return label + history["older_catalogue"].map({True: " †", False: ""})


def money_at_risk_over_time(history: pd.DataFrame, by_family: pd.DataFrame) -> go.Figure:
    """Stacked bars: money at risk per finding family in each upload, with the upload total as a line."""
    if history.empty:
        return empty_figure("No uploads saved yet.")
    labels = dict(zip(history["upload_id"], upload_labels(history), strict=True))
    figure = go.Figure()
    totals = by_family.groupby("family")["at_risk"].sum().sort_values(ascending=False)
    for family in totals.index:
        rows = by_family[by_family["family"] == family]
        figure.add_bar(x=rows["upload_id"].map(labels), y=rows["at_risk"], name=plot_text(family),
                       hovertemplate="%{fullData.name}: %{y:$,.0f}<extra></extra>")
    figure.add_scatter(x=history["upload_id"].map(labels), y=history["at_risk"], name="All lines at risk",
                       mode="lines+markers", line={"color": NORM_COLOR},
                       hovertemplate="All lines: %{y:$,.0f}<extra></extra>")
    figure.update_layout(barmode="stack", yaxis={"tickformat": MONEY_AXIS, "title": "Money at risk"},
                         xaxis={"type": "category", "categoryorder": "array",
                                "categoryarray": list(labels.values())})
    return _layout(figure, "Money at risk by finding family", height=440).update_layout(legend=LEGEND_BELOW)


def finding_changes(history: pd.DataFrame, changes: pd.DataFrame) -> go.Figure:
    """Per upload: findings resolved, persisting and new since the upload before it."""
    if changes.empty:
        return empty_figure("Save a second upload to see what changed.")
    labels = dict(zip(history["upload_id"], upload_labels(history), strict=True))
    figure = go.Figure()
    for change, color in CHANGE_COLORS.items():
        figure.add_bar(x=changes["upload_id"].map(labels), y=changes[change], name=change,
                       marker_color=color, hovertemplate=f"{change}: %{{y:,}}<extra></extra>")
    figure.update_layout(barmode="group", yaxis={"title": "Findings"}, xaxis={"type": "category"})
    return _layout(figure, "Findings since the previous upload").update_layout(legend=LEGEND_BELOW)


def code_share_over_time(history: pd.DataFrame, mix: pd.DataFrame, clinician: str, code: str) -> go.Figure:
    """One clinician's share of one code per upload, against the norm's share."""
    chosen = mix[(mix["clinician"] == clinician) & (mix["code"] == code)]
    if chosen.empty:
        return empty_figure(f"{clinician} billed no {code} in the saved uploads.")
    labels = dict(zip(history["upload_id"], upload_labels(history), strict=True))
    x = chosen["upload_id"].map(labels)
    figure = go.Figure()
    figure.add_scatter(x=x, y=chosen["share"], name=plot_text(f"{clinician}: {code}"), mode="lines+markers",
                       line={"color": OBSERVED_COLOR}, hovertemplate="%{y:.0%}<extra></extra>")
    figure.add_scatter(x=x, y=chosen["norm_share"], name="Payer norm", mode="lines",
                       line={"color": NORM_COLOR, "dash": "dash"},
                       hovertemplate="norm %{y:.0%}<extra></extra>")
    figure.update_layout(yaxis={"tickformat": ".0%", "range": [0, 1], "title": plot_text(f"Share of {code}")},
                         xaxis={"type": "category"})
    title = f"{clinician}: share of {code} against the norm"
    return _layout(figure, title).update_layout(legend=LEGEND_BELOW)
