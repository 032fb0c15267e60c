"""ADDON: add-on codes without their allowed primary, with a forbidden companion, or over-reported
(bh_coding_rules.md §2). Scope is the same patient, date and rendering clinician."""

from __future__ import annotations

from functools import cache, partial

import pandas as pd

from bhdash.reference import load_table
from bhdash.rules.catalogue._lookup import has_modifier
from bhdash.rules.catalogue._shared import (
    NO_GROUP,
    code_fact,
    code_facts,
    codes_of_kind,
    fmt_number,
    group_codes,
    memo,
    multi_line_groups,
    no_hits,
    pick,
    same_day_group,
    same_day_pairs,
    units_or_one,
    who_when,
    yes,
)
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule

SAME_DAY = ("procedure_code", "patient_id", "service_date", "clinician_name")


@cache
def _primaries() -> pd.DataFrame:
    table = load_table("addon_primaries.csv")
    table["confirmed"] = yes(table["confirmed"])
    return table


@cache
def _conflicts() -> pd.DataFrame:
    table = load_table("addon_conflicts.csv")
    table["confirmed"] = yes(table["confirmed"])
    return table


@cache
def _conflict_codes(kinds: tuple[str, ...]) -> frozenset[str]:
    """Add-ons of these kinds and the codes addon_conflicts.csv forbids with them (ADDON-002/003's scope)."""
    addons = codes_of_kind(*kinds)
    return addons | frozenset(_conflicts().loc[_conflicts()["addon"].isin(addons), "code"])


def _addon_codes() -> frozenset[str]:
    facts = code_facts()
    return frozenset(facts.index[facts["addon"].astype(bool)])


def _primary_label(addon: str) -> str:
    primaries = _primaries().loc[_primaries()["addon"].eq(addon), "primary"]
    if set(primaries) <= codes_of_kind("em"):
        return "an E/M"
    return "its primary (" + ", ".join(sorted(set(primaries))) + ")"


def _served(claims: pd.DataFrame, ctx: CheckContext, addons: pd.Index) -> pd.DataFrame:
    """Per (group, add-on of `addons`): how many lines in the group are an allowed primary for it on that
    date, for the groups billing an add-on (counted once per run for every add-on of the table; callers
    join it to their add-on lines, so a group billing none of theirs is never read)."""
    served = memo(ctx, "addon_served", lambda: _served_by_any_addon(claims, ctx))
    return served[served["addon"].isin(addons)].reset_index(drop=True)


