"""ICD-10-CM code validity on a date of service, from the dated table icd10cm_validity.csv.gz.

The table is built from the official CDC/CMS releases by scripts/build_icd10cm.py (which sets it holds
and from where: icd10cm_sets.csv). ICD-10-CM changes every October 1, so a code is judged by the status
it had on the date of service: F50.2 is billable until 2024-09-30 and a category from 2024-10-01.
Reading the table takes a fraction of a second, unlike loading the whole classification.
"""

from __future__ import annotations

import gzip
from functools import cache

import numpy as np
import pandas as pd

from bhdash.reference import load_table, table_path

# What `dx_status` reports per code and date.
BILLABLE, CATEGORY, NOT_VALID, UNCONFIRMED, UNKNOWN = "billable", "category", "none", "unconfirmed", "unknown"
# A well-formed ICD-10-CM code in no shipped set, one level below a known code, dated where no shipped set
# applies (FY2022-FY2024, or a fiscal year newer than the newest set): it may be a code that year added
# under an existing one (as F43.81 under F43.8), so it is not called invalid.
UNSHIPPED = "unshipped"
_ICD10CM_SHAPE = r"^[A-TV-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$"
# Open interval ends, as dates every date of service lies between.
_OPEN_START, _OPEN_END = pd.Timestamp("1900-01-01"), pd.Timestamp("2999-12-31")


@cache
def _validity() -> pd.DataFrame:
    with table_path("icd10cm_validity.csv.gz").open("rb") as handle, gzip.open(handle, "rt") as text:
        table = pd.read_csv(text, dtype=str, keep_default_na=False, na_values=[""])
    table["valid_from"] = pd.to_datetime(table["valid_from"], format="%Y-%m-%d").fillna(_OPEN_START)
    table["valid_to"] = pd.to_datetime(table["valid_to"], format="%Y-%m-%d").fillna(_OPEN_END)
    return table


@cache
def _rows_by_code() -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """The table's distinct codes (an object index, whose hash table is built once), and where each
    one's rows start and how many there are: the table is sorted by code, so a lookup takes a few rows
    instead of merging with the whole table."""
    codes = _validity()["code"]
    if not codes.is_monotonic_increasing:
        raise ValueError("icd10cm_validity.csv.gz must be sorted by code")
    positions, uniques = pd.factorize(codes)
    starts = np.flatnonzero(np.r_[True, positions[1:] != positions[:-1]])
    counts = np.diff(np.r_[starts, len(codes)])
    return pd.Index(np.asarray(uniques, dtype=object), dtype=object), starts, counts


def preload() -> None:
    """Read the table now rather than at the first lookup (a few tenths of a second), e.g. in a thread
    while a workbook is parsed."""
    _rows_by_code()


