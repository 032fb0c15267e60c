"""What a plotly figure may carry when it shows user text: checks shared by the chart and page tests.

Plotly reads label text as a subset of HTML (<b>, <i>, <a href>, <br>…), decodes entities and, with
MathJax on the page, typesets any string holding a `$…$` span as LaTeX. A figure is safe when no string
in it holds a tag other than the <br> and <extra> the builders write themselves, nor two dollar signs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

OWN_TAGS = {"br", "extra"}
TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w-]*)")

LINK = "[Verify account](https://evil.example/login)"
LATEX = "$x^2$"
IMAGE = "<img src=x onerror=alert(1)>"
CLINICIAN = f"Dr {LINK} {LATEX} {IMAGE} Marguerite Featherstonehaugh"
PAYER = "<b>Blue</b> Shield & Co of the Very Long Name $\\frac{1}{2}$ &lt;i&gt; *plan*"


def strings(value: Any) -> Iterator[str]:
    """Every string in a figure's JSON (or any nest of dicts, lists and arrays)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif hasattr(value, "tolist"):
        yield from strings(value.tolist())
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def shown(text: str) -> str:
    """The characters plotly shows for a label: line breaks as spaces, entities decoded."""
    return html.unescape(re.sub(r"<br\s*/?>", " ", text))


def unsafe_strings(figure_json: dict) -> list[str]:
    """Strings plotly would read as markup or LaTeX instead of showing them as they are."""
    return [
        text
        for text in strings(figure_json)
        if {tag.lower() for tag in TAG.findall(text)} - OWN_TAGS or text.count("$") >= 2
    ]


def shows_literally(figure_json: dict, name: str) -> bool:
    """Whether some label, tick or hover text of the figure shows `name` character for character."""
    return any(name in shown(text) for text in strings(figure_json))
