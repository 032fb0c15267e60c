"""Decimal commas in CSV exports, resolved per column from the column's own values.

European-locale exports write 247,50 and 1.234,56; US ones 247.50 and 1,234.56. Read the wrong
way, 247,50 becomes 24750. A column's convention comes from its unambiguous values (a comma
followed by one, two or four-plus digits, or both separators in one value); an ambiguous value
such as 1.234 or 1,234 follows its column, and a column with nothing but ambiguous values follows
the rest of the file. Never cell by cell: one file, one reading of each column.
"""

from __future__ import annotations

import pandas as pd

_NUMBER = (
    r"(?P<sign>[-+(]?\s*[$€£]?\s*)"
    r"(?P<number>\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"(?P<tail>\s*(?:€|EUR|USD)?\s*\)?)"
)
COMMA, POINT = "comma", "point"
_COMMA_EVIDENCE = r"^(?:\d{1,4},(?:\d{1,2}|\d{4,})|\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,})$"
_POINT_EVIDENCE = r"^(?:\d+\.(?:\d{1,2}|\d{4,})|\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?:,\d{3}){2,})$"


def _column_convention(numbers: pd.Series) -> str | None:
    """COMMA, POINT, or None when the column shows no unambiguous value or shows both."""
    comma = numbers.str.contains(_COMMA_EVIDENCE, regex=True).any()
    point = numbers.str.contains(_POINT_EVIDENCE, regex=True).any()
    if comma and not point:
        return COMMA
    if point and not comma:
        return POINT
    return None


def _as_point_decimal(numbers: pd.Series) -> pd.Series:
    """1.234,56 -> 1234.56 (thousands dots, spaces and apostrophes dropped; the comma becomes the point)."""
    return numbers.str.replace(r"[.' ]", "", regex=True).str.replace(",", ".", regex=False)


def resolve_decimal_commas(cells: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Cells with every decimal-comma amount rewritten with a decimal point, and a note saying where."""
    parsed: dict[object, pd.DataFrame] = {}
    conventions: dict[object, str | None] = {}
    mixed: list[object] = []
    for column in cells.columns:
        values = cells[column]
        text = values[values.notna()].astype(str).str.strip()
        parts = text.str.extract(f"^{_NUMBER}$").dropna(subset=["number"])
        if parts.empty:
            continue
        parsed[column] = parts
        conventions[column] = _column_convention(parts["number"])
        numbers = parts["number"]
        if conventions[column] is None and (
            numbers.str.contains(_COMMA_EVIDENCE).any() and numbers.str.contains(_POINT_EVIDENCE).any()
        ):
            mixed.append(column)
    decided = [convention for convention in conventions.values() if convention is not None]
    file_convention = COMMA if decided and all(convention == COMMA for convention in decided) else None
    changed = []
    for column, parts in parsed.items():
        convention = conventions[column] or (file_convention if column not in mixed else None)
        if convention != COMMA:
            continue
        numbers = parts["number"]
        rewritten = parts["sign"] + _as_point_decimal(numbers) + parts["tail"]
        touched = rewritten != parts["sign"] + numbers + parts["tail"]
        if touched.any():
            cells.loc[rewritten.index[touched], column] = rewritten[touched]
            example = numbers[touched].iloc[0]
            changed.append((column, example, _as_point_decimal(numbers[touched]).iloc[0]))
    notes = []
    if changed:
        column, before, after = changed[0]
        notes.append(
            f"amounts use decimal commas ('{before}' read as {after}) in {len(changed)} "
            f"column{'s' if len(changed) != 1 else ''}"
        )
    if mixed:
        notes.append(
            f"{len(mixed)} column{'s' if len(mixed) != 1 else ''} mix decimal commas and decimal points; "
            "their amounts were read with a decimal point and may be wrong"
        )
    return cells, notes
