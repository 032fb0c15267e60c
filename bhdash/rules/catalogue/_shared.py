"""Helpers shared by the code-centric rule families (no rules are registered here).

The same-day scope of NCCI edits, add-on requirements and MUEs is one patient, one date of service and
one rendering clinician (bh_coding_rules.md §2, §3, §4); `same_day_group` is the single definition of
that key so every family groups lines the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd

from bhdash.distinct import per_distinct_value
from bhdash.model import MODIFIER_COLUMNS
from bhdash.reference import load_table
from bhdash.rules.catalogue._lookup import fmt_date

if TYPE_CHECKING:
    from bhdash.rules.engine import CheckContext

T = TypeVar("T")

SAME_DAY_KEY: tuple[str, ...] = ("patient_id", "service_date", "clinician_name")
NO_GROUP = -1
# Columns a finding message may quote; rules carry only these (plus their own) through their selections.
MESSAGE_COLUMNS: tuple[str, ...] = (
    "procedure_code", "clinician_name", "service_date", "start_time", "end_time")


def memo(ctx: CheckContext, key: str, compute: Callable[[], T]) -> T:
    """A value derived from the run's claims, computed by the first rule that needs it."""
    if key not in ctx.memo:
        ctx.memo[key] = compute()
    return ctx.memo[key]


def pick(claims: pd.DataFrame, rows: pd.Series | pd.Index, *extra: str) -> pd.DataFrame:
    """The selected lines with only the message columns (and `extra`) that the export carries.

    Selecting a handful of columns instead of whole rows keeps selections cheap on wide 1M-line frames.
    """
    wanted = [column for column in dict.fromkeys((*MESSAGE_COLUMNS, *extra)) if column in claims.columns]
    return claims.loc[rows, wanted]


def same_day_group(ctx: CheckContext) -> pd.Series:
    """Id of each line's (patient, date, rendering clinician) group; NO_GROUP when a part is missing."""

    def compute() -> pd.Series:
        claims = ctx.claims
        combined = np.zeros(len(claims), dtype="int64")
        missing = np.zeros(len(claims), dtype=bool)
        for column in SAME_DAY_KEY:
            if column in claims.columns:
                codes, uniques = pd.factorize(claims[column])
            else:
                codes, uniques = np.full(len(claims), -1), []
            missing |= codes < 0
            combined = combined * (len(uniques) + 1) + codes
        group, _ = pd.factorize(combined)
        return pd.Series(np.where(missing, NO_GROUP, group), index=claims.index, name="group")

    return memo(ctx, "same_day_group", compute)


def no_hits() -> pd.DataFrame:
    """The empty hit frame (building messages on empty selections trips over dtypes)."""
    return pd.DataFrame({"line_index": pd.Series(dtype="int64"), "message": pd.Series(dtype="str")})


def yes(values: pd.Series) -> pd.Series:
    return values.fillna("no").str.lower().eq("yes")


@cache
def _codes() -> pd.DataFrame:
    table = load_table("codes.csv")
    for column in ("min_minutes", "max_minutes", "nominal_minutes", "unit_minutes"):
        table[column] = pd.to_numeric(table[column]).astype("float64")
    for column in ("timed", "addon", "per_session", "confirmed"):
        table[column] = yes(table[column])
    return table


def code_table() -> pd.DataFrame:
    """codes.csv with numbers parsed and yes/no flags as booleans (a copy: callers may filter it)."""
    return _codes().copy()


@cache
def code_facts() -> pd.DataFrame:
    """One row per code (its latest row), indexed by code, for per-line lookups of kind and limits.

    Built once per process and shared: read it, never modify it."""
    return _codes().drop_duplicates("code", keep="last").set_index("code")


@cache
def codes_of_kind(*kinds: str) -> frozenset[str]:
    table = _codes()
    return frozenset(table.loc[table["kind"].isin(kinds), "code"])


def of_kinds(*kinds: str) -> Callable[[], frozenset[str]]:
    """A rule's `code_scope`: the codes of these codes.csv kinds."""
    return partial(codes_of_kind, *kinds)


def no_table_code() -> frozenset[str]:
    """The `code_scope` of a rule that judges only missing, malformed or unlisted codes: no recode
    between listed codes changes its findings."""
    return frozenset()


def code_positions(ctx: CheckContext) -> tuple[np.ndarray, pd.Index]:
    """Each line's position among the run's distinct procedure codes (-1 when missing), and those codes."""
    return memo(ctx, "code_positions", lambda: pd.factorize(ctx.claims["procedure_code"]))


