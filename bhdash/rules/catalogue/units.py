"""UNITS: units over the per-line or per-day limit (bh_coding_rules.md §4 MUEs; §1 per-session codes)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from bhdash.payers import follows_cms_coding
from bhdash.reference import load_table
from bhdash.rules.catalogue._shared import (
    NO_GROUP,
    code_fact,
    code_positions,
    fmt_number,
    line_payer_type,
    memo,
    no_hits,
    pick,
    repeated_lines,
    same_day_group,
    units_or_one,
    who_when,
    yes,
)
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule

SAME_DAY = ("procedure_code", "patient_id", "service_date", "clinician_name")


@cache
def _mue_rows() -> pd.DataFrame:
    """mue.csv, every dated row (the quarterly MUE files change values)."""
    table = load_table("mue.csv")
    table["mue"] = pd.to_numeric(table["mue"]).astype("float64")
    table["mai"] = pd.to_numeric(table["mai"]).astype("int64")
    table["confirmed"] = yes(table["confirmed"])
    return table.sort_values("effective_from", na_position="first", kind="stable")


@cache
def _mue() -> pd.DataFrame:
    """The latest MUE row per code, indexed by code (for messages that name no date)."""
    return _mue_rows().drop_duplicates("code", keep="last").set_index("code")


def _mue_on_dos(ctx: CheckContext) -> pd.DataFrame:
    """Per claim line: the MUE row in effect on its date (mue, mai, confirmed; NaN when none).

    Codes with a single undated row are a take from the distinct codes; only codes whose MUE changed
    over time are matched per distinct (code, date).
    """

    def compute() -> pd.DataFrame:
        claims = ctx.claims
        rows = _mue_rows()
        dated = rows["effective_from"].notna() | rows["effective_to"].notna() | rows["code"].duplicated(
            keep=False)
        changing = set(rows.loc[dated, "code"])
        positions, uniques = code_positions(ctx)
        steady = rows[~rows["code"].isin(changing)].set_index("code").reindex(uniques)
        result = pd.DataFrame({
            column: np.append(steady[column].to_numpy(dtype="float64"), np.nan)[positions]
            for column in ("mue", "mai", "confirmed")}, index=claims.index)
        moving = claims["procedure_code"].isin(changing).to_numpy()
        if moving.any():
            dates = (claims["service_date"] if "service_date" in claims.columns
                     else pd.Series(pd.NaT, index=claims.index))
            lines = pd.DataFrame({"code": claims.loc[moving, "procedure_code"].to_numpy(),
                                  "date": pd.to_datetime(dates[moving]).to_numpy()})
            pairs = lines.drop_duplicates().reset_index(drop=True)
            matched = pairs.reset_index().merge(rows, on="code")
            inside = matched["date"].isna() | (
                (matched["effective_from"].isna() | (matched["date"] >= matched["effective_from"]))
                & (matched["effective_to"].isna() | (matched["date"] <= matched["effective_to"])))
            in_force = matched[inside].drop_duplicates("index", keep="last").set_index("index")
            pairs = pairs.join(in_force[["mue", "mai", "confirmed"]].astype("float64"))
            found = lines.merge(pairs, on=["code", "date"], how="left")
            result.loc[moving, ["mue", "mai", "confirmed"]] = found[["mue", "mai", "confirmed"]].to_numpy()
        return result

    return memo(ctx, "mue_on_dos", compute)


def _per_session(ctx: CheckContext) -> pd.Series:
    """Lines whose code is one session per unit (add-ons excluded: ADDON-004 counts those)."""
    return code_fact(ctx, "per_session") & ~code_fact(ctx, "addon")


def _over_mue(claims: pd.DataFrame, ctx: CheckContext, medicare_confirmed: bool) -> pd.DataFrame:
    """Lines past the MUE: per line for MAI 1, units summed per patient/date/clinician for MAI 2 and 3.

    `medicare_confirmed` picks the error half (confirmed MUE on a Medicare line) or the warning half
    (an unconfirmed MUE value, or a payer that is not Medicare and may use its own table).
    """
    positions, uniques = code_positions(ctx)
    in_force = _mue_on_dos(ctx)
    # An MUE of 0 means "not payable by Medicare": CODE-006's finding, not a unit count.
    limit_of = in_force["mue"].where(in_force["mue"] > 0).to_numpy(dtype="float64")
    mai_of = in_force["mai"].to_numpy(dtype="float64")
    confirmed_of = in_force["confirmed"].fillna(0).to_numpy(dtype=bool)
    # Exact repeats of a line are DUP-001's finding (CARC 18), not extra units.
    selected = ~np.isnan(limit_of) & ~claims.index.isin(repeated_lines(ctx)[0])
    units = units_or_one(claims).to_numpy()
    groups = same_day_group(ctx).to_numpy()
    per_day = selected & (mai_of != 1) & (groups != NO_GROUP)
    # Units summed per (patient, date, clinician, code), via integer keys rather than string groupby.
    key = np.where(per_day, groups.astype("int64") * (len(uniques) + 1) + positions, -1)
    key_ids, _ = pd.factorize(key[per_day])
    day_total = np.zeros(len(claims))
    day_total[per_day] = np.bincount(key_ids, weights=units[per_day])[key_ids]
    total = np.where(per_day, day_total, units)
    # A per-session line billed with several units is UNITS-002's finding; don't report that line twice.
    session_units = (_per_session(ctx) & (units > 1)).to_numpy()
    candidates = selected & (total > limit_of) & ~session_units
    if candidates.any():
        medicare = follows_cms_coding(line_payer_type(claims, ctx, claims.index[candidates]))
        strict = medicare.to_numpy(dtype=bool) & confirmed_of[candidates]
        candidates[candidates] = strict if medicare_confirmed else ~strict
    if not candidates.any():
        return no_hits()
    rows = claims.index[candidates]
    lines = pick(claims, rows, "units")
    frame = pd.DataFrame({"key": key[candidates], "units": units[candidates], "limit": limit_of[candidates],
                          "total": total[candidates], "per_day": per_day[candidates]}, index=rows)
    counted = frame.groupby("key")["units"].cumsum().where(frame["per_day"], frame["units"])
    over = counted > frame["limit"]
    lines, frame = lines[over], frame[over]
    limit, total, per_day = frame["limit"], frame["total"], frame["per_day"]
    mai = pd.Series(mai_of[candidates], index=rows)[over].astype("int64").astype(str)
    scope = pd.Series(" per line (MAI 1)", index=lines.index).where(
        ~per_day, " per day for this patient (MAI " + mai + ")")
    unconfirmed = pd.Series(np.where(confirmed_of[candidates], "", " (unconfirmed)"), index=rows)[over]
    message = (lines["procedure_code"] + " billed " + fmt_number(total) + " unit(s) " + who_when(lines)
               + "; the Medicare MUE" + unconfirmed + " is " + fmt_number(limit) + scope)
    return hits(lines.index, message)


@rule(
    id="UNITS-001", family="UNITS", severity="error",
    title="Units over the Medicare MUE (per line, or per day for MAI 2/3)",
    rationale=(
        "Medicare denies units over the medically unlikely edit (CO-96 + N362): MAI 1 limits each line, "
        "MAI 2 and 3 limit the units summed over the date for the same patient and provider (MAI 2 cannot "
        "be appealed). 90882/90885/90887/90889 (MUE 0) are reported by CODE-006."
    ),
    fix="Bill no more units than the MUE; if more were truly provided (MAI 3), appeal with records.",
    source="S3 (CMS practitioner MUE table 2026 Q2); S67, S68, S69 (MAI meaning, N362)",
    needs=SAME_DAY,
    facts=("mue.csv",),
)
def medicare_mue(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _over_mue(claims, ctx, medicare_confirmed=True)


@rule(
    id="UNITS-002", family="UNITS", severity="error",
    title="More than 1 unit on a per-session code",
    rationale=(
        "Psychotherapy, evaluation, crisis (first hour), family, group, E/M and first-unit testing/HBAI "
        "codes describe one session: the unit count is 1 per line even where the daily MUE is 2 (two "
        "separate sessions are two lines). Never add units to make up a longer session."
    ),
    fix="Set units to 1; bill a second line only for a genuinely separate session, or use the add-on code.",
    source="S4, S11 (one psychotherapy code per session); S21, S23 (90839 once per day); S36 (90853); S3",
    needs=("procedure_code", "units"),
)
def per_session_units(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    lines = pick(claims, _per_session(ctx) & claims["units"].gt(1), "units")
    if lines.empty:
        return no_hits()
    daily = lines["procedure_code"].map(_mue()["mue"])
    note = pd.Series("", index=lines.index).where(
        daily.isna() | daily.le(1), " even though the daily MUE is " + fmt_number(daily))
    message = (lines["procedure_code"] + " billed with " + fmt_number(lines["units"]) + " units "
               + who_when(lines) + "; it is reported once per session (1 unit)" + note)
    return hits(lines.index, message)


@rule(
    id="UNITS-003", family="UNITS", severity="warning",
    title="Units over the MUE on a non-Medicare line, or over an unconfirmed MUE value",
    rationale=(
        "Commercial payers often copy the Medicare MUEs and Medicaid keeps its own table (values can differ, "
        "e.g. ABA); several MUE values (90839, 96130, 99202–99205…) are not confirmed. Units over these "
        "limits are a denial risk rather than a certain denial."
    ),
    fix="Check the payer's unit limits; bill no more units than they allow or attach documentation.",
    source="S3 (MUE values); S72 (Medicaid MUEs differ); S67, S68",
    needs=SAME_DAY,
    facts=("mue.csv",),
    insurance_only=True,
)
def other_mue(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _over_mue(claims, ctx, medicare_confirmed=False)
