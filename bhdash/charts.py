"""Plotly figure builders for the dashboard: frame in, figure out, no Streamlit.

The builders take the small frames `bhdash.metrics` (and the norms, risk and what-if modules) return,
so every chart is unit-tested on its traces. Colours carry meaning (severity, enrollment state) and are
chosen to read on both the light and the dark theme; backgrounds are left to the host theme.

Builders take raw text (clinician, payer, code and file names straight from an upload) and pass every
piece of it through `plot_text` themselves, so a caller cannot forget to and nothing is escaped twice.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bhdash.model import FAMILY_NAMES
from bhdash.text import plural

SEVERITY_COLORS: dict[str, str] = {"error": "#d1242f", "warning": "#e8912d", "info": "#4c8bf5"}
OUTSIDE_STATE = "billed outside enrollment"
ENROLLMENT_COLORS: dict[str, str] = {
    "active": "#2da44e",
    "pending": "#e8912d",
    "termed": "#d1242f",
    "none": "#8c959f",
    OUTSIDE_STATE: "#d1242f",
}
# A window in which billing was allowed has one colour, whatever its state today; red is kept for the
# lines billed outside one, so the problem is where the red is.
VALID_COLOR = "#2da44e"
OUTSIDE_COLOR = "#d1242f"
TIMELINE_COLORS: dict[str, str] = {
    "active": VALID_COLOR,
    "termed": VALID_COLOR,
    "pending": "#e8912d",
    "license": "#4c8bf5",
    "license expired": "#4c8bf5",
}
TIMELINE_NAMES: dict[str, str] = {
    "active": "valid enrollment",
    "termed": "valid enrollment",
    "pending": "pending (not valid)",
    "license": "license valid",
    "license expired": "license valid",
}
# Mid-tone series colours legible on the light and the dark theme (the theme's own sequence has a dark
# navy that vanishes on a dark background).
SERIES_COLORS: tuple[str, ...] = ("#4c8bf5", "#e8912d", "#2da44e", "#a371f7", "#d1242f", "#8c959f")
BASELINE_COLOR = "#8c959f"
SCENARIO_COLOR = "#4c8bf5"
NORM_COLOR = "#8c959f"
OBSERVED_COLOR = "#4c8bf5"
MONEY_AXIS = "$,.0f"
TICK_WRAP_CHARS = 18
BAR_LABEL_CHARS = 30
_LATEX_DELIMITER = "$"


def plot_text(text: object) -> str:
    """User text made literal in any plotly label, tick, legend entry or hover text.

    Plotly reads its labels as a subset of HTML (<b>, <br>, <a href>, <img> is dropped) and decodes
    entities; with MathJax on the page (the PDF export loads it) a `$...$` span is typeset as LaTeX. So
    `<`, `>` and `&` become entities and `$` becomes `&#36;`, which plotly shows as a dollar sign but
    its LaTeX detector (run on the raw string) does not see.
    """
    return html.escape(str(text), quote=False).replace(_LATEX_DELIMITER, "&#36;")


def plot_texts(texts: Iterable[object]) -> list[str]:
    """`plot_text` for every item of a column or list."""
    return [plot_text(text) for text in texts]


def _hover_columns(*columns: Iterable[object]) -> np.ndarray:
    """Per-point hover data, one column per argument, kept as objects so numbers stay numbers (plotly
    formats them) beside ready-made words such as "1 line"."""
    return np.array([list(column) for column in columns], dtype=object).T


def _layout(figure: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    figure.update_layout(
        title=None if title is None else plot_text(title),
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "right",
            "x": 1.0,
            "title": None,
        },
        hoverlabel={"namelength": -1},
    )
    return figure


def wrapped_label(text: object, width: int = TICK_WRAP_CHARS) -> str:
    """A category label, escaped, broken onto short lines (plotly `<br>`), so long payer names stay whole
    but short enough to stand upright under a narrow heatmap column without clipping or overlapping.

    The raw text is wrapped first and each line escaped, so an entity is never split and the line lengths
    count the characters the user sees."""
    raw = str(text)
    return "<br>".join(plot_texts(textwrap.wrap(raw, width=width, break_long_words=False))) or plot_text(raw)


def empty_figure(message: str, height: int = 240) -> go.Figure:
    """A figure that says why there is nothing to draw, instead of blank axes."""
    figure = go.Figure()
    figure.add_annotation(
        text=plot_text(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 14}
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _layout(figure, height=height)


def findings_by_family(by_family: pd.DataFrame) -> go.Figure:
    """Horizontal bars of findings per family (by its plain name), stacked by severity (largest on top).

    The hover gives each bar's dollars at risk when `by_family` has them (an `at_risk` column)."""
    if by_family.empty:
        return empty_figure("No findings for the current selection")
    families = list(dict.fromkeys(by_family["family"]))[::-1]
    with_dollars = "at_risk" in by_family.columns
    figure = go.Figure()
    for severity, color in SEVERITY_COLORS.items():
        part = by_family[by_family["severity"] == severity].set_index("family").reindex(families)
        if part["findings"].notna().any():
            counts = [plural(count, "finding") for count in part["findings"].fillna(0)]
            figure.add_trace(
                go.Bar(
                    y=plot_texts(FAMILY_NAMES.get(family, family) for family in families),
                    x=part["findings"].fillna(0).to_numpy(),
                    name=severity,
                    orientation="h",
                    marker_color=color,
                    customdata=_hover_columns(counts, part["at_risk"].fillna(0)) if with_dollars
                    else _hover_columns(counts),
                    hovertemplate="%{y} · "
                    + severity
                    + (": %{customdata[0]}, $%{customdata[1]:,.0f} at risk" if with_dollars
                       else ": %{customdata[0]}")
                    + "<extra></extra>",
                )
            )
    figure.update_layout(barmode="stack")
    figure.update_xaxes(title="findings")
    return _layout(figure, "Findings by family and severity", height=max(280, 26 * len(families) + 110))


