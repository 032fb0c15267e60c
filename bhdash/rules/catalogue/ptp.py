"""PTP: same-day code pairs that conflict, NCCI-style (bh_coding_rules.md §3).

Every pair needs the same patient, date and rendering clinician: a therapist's 90834 and a
psychiatrist's 99214 for the same patient on the same day are both payable. The column-2 line is the
one the payer denies, so it carries the finding.
"""

from __future__ import annotations

from functools import cache, partial

import numpy as np
import pandas as pd

from bhdash.model import MODIFIER_COLUMNS
from bhdash.reference import load_table
from bhdash.rules.catalogue._lookup import has_modifier
from bhdash.rules.catalogue._shared import (
    code_facts,
    codes_of_kind,
    fmt_number,
    multi_line_groups,
    no_hits,
    of_kinds,
    pick,
    repeated_lines,
    same_day_group,
    same_day_pairs,
    session_minutes,
    who_when,
    yes,
)
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule

SAME_DAY = ("procedure_code", "patient_id", "service_date", "clinician_name")


@cache
def _ptp() -> pd.DataFrame:
    table = load_table("ptp_pairs.csv")
    table["confirmed"] = yes(table["confirmed"])
    table["modifier_indicator"] = table["modifier_indicator"].astype(int)
    return table


@cache
def bypass_modifiers() -> frozenset[str]:
    """NCCI-associated modifiers that may bypass an MI-1 edit (59, XE, XS, XP, XU)."""
    table = load_table("modifiers.csv")
    return frozenset(table.loc[yes(table["ncci_bypass"]), "modifier"])


