"""Lookups shared by the roster- and payer-centric rules (SCOPE, CRED, NPI, TELE, DX, TIMELY).

They join claim lines to the reference tables, the roster and the payer table in one vectorized step,
so every rule asks the same question the same way (e.g. "which credential rendered this line").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash.distinct import per_distinct, per_distinct_value
from bhdash.model import DX_COLUMNS, MODIFIER_COLUMNS, raw_column
from bhdash.rules.engine import CheckContext


def column(claims: pd.DataFrame, name: str) -> pd.Series:
    """A claims column, or an all-missing one when the export does not carry it."""
    if name in claims.columns:
        return claims[name]
    return pd.Series(np.nan, index=claims.index, dtype="object")


def unreadable(claims: pd.DataFrame, name: str) -> pd.Series:
    """The export's text of field `name` where it could not be read (NaN elsewhere; see RAW_SUFFIX)."""
    raw = raw_column(name)
    if raw not in claims.columns:  # every value was read: all missing, without converting 1M NaNs to text
        return pd.Series(pd.NA, index=claims.index, dtype="string")
    return text(claims[raw])


def text(values: pd.Series) -> pd.Series:
    """Values as nullable strings, so comparisons yield NA instead of raising on floats."""
    return values.astype("string")


def code_range_matrix(codes: pd.Series, ranges: pd.DataFrame) -> np.ndarray:
    """codes × ranges booleans: whether each code lies in each row's `first_code`..`last_code` range
    (same length, inclusive; a missing code is in none).

    Compared once per distinct code (a practice bills a few dozen) and mapped back to the lines.
    """
    positions, uniques = pd.factorize(text(codes))
    values = np.asarray(uniques, dtype=object)[:, None]
    firsts = ranges["first_code"].to_numpy(dtype=object)[None, :]
    lasts = ranges["last_code"].to_numpy(dtype=object)[None, :]
    same_length = np.vectorize(len, otypes=[int])
    inside = (values >= firsts) & (values <= lasts) & (same_length(values) == same_length(firsts))
    inside = np.vstack([inside, np.zeros((1, len(ranges)), dtype=bool)])  # last row: no code (-1)
    return inside[positions]


def modifiers(claims: pd.DataFrame) -> pd.DataFrame:
    """The modifier columns present in the export (possibly none)."""
    present = [name for name in MODIFIER_COLUMNS if name in claims.columns]
    return claims[present].astype("string") if present else pd.DataFrame(index=claims.index)


def has_modifier(claims: pd.DataFrame, wanted: set[str] | tuple[str, ...]) -> pd.Series:
    """True where any modifier slot holds one of `wanted`: slot by slot in numpy, without converting
    text columns that already are text (a frame-wide `isin(...).any(axis=1)` cost a rule ~3 ms a call)."""
    wanted = list(wanted)
    found = np.zeros(len(claims), dtype=bool)
    for name in MODIFIER_COLUMNS:
        if name in claims.columns:
            values = claims[name]
            values = values if isinstance(values.dtype, pd.StringDtype) else values.astype("string")
            found |= values.isin(wanted).to_numpy(dtype=bool)
    return pd.Series(found, index=claims.index)


def modifier_list(claims: pd.DataFrame, wanted: set[str] | tuple[str, ...]) -> pd.Series:
    """The line's modifiers that are in `wanted`, joined with '+' ('' when none)."""
    return joined_values(modifiers(claims).where(lambda mods: mods.isin(list(wanted))), "+")


def joined_values(frame: pd.DataFrame, separator: str) -> pd.Series:
    """The non-missing values of each row joined left to right ('' for an empty row), joined once per
    distinct row (lines repeat a few modifier and diagnosis combinations)."""
    if not len(frame.columns):
        return pd.Series("", index=frame.index, dtype="object")
    return per_distinct(frame, lambda rows: _joined(rows, separator))