def _served_by_any_addon(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    groups = same_day_group(ctx)
    table = _primaries()
    wanted = groups[claims["procedure_code"].isin(table["addon"]) & multi_line_groups(ctx)].unique()
    in_scope = groups.isin(wanted)
    lines = pd.DataFrame({"group": groups[in_scope], "code": claims.loc[in_scope, "procedure_code"],
                          "date": claims.loc[in_scope, "service_date"]})
    served = lines.merge(table, left_on="code", right_on="primary")
    in_window = (served["effective_from"].isna() | (served["date"] >= served["effective_from"])) & (
        served["effective_to"].isna() | (served["date"] <= served["effective_to"]))
    return served[in_window].groupby(["group", "addon"]).size().rename("primaries").reset_index()


def _without_primary(claims: pd.DataFrame, ctx: CheckContext, confirmed: bool) -> pd.DataFrame:
    table = _primaries()
    addon_confirmed = table.groupby("addon")["confirmed"].all()
    addons = addon_confirmed.index[addon_confirmed.eq(confirmed)]
    groups = same_day_group(ctx)
    is_addon = claims["procedure_code"].isin(addons) & groups.ne(NO_GROUP)
    lines = pd.DataFrame({"group": groups[is_addon], "addon": claims.loc[is_addon, "procedure_code"]})
    served = _served(claims, ctx, addons).set_index(["group", "addon"])
    found = lines.join(served, on=["group", "addon"])
    missing = pick(claims, found.index[found["primaries"].isna()])
    if missing.empty:
        return no_hits()
    missing_groups = groups[missing.index]
    nearby = groups.isin(missing_groups.unique()) & ~claims.index.isin(missing.index)
    companions = group_codes(claims.loc[nearby, "procedure_code"], groups[nearby],
                             pd.Index(missing_groups.unique()))
    others = missing_groups.map(companions).astype("string").fillna("")
    label = missing["procedure_code"].map({code: _primary_label(code) for code in missing["procedure_code"]
                                           .unique()})
    same_day = ("; same-day codes for this patient and clinician: " + others).where(
        others.ne(""), "; no other code that day for this patient and clinician")
    message = missing["procedure_code"] + " billed without " + label + " " + who_when(missing) + same_day
    return hits(missing.index, message)


@rule(
    id="ADDON-001", family="ADDON", severity="error",
    title="Add-on code without its allowed primary (same patient, date and clinician)",
    rationale=(
        "An add-on code is payable only with an allowed primary billed by the same practitioner on the same "
        "date: 90833/90836/90838 need an E/M, 90785 needs an evaluation, psychotherapy or group code, 90840 "
        "needs 90839, testing and HBAI add-ons need their first-unit code. Denied as CARC B15/107."
    ),
    fix="Bill the primary service on the same claim by the same clinician, or remove the add-on.",
    source="S56, S57, S58, S59 (add-on rules, CARC B15); S21, S25, S29, S40, S41, S45, S49, S50 (pairings)",
    needs=SAME_DAY,
    facts=("addon_primaries.csv",),
)
def addon_without_primary(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _without_primary(claims, ctx, confirmed=True)


def _conflicting(claims: pd.DataFrame, ctx: CheckContext, addons: set[str]) -> pd.DataFrame:
    table = _conflicts()[_conflicts()["addon"].isin(addons)]
    pairs = same_day_pairs(ctx, pd.DataFrame({"first": table["addon"], "second": table["code"]}))
    if pairs.empty:
        return no_hits()
    partners = pairs.groupby("first_index")["second_code"].agg(lambda codes: ", ".join(sorted(set(codes))))
    lines = pick(claims, partners.index)
    message = (lines["procedure_code"] + " billed with " + partners + " " + who_when(lines) + "; "
               + lines["procedure_code"] + " may not be reported with " + partners)
    return hits(lines.index, message)


@rule(
    id="ADDON-002", family="ADDON", severity="error",
    title="Psychotherapy or pharmacologic add-on billed with a code it may not accompany",
    rationale=(
        "With an E/M, psychotherapy is reported with the add-on 90833/90836/90838 only; adding a standalone "
        "90832/90834/90837 for the same session bills psychotherapy twice. 90863 is not reported with crisis "
        "psychotherapy. (Add-on pairs that are NCCI edits — e.g. with 90791/90792 or crisis codes — are "
        "reported by the PTP rules.)"
    ),
    fix="Keep one psychotherapy code for the session (the add-on with the E/M) and remove the other.",
    source="S21, S29 (add-on exclusions)",
    needs=SAME_DAY,
    code_scope=partial(_conflict_codes, ("psychotherapy_addon", "pharm_addon")),
)
def psychotherapy_addon_conflict(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _conflicting(claims, ctx, codes_of_kind("psychotherapy_addon", "pharm_addon"))


@rule(
    id="ADDON-003", family="ADDON", severity="error",
    title="Interactive complexity (90785) billed with family psychotherapy or ABA codes",
    rationale=(
        "90785 is not reported with family psychotherapy (90846/90847) or adaptive behavior codes; with "
        "crisis psychotherapy it is an NCCI edit (PTP-001), and with an E/M alone it has no primary "
        "(ADDON-001)."
    ),
    fix="Remove 90785 from this date's claim.",
    source="S21, S25, S30, S31 (interactive complexity exclusions)",
    needs=SAME_DAY,
    code_scope=partial(_conflict_codes, ("interactive_addon",)),
)
def interactive_complexity_conflict(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _conflicting(claims, ctx, codes_of_kind("interactive_addon"))


@rule(
    id="ADDON-004", family="ADDON", severity="error",
    title="Per-session add-on reported more often than its primary sessions",
    rationale=(
        "90785, 90833/90836/90838 and 90863 are reported once per session with their primary; two units, "
        "or two psychotherapy add-ons with one E/M, claim a session that did not happen."
    ),
    fix="Report the add-on once per primary session (units 1) and remove the extra line or units.",
    source="S25, S30, S31 (90785 once per session); S7, S8, S11 (one psychotherapy code per session); S21",
    needs=SAME_DAY,
    facts=("addon_primaries.csv",),
)
def addon_over_sessions(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    facts = code_facts()
    per_session = facts.index[facts["addon"] & facts["per_session"]]
    groups = same_day_group(ctx)
    is_addon = claims["procedure_code"].isin(per_session) & groups.ne(NO_GROUP)
    if not is_addon.any():
        return no_hits()
    lines = pd.DataFrame({
        "group": groups[is_addon], "addon": claims.loc[is_addon, "procedure_code"],
        "kind": claims.loc[is_addon, "procedure_code"].map(facts["kind"]),
        "units": units_or_one(claims)[is_addon],
    })
    served = _served(claims, ctx, pd.Index(per_session))
    served["kind"] = served["addon"].map(facts["kind"])
    sessions = served.groupby(["group", "kind"])["primaries"].max()
    lines = lines.join(sessions.rename("sessions").astype("float64"), on=["group", "kind"])
    lines["reported"] = lines.groupby(["group", "kind"])["units"].cumsum()
    lines["total"] = lines.groupby(["group", "kind"])["units"].transform("sum")
    over = lines[lines["sessions"].ge(1) & (lines["reported"] > lines["sessions"])]
    if over.empty:
        return no_hits()
    flagged = pick(claims, over.index)
    message = (flagged["procedure_code"] + " reported " + fmt_number(over["total"]) + " time(s) "
               + who_when(flagged) + " for " + fmt_number(over["sessions"])
               + " qualifying session(s); an add-on is reported once per session")
    return hits(flagged.index, message)


@rule(
    id="ADDON-005", family="ADDON", severity="warning",
    title="Modifier 51 on an add-on code",
    rationale="Add-on codes are exempt from the multiple-procedure modifier; 51 on an add-on draws edits.",
    fix="Remove modifier 51 from the add-on line.",
    source="S57 (modifier 51 never appended to an add-on)",
    needs=("procedure_code", "modifier_1"),
    code_scope=_addon_codes,
)
def modifier_51_on_addon(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    lines = pick(claims, code_fact(ctx, "addon") & has_modifier(claims, {"51"}))
    if lines.empty:
        return no_hits()
    message = lines["procedure_code"] + " is an add-on but carries modifier 51 (" + who_when(lines) + ")"
    return hits(lines.index, message)


@rule(
    id="ADDON-006", family="ADDON", severity="warning",
    title="Add-on without its expected primary (pairing not confirmed)",
    rationale=(
        "96133 (with 96132), 96121 (with 96116) and G0018 (with G0017) are add-ons whose primary pairing is "
        "not confirmed by a cited source, so a missing primary is a warning rather than an error."
    ),
    fix="Check the payer's add-on list; bill the primary on the same claim or remove the add-on.",
    source="S3 (testing add-ons, pairing unconfirmed); S56, S57 (add-on rules)",
    needs=SAME_DAY,
    facts=("addon_primaries.csv",),
)
def addon_without_unconfirmed_primary(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _without_primary(claims, ctx, confirmed=False)
