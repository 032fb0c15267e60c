"""A sheet's calamine rows as the raw cell grid, converted a rule at a time over the whole grid.

The grid is what `pandas.read_excel(header=None, dtype=object, engine="calamine")` returns, value for
value and type for type, but pandas converts each cell in a Python call and then runs its text parser
over the rows. Its conversion comes down to four rules (pandas' io/excel/_calamine.py and the
parser's `sanitize_objects`), applied here with numpy to every cell of a type at once:
- a whole float becomes an int (Excel stores every number as a float);
- a date becomes a datetime at midnight; datetimes, times, timedeltas, booleans and ints stay;
- empty cells (calamine gives "") and pandas' default missing-value texts ("NA", "N/A", "null",
  "#N/A", "nan", "None" …) become NaN; every other text stays as written, spaces included;
- the grid starts at A1 whatever the used range, so index + 1 is the spreadsheet row.
Rows that are not one rectangle, or a byte-order mark at the start of A1 (which pandas' parser strips,
and whose quoting rules it applies), are left to pandas itself: `sheet_frame` returns None.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pandas._libs import lib

# pandas' default missing-value texts (pandas._libs.parsers.STR_NA_VALUES), the set read_excel applies.
MISSING_TEXTS = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
     "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)
_BYTE_ORDER_MARK = "\ufeff"
_INT64_LIMIT = 2.0**63
_type_of = np.frompyfunc(type, 1, 1)


def _whole_floats_as_ints(numbers: np.ndarray) -> np.ndarray:
    """Float objects as they were, the whole ones as Python ints."""
    values = numbers.copy()
    floats = numbers.astype(np.float64)
    whole = np.isfinite(floats) & (floats == np.trunc(floats))
    fits = whole & (np.abs(floats) < _INT64_LIMIT)
    values[fits] = floats[fits].astype(np.int64).astype(object)
    for position in np.flatnonzero(whole & ~fits):
        values[position] = int(floats[position])
    return values


def _dates_as_datetimes(dates: np.ndarray) -> np.ndarray:
    return np.array([dt.datetime(day.year, day.month, day.day) for day in dates], dtype=object)


def _missing_texts_as_nan(texts: np.ndarray) -> np.ndarray:
    texts[pd.Series(texts, dtype=object).isin(MISSING_TEXTS).to_numpy()] = np.nan
    return texts


# Exact types: calamine gives plain floats, dates, strs (a datetime is a date subclass and stays).
_CONVERSIONS = {float: _whole_floats_as_ints, dt.date: _dates_as_datetimes, str: _missing_texts_as_nan}


def convert_cells(values: np.ndarray) -> np.ndarray:
    """Calamine values (an object array of any shape, changed in place) as pandas' calamine reader gives
    them; each rule runs once over every cell of its type."""
    kinds = _type_of(values)
    for kind, convert in _CONVERSIONS.items():
        cells = kinds == kind
        if cells.any():
            values[cells] = convert(values[cells])
    return values


def sheet_frame(rows: list[list[object]]) -> pd.DataFrame | None:
    """The sheet's grid from calamine's `to_python(skip_empty_area=False)` rows; None when only pandas'
    own parser reproduces it (rows of different lengths, a byte-order mark at the start of A1)."""
    if not rows:
        return pd.DataFrame()
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        return None
    first = rows[0][0] if width else None
    if isinstance(first, str) and first.startswith(_BYTE_ORDER_MARK):
        return None
    grid = convert_cells(lib.to_object_array(rows))  # pandas' own rows-to-grid step, in C
    return pd.DataFrame(grid, columns=pd.Index(np.arange(width, dtype=np.int64)), dtype=object)