def code_fact(ctx: CheckContext, column: str) -> pd.Series:
    """A codes.csv column per claim line (NaN for codes not in the table), looked up once per run.

    Lines are factorized by code once; each fact is then a take from the few distinct codes.
    """
    codes, uniques = code_positions(ctx)

    def compute() -> pd.Series:
        values = code_facts()[column].reindex(uniques).to_numpy(dtype=object)
        values = np.append(values, np.nan)  # position -1 (missing code) reads the trailing NaN
        series = pd.Series(values[codes], index=ctx.claims.index, name=column)
        if column in ("min_minutes", "max_minutes", "nominal_minutes", "unit_minutes"):
            return series.astype("float64")
        if column in ("timed", "addon", "per_session", "confirmed"):
            return series.fillna(False).astype(bool)
        return series.astype("str")

    return memo(ctx, f"code_fact:{column}", compute)


def session_minutes(ctx: CheckContext) -> pd.Series:
    """Documented minutes, else the start–end span when both times are present."""
    return memo(ctx, "session_minutes", lambda: _session_minutes(ctx.claims))


def _session_minutes(claims: pd.DataFrame) -> pd.Series:
    minutes = claims["minutes"].astype("float64") if "minutes" in claims.columns else pd.Series(
        np.nan, index=claims.index)
    if {"start_time", "end_time"} <= set(claims.columns):
        span = (claims["end_time"] - claims["start_time"]).dt.total_seconds() / 60
        minutes = minutes.fillna(span.where(span > 0))
    return minutes


def units_or_one(claims: pd.DataFrame) -> pd.Series:
    """Billed units; a blank units cell on a claim line means one unit."""
    if "units" not in claims.columns:
        return pd.Series(1.0, index=claims.index)
    return claims["units"].astype("float64").fillna(1.0)


def line_payer_type(claims: pd.DataFrame, ctx: CheckContext, rows: pd.Index) -> pd.Series:
    """medicare | medicaid | commercial for the selected lines: their rows of `ctx.line_payers`, which
    every run resolves once up front (resolving the candidates again cost a rule ~5 ms per run)."""
    if "payer" in claims.columns:
        return ctx.line_payers["payer_type"].loc[rows]
    if "payer_type" in claims.columns:
        return claims.loc[rows, "payer_type"]
    return pd.Series(pd.NA, index=rows, dtype="str")


def fmt_number(values: pd.Series) -> pd.Series:
    """45.0 → "45", 7.5 → "7.5" (minutes and units in messages); each distinct value formatted once."""
    return per_distinct_value(values.astype("float64"), _fmt_number)


def _fmt_number(values: pd.Series) -> pd.Series:
    whole = values.round().eq(values)
    text = values.round(1).astype(str)
    return text.where(~whole, values.round().astype("Int64").astype(str))


def fmt_clock(values: pd.Series) -> pd.Series:
    """timedelta since midnight → "5:00 PM"; each distinct time formatted once."""
    return per_distinct_value(values, _fmt_clock)


