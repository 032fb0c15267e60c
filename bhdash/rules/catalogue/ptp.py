"""PTP: same-day code pairs that conflict, NCCI-style (bh_coding_rules.md §3).

Every pair needs the same patient, date and rendering clinician: a therapist's 90834 and a
psychiatrist's 99214 for the same patient on the same day are both payable. The column-2 line is the
one the payer denies, so it carries the finding.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from bhdash.model import MODIFIER_COLUMNS
from bhdash.reference import load_table
from bhdash.rules.catalogue._lookup import has_modifier
from bhdash.rules.catalogue._shared import (
    code_facts,
    codes_of_kind,
    no_hits,
    pick,
    same_day_pairs,
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
    source="bh_coding_rules.md §1.5 (CPT HBAI parenthetical, unconfirmed)",
    needs=SAME_DAY,
)
def unconfirmed_pairs(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _mi0_hits(claims, ctx, confirmed=False)
