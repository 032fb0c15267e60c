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
def _known_codes() -> frozenset[str]:
    return frozenset(_validity()["code"])


@cache
def _billable_windows() -> pd.DataFrame:
    """Per code, the first and last day it was billable (open ends as NaT)."""
    table = _validity()
    billable = table[table["status"] == BILLABLE]
    windows = billable.groupby("code").agg(billable_from=("valid_from", "min"),
                                           billable_to=("valid_to", "max"))
    return windows.replace({_OPEN_START: pd.NaT, _OPEN_END: pd.NaT})


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
    pair_code, pair_date = pair_keys // span, pair_keys % span - 1
    known_code = pair_code >= 0
    distinct = pd.DataFrame({
        "code": undotted(pd.Series(np.asarray(code_values, dtype=object)[np.maximum(pair_code, 0)])),
        "date": pd.Series(np.asarray(date_values, dtype="datetime64[ns]")[np.maximum(pair_date, 0)]
                          if len(date_values) else pd.NaT, index=range(len(pair_keys))),
    })
    distinct.loc[pair_date < 0, "date"] = pd.NaT
    table = _validity()
    matched = distinct[known_code].reset_index().merge(table[["code", "status", "valid_from", "valid_to"]],
                                                       on="code")
    covering = matched[(matched["valid_from"] <= matched["date"]) & (matched["date"] <= matched["valid_to"])]
    status = np.full(len(distinct), UNKNOWN, dtype=object)
    in_table = np.array([code in _known_codes() for code in distinct["code"]], dtype=bool)
    status[in_table & known_code] = UNCONFIRMED
    status[covering["index"].to_numpy()] = covering["status"].to_numpy()
    well_formed = distinct["code"].str.fullmatch(_ICD10CM_SHAPE).fillna(False).to_numpy(dtype=bool)
    under_known = np.array([code[:-1] in _known_codes() for code in distinct["code"]], dtype=bool)
    status[(status == UNKNOWN) & well_formed & under_known & ~_in_shipped_year(distinct["date"])] = UNSHIPPED
    windows = _billable_windows().reindex(distinct["code"])
    result = pd.DataFrame({"status": status, "billable_from": windows["billable_from"].to_numpy(),
                           "billable_to": windows["billable_to"].to_numpy()})
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