def _fmt_clock(values: pd.Series) -> pd.Series:
    total = (values.dt.total_seconds() // 60).astype("Int64")
    hours, minutes = total // 60, total % 60
    hour12 = ((hours + 11) % 12 + 1).astype(str)
    suffix = np.where(hours.fillna(0) % 24 < 12, "AM", "PM")
    return hour12 + ":" + minutes.astype(str).str.zfill(2) + " " + pd.Series(suffix, index=values.index)


def time_span(claims: pd.DataFrame) -> pd.Series:
    """ " (5:00–5:45 PM)" when both times are recorded, else "" — appended to time messages."""
    if not {"start_time", "end_time"} <= set(claims.columns):
        return pd.Series("", index=claims.index)
    start, end = fmt_clock(claims["start_time"]), fmt_clock(claims["end_time"])
    same_half = start.str[-2:] == end.str[-2:]
    start = start.where(~same_half, start.str[:-3])
    span = " (" + start + "–" + end + ")"
    return span.where(claims["start_time"].notna() & claims["end_time"].notna(), "").fillna("")


def join_text(*parts: pd.Series | str) -> pd.Series:
    """`part + part + …` for text Series on one index and literal strings, joined by Arrow in one pass
    (a chain of pandas `+` copies every intermediate message: several times slower on 100k findings).
    A missing value in any part makes the result missing, as with `+`; the result is a "str" Series."""
    import pyarrow as pa
    import pyarrow.compute as pc

    series = [part for part in parts if isinstance(part, pd.Series)]
    index = series[0].index
    if any(not part.index.equals(index) for part in series[1:]):  # `+` would align them: let it
        result = parts[0]
        for part in parts[1:]:
            result = result + part
        return result
    text = pa.large_string()
    arrays = [pa.scalar(part, text) if isinstance(part, str)
              else pa.array(part.array).cast(text) if isinstance(part.dtype, pd.StringDtype)
              else pa.array(part.to_numpy(dtype=object), type=text, from_pandas=True) for part in parts]
    joined = pc.binary_join_element_wise(*arrays, pa.scalar("", text))
    return pd.Series(pd.array(joined, dtype="str"), index=index)


def who_when(claims: pd.DataFrame) -> pd.Series:
    """ "by Alex Kim on 2026-03-02" for each line (each part omitted when unknown)."""
    parts = pd.Series("", index=claims.index)
    if "clinician_name" in claims.columns:
        parts = join_text("by ", claims["clinician_name"].astype("str")).fillna("")
    if "service_date" in claims.columns:
        when = join_text(" on ", fmt_date(claims["service_date"])).where(claims["service_date"].notna(), "")
        parts = join_text(parts, when)
    return parts.str.strip()


def group_codes(codes: pd.Series, groups: pd.Series, wanted: pd.Index) -> pd.Series:
    """For the groups in `wanted`, the same-day codes as "90834, 99214" (sorted, unique)."""
    frame = pd.DataFrame({"group": groups, "code": codes})
    frame = frame[frame["group"].isin(wanted) & frame["code"].notna()].drop_duplicates().sort_values("code")
    return frame.groupby("group")["code"].agg(", ".join)


def multi_line_groups(ctx: CheckContext) -> pd.Series:
    """Mask of lines that share their same-day group with at least one other line."""

    def compute() -> pd.Series:
        groups = same_day_group(ctx)
        sizes = np.bincount(groups[groups.ne(NO_GROUP)].to_numpy()) if len(groups) else np.array([0])
        shared = np.zeros(len(groups), dtype=bool)
        valid = groups.ne(NO_GROUP).to_numpy()
        shared[valid] = sizes[groups.to_numpy()[valid]] > 1
        return pd.Series(shared, index=groups.index)

    return memo(ctx, "multi_line_groups", compute)


def repeated_lines(ctx: CheckContext) -> tuple[pd.Index, pd.Series]:
    """Lines that repeat an earlier identical line (patient, date, clinician, code, modifiers, units and
    start time), and the spreadsheet row of the line each repeats. One definition for DUP and UNITS."""

    def compute() -> tuple[pd.Index, pd.Series]:
        claims = ctx.claims
        shared = multi_line_groups(ctx) & claims["procedure_code"].notna()
        key = pd.DataFrame({"group": same_day_group(ctx)[shared],
                            "code": claims.loc[shared, "procedure_code"],
                            "units": units_or_one(claims)[shared]})
        for column in (*MODIFIER_COLUMNS, "start_time"):
            if column in claims.columns:
                key[column] = claims.loc[shared, column]
        repeated = key.duplicated(keep="first")
        first_row = claims.loc[key.index, "source_row"].groupby(
            [key[column] for column in key.columns], dropna=False).transform("first")
        return key.index[repeated.to_numpy()], first_row[repeated]

    return memo(ctx, "repeated_lines", compute)


def _shared_lines(ctx: CheckContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group id, code position and index label of the lines in groups of two or more."""
    shared = multi_line_groups(ctx).to_numpy()
    positions, _ = code_positions(ctx)
    return (same_day_group(ctx).to_numpy()[shared], positions[shared].astype(np.int64),
            ctx.claims.index.to_numpy()[shared])


def same_day_pairs(ctx: CheckContext, pairs: pd.DataFrame) -> pd.DataFrame:
    """Lines whose code is `pairs.first` billed in the same group as a line with `pairs.second`.

    Returns one row per matching pair of lines: first_index, second_index, first_code, second_code.
    Only groups with two or more lines are examined, and codes are matched as integer positions: each
    line with a first code is paired with the lines of its group that have a second code (found by a
    binary search in the groups' order), and the pairs that are not a wanted (first, second) are dropped.
    """
    group, position, index = memo(ctx, "shared_lines", lambda: _shared_lines(ctx))
    _, uniques = code_positions(ctx)
    first, second = uniques.get_indexer(pairs["first"]), uniques.get_indexer(pairs["second"])
    known = (first >= 0) & (second >= 0)
    width = max(len(uniques), 1)
    wanted = np.unique(first[known].astype(np.int64) * width + second[known])
    firsts = np.flatnonzero(np.isin(position, wanted // width))
    seconds = np.flatnonzero(np.isin(position, wanted % width))
    seconds = seconds[np.argsort(group[seconds], kind="stable")]
    second_groups = group[seconds]
    start = np.searchsorted(second_groups, group[firsts], "left")
    count = np.searchsorted(second_groups, group[firsts], "right") - start
    left = np.repeat(firsts, count)
    right = seconds[np.repeat(start - (np.cumsum(count) - count), count) + np.arange(count.sum())]
    keep = np.isin(position[left] * width + position[right], wanted) & (index[left] != index[right])
    left, right = left[keep], right[keep]
    return pd.DataFrame({
        "first_index": index[left],
        "second_index": index[right],
        "first_code": uniques[position[left]],
        "second_code": uniques[position[right]],
    })