def amount_by(
    frame: pd.DataFrame, by: str, title: str, value: str = "amount_at_risk", top: int = 12
) -> go.Figure:
    """Horizontal bars of dollars per category (payer, clinician…), largest on top, capped at `top`.

    Long names are wrapped on the axis; hover shows each full name on one line."""
    shown = frame[frame[value] > 0].nlargest(top, value)
    if shown.empty:
        return empty_figure("Nothing at risk for the current selection")
    shown = shown.iloc[::-1]
    names = shown[by].astype(str)
    figure = go.Figure(
        go.Bar(
            y=[wrapped_label(name, BAR_LABEL_CHARS) for name in names],
            x=shown[value].to_numpy(),
            orientation="h",
            marker_color=SEVERITY_COLORS["error"],
            text=[f"${amount:,.0f}" for amount in shown[value]],
            textposition="auto",
            customdata=plot_texts(names),
            hovertemplate="%{customdata}: $%{x:,.0f}<extra></extra>",
        )
    )
    figure.update_xaxes(tickformat=MONEY_AXIS, title="dollars at risk")
    return _layout(figure, title, height=max(260, 28 * len(shown) + 100))


def monthly_trend(trend: pd.DataFrame) -> go.Figure:
    """Dollars at risk per month (bars) and the share of flagged lines (line, right axis)."""
    if trend.empty:
        return empty_figure("No service dates to draw a trend")
    # Every month of the span, with gaps where there were no lines: the line breaks instead of
    # drawing a slope across months without data.
    months = pd.date_range(trend["month"].min(), trend["month"].max(), freq="MS")
    trend = trend.set_index("month").reindex(months).rename_axis("month").reset_index()
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=trend["month"],
            y=trend["amount_at_risk"],
            name="dollars at risk",
            marker_color=SEVERITY_COLORS["error"],
            opacity=0.8,
            hovertemplate="%{x|%b %Y}: $%{y:,.0f} at risk<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=trend["month"],
            y=trend["flagged_share"],
            name="lines with findings",
            yaxis="y2",
            mode="lines+markers",
            connectgaps=False,
            line={"color": SEVERITY_COLORS["info"], "width": 3},
            hovertemplate="%{x|%b %Y}: %{y:.1%} of lines flagged<extra></extra>",
        )
    )
    figure.update_layout(
        yaxis={"title": "dollars at risk", "tickformat": MONEY_AXIS},
        yaxis2={
            "title": "lines with findings",
            "tickformat": ".0%",
            "tickmode": "linear",
            "dtick": 0.2,
            "overlaying": "y",
            "side": "right",
            "range": [0, 1],
            "showgrid": False,
        },
    )
    figure.update_xaxes(dtick="M1", tickformat="%b %Y")
    return _layout(figure, "Trend by service month")


