"""TIME: time-based codes against the documented minutes (bh_coding_rules.md §1.1–§1.5, §1.8)."""

from __future__ import annotations

from functools import cache, partial

import numpy as np
import pandas as pd

from bhdash.rules.catalogue._shared import (
    code_fact,
    code_facts,
    code_table,
    fmt_number,
    no_hits,
    of_kinds,
    pick,
    same_day_group,
    session_minutes,
    time_span,
    units_or_one,
    who_when,
)
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule


def _band_lines(claims: pd.DataFrame, ctx: CheckContext, kinds: tuple[str, ...],
                ) -> tuple[pd.DataFrame, pd.Series]:
    """Lines of the given code kinds that have minutes (documented or from start/stop), and the minutes."""
    minutes = session_minutes(ctx)
    rows = code_fact(ctx, "kind").isin(kinds) & minutes.notna()
    return pick(claims, rows), minutes[rows]


@rule(
    id="TIME-001", family="TIME", severity="error",
    title="Psychotherapy code billed with fewer minutes than it requires",
    rationale=(
        "Psychotherapy codes are chosen by face-to-face time (90832 16–37 min, 90834 38–52, 90837 53+); no "
        "psychotherapy code may be reported under 16 minutes. The add-ons 90833/90836/90838 are timed on the "
        "psychotherapy portion of an E/M visit, so the visit length only bounds them from above: a 30-minute "
        "visit cannot hold 53 minutes of psychotherapy. Over-coding is recouped in full on audit (CARC 150)."
    ),
    fix="Re-code to what the documented minutes support, or correct the minutes if the note shows more time.",
    source="S4, S5, S6, S7 (CPT psychotherapy time rule); S8, S9 (add-on timed on psychotherapy minutes)",
    needs=("procedure_code", "minutes"),
    code_scope=of_kinds("psychotherapy", "psychotherapy_addon"),
)
def psychotherapy_under_minimum(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    lines, minutes = _band_lines(claims, ctx, ("psychotherapy", "psychotherapy_addon"))
    needed = code_fact(ctx, "min_minutes")[lines.index]
    short = minutes < needed
    if not short.any():
        return no_hits()
    lines, minutes, needed = lines[short], minutes[short], needed[short]
    is_addon = code_fact(ctx, "kind")[lines.index].eq("psychotherapy_addon")
    code = lines["procedure_code"]
    standalone = (code + " needs ≥ " + fmt_number(needed) + " min; session was " + fmt_number(minutes)
                  + " min" + time_span(lines))
    addon = (code + " needs ≥ " + fmt_number(needed) + " min of psychotherapy; the whole visit was "
             + fmt_number(minutes) + " min" + time_span(lines) + ", E/M time included")
    return hits(lines.index, addon.where(is_addon, standalone) + " (" + who_when(lines) + ")")


@rule(
    id="TIME-002", family="TIME", severity="warning",
    title="Psychotherapy code below what the documented minutes support (possible under-billing)",
    rationale=(
        "A standalone psychotherapy code whose minutes exceed its band (e.g. 90834 for a 55-minute session) "
        "leaves revenue unbilled; the minutes support the next code up."
    ),
    fix="Check the note's start/stop times; if the session really ran that long, bill the code they support.",
    source="S4, S5, S6 (CPT psychotherapy time bands)",
    needs=("procedure_code", "minutes"),
    code_scope=of_kinds("psychotherapy"),
)
def psychotherapy_over_band(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    lines, minutes = _band_lines(claims, ctx, ("psychotherapy",))
    table = code_table()
    bands = table[table["kind"].eq("psychotherapy")].drop_duplicates("code").sort_values("min_minutes")
    over = minutes > code_fact(ctx, "max_minutes")[lines.index]
    if not over.any():
        return no_hits()
    lines, minutes = lines[over], minutes[over]
    edges = [*bands["min_minutes"].tolist(), np.inf]
    supported = pd.cut(minutes, bins=edges, right=False, labels=bands["code"].tolist()).astype("str")
    message = (lines["procedure_code"] + " billed for a " + fmt_number(minutes) + "-min session"
               + time_span(lines) + "; that time supports " + supported + " (" + who_when(lines) + ")")
    return hits(lines.index, message)


@rule(
    id="TIME-003", family="TIME", severity="error",
    title="Crisis psychotherapy time does not support 90839 / the 90840 units billed",
    rationale=(
        "90839 covers the first 30–74 minutes of crisis psychotherapy on a date; under 30 minutes the "
        "service is 90832 (or 90833 with an E/M). 90840 adds one unit at 75 minutes and one per further "
        "30 minutes: units = 0 under 75 min, else floor((minutes − 75) / 30) + 1."
    ),
    fix="Bill the crisis codes the documented crisis minutes support (or document the full crisis time).",
    source="S21, S22, S23, S24 (crisis time table); S20 (rows from 105 min, unconfirmed)",
    needs=("procedure_code", "minutes"),
    code_scope=of_kinds("crisis", "crisis_addon"),
)
def crisis_time(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    crisis = pick(claims, claims["procedure_code"].isin(["90839", "90840"]), "units")
    if crisis.empty:
        return no_hits()
    # From codes.csv: 90839 covers 30–74 min, so 90840's first unit starts at 75; each unit adds 30.
    facts = code_facts()
    first_unit_at = facts.loc["90839", "max_minutes"] + 1
    unit_minutes = facts.loc["90840", "nominal_minutes"]
    minutes = session_minutes(ctx)[crisis.index]
    first = crisis["procedure_code"].eq("90839")
    short = first & (minutes < facts.loc["90839", "min_minutes"])
    short_lines = crisis[short]
    short_message = ("90839 needs ≥ 30 min of crisis psychotherapy; session was " + fmt_number(minutes[short])
                     + " min" + time_span(short_lines) + " (" + who_when(short_lines)
                     + "); under 30 min report 90832, or 90833 with an E/M")

    groups = same_day_group(ctx)[crisis.index]
    frame = pd.DataFrame({"group": groups, "first": first, "minutes": minutes, "units": units_or_one(crisis)})
    frame = frame[frame["group"].ge(0)]
    per_group = pd.DataFrame({
        "first_minutes": frame[frame["first"]].groupby("group")["minutes"].max(),
        "addon_minutes": frame[~frame["first"]].groupby("group")["minutes"].sum(min_count=1),
        "addon_missing": frame[~frame["first"]]["minutes"].isna().groupby(frame["group"]).any(),
        "addon_units": frame[~frame["first"]].groupby("group")["units"].sum(),
    })
    # A 90839 line of 75+ min carries the whole crisis time; a shorter one carries its first portion and
    # the 90840 lines the rest.
    whole = per_group["first_minutes"] >= first_unit_at
    total = per_group["first_minutes"].where(whole, per_group["first_minutes"] + per_group["addon_minutes"])
    known = per_group["first_minutes"].notna() & per_group["addon_units"].notna() & (
        whole | ~per_group["addon_missing"].fillna(True))
    expected = np.where(total < first_unit_at, 0,
                        np.floor((total - first_unit_at) / unit_minutes) + 1)
    per_group["expected"] = pd.Series(expected, index=per_group.index).where(total.notna())
    per_group["total"] = total
    wrong = per_group[known & per_group["expected"].ne(per_group["addon_units"])]
    addon_lines = crisis[~first & groups.isin(wrong.index)]
    facts = wrong.reindex(groups[addon_lines.index]).set_axis(addon_lines.index)
    low = first_unit_at + unit_minutes * (facts["expected"] - 1)
    band = pd.Series("under 75 min", index=facts.index).where(
        facts["expected"].eq(0), fmt_number(low) + "–" + fmt_number(low + unit_minutes - 1) + " min")
    units_word = np.where(facts["expected"].eq(1), " unit", " units")
    addon_message = ("90840 billed " + fmt_number(facts["addon_units"]) + " unit(s) for "
                     + fmt_number(facts["total"]) + " min of crisis psychotherapy (" + who_when(addon_lines)
                     + "); the crisis table gives " + fmt_number(facts["expected"]) + units_word
                     + " (" + band + ")")
    return pd.concat([hits(short_lines.index, short_message), hits(addon_lines.index, addon_message)],
                     ignore_index=True)


@rule(
    id="TIME-004", family="TIME", severity="error",
    title="Family psychotherapy (90846/90847) under 26 minutes",
    rationale="Family psychotherapy codes (50 min nominal) may not be reported for sessions under 26 min.",
    fix="Do not bill 90846/90847 for this session; correct the minutes if the note documents 26 or more.",
    source="S32, S33, S34 (family psychotherapy ≥ 26 min)",
    needs=("procedure_code", "minutes"),
    code_scope=of_kinds("family"),
)
def family_under_minimum(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    lines, minutes = _band_lines(claims, ctx, ("family",))
    needed = code_fact(ctx, "min_minutes")[lines.index]
    short = minutes < needed
    if not short.any():
        return no_hits()
    lines = lines[short]
    message = (lines["procedure_code"] + " needs ≥ " + fmt_number(needed[short]) + " min; session was "
               + fmt_number(minutes[short]) + " min" + time_span(lines) + " (" + who_when(lines) + ")")
    return hits(lines.index, message)


@rule(
    id="TIME-005", family="TIME", severity="warning",
    title="Time-based code without documented minutes or start/stop times",
    rationale=(
        "Missing psychotherapy time was the most frequent defect in OIG audits; a timed code without minutes "
        "(or start and stop times) cannot be defended and is recouped in full."
    ),
    fix="Record the face-to-face minutes (start and stop times where the payer or state requires them).",
    source="S4, S17, S18, S19 (time documentation; OIG findings)",
    needs=("procedure_code", "minutes"),
)
def timed_without_minutes(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    lines = pick(claims, code_fact(ctx, "timed") & session_minutes(ctx).isna())
    message = (lines["procedure_code"] + " " + who_when(lines)
               + " has no documented minutes or start/stop times")
    return hits(lines.index, message)


@cache
def _unit_codes(confirmed: bool) -> frozenset[str]:
    """Codes billed in units of minutes, confirmed or not (the `code_scope` of TIME-006/TIME-007)."""
    facts = code_facts()
    return frozenset(facts.index[facts["unit_minutes"].notna() & facts["confirmed"].eq(confirmed)])


def _units_over_minutes(claims: pd.DataFrame, ctx: CheckContext, confirmed: bool) -> pd.DataFrame:
    """Lines of per-unit timed codes billing more units than their minutes support (midpoint rule)."""
    unit = code_fact(ctx, "unit_minutes")
    minutes = session_minutes(ctx)
    rows = unit.notna() & minutes.notna() & code_fact(ctx, "confirmed").eq(confirmed)
    lines = pick(claims, rows, "units")
    unit, minutes = unit[lines.index], minutes[lines.index]
    units = units_or_one(lines)
    half = np.floor(unit / 2) + 1  # a unit is reached once its midpoint is passed
    supported = np.where(minutes < half, 0, np.floor((minutes - half) / unit) + 1)
    supported = pd.Series(supported, index=lines.index)
    over = minutes.notna() & (units > supported)
    if not over.any():
        return no_hits()
    lines, unit, minutes, units, half, supported = (
        lines[over], unit[over], minutes[over], units[over], half[over], supported[over])
    needed = (units - 1) * unit + half
    message = (lines["procedure_code"] + " billed " + fmt_number(units) + " unit(s) of " + fmt_number(unit)
               + " min for " + fmt_number(minutes) + " min" + time_span(lines) + "; " + fmt_number(units)
               + " unit(s) need ≥ " + fmt_number(needed) + " min, so the time supports "
               + fmt_number(supported) + " (" + who_when(lines) + ")")
    return hits(lines.index, message)


@rule(
    id="TIME-006", family="TIME", severity="warning",
    title="Billed testing hours exceed the appointment's minutes (hourly testing codes)",
    rationale=(
        "Per-hour testing evaluation codes follow the CPT midpoint rule: a 60-minute unit needs 31 minutes "
        "and the second hour starts at 91 minutes. Their time includes scoring, interpretation and report "
        "writing, often done outside the appointment, so an appointment shorter than the billed hours is a "
        "question for the documentation, not a certain denial. Units the documented total time does not "
        "support are denied (CARC 151) or recouped."
    ),
    fix="Check that the note documents the total evaluation time (scoring and report included) behind the "
        "units billed; bill only the units it supports.",
    source="S3, S40, S43 (testing units, midpoint rule; time includes scoring and report)",
    needs=("procedure_code", "minutes", "units"),
    code_scope=partial(_unit_codes, confirmed=True),
)
def timed_units_confirmed(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _units_over_minutes(claims, ctx, confirmed=True)


@rule(
    id="TIME-007", family="TIME", severity="warning",
    title="Timed units exceed what the minutes support (30/15-minute testing, HBAI and H-code units)",
    rationale=(
        "30-minute testing units, HBAI 30/15-minute units and per-15-minute HCPCS units are checked with the "
        "lenient midpoint (8-minute) convention, so only units no rounding convention supports are flagged. "
        "These thresholds are extrapolated or payer-specific, and test administration time may extend "
        "beyond the appointment's recorded minutes, hence a warning."
    ),
    fix="Bill the units the documented minutes support under the payer's rounding rule.",
    source="S41, S43, S45, S54, S55 (unit lengths; thresholds unconfirmed)",
    needs=("procedure_code", "minutes", "units"),
    code_scope=partial(_unit_codes, confirmed=False),
)
def timed_units_unconfirmed(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _units_over_minutes(claims, ctx, confirmed=False)