def _pair_lines(ctx: CheckContext, firsts: set[str] | pd.Series, seconds: set[str] | pd.Series,
                windows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Column-2 lines billed with a column-1 code: second_index → the column-1 codes found ("90834").

    With `windows` (ptp_pairs.csv rows), a pair counts only on dates inside one of its rows' effective
    windows: the quarterly PTP files add and delete edits.
    """
    pairs = pd.DataFrame({"first": list(firsts), "second": list(seconds)})
    matched = same_day_pairs(ctx, pairs)
    if windows is not None and not matched.empty:
        matched = _in_effect(ctx, matched, windows)
    return matched.groupby("second_index")["first_code"].agg(lambda codes: ", ".join(sorted(set(codes))))


def _in_effect(ctx: CheckContext, matched: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """The matched pairs whose edit was in effect on the column-2 line's date (undated lines: any row)."""
    dated = matched.merge(windows[["column_1", "column_2", "effective_from", "effective_to"]],
                          left_on=["first_code", "second_code"], right_on=["column_1", "column_2"])
    if "service_date" in ctx.claims.columns:
        dates = ctx.claims["service_date"].reindex(dated["second_index"]).to_numpy()
    else:
        dates = pd.Series(pd.NaT, index=dated.index).to_numpy()
    dates = pd.Series(pd.to_datetime(dates), index=dated.index)
    inside = dates.isna() | ((dated["effective_from"].isna() | (dates >= dated["effective_from"]))
                             & (dated["effective_to"].isna() | (dates <= dated["effective_to"])))
    return dated[inside].drop_duplicates(["first_index", "second_index"])[matched.columns]


def _kind_pair_lines(ctx: CheckContext, first_kind: str, second_kind: str) -> pd.DataFrame:
    """`_pair_lines` for every code of one kind (e.g. E/M) billed with any code of another."""
    kinds = [sorted(codes_of_kind(first_kind)), sorted(codes_of_kind(second_kind))]
    pairs = pd.MultiIndex.from_product(kinds)
    return _pair_lines(ctx, pairs.get_level_values(0), pairs.get_level_values(1))


def _table_pairs(mi: int, confirmed: bool | None) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Column-1 codes, column-2 codes and the rows themselves (for their effective windows)."""
    table = _ptp()[_ptp()["modifier_indicator"].eq(mi)]
    if confirmed is not None:
        table = table[table["confirmed"].eq(confirmed)]
    return table["column_1"], table["column_2"], table


@cache
def _table_codes(mi: int, confirmed: bool | None) -> frozenset[str]:
    """The codes of the PTP rows one rule applies (its `code_scope`)."""
    firsts, seconds, _ = _table_pairs(mi, confirmed)
    return frozenset(firsts) | frozenset(seconds)


def _mi0_hits(claims: pd.DataFrame, ctx: CheckContext, confirmed: bool) -> pd.DataFrame:
    partners = _pair_lines(ctx, *_table_pairs(0, confirmed))
    if partners.empty:
        return no_hits()
    lines = pick(claims, partners.index, *MODIFIER_COLUMNS)
    message = (lines["procedure_code"] + " billed with " + partners + " " + who_when(lines)
               + ": the same-day edit denies " + lines["procedure_code"] + " (column 2) and no modifier "
               "bypasses it")
    return hits(lines.index, message)


@rule(
    id="PTP-001", family="PTP", severity="error",
    title="Same-day NCCI pair that no modifier can bypass (MI 0)",
    rationale=(
        "Crisis psychotherapy with routine psychotherapy, the crisis column-2 list (90785, family, group…), "
        "an evaluation (90791/90792) with psychotherapy, and 90791 with 90792 are MI-0 edits: the column-2 "
        "code is denied (CARC 236/97) and cannot be billed to the patient."
    ),
    fix="Bill only the column-1 service for that patient and date (or the other service on its real date).",
    source="S24, S62 (crisis bundles, CCI 19.0); S26 (evaluation with psychotherapy); S63; S60, S61",
    needs=SAME_DAY,
    code_scope=partial(_table_codes, 0, True),
    facts=("ptp_pairs.csv",),
)
def mi0_pairs(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _mi0_hits(claims, ctx, confirmed=True)


@rule(
    id="PTP-002", family="PTP", severity="warning",
    title="Same-day NCCI pair (MI 1) without a distinct-service modifier",
    rationale=(
        "Family psychotherapy (90846/90847) with individual psychotherapy on the same day is an MI-1 edit: "
        "payable only when the sessions are separate and distinct and the individual line carries 59 or "
        "XE/XS/XP/XU."
    ),
    fix="If the sessions were separate, append 59 (or XE/XS/XP/XU) to the column-2 line; else bill one.",
    source="S64 (CCI 20.3: 90846 vs individual psychotherapy); S65 (90847, MI unconfirmed); S60, S61",
    needs=SAME_DAY,
    code_scope=partial(_table_codes, 1, None),
    facts=("ptp_pairs.csv",),
)
def mi1_pairs(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    partners = _pair_lines(ctx, *_table_pairs(1, None))
    if partners.empty:
        return no_hits()
    lines = pick(claims, partners.index, *MODIFIER_COLUMNS)
    unmodified = ~has_modifier(lines, bypass_modifiers())
    lines, partners = lines[unmodified], partners[unmodified]
    message = (lines["procedure_code"] + " billed with " + partners + " " + who_when(lines)
               + " without 59/XE/XS/XP/XU; the edit denies " + lines["procedure_code"]
               + " unless the sessions were separate and distinct")
    return hits(lines.index, message)


@rule(
    id="PTP-003", family="PTP", severity="error",
    title="E/M and psychiatric evaluation (90791/90792) by the same clinician on one day",
    rationale=(
        "CPT and the LCDs forbid an E/M and a psychiatric diagnostic evaluation by the same clinician on the "
        "same date, whatever the NCCI modifier indicator."
    ),
    fix="Bill either the evaluation or the E/M for that visit (90792 when medical services were included).",
    source="S27, S28, S29 (evaluation and E/M same day)",
    needs=SAME_DAY,
    code_scope=of_kinds("em", "eval"),
)
def em_with_evaluation(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    partners = _kind_pair_lines(ctx, "em", "eval")
    if partners.empty:
        return no_hits()
    lines = pick(claims, partners.index, *MODIFIER_COLUMNS)
    message = (lines["procedure_code"] + " billed with E/M " + partners + " " + who_when(lines)
               + "; an evaluation and an E/M by the same clinician on one day are not both payable")
    return hits(lines.index, message)


@rule(
    id="PTP-004", family="PTP", severity="error",
    title="E/M with standalone psychotherapy (90832/90834/90837) by the same clinician",
    rationale=(
        "When the clinician who performs the E/M also provides psychotherapy, the psychotherapy is reported "
        "with the add-on 90833/90836/90838. A different clinician may bill standalone psychotherapy the same "
        "day."
    ),
    fix="Re-code the psychotherapy as 90833/90836/90838 (by psychotherapy minutes) on the E/M claim.",
    source="S8, S66 (E/M with psychotherapy, same NPI)",
    needs=SAME_DAY,
    code_scope=of_kinds("em", "psychotherapy"),
)
def em_with_standalone_psychotherapy(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    partners = _kind_pair_lines(ctx, "em", "psychotherapy")
    if partners.empty:
        return no_hits()
    lines = pick(claims, partners.index, *MODIFIER_COLUMNS)
    facts = code_facts()
    addons = facts[facts["kind"].eq("psychotherapy_addon")]
    addon_by_length = pd.Series(addons.index, index=addons["nominal_minutes"])
    addon = lines["procedure_code"].map(facts["nominal_minutes"]).map(addon_by_length)
    message = (lines["procedure_code"] + " billed with E/M " + partners + " " + who_when(lines)
               + "; with an E/M, psychotherapy is reported with the add-on " + addon)
    return hits(lines.index, message)


@rule(
    id="PTP-005", family="PTP", severity="warning",
    title="Same-day pair that payers usually deny (edit not confirmed)",
    rationale=(
        "Health behavior assessment/intervention (96156–96171) is not reported with psychiatric codes "
        "(90785–90899) on the same day per the CPT parenthetical; the pairing is not confirmed against the "
        "CMS file, hence a warning."
    ),
    fix="Check the payer's edits; bill one of the two services for that date.",
    source="CPT instructions for health behavior codes 96156–96171 (unconfirmed); S44, S45",
    needs=SAME_DAY,
    code_scope=partial(_table_codes, 0, False),
    facts=("ptp_pairs.csv",),
)
def unconfirmed_pairs(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _mi0_hits(claims, ctx, confirmed=False)


def _psychotherapy_band(minutes: pd.Series) -> pd.Series:
    """The standalone psychotherapy code whose time band holds each number of minutes ("" under 16)."""
    facts = code_facts()
    bands = facts[facts["kind"].eq("psychotherapy")].sort_values("min_minutes")
    edges = [*bands["min_minutes"].tolist(), np.inf]
    chosen = pd.cut(minutes, bins=edges, labels=list(bands.index), right=False)
    return chosen.astype("object").where(chosen.notna(), "")


@rule(
    id="PTP-006", family="PTP", severity="warning",
    title="Two psychotherapy codes for one patient, clinician and day (stacked psychotherapy)",
    rationale=(
        "Only one psychotherapy code is reported per day for a patient and clinician: the minutes of the "
        "day's psychotherapy are summed and one code is chosen for the total (never 90832 + 90834 for a "
        "long session). Two separate sessions on one day are possible, so payers differ: a warning."
    ),
    fix="Bill one psychotherapy code for the day, chosen on the summed minutes (e.g. 90837 for 70 min), "
        "or document why the sessions were separate and distinct.",
    source="S4, S11 (one psychotherapy code per session; minutes not added across codes); CPT time rule",
    needs=SAME_DAY,
    code_scope=of_kinds("psychotherapy"),
)
def stacked_psychotherapy(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    therapy = (claims["procedure_code"].isin(codes_of_kind("psychotherapy")) & multi_line_groups(ctx)
               & ~claims.index.isin(repeated_lines(ctx)[0]))
    if not therapy.any():
        return no_hits()
    day = pd.DataFrame({"group": same_day_group(ctx)[therapy], "code": claims.loc[therapy, "procedure_code"],
                        "minutes": session_minutes(ctx)[therapy], "row": claims.loc[therapy, "source_row"]})
    day["start"] = claims.loc[therapy, "start_time"] if "start_time" in claims.columns else pd.NaT
    day = day[day.groupby("group")["code"].transform("size") > 1]
    if day.empty:
        return no_hits()
    day = day.sort_values(["group", "start", "row"], na_position="last")
    codes = day.groupby("group")["code"].agg(" + ".join)
    by_group = day.groupby("group")["minutes"]
    complete = by_group.count() == by_group.size()  # a day's total needs every session's minutes
    minutes = by_group.sum().where(complete)
    parts = fmt_number(day["minutes"]).fillna("").groupby(day["group"]).agg(" + ".join).where(complete, "")
    later = day[day.duplicated("group", keep="first")]
    lines = pick(claims, later.index)
    group = later["group"]
    total = group.map(minutes)
    choice = _psychotherapy_band(total.astype("float64"))
    summed = (" (" + group.map(parts) + " = " + fmt_number(total) + " min)").where(total.notna(), "")
    advice = ("report one code for the day: " + choice + " for " + fmt_number(total) + " min").where(
        total.notna() & choice.ne(""), "report one code for the day, chosen on the summed minutes")
    message = (group.map(codes) + " billed for the same patient " + who_when(lines) + summed + "; " + advice)
    return hits(lines.index, message)


@rule(
    id="PTP-007", family="PTP", severity="warning",
    title="Psychiatric evaluation (90791/90792) with crisis psychotherapy on the same day",
    rationale=(
        "Crisis psychotherapy (90839/90840) already includes the urgent assessment; payer policies deny "
        "90791/90792 billed by the same clinician on the crisis date. The edit is payer policy rather than "
        "a confirmed NCCI pair, hence a warning."
    ),
    fix="Bill the crisis codes for that date; bill the evaluation on the day it was done as a separate "
        "service, or not at all.",
    source="S21 (BCBS IL: 90791/90792 not billed with 90839/90840); S23, S24 (crisis services)",
    needs=SAME_DAY,
    code_scope=of_kinds("crisis", "eval"),
)
def evaluation_with_crisis(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    partners = _kind_pair_lines(ctx, "crisis", "eval")
    if partners.empty:
        return no_hits()
    lines = pick(claims, partners.index)
    message = (lines["procedure_code"] + " billed with crisis psychotherapy " + partners + " "
               + who_when(lines) + "; payers deny the evaluation on a crisis date")
    return hits(lines.index, message)


@rule(
    id="PTP-008", family="PTP", severity="warning",
    title="Family psychotherapy with and without the patient (90846 and 90847) on the same day",
    rationale=(
        "90846 (without the patient) and 90847 (with the patient) are two versions of one family session: "
        "one of them describes the encounter, and a second family-psychotherapy code that day for the same "
        "patient and clinician is denied unless the sessions were separate (payer policy: a warning)."
    ),
    fix="Bill the family code that matches the session (90847 if the patient was present for most of it).",
    source="S32, S33 (90846/90847 descriptors; MUE 1 per day each, S3)",
    needs=SAME_DAY,
    code_scope=of_kinds("family"),
)
def family_with_and_without_patient(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    partners = _pair_lines(ctx, ["90847"], ["90846"])
    if partners.empty:
        return no_hits()
    lines = pick(claims, partners.index)
    message = (lines["procedure_code"] + " billed with " + partners + " for the same patient "
               + who_when(lines) + "; one family psychotherapy session is reported with one code")
    return hits(lines.index, message)