def code_mix_vs_norm(comparison: pd.DataFrame, family: str, title: str | None = None) -> go.Figure:
    """Observed code shares next to the payer norm for one code family.

    `comparison` has one row per code with `code`, `observed_share`, `expected_share` and `lines`.
    """
    if comparison.empty:
        return empty_figure(f"No {family} lines for this clinician")
    codes = plot_texts(comparison["code"].astype(str))
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=codes,
            y=comparison["observed_share"].to_numpy(),
            name="this clinician",
            marker_color=OBSERVED_COLOR,
            customdata=[plural(count, "line") for count in comparison["lines"]],
            text=[f"{share:.0%}" for share in comparison["observed_share"]],
            textposition="outside",
            hovertemplate="%{x}: %{y:.1%} (%{customdata})<extra></extra>",
        )
    )
    figure.add_trace(
        go.Bar(
            x=codes,
            y=comparison["expected_share"].to_numpy(),
            name="payer norm",
            marker_color=NORM_COLOR,
            text=[f"{share:.0%}" if pd.notna(share) else "" for share in comparison["expected_share"]],
            textposition="outside",
            hovertemplate="%{x}: norm %{y:.1%}<extra></extra>",
        )
    )
    figure.update_layout(barmode="group")
    top = float(np.nanmax(comparison[["observed_share", "expected_share"]].to_numpy(dtype="float64")))
    figure.update_yaxes(tickformat=".0%", range=[0, min(1.0, top + 0.15) if top < 0.85 else 1.1])
    figure.update_xaxes(type="category")
    return _layout(figure, title, height=280)


def share_trend(mix: pd.DataFrame, title: str = "Code mix by month") -> go.Figure:
    """Stacked monthly shares per code (the clinician's trend within one family)."""
    if mix.empty:
        return empty_figure("No lines in this family")
    figure = go.Figure()
    for position, (code, part) in enumerate(mix.groupby("code", sort=True)):
        color = SERIES_COLORS[position % len(SERIES_COLORS)]
        figure.add_trace(
            go.Scatter(
                x=part["month"],
                y=part["share"],
                name=plot_text(code),
                stackgroup="one",
                mode="lines",
                line={"color": color},
                fillcolor=color,
                customdata=[plural(count, "line") for count in part["lines"]],
                hovertemplate="%{fullData.name} · %{x|%b %Y}: %{y:.0%} (%{customdata})<extra></extra>",
            )
        )
    figure.update_yaxes(tickformat=".0%", range=[0, 1])
    figure.update_xaxes(tickformat="%b %Y")
    return _layout(figure, title, height=300)


