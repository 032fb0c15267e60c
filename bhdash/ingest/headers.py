"""Find the header row below any title rows, and give every column a unique name the user can read.

Exports put report titles, date ranges or summary lines above the header; the header is the
row (among the first few) whose cells best match known column names.
"""

from __future__ import annotations

import pandas as pd

from bhdash.ingest.mapping import blank_header, header_key, known_header_keys, repeated_header

HEADER_SEARCH_ROWS = 30
MIN_KNOWN_HEADERS = 2


def find_header_row(cells: pd.DataFrame, extra_names: tuple[str, ...] = ()) -> int | None:
    """0-based index of the header row, or None when no row looks like a header.

    The row with most known column names wins (at least two). Failing that, the first row that is
    as wide as the widest row and all text: a header of names we have never seen, which the
    caller can still map with overrides.
    """
    top = cells.head(HEADER_SEARCH_ROWS)
    known = known_header_keys() | {header_key(name) for name in extra_names}
    best_row, best_score = None, 0
    texts_by_row: list[tuple[int, int, int]] = []
    for row_index, row in top.iterrows():
        values = [value for value in row.tolist() if not pd.isna(value) and str(value).strip()]
        texts = [value for value in values if isinstance(value, str)]
        texts_by_row.append((int(row_index), len(values), len(texts)))
        score = sum(header_key(value) in known for value in texts)
        if score > best_score:
            best_row, best_score = row_index, score
    if best_score >= MIN_KNOWN_HEADERS:
        return int(best_row)
    widest = max((filled for _, filled, _ in texts_by_row), default=0)
    for row_index, filled, texts in texts_by_row:
        if filled >= MIN_KNOWN_HEADERS and filled == widest and texts == filled:
            return row_index
    return None


def unique_headers(values: list[object]) -> list[str]:
    """Header texts made unique in words the user can follow: the second "Charge" becomes
    "Charge (2nd column)" and a blank header "Column E", its spreadsheet letter (pandas' "Charge.1" and
    "Unnamed: 4" would reach the user's screen as they are)."""
    names: list[str] = []
    taken: set[str] = set()
    occurrences: dict[str, int] = {}
    for position, value in enumerate(values):
        text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        occurrences[text] = occurrences.get(text, 0) + 1
        name = repeated_header(text, occurrences[text]) if text and occurrences[text] > 1 else text
        name = name or blank_header(position)
        if name in taken:  # a real header already reads like a generated name
            name = f"{name} ({blank_header(position)})"
        taken.add(name)
        names.append(name)
    return names
