"""Evaluate a row-wise computation once per distinct key instead of once per claim line.

A practice's lines repeat a few values over and over (a handful of payers, a few dozen codes and
credentials, a year of dates), so a verdict that depends only on such columns is computed on the distinct
combinations and mapped back by position. This keeps 1M-line checks cheap without changing what a
rule decides.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def distinct_ids(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's id among the distinct rows of `keys` (missing values are a value of their own), and
    the position of each distinct row's first occurrence."""
    combined = np.zeros(len(keys), dtype="int64")
    for number, name in enumerate(keys.columns):
        codes, uniques = pd.factorize(keys[name], use_na_sentinel=False)
        # Re-factorizing after each column keeps the combined id below the row count (no overflow); the
        # first column's codes already are ids in order of first appearance.
        combined = codes if number == 0 else pd.factorize(combined * (len(uniques) + 1) + codes)[0]
    ids = combined.astype("int64", copy=False)
    return ids, _first_occurrences(ids)


def _first_occurrences(ids: np.ndarray) -> np.ndarray:
    """Positions of each id's first occurrence, for ids numbered in order of first appearance (where the
    running maximum rises)."""
    if not len(ids):
        return ids
    running = np.maximum.accumulate(ids)
    return np.flatnonzero(np.r_[True, running[1:] > running[:-1]])


def per_distinct(keys: pd.DataFrame, compute: Callable[[pd.DataFrame], pd.Series]) -> pd.Series:
    """`compute(keys)` for a row-wise `compute`, evaluated on the distinct rows only.

    `compute` receives the first row of each distinct combination (with its original index label) and
    returns a Series aligned to it; the result keeps that Series' dtype and is indexed like `keys`.
    """
    ids, first = distinct_ids(keys)
    values = compute(keys.iloc[first])
    return pd.Series(values.array.take(ids), index=keys.index, name=values.name)


def per_distinct_value(values: pd.Series, compute: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`per_distinct` for one column: e.g. message text for 300k minutes or dates formatted once per
    distinct value."""
    ids, _ = pd.factorize(values, use_na_sentinel=False)
    ids = ids.astype("int64", copy=False)
    distinct = compute(values.iloc[_first_occurrences(ids)])
    return pd.Series(distinct.array.take(ids), index=values.index, name=values.name)


def per_distinct_frame(keys: pd.DataFrame, compute: Callable[[pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    """`per_distinct` for a row-wise computation that returns several columns."""
    ids, first = distinct_ids(keys)
    values = compute(keys.iloc[first])
    return values.iloc[ids].set_axis(keys.index)


def as_object(values: pd.Series) -> pd.Series:
    """`values.astype("object")` for a text column, converting each distinct value once.

    Turning a 1M-line text column into Python strings one line at a time is slow; lines repeat a few
    clinicians and payers, so the distinct values are converted and shared.
    """
    if values.dtype == object:
        return values.astype("object")
    positions, uniques = pd.factorize(values)
    missing = getattr(values.dtype, "na_value", np.nan)  # NaN for "str", NA for "string"
    objects = np.append(np.asarray(uniques, dtype=object), missing)  # position -1 reads the missing value
    return pd.Series(objects[positions], index=values.index, name=values.name, dtype="object")
