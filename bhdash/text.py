"""Counts in words, shared by the dashboard, the CLI and the reports: "1 line", "2 lines"."""

from __future__ import annotations

import math


def plural(number: float | None, word: str, many: str | None = None) -> str:
    """The number with its noun in the right number: "1 line", "1,204 lines", "2 claim lines";
    `many` for an irregular plural ("1 is", "2 are"). A dash for a missing number."""
    if number is None or (isinstance(number, float) and math.isnan(number)):
        return f"— {many or word + 's'}"
    return f"{round(number):,} {word if round(number) == 1 else (many or word + 's')}"