def enrollment_matrix(matrix: pd.DataFrame) -> go.Figure:
    """Clinician × payer grid coloured by enrollment state, each cell labelled with its state.

    A pair with lines billed outside a valid enrollment (`outside_lines`, from the enrollment findings:
    none on file, before the effective date or after the term date) is red and labelled with those lines'
    dollars at risk (`at_risk`), so neither a termed nor an active enrollment hides it. A pair the
    findings clear (self-pay, out of network on purpose) keeps its state. Without `outside_lines`, a pair
    with lines and no enrollment is red, so it never looks like a pair nobody uses.
    """
    if matrix.empty:
        return empty_figure("No clinicians or payers to show")
    states = list(ENROLLMENT_COLORS)
    clinicians = sorted(matrix["clinician"].unique(), reverse=True)
    payers = sorted(matrix["payer"].unique())
    code = {state: position for position, state in enumerate(states)}
    lines = matrix["lines"] if "lines" in matrix else pd.Series(0, index=matrix.index)
    at_risk = matrix["at_risk"] if "at_risk" in matrix else pd.Series(0.0, index=matrix.index)
    if "outside_lines" in matrix:  # the enrollment findings say which lines were billed outside
        outside_lines = matrix["outside_lines"]
        outside = outside_lines > 0
    else:  # without them, a pair billed with no enrollment at all is the one sure case
        outside_lines = lines
        outside = (matrix["state"] == "none") & (lines > 0)
    shown = matrix.assign(
        state=matrix["state"].mask(outside, OUTSIDE_STATE),
        cell=matrix["state"].mask(outside, at_risk.map(lambda dollars: f"${dollars:,.0f}")),
        hover=matrix["label"].map(plot_text).mask(
            outside,
            matrix["label"].map(plot_text)
            + f"<br>{OUTSIDE_STATE}: "
            + outside_lines.map(
                lambda count: f"{count:,} line" + ("" if count == 1 else "s")
            )
            + at_risk.map(lambda dollars: f", ${dollars:,.0f} at risk"),
        ),
    )
    grid = (
        shown.pivot(index="clinician", columns="payer", values="state")
        .reindex(index=clinicians, columns=payers)
        .fillna("none")
    )
    text = (
        shown.pivot(index="clinician", columns="payer", values="cell")
        .reindex(index=clinicians, columns=payers)
        .fillna("none")
        .to_numpy()
    )
    hover = (
        shown.pivot(index="clinician", columns="payer", values="hover")
        .reindex(index=clinicians, columns=payers)
        .fillna("none")
    )
    billed = (
        matrix.pivot(index="clinician", columns="payer", values="charges")
        .reindex(index=clinicians, columns=payers)
        .fillna(0.0)
    )
    scale = []
    for position, state in enumerate(states):
        scale += [
            [position / len(states), ENROLLMENT_COLORS[state]],
            [(position + 1) / len(states), ENROLLMENT_COLORS[state]],
        ]
    figure = go.Figure(
        go.Heatmap(
            z=grid.replace(code).to_numpy(dtype="float64"),
            x=[wrapped_label(payer) for payer in payers],
            y=plot_texts(clinicians),
            zmin=-0.5,
            zmax=len(states) - 0.5,
            colorscale=scale,
            showscale=False,
            xgap=3,
            ygap=3,
            text=text,
            texttemplate="%{text}",
            textfont={"color": "white", "size": 12},
            customdata=np.dstack(
                [
                    hover.to_numpy(),
                    billed.to_numpy(),
                    np.tile(np.array(plot_texts(payers), dtype=object), (len(clinicians), 1)),
                ]
            ),
            hovertemplate="%{y} × %{customdata[2]}<br>%{customdata[0]}<br>billed $%{customdata[1]:,.0f}"
            "<extra></extra>",
        )
    )
    figure.update_xaxes(side="top")
    return _layout(figure, height=max(300, 34 * len(clinicians) + 90))


