"""The report as one HTML document: interactive for the screen, static for print (the PDF is this HTML
printed by headless Chromium, see `bhdash.reportpack.pdf`).

One Jinja template renders both. User text (practice, clinician and payer names, finding messages) is
escaped by the template's autoescaping; the practice name in the print header is escaped for CSS.
plotly.js is embedded once, inline, so the file opens without a network.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2
import plotly.graph_objects as go
import plotly.io
import plotly.offline

from bhdash.reportpack import wording
from bhdash.reportpack.content import ClinicianCard, Report

# Letter paper, 0.6 in side margins, at the 96 px/in CSS uses.
PRINT_WIDTH_PX = 700
REPORT_FONT = "Helvetica, Arial, sans-serif"


def css_string(text: str) -> str:
    """Text as the inside of a CSS string: everything but plain letters, digits and spaces hex-escaped,
    so a name cannot end the string, the rule or the style element."""
    return "".join(
        character
        if character.isascii() and (character.isalnum() or character in " ,.-")
        else f"\\{ord(character):06x}"
        for character in text
    )


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (
                resources.files("bhdash.reportpack").joinpath("templates", name).read_text(encoding="utf-8")
            )
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(
        {
            "money": wording.money,
            "count": wording.count,
            "percent": wording.percent,
            "day": wording.day,
            "long_day": wording.long_day,
            "css_string": css_string,
        }
    )
    environment.globals["plural"] = wording.plural
    return environment


def _merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """`base` with `overrides` laid over it, nested dicts merged key by key (as plotly's update_layout)."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


@cache
def _report_template() -> dict[str, Any]:
    return plotly.io.templates["plotly_white"].to_plotly_json()


class _Charts:
    """Turns figures into HTML divs with stable ids (so the same report renders to the same bytes).

    The report's look is laid over each figure's JSON rather than over a copy of the figure object:
    copying and re-validating plotly figures cost more than everything else in the HTML.
    """

    def __init__(self, for_print: bool) -> None:
        self.for_print = for_print
        self.count = 0

    def __call__(self, figure: go.Figure | None, height: int | None = None, width_share: float = 1.0,
                 print_height: int | None = None) -> str:
        """The figure's div; `print_height` caps its height on paper (a chart taller than the page is cut
        across pages), while the screen report keeps the figure's own."""
        if figure is None:
            return ""
        if self.for_print and print_height is not None:
            height = min(height or figure.layout.height or print_height, print_height)
        self.count += 1
        layout: dict[str, Any] = {
            "font": {"family": REPORT_FONT, "size": 11},
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
        }
        if height is not None:
            layout["height"] = height
        if self.for_print:
            layout.update(width=int(PRINT_WIDTH_PX * width_share), autosize=False)
        shown = figure.to_plotly_json()
        # The template replaces the figure's own (the process default: Streamlit sets its theme's), as
        # plotly's update_layout(template=...) does; the other settings are merged into the figure's.
        shown["layout"] = {**_merged(shown.get("layout", {}), layout), "template": _report_template()}
        config = {"staticPlot": True} if self.for_print else {"displaylogo": False, "responsive": True}
        return plotly.io.to_html(
            shown,
            validate=False,
            full_html=False,
            include_plotlyjs=False,
            config=config,
            div_id=f"chart-{self.count}",
        )


@cache
def _plotly_js() -> str:
    return plotly.offline.get_plotlyjs()


def render_html(report: Report, *, for_print: bool = False, cards: list[ClinicianCard] | None = None) -> str:
    """The whole report (or, with `cards`, only those clinicians' report cards) as one HTML file."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        summary=report.summary,
        chart=_Charts(for_print),
        for_print=for_print,
        plotly_js=_plotly_js(),
        cards=report.clinicians if cards is None else cards,
        cards_only=cards is not None,
    )
