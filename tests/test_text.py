"""Counts in words: one helper for the dashboard, the CLI, the reports and chart hovers."""

import pandas as pd

from bhdash import charts
from bhdash.text import plural


def test_counts_read_one_line_and_two_lines() -> None:
    assert plural(1, "line") == "1 line"
    assert plural(0, "line") == "0 lines"
    assert plural(1204, "clinician finding") == "1,204 clinician findings"
    assert plural(1, "is", "are") == "1 is" and plural(3, "is", "are") == "3 are"
    assert plural(float("nan"), "line") == "— lines"


def test_chart_hovers_say_one_line_not_one_lines() -> None:
    outside = pd.DataFrame({"clinician": ["Ana", "Ben"], "payer": ["Aetna", "Cigna"], "at_risk": [80.0, 90.0],
                            "lines": [1, 3]})
    bar = charts.outside_enrollment(outside).data[0]
    assert [row[0] for row in bar.customdata] == ["1 line", "3 lines"]
    assert "%{customdata[0]}" in bar.hovertemplate and "lines" not in bar.hovertemplate