def credential_timeline(
    bars: pd.DataFrame,
    claim_weeks: pd.DataFrame,
    as_of: pd.Timestamp,
    title: str,
    window: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> go.Figure:
    """License and enrollment windows as bars, with weekly billed lines as dots on each payer's lane."""
    if bars.empty and claim_weeks.empty:
        return empty_figure("No license, enrollment or claim dates for this clinician")
    lanes = plot_texts(dict.fromkeys([*bars["lane"], *sorted(claim_weeks["lane"].unique())]))
    figure = go.Figure()
    names = bars["kind"].astype(str).map(TIMELINE_NAMES).fillna(bars["kind"].astype(str))
    for name, part in bars.groupby(names, sort=False):
        kind = str(part["kind"].iloc[0])
        duration_ms = (pd.to_datetime(part["end"]) - pd.to_datetime(part["start"])).dt.total_seconds() * 1000
        figure.add_trace(
            go.Bar(
                base=pd.to_datetime(part["start"]),
                x=duration_ms.clip(lower=86_400_000),
                y=plot_texts(part["lane"]),
                orientation="h",
                name=str(name),
                marker_color=TIMELINE_COLORS.get(kind, BASELINE_COLOR),
                opacity=0.55,
                text=plot_texts(part["label"]),
                hovertemplate="%{text}<extra></extra>",
                textposition="none",
                width=0.6,
            )
        )
    outside = (
        claim_weeks["outside"].astype(bool)
        if "outside" in claim_weeks.columns
        else pd.Series(False, index=claim_weeks.index)
    )
    for is_outside, name, color in (
        (False, "billed lines (weekly)", "#6e7781"),
        (True, "billed outside enrollment", OUTSIDE_COLOR),
    ):
        weeks = claim_weeks[outside == is_outside]
        if weeks.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=weeks["week"],
                y=plot_texts(weeks["lane"]),
                mode="markers",
                name=name,
                marker={
                    "size": np.clip(np.sqrt(weeks["lines"].to_numpy()) * 4, 5, 16) + (3 if is_outside else 0),
                    "color": color,
                    "line": {"color": "white", "width": 1},
                    "symbol": "x" if is_outside else "circle",
                },
                customdata=_hover_columns(
                    [plural(count, "line") for count in weeks["lines"]], weeks["charges"]
                ),
                hovertemplate="%{y} · week of %{x|%Y-%m-%d}: %{customdata[0]}, "
                "$%{customdata[1]:,.0f}"
                + (" billed outside enrollment" if is_outside else "")
                + "<extra></extra>",
            )
        )
    figure.add_vline(
        x=pd.Timestamp(as_of).timestamp() * 1000,
        line_dash="dot",
        line_color=BASELINE_COLOR,
        annotation_text="as of",
        annotation_position="bottom right",
    )
    figure.update_layout(barmode="overlay")
    figure.update_xaxes(
        type="date",
        tickformat="%b %Y",
        range=[pd.Timestamp(window[0]), pd.Timestamp(window[1])] if window else None,
    )
    figure.update_yaxes(categoryorder="array", categoryarray=lanes[::-1], type="category")
    return _layout(figure, title, height=max(240, 46 * len(lanes) + 110))


def outside_enrollment(outside: pd.DataFrame) -> go.Figure:
    """Dollars at risk on lines billed outside valid enrollment, one bar per clinician × payer."""
    if outside.empty:
        return empty_figure("No lines billed outside a valid enrollment")
    labels = (outside["clinician"].astype(str) + " · " + outside["payer"].astype(str)).to_numpy()
    shown = outside.assign(pair=labels).nlargest(15, "at_risk").iloc[::-1]
    figure = go.Figure(
        go.Bar(
            y=[wrapped_label(pair, BAR_LABEL_CHARS) for pair in shown["pair"]],
            x=shown["at_risk"],
            orientation="h",
            marker_color=ENROLLMENT_COLORS["termed"],
            customdata=_hover_columns(
                [plural(count, "line") for count in shown["lines"]], plot_texts(shown["pair"])
            ),
            text=[f"${amount:,.0f}" for amount in shown["at_risk"]],
            textposition="auto",
            hovertemplate="%{customdata[1]}: $%{x:,.0f} on %{customdata[0]}<extra></extra>",
        )
    )
    figure.update_xaxes(tickformat=MONEY_AXIS, title="at risk, billed outside enrollment")
    title = "Dollars at risk billed outside valid enrollment"
    return _layout(figure, title, height=max(240, 30 * len(shown) + 100))


