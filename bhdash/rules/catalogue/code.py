"""CODE: procedure codes and modifiers that are malformed, unknown, or not valid on the date of service
(bh_coding_rules.md §1, §4, §10: CARC 181/182 for codes and modifiers invalid on the DOS)."""

from __future__ import annotations

from functools import cache, partial

import numpy as np
import pandas as pd

from bhdash.model import MODIFIER_COLUMNS
from bhdash.payers import follows_cms_coding
from bhdash.reference import load_table
from bhdash.rules.catalogue._lookup import fmt_date, modifiers, unreadable
from bhdash.rules.catalogue._shared import (
    code_fact,
    code_positions,
    code_table,
    line_payer_type,
    memo,
    no_hits,
    no_table_code,
    pick,
    who_when,
)
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule

# CPT Category I (5 digits), Category II/III and PLA (4 digits + F/T/U), HCPCS Level II (letter + 4 digits).
CODE_PATTERN = r"\d{5}|\d{4}[FTU]|[A-V]\d{4}"
MODIFIER_PATTERN = r"[0-9A-Z]{2}"


@cache
def _known_modifiers() -> frozenset[str]:
    return frozenset(load_table("modifiers.csv")["modifier"])


def _well_formed(claims: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    """Whether each line's code has a CPT/HCPCS shape (checked once per distinct code)."""
    codes = pd.Series(claims["procedure_code"].dropna().unique())
    shaped = set(codes[codes.str.fullmatch(CODE_PATTERN).fillna(False).astype(bool)])
    return memo(ctx, "well_formed_code", lambda: claims["procedure_code"].isin(shaped))


@cache
def _validity_windows(confirmed: bool) -> pd.DataFrame:
    """Per code of codes.csv with dated rows (confirmed or not): its first start and last end. Built once
    per process and shared: read it, never modify it."""
    table = code_table()
    table = table[table["confirmed"].eq(confirmed)].groupby("code").agg(
        starts=("effective_from", "min"), ends=("effective_to", "max"))
    return table[table["starts"].notna() | table["ends"].notna()]


def _windowed_codes(confirmed: bool) -> frozenset[str]:
    """Codes with a validity window (CODE-001/007's `code_scope`: no other code is ever outside one)."""
    return frozenset(_validity_windows(confirmed).index)


def _outside_window(claims: pd.DataFrame, ctx: CheckContext, confirmed: bool) -> pd.DataFrame:
    """Lines whose code is in codes.csv but outside its validity window on the date of service."""
    positions, uniques = code_positions(ctx)
    windows = _validity_windows(confirmed).reindex(uniques)
    starts, ends = (pd.Series(np.append(windows[column].to_numpy(), np.datetime64("NaT"))[positions],
                              index=claims.index) for column in ("starts", "ends"))
    before = starts.notna() & (claims["service_date"] < starts)
    after = ends.notna() & (claims["service_date"] > ends)
    lines = pick(claims, before | after)
    if lines.empty:
        return no_hits()
    reason = ("deleted after " + fmt_date(ends[lines.index])).where(
        after[lines.index], "valid only from " + fmt_date(starts[lines.index]))
    message = (lines["procedure_code"] + " is not valid on " + fmt_date(lines["service_date"]) + ": " + reason
               + " (" + who_when(lines) + ")")
    return hits(lines.index, message)


@rule(
    id="CODE-001", family="CODE", severity="error",
    title="Procedure code not valid on the date of service",
    rationale=(
        "CPT/HCPCS codes are added and deleted each January; a deleted code or one billed before it existed "
        "is rejected (CARC 181). E.g. 99201 deleted 2021-01-01; 99343, the consultations 99241/99251 and the "
        "prolonged-service add-ons 99354-99357 deleted 2023-01-01; the telephone E/M codes 99441-99443 and "
        "G2012 deleted 2025-01-01, when the telemedicine codes 98000-98016 began."
    ),
    fix="Replace the code with the one valid on the date of service (prolonged psychotherapy has no add-on; "
        "telephone visits from 2025 use 98008-98015, or 99202-99215 with modifier 93 for Medicare).",
    source="AMA CPT 2021, 2023 and 2025 code changes; CMS CY2025 PFS final rule; S12, S13 (99354/99355); "
           "S49, S50 (99417/G2212 from 2021); S5 (2013 codes)",
    needs=("procedure_code", "service_date"),
    code_scope=partial(_windowed_codes, confirmed=True),
    facts=("codes.csv",),
)
def code_not_valid_on_dos(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _outside_window(claims, ctx, confirmed=True)


@rule(
    id="CODE-002", family="CODE", severity="error",
    title="Malformed procedure code",
    rationale=(
        "A procedure code is 5 characters: 5 digits (CPT), 4 digits and F/T/U (CPT Category II/III, PLA) or "
        "a letter and 4 digits (HCPCS Level II). Anything else is rejected before adjudication."
    ),
    fix="Correct the code in the EHR (a stray character, a missing digit, a modifier typed into the code).",
    source="S2, S3 (code formats in the CMS edit files); S105 (CARC 16, 181: missing or invalid code)",
    needs=("procedure_code",),
    code_scope=no_table_code,
)
def malformed_code(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    written = claims["procedure_code"].astype("string").fillna(unreadable(claims, "procedure_code"))
    lines = pick(claims, written.notna() & ~_well_formed(claims, ctx))
    message = ("procedure code '" + written[lines.index] + "' is not a valid CPT/HCPCS code format ("
               + who_when(lines) + ")")
    return hits(lines.index, message)


@rule(
    id="CODE-003", family="CODE", severity="info",
    title="Procedure code outside bhdash's behavioral-health code table",
    rationale=(
        "Time, unit, add-on and same-day checks rely on the code table; a well-formed code that is not in it "
        "was not covered by them."
    ),
    fix="Nothing to fix if the code is right; check its time and unit rules by hand.",
    source="The CPT and HCPCS codes bhdash knows (its code table, each code with its own source)",
    needs=("procedure_code",),
    code_scope=no_table_code,
)
def unknown_code(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    lines = pick(claims, _well_formed(claims, ctx) & code_fact(ctx, "kind").isna())
    message = (lines["procedure_code"] + " (" + who_when(lines) + ") is not in the behavioral-health code "
               "table; time, unit and same-day checks did not cover it")
    return hits(lines.index, message)


def _well_formed_modifiers(mods: pd.DataFrame) -> pd.DataFrame:
    """Whether each modifier slot holds a two-character modifier (NA where empty).

    The pattern is matched once per distinct modifier in a slot (a practice uses a handful) rather than
    on every line.
    """

    def matched(slot: pd.Series) -> pd.Series:
        positions, uniques = pd.factorize(slot)
        shaped = pd.Series(uniques, dtype=slot.dtype).str.fullmatch(MODIFIER_PATTERN).array
        return pd.Series(shaped.take(positions, allow_fill=True), index=slot.index, name=slot.name)

    return mods.apply(matched)


def _modifier_hits(
    claims: pd.DataFrame, bad: pd.DataFrame, what: str, written: pd.DataFrame | None = None
) -> pd.DataFrame:
    if not bad.any().any():
        return no_hits()
    mods = modifiers(claims) if written is None else written
    offenders = mods.where(bad).stack().dropna()
    if offenders.empty:
        return no_hits()
    listed = offenders.groupby(level=0).agg(lambda values: ", ".join(f"'{v}'" for v in values))
    lines = pick(claims, listed.index)
    message = (lines["procedure_code"].fillna("line") + " carries modifier " + listed + " " + what + " ("
               + who_when(lines) + ")")
    return hits(lines.index, message)


@rule(
    id="CODE-004", family="CODE", severity="error",
    title="Malformed modifier",
    rationale="A modifier is exactly two letters or digits; anything else is rejected (CARC 4/182).",
    fix="Correct the modifier in the EHR (e.g. '95', 'HO', '59').",
    source="S105 (CARC 4, 182: modifier inconsistent or invalid)",
    needs=("procedure_code", "modifier_1"),
)
def malformed_modifier(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    mods = modifiers(claims)
    bad = mods.notna() & ~_well_formed_modifiers(mods).fillna(False)
    written = pd.concat([unreadable(claims, name).rename(name) for name in MODIFIER_COLUMNS], axis=1)
    unread = written.notna()
    for name in mods.columns:
        written[name] = written[name].fillna(mods[name])
        unread[name] = unread[name] | bad[name]
    return _modifier_hits(claims, unread, "that is not a two-character modifier", written)


@rule(
    id="CODE-005", family="CODE", severity="warning",
    title="Modifier bhdash does not recognise",
    rationale=(
        "Well-formed modifiers outside the CPT/HCPCS modifiers used in behavioral health (telehealth, NCCI, "
        "licence level, program) are often typos (e.g. 'GX' for 'GT') and draw modifier denials."
    ),
    fix="Check the modifier against the payer's list; correct it or remove it.",
    source="S60, S61, S74–S77, S91, S92 (modifiers in use); CPT Appendix A / HCPCS Level II (unconfirmed)",
    needs=("procedure_code", "modifier_1"),
)
def unknown_modifier(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    mods = modifiers(claims)
    well_formed = _well_formed_modifiers(mods).fillna(False)
    bad = well_formed.astype(bool) & ~mods.isin(list(_known_modifiers()))
    return _modifier_hits(claims, bad, "that is not in the modifier table")


@cache
def _barred_pairs() -> frozenset[str]:
    """"code|payer type" for each payer type codes.csv says does not pay the code (read once)."""
    table = code_table()
    barred = table.assign(payer_type=table["not_payable_payer_types"].str.split(";")).explode(
        "payer_type").dropna(subset=["payer_type"])
    return frozenset(barred["code"] + "|" + barred["payer_type"])


@cache
def _unpayable_codes() -> frozenset[str]:
    """Codes some payer type does not pay (CODE-006's `code_scope`)."""
    table = code_table()
    return frozenset(table.loc[table["not_payable_payer_types"].notna(), "code"])


@rule(
    id="CODE-006", family="CODE", severity="error",
    title="Code not payable by this payer type",
    rationale=(
        "Medicare sets the practitioner MUE of 90882/90885/90887/90889 to 0 (not separately payable), does "
        "not accept 99417 (it uses G2212), does not recognize the consultation codes (since 2010) or the "
        "telemedicine E/M codes 98000-98015 (2025), and does not pay HCPCS H and T codes, which are state "
        "Medicaid codes. G2212 is Medicare-only, so commercial claims use 99417."
    ),
    fix="Bill the payer's code for the service (G2212 for Medicare prolonged E/M, 99417 otherwise; "
        "99202-99215 with POS 02/10 and modifier 95/93 for Medicare telemedicine; the office or hospital "
        "E/M instead of a consultation for Medicare), or remove the line.",
    source="S3 (MUE 0 codes); S49, S50 (99417 vs G2212); CMS MM6740 (consultation codes); CMS CY2025 PFS "
           "final rule (98000-98015); CMS HCPCS Level II (H codes for state Medicaid agencies)",
    needs=("procedure_code", "payer"),
    code_scope=_unpayable_codes,
    insurance_only=True,
)
def not_payable_by_payer(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    table = code_table()
    barred = _barred_pairs()
    candidates = pick(claims, claims["procedure_code"].isin(_unpayable_codes()), "payer")
    payer_type = line_payer_type(claims, ctx, candidates.index)
    coding_type = payer_type.where(~follows_cms_coding(payer_type), "medicare")  # MA follows CMS coding
    candidates = candidates[(candidates["procedure_code"] + "|" + coding_type[candidates.index]).isin(barred)]
    lines = candidates
    if lines.empty:
        return no_hits()
    reason = lines["procedure_code"].map(table.drop_duplicates("code", keep="last").set_index("code")[
        "not_payable_reason"]).fillna("")
    program = payer_type[lines.index].astype(str).str.replace("_", " ")
    message = (lines["procedure_code"] + " is not payable by " + program + " ("
               + lines["payer"].fillna("payer").astype(str) + ", " + who_when(lines) + ")"
               + (": " + reason).where(reason.ne(""), ""))
    return hits(lines.index, message)


@rule(
    id="CODE-007", family="CODE", severity="warning",
    title="Procedure code probably not valid on the date of service (dates unconfirmed)",
    rationale=(
        "Some code start dates are not confirmed by a cited source (the Medicare crisis codes G0017/G0018 "
        "and the SDOH assessment G0136 from 2024)."
    ),
    fix="Check the code's validity for the date of service and replace it if it was not active.",
    source="S3 (dates unconfirmed)",
    needs=("procedure_code", "service_date"),
    code_scope=partial(_windowed_codes, confirmed=False),
    facts=("codes.csv",),
)
def code_probably_not_valid_on_dos(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _outside_window(claims, ctx, confirmed=False)
