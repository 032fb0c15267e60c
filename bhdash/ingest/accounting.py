"""Row accounting: every source row is a claim line or a skipped row with a reason.

Only rows that are not service lines are skipped. Reasons, in order of precedence: blank, title (above
the header, or a repeated header), summary/total, non-service (e.g. a TherapyNotes payment row, or a
row with neither a date of service nor a procedure code). A service line with an unreadable or missing
value stays a claim line; the rules report the value. The counts add up to the rows read.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

SKIPPED_COLUMNS = ("file", "sheet", "row", "reason", "category")
BLANK, TITLE, SUMMARY, NON_SERVICE = ("blank", "title", "summary/total", "non-service")
SUMMARY_PATTERN = re.compile(
    r"^\s*(?:grand\s+|sub\s*-?\s*)?totals?\b|^\s*(?:summary|count|sum|average)\b\s*:?"
    r"|^\s*\d+\s+(?:clients?|clinicians?|appointments?|claims?|records?|sessions?|rows?)\b",
    re.IGNORECASE,
)


def blank_rows(cells: pd.DataFrame) -> pd.Series:
    """Rows with no value in any cell (whitespace-only text counts as empty)."""
    empty = cells.isna()
    for column in cells.columns[~empty.all(axis=0).to_numpy()]:
        if cells[column].dtype == object or pd.api.types.is_string_dtype(cells[column]):
            values = cells[column]
            texts = values[values.map(type).eq(str)] if values.dtype == object else values.dropna()
            if not texts.empty:
                empty.loc[texts.index, column] = texts.str.strip().eq("")
    return empty.all(axis=1)


def summary_rows(cells: pd.DataFrame) -> pd.Series:
    """Rows carrying a "Total"/"Summary"/"N clients" label in any text cell.

    Callers pass only rows already failing as claim lines: a label alone never skips a good line.
    """
    hits = pd.Series(False, index=cells.index)
    for column in cells.columns:
        values = cells[column]
        texts = values[values.map(lambda value: isinstance(value, str))]
        if not texts.empty:
            hits.loc[texts.index] |= texts.str.contains(SUMMARY_PATTERN, regex=True)
    return hits


def skipped_frame(filename: str, sheet: str | None, rows: pd.Series, reasons: pd.Series) -> pd.DataFrame:
    categories = reasons.str.extract(
        rf"^({BLANK}|{TITLE}|{SUMMARY}|{NON_SERVICE})", expand=False
    )
    return pd.DataFrame(
        {
            "file": pd.Series(filename, index=rows.index, dtype="str"),
            "sheet": pd.Series(np.nan if sheet is None else sheet, index=rows.index, dtype="str"),
            "row": rows.astype("int64"),
            "reason": reasons.astype("str"),
            "category": categories.astype("str"),
        },
        columns=list(SKIPPED_COLUMNS),
    ).reset_index(drop=True)


def reason_counts(skipped: pd.DataFrame) -> dict[str, int]:
    return {str(key): int(value) for key, value in skipped["category"].value_counts(sort=False).items()}