def risk_histogram(histogram: pd.DataFrame, rule_based: bool) -> go.Figure:
    """Claim lines per denial-probability band, bars coloured from low (blue) to high (red) risk."""
    if histogram["lines"].sum() == 0:
        return empty_figure("No claim lines in the current selection")
    middles = (histogram["low"] + histogram["high"]) / 2
    figure = go.Figure(
        go.Bar(
            x=middles,
            y=histogram["lines"],
            width=(histogram["high"] - histogram["low"]) * 0.95,
            marker={
                "color": middles,
                "colorscale": [
                    [0, SEVERITY_COLORS["info"]],
                    [0.5, SEVERITY_COLORS["warning"]],
                    [1, SEVERITY_COLORS["error"]],
                ],
                "cmin": 0,
                "cmax": 1,
            },
            customdata=_hover_columns(
                histogram["low"],
                histogram["high"],
                histogram["amount_at_risk"],
                [plural(count, "line") for count in histogram["lines"]],
            ),
            hovertemplate="risk %{customdata[0]:.0%}–%{customdata[1]:.0%}: %{customdata[3]}, "
            "$%{customdata[2]:,.0f} at risk<extra></extra>",
        )
    )
    figure.update_xaxes(tickformat=".0%", range=[0, 1], title="denial probability")
    if histogram["lines"].max() > 50:
        figure.update_yaxes(type="log", dtick=1, tickformat=",d")
    figure.update_yaxes(title="claim lines (log scale)" if histogram["lines"].max() > 50 else "claim lines")
    kind = "rule-based prior" if rule_based else "learned model"
    return _layout(figure, f"Distribution of denial risk ({kind})")


def risk_heatmap(grid: pd.DataFrame, title: str, money: bool = False) -> go.Figure:
    """Clinician × payer heatmap of mean denial risk (or dollars at risk when `money`).

    The chart shares the page width with the histogram, so columns are narrow: payer names are wrapped
    and set upright (slanted long names ran into each other and off the bottom), and hover shows each
    payer's full name.
    """
    if grid.empty:
        return empty_figure("No lines in the current selection")
    values = grid.to_numpy(dtype="float64")
    text = np.where(
        np.isnan(values),
        "",
        np.vectorize(lambda v: f"${v:,.0f}" if money else f"{v:.0%}")(np.nan_to_num(values)),
    )
    payers = [str(column) for column in grid.columns]
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=[wrapped_label(payer) for payer in payers],
            y=plot_texts(grid.index),
            text=text,
            texttemplate="%{text}",
            customdata=np.tile(np.array(plot_texts(payers), dtype=object), (len(grid.index), 1)),
            colorscale="OrRd",
            xgap=2,
            ygap=2,
            colorbar={"tickformat": MONEY_AXIS if money else ".0%", "title": None, "thickness": 12},
            hovertemplate="%{y} × %{customdata}: %{text}<extra></extra>",
        )
    )
    figure.update_xaxes(tickangle=-90, tickfont={"size": 11}, automargin=True)
    figure.update_yaxes(autorange="reversed", automargin=True)
    return _layout(figure, title, height=max(300, 32 * len(grid.index) + 110))


def calibration(table: pd.DataFrame) -> go.Figure:
    """Predicted vs observed denial rate per risk bin, with the diagonal of perfect calibration.

    `table` is the risk model's calibration table: `mean_predicted`, `observed_rate` and `lines` per bin.
    """
    if table.empty:
        return empty_figure("No held-out lines to calibrate on")
    figure = go.Figure()
    top = float(max(table["mean_predicted"].max(), table["observed_rate"].max(), 0.05)) * 1.1
    figure.add_trace(
        go.Scatter(
            x=[0, top],
            y=[0, top],
            mode="lines",
            name="perfect calibration",
            line={"dash": "dot", "color": BASELINE_COLOR},
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=table["mean_predicted"],
            y=table["observed_rate"],
            mode="lines+markers",
            name="held-out lines",
            marker={
                "size": np.clip(np.sqrt(table["lines"].to_numpy(dtype="float64")), 6, 22),
                "color": SCENARIO_COLOR,
            },
            customdata=[plural(count, "line") for count in table["lines"]],
            hovertemplate="predicted %{x:.1%} · observed %{y:.1%} (%{customdata})<extra></extra>",
        )
    )
    figure.update_xaxes(tickformat=".0%", title="predicted denial rate", range=[0, top])
    figure.update_yaxes(tickformat=".0%", title="observed denial rate", range=[0, top])
    return _layout(figure, "Calibration on held-out patients")