def _table_rows(found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every table row of each code, given each code's position among the table's codes (`_rows_by_code`,
    -1 when absent): the code's position in `found` and the row, in the order of `found`, then of the
    table (an inner join on code)."""
    _, starts, counts = _rows_by_code()
    which = np.flatnonzero(found >= 0)
    sizes = counts[found[which]]
    offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    rows = np.repeat(starts[found[which]], sizes) + offsets
    return np.repeat(which, sizes), rows


def _billable_windows(found: np.ndarray) -> pd.DataFrame:
    """Per code (its position among the table's codes, -1 when absent), the first and last day it was
    billable (open ends as NaT), from the code's own rows only."""
    table = _validity()
    which, rows = _table_rows(found)
    billable = np.asarray(table["status"].array.take(rows) == BILLABLE, dtype=bool)
    kept = rows[billable]
    frame = pd.DataFrame({"code": which[billable], "billable_from": table["valid_from"].to_numpy()[kept],
                          "billable_to": table["valid_to"].to_numpy()[kept]})
    windows = frame.groupby("code").agg(billable_from=("billable_from", "min"),
                                        billable_to=("billable_to", "max"))
    return windows.replace({_OPEN_START: pd.NaT, _OPEN_END: pd.NaT}).reindex(range(len(found)))


def code_sets() -> pd.DataFrame:
    """The fiscal-year code sets the table was built from, with their package and source."""
    return load_table("icd10cm_sets.csv")


def _in_shipped_year(dates: pd.Series) -> np.ndarray:
    """Whether each date falls in a fiscal year whose code set is shipped."""
    sets = code_sets()
    starts = pd.to_datetime(sets["effective_from"]).to_numpy()
    ends = pd.to_datetime(sets["effective_to"]).to_numpy()
    values = pd.to_datetime(dates).to_numpy()[:, None]
    return ((values >= starts) & (values <= ends)).any(axis=1)


def undotted(codes: pd.Series) -> pd.Series:
    return codes.astype("string").str.upper().str.replace(".", "", regex=False)


def dx_status(codes: pd.Series, dates: pd.Series) -> pd.DataFrame:
    """Per (code, date): status, and the code's billable window for messages.

    status is billable, category (a header on that date), none (not a code on that date but at another
    time), unconfirmed (the code changed in years whose code set is not shipped), unshipped (a well-formed
    code in no shipped set, under a known code, on a date no shipped set covers) or unknown (in no set).
    Looked up once per distinct (code, date) pair (a million diagnosis slots hold a few thousand) and
    taken back to the rows by position.
    """
    code_ids, code_values = pd.factorize(codes.astype("string"))
    date_ids, date_values = pd.factorize(pd.to_datetime(dates))
    span = len(date_values) + 1
    pair_ids, pair_keys = pd.factorize(code_ids.astype("int64") * span + (date_ids + 1))
    # Each distinct pair's code and date; -1 (no code, no date) reads the trailing slot of the arrays below.
    pair_code, pair_date = pair_keys // span, pair_keys % span - 1
    # Per distinct code: its table rows, whether it or its parent is in the table, its billable window.
    code_texts = undotted(pd.Series(np.asarray(code_values, dtype=object)))
    uniques, _, _ = _rows_by_code()
    code_found = uniques.get_indexer(code_texts)
    found = np.append(code_found, -1)[pair_code]
    well_formed = np.append(code_texts.str.fullmatch(_ICD10CM_SHAPE).fillna(False).to_numpy(dtype=bool),
                            False)[pair_code]
    parents = uniques.get_indexer([code[:-1] for code in code_texts])
    under_known = np.append(parents >= 0, False)[pair_code]
    windows = _billable_windows(code_found)
    billable_from, billable_to = (np.append(windows[name].to_numpy(), np.datetime64("NaT"))[pair_code]
                                  for name in ("billable_from", "billable_to"))
    date_array = np.asarray(date_values, dtype="datetime64[ns]")
    pair_dates = np.append(date_array, np.datetime64("NaT"))[pair_date]
    shipped_year = np.append(_in_shipped_year(pd.Series(date_array)), False)[pair_date]

    table = _validity()
    status = np.full(len(pair_keys), UNKNOWN, dtype=object)
    status[found >= 0] = UNCONFIRMED
    # Every table row of each pair's code, kept where it covers the pair's date.
    pair, rows = _table_rows(found)
    valid_from, valid_to = table["valid_from"].to_numpy()[rows], table["valid_to"].to_numpy()[rows]
    # In the table's unit: its open end (2999-12-31) does not fit in nanoseconds.
    on = pair_dates[pair].astype(valid_from.dtype)
    covering = (valid_from <= on) & (on <= valid_to)
    status[pair[covering]] = table["status"].array.take(rows[covering]).to_numpy()
    status[(status == UNKNOWN) & well_formed & under_known & ~shipped_year] = UNSHIPPED
    result = pd.DataFrame({"status": status, "billable_from": billable_from, "billable_to": billable_to})
    result = result.iloc[pair_ids].set_axis(codes.index)
    result.loc[code_ids < 0, ["status", "billable_from", "billable_to"]] = None
    return result


def billable_on(codes: pd.Series, on: pd.Timestamp | str) -> pd.Series:
    """Whether each code is billable on the date (e.g. the sample generator's diagnosis lists)."""
    dates = pd.Series(pd.Timestamp(on), index=codes.index)
    return pd.Series(np.asarray(dx_status(codes, dates)["status"] == BILLABLE), index=codes.index)


def category_of(code: str) -> str:
    """The code one level up in the classification: F43.10 -> F43.1, F41.1 -> F41."""
    return code[:-1].rstrip(".")