def _joined(frame: pd.DataFrame, separator: str) -> pd.Series:
    result = pd.Series("", index=frame.index, dtype="object")
    for name in frame.columns:
        value = frame[name].astype("object").where(frame[name].notna(), "").astype(str)
        glue = np.where((result != "") & (value != ""), separator, "")
        result = result + glue + value
    return result


def diagnoses(claims: pd.DataFrame) -> pd.DataFrame:
    present = [name for name in DX_COLUMNS if name in claims.columns]
    return claims[present].astype("string")


def clinician_table(ctx: CheckContext) -> pd.DataFrame:
    """Roster clinicians, one row per name (the first wins when the roster lists someone twice)."""
    clinicians = ctx.roster.clinicians
    if clinicians.empty or "clinician_name" not in clinicians.columns:
        return pd.DataFrame(columns=["clinician_name"]).set_index("clinician_name")
    named = clinicians[clinicians["clinician_name"].notna()]
    return named.drop_duplicates("clinician_name").set_index("clinician_name")


def by_clinician(claims: pd.DataFrame, values: pd.Series) -> pd.Series:
    """`claims["clinician_name"].map(values)` (a roster column indexed by clinician), looked up once per
    distinct clinician rather than per line."""
    return per_distinct(claims[["clinician_name"]], lambda names: names["clinician_name"].map(values))


def payer_keys(ctx: CheckContext, names: pd.Series, canonical: pd.Series | None = None) -> pd.Series:
    """Comparable payer key: the canonical payer when known, else the name folded to lower case.

    Pass `canonical` when it is already known (the claims' `ctx.line_payers["canonical_payer"]`).
    """
    canonical = ctx.payers.canonical_payer(names) if canonical is None else canonical
    unknown = text(names[canonical.isna()])
    uniques = unknown.drop_duplicates()
    folded = uniques.str.casefold().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    keys = unknown.map(pd.Series(folded.to_numpy(), index=uniques.to_numpy())) if len(uniques) else unknown
    return text(canonical).fillna(keys)


def payer_convention_start(ctx: CheckContext, lines: pd.DataFrame) -> pd.Series:
    """Per line of `lines` (rows of `ctx.line_payers`), the date the payer's telehealth POS/modifier
    convention took effect (NaT = always)."""
    known = ctx.payers.payers.set_index("payer")
    start = lines["canonical_payer"].map(known["effective_from"])
    fallback = lines["payer_type"].map(ctx.payers.type_defaults["effective_from"])
    return pd.to_datetime(start.where(lines["payer_known"], fallback))


def fmt_date(dates: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD; "unknown date" where missing (also when the export has no date column); each
    distinct date formatted once, by numpy (rules format dates ~60 times a run, and pandas' strftime
    costs ~2 ms a call however few the dates)."""
    values = pd.to_datetime(dates)
    positions, uniques = pd.factorize(values)
    days = uniques.to_numpy().astype("datetime64[D]") if values.dtype.kind == "M" else None
    years = None if days is None else days.astype("datetime64[Y]").astype("int64") + 1970
    if days is None or (len(years) and (years.min() < 1000 or years.max() > 9999)):  # not 4-digit years
        return per_distinct_value(
            values, lambda distinct: distinct.dt.strftime("%Y-%m-%d").fillna("unknown date"))
    texts = pd.array([*np.datetime_as_string(days, unit="D"), "unknown date"], dtype="str")
    # Position -1 (a missing date) reads the last text.
    return pd.Series(texts.take(positions), index=values.index, name=values.name)


def fmt_money(amounts: pd.Series) -> pd.Series:
    return per_distinct_value(amounts, lambda distinct: distinct.map(
        lambda value: f"${value:,.2f}" if pd.notna(value) else "no charge").astype(str))


def map_unique(values: pd.Series, function) -> pd.Series:
    """`values.map(function)` evaluated once per distinct value (for tuple-valued payer settings)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    results = np.empty(len(uniques), dtype=object)
    results[:] = [function(value) for value in uniques]
    return pd.Series(results[codes], index=values.index)