def scenario_comparison(comparison: pd.DataFrame) -> go.Figure:
    """Baseline vs scenario bars per output metric, each metric on its own small panel.

    `comparison` has one row per metric with `metric`, `baseline`, `scenario` and `unit` ("$", "%" or "").
    The panels are laid out here (the domains and titles plotly's `make_subplots` would give) because this
    chart is redrawn on every what-if edit, and `make_subplots` alone took 40 ms of it.
    """
    if comparison.empty:
        return empty_figure("No scenario outputs")
    spacing = 0.06
    width = (1 - spacing * (len(comparison) - 1)) / len(comparison)
    bars, layout, titles = [], {}, []
    for position, row in enumerate(comparison.itertuples(index=False), start=1):
        suffix = str(position) if position > 1 else ""
        left = (position - 1) * (width + spacing)
        values = [row.baseline, row.scenario]
        fmt = {"$": "${:,.0f}", "%": "{:.1%}"}.get(row.unit, "{:,.0f}")
        bars.append(go.Bar(
            x=["baseline", "scenario"],
            y=values,
            xaxis=f"x{suffix}",
            yaxis=f"y{suffix}",
            marker_color=[BASELINE_COLOR, SCENARIO_COLOR],
            text=[fmt.format(value) for value in values],
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            showlegend=False,
            hovertemplate="%{x}: %{text}<extra>" + plot_text(row.metric) + "</extra>",
        ))
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": [left, left + width]}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [0.0, 1.0], "visible": False,
                                    "range": [0, max(max(values), 1e-9) * 1.25]}
        titles.append({"text": plot_text(row.metric), "x": left + width / 2, "y": 1.0, "xref": "paper",
                       "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                       "font": {"size": 12}})
    return _layout(go.Figure(data=bars, layout={**layout, "annotations": titles}), height=300)


def denied_dollars(table: pd.DataFrame, by: str, title: str, top: int = 12) -> go.Figure:
    """Stacked bars of denied dollars bhdash would have caught, the rest of the denied dollars and the
    underpaid dollars per category (`bhdash.denials.dollars_by`); months run left to right, other
    categories are horizontal bars, largest on top."""
    shown = table[table["total"] > 0]
    if shown.empty:
        return empty_figure("No denied or underpaid dollars for the current selection")
    by_month = by == "month"
    if not by_month:
        shown = shown.nlargest(top, "total").iloc[::-1]
    if by == "description":  # a code with no description on file (an unlisted CARC) shows its code alone
        names = shown["reason"].astype("string").fillna("no reason code") + (
            ": " + shown["description"].astype("string")).fillna("")
    else:  # lines without a payer or clinician are a category of their own
        names = shown[by].astype("string").fillna("(not given)")
    labels = plot_texts(name if len(name) <= 52 else name[:51] + "…" for name in names)  # one line per bar
    series = (
        ("Preventable (a check flagged the line)", shown["preventable"], SEVERITY_COLORS["error"]),
        ("Other denials", shown["denied"] - shown["preventable"], BASELINE_COLOR),
        ("Underpaid", shown["underpaid"], SEVERITY_COLORS["warning"]),
    )
    figure = go.Figure()
    for name, values, color in series:
        if not (values > 0).any():
            continue
        figure.add_bar(
            name=name, marker_color=color, orientation="v" if by_month else "h",
            x=labels if by_month else values.to_numpy(), y=values.to_numpy() if by_month else labels,
            customdata=plot_texts(names),
            hovertemplate=f"%{{customdata}}: $%{{{'y' if by_month else 'x'}:,.0f}}<extra>{name}</extra>",
        )
    figure.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.2})
    if by_month:
        figure.update_yaxes(tickformat=MONEY_AXIS, title="dollars")
        return _layout(figure, title)
    figure.update_xaxes(tickformat=MONEY_AXIS, title="dollars")
    return _layout(figure, title, height=max(300, 34 * len(shown) + 140))
