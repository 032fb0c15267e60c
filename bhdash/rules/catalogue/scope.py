"""SCOPE: codes outside the rendering clinician's credential (bh_coding_rules.md §6, §12 SCOPE-001..005).

Who may bill what lives in `reference/scope.csv` (a deny list: credential × code group × payer type,
dated), expected taxonomies in `taxonomy.csv`, license-level modifiers in `license_modifiers.csv`.
"""

from __future__ import annotations

from functools import cache, partial

import numpy as np
import pandas as pd

from bhdash.distinct import distinct_ids
from bhdash.model import MODIFIER_COLUMNS
from bhdash.payers import assumption_note
from bhdash.reference import load_table
from bhdash.rules.catalogue._lookup import (
    by_clinician,
    clinician_table,
    column,
    has_modifier,
    modifier_list,
    text,
)
from bhdash.rules.catalogue._shared import code_table, codes_of_kind, memo, no_hits
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import clinician_hits, hits, rule

_FAR_PAST = pd.Timestamp("1900-01-01")
_FAR_FUTURE = pd.Timestamp("2262-01-01")


@cache
def _codes_in(spec: str) -> frozenset[str]:
    """Codes named by a scope.csv `codes` cell: code kinds of codes.csv and/or literal codes."""
    parts = set(spec.split(";"))
    kinds = parts & set(code_table()["kind"])
    return codes_of_kind(*sorted(kinds)) | (parts - kinds)


@cache
def _denied_codes(rule_id: str) -> frozenset[str]:
    """The codes the rule's deny rows of scope.csv name (every listed code when a row says "all")."""
    specs = load_table("scope.csv").query("rule == @rule_id")["codes"]
    if specs.eq("all").any():
        return frozenset(code_table()["code"])
    return frozenset().union(*(_codes_in(spec) for spec in specs))


def _scope_hits(claims: pd.DataFrame, ctx: CheckContext, rule_id: str) -> pd.DataFrame:
    """Lines matching a deny row of scope.csv for this rule, with that row's reason.

    The reason depends only on credential, code, payer type, date and supervision, so it is looked up
    once per distinct combination of those and mapped back to the lines.
    """
    table = load_table("scope.csv")
    table = table[table["rule"] == rule_id]
    credentials = ctx.line_credentials
    distinct, positions = memo(ctx, "scope_keys", lambda: _scope_keys(claims, ctx))
    reason = _deny_reason(distinct, table, "payer" in claims.columns)
    reason = pd.Series(reason.array.take(positions), index=claims.index)
    flagged = reason.notna()
    if not flagged.any():
        return no_hits()
    subset = claims[flagged]
    who = column(subset, "clinician_name").astype("string").fillna("the clinician")
    message = (text(column(subset, "procedure_code")).fillna("?") + " billed by " + who + " ("
               + credentials[flagged] + "): " + reason[flagged] + ".")
    return hits(subset.index, message)


def _scope_keys(claims: pd.DataFrame, ctx: CheckContext) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct (credential, code, payer type, date, supervised) combinations and each line's position
    among them: a deny row's verdict depends on nothing else, so it is decided per combination."""
    keys = pd.DataFrame({
        "credential": ctx.line_credentials, "code": column(claims, "procedure_code"),
        "payer_type": ctx.line_payers["payer_type"] if "payer" in claims.columns else pd.NA,
        "date": column(claims, "service_date"), "supervised": _has_supervisor(claims, ctx),
    }, index=claims.index)
    positions, first = distinct_ids(keys)
    return keys.iloc[first], positions


def _deny_reason(lines: pd.DataFrame, table: pd.DataFrame, has_payer: bool) -> pd.Series:
    """The first matching deny row's reason per line of `lines` (credential, code, payer_type, date,
    supervised), NA when none matches."""
    credentials, codes, dates = lines["credential"], lines["code"], lines["date"]
    reason = pd.Series(pd.NA, index=lines.index, dtype="string")
    for row in table.itertuples(index=False):
        mask = credentials.isin(row.credentials.split(";")).fillna(False)
        if row.codes != "all":
            mask &= codes.isin(_codes_in(row.codes)).fillna(False)
        if pd.notna(row.payer_type):
            if not has_payer:
                continue
            mask &= (lines["payer_type"] == row.payer_type).fillna(False)
        if pd.notna(row.effective_from) or pd.notna(row.effective_to):
            # A dated restriction needs a date of service to apply (a missing date is DATA-002's finding).
            start = row.effective_from if pd.notna(row.effective_from) else _FAR_PAST
            end = row.effective_to if pd.notna(row.effective_to) else _FAR_FUTURE
            mask &= ((dates >= start) & (dates <= end)).fillna(False)
        if row.unless_supervised == "yes":
            mask &= ~lines["supervised"]
        reason = reason.mask(mask & reason.isna(), row.reason)
    return reason


def _has_supervisor(claims: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    roster = clinician_table(ctx)
    if "supervisor" not in roster.columns or "clinician_name" not in claims.columns:
        return pd.Series(False, index=claims.index)
    return by_clinician(claims, roster["supervisor"]).notna()


@rule(
    id="SCOPE-001", family="SCOPE", severity="error",
    title="Prescriber-only code by a non-prescriber",
    rationale="E/M, 90792, the psychotherapy add-ons 90833/90836/90838 and prolonged E/M are for "
              "prescribers; 90863 is for prescribing psychologists only. Payers deny them for other "
              "credentials (CARC 170/185).",
    fix="Bill the service the credential allows (90791 instead of 90792; 90832/90834/90837 instead of "
        "E/M + add-on), or correct the rendering clinician.",
    source="S21, S26, S29, S39, S66, S86, S89",
    needs=("procedure_code", "clinician_credential"),
    code_scope=partial(_denied_codes, "SCOPE-001"),
)
def prescriber_codes(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _scope_hits(claims, ctx, "SCOPE-001")


@rule(
    id="SCOPE-002", family="SCOPE", severity="error",
    title="Medicare line by a credential that cannot enroll",
    rationale="Associate-level clinicians cannot enroll in Medicare at all, and MFTs/MHCs could enroll "
              "only from 2024-01-01; their Medicare lines are denied (CARC 185/B7).",
    fix="Bill incident-to under the supervising physician/NPP where the rules allow it, or bill the "
        "patient's secondary coverage; for MFT/MHC services before 2024 there is no Medicare benefit.",
    source="S82, S83, S84, S87, S88",
    needs=("payer", "clinician_credential", "service_date"),
    insurance_only=True,
    code_scope=partial(_denied_codes, "SCOPE-002"),  # its message names the line's code
)
def medicare_enrollment_scope(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _scope_hits(claims, ctx, "SCOPE-002")


@rule(
    id="SCOPE-003", family="SCOPE", severity="warning",
    title="Taxonomy missing or inconsistent with the credential",
    rationale="Payers check the rendering taxonomy against the credential and the enrollment (e.g. an LCSW "
              "is 1041C0700X); a missing or mismatched taxonomy draws rejections (CARC 16 + N290-type).",
    fix="Record the clinician's NUCC taxonomy in the roster and in the EHR's rendering provider setup, "
        "matching the taxonomy on the payer enrollment.",
    source="S94, S95, S96",
    needs=("clinician_name",),
    needs_roster=("clinicians.taxonomy",),
    clinician_level=True,
)
def taxonomy_mismatch(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    roster = clinician_table(ctx)
    billed = claims.groupby("clinician_name", observed=True)["clinician_name"].size()
    clinicians = roster[roster.index.isin(billed.index)]
    if clinicians.empty or "credential" not in clinicians.columns:
        return clinician_hits(pd.Series(dtype="object"), pd.Series(dtype="object"))
    credential = text(clinicians["credential"]).str.upper()
    taxonomy = text(column(clinicians, "taxonomy")).str.upper().str.strip()
    expected = load_table("taxonomy.csv")
    consistent = pd.Series(False, index=clinicians.index)
    for row in expected.itertuples(index=False):
        same_credential = (credential == row.credential).fillna(False)
        if row.match == "prefix":
            fits = taxonomy.str.startswith(row.taxonomy).fillna(False)
        else:
            fits = (taxonomy == row.taxonomy).fillna(False)
        consistent |= same_credential & fits
    known_credential = credential.isin(expected["credential"]).fillna(False)
    missing = taxonomy.isna()
    flagged = (missing | (known_credential & ~consistent))
    if not flagged.any():
        return clinician_hits(pd.Series(dtype="object"), pd.Series(dtype="object"))
    chosen = clinicians[flagged]
    listed = expected.groupby("credential")["taxonomy"].agg(lambda codes: " or ".join(
        code + ("…" if len(code) < 10 else "") for code in codes))
    shown_credential = credential[flagged].fillna("no credential")
    message = ("Taxonomy " + taxonomy[flagged].fillna("missing") + " for " + chosen.index.to_series()
               + " (" + shown_credential + ")")
    expectation = credential[flagged].map(listed)
    message = message.where(expectation.isna(), message + "; expected " + expectation.fillna(""))
    message = message + ". Billed " + billed.reindex(chosen.index).astype(str) + " line(s)."
    return clinician_hits(chosen.index.to_series(), message.reset_index(drop=True))


@rule(
    id="SCOPE-004", family="SCOPE", severity="warning",
    title="Testing code outside the clinician's scope",
    rationale="Psychological and neuropsychological testing codes 96130-96137 are physician/psychologist "
              "services; technician codes 96138/96139 need a supervising psychologist or physician "
              "(CARC 170). The credential list is unconfirmed, hence a warning.",
    fix="Bill testing under the psychologist or physician who performed or supervised it.",
    source="S41, S90",
    needs=("procedure_code", "clinician_credential"),
    code_scope=partial(_denied_codes, "SCOPE-004"),
)
def testing_scope(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _scope_hits(claims, ctx, "SCOPE-004")


@rule(
    id="SCOPE-005", family="SCOPE", severity="warning",
    title="License-level modifier missing or wrong",
    rationale="Payers that pay by license level (many Medicaid plans) deny lines without the modifier for "
              "the clinician's level (HP doctoral, HO master's, AH psychologist, AJ social worker) or with "
              "one that contradicts it (CARC 4). Only payers whose configuration says so are checked; "
              "where that is a shipped default not confirmed for the payer, the finding says it is an "
              "assumption. A modifier column with no values at all still counts: every line lacks one.",
    fix="Add the license-level modifier for the rendering clinician (see the payer's billing manual), or "
        "set the payer's license-modifier setting to no on the Payers page if it does not require them.",
    source="S91, S92, S93",
    needs=("procedure_code", "payer", "clinician_credential", "modifier_1"),
    insurance_only=True,
    blank_ok=("modifier_1",),
)
def license_modifier(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    required = ctx.line_payers["credential_modifiers"].astype(bool)
    table = load_table("license_modifiers.csv")
    expected = table.set_index("credential")["modifiers"]
    level_modifiers = {mod for mods in table["modifiers"] for mod in mods.split(";")}
    credentials = ctx.line_credentials
    wanted = credentials.map(expected)
    applies = required & wanted.notna() & claims["procedure_code"].notna()
    if not applies.any():
        return hits(pd.Index([]), pd.Series(dtype="string"))
    read = [name for name in ("procedure_code", "payer", "clinician_name", *MODIFIER_COLUMNS)
            if name in claims.columns]
    subset = claims.loc[applies, read]
    wanted = wanted[applies]
    has_right = pd.Series(False, index=subset.index)
    for modifier in sorted(level_modifiers):
        listed = wanted.str.contains(rf"(?:^|;){modifier}(?:;|$)", regex=True).fillna(False)
        has_right |= has_modifier(subset, {modifier}) & listed
    if has_right.all():
        return no_hits()
    subset = subset[~has_right]
    wanted = wanted[~has_right]
    present = modifier_list(subset, level_modifiers)
    payer = subset["payer"].astype("string")
    who = column(subset, "clinician_name").astype("string").fillna("the clinician")
    credential = credentials[subset.index]
    need = wanted.str.replace(";", " or ")
    missing_msg = (payer + " pays by license level: " + subset["procedure_code"] + " by " + who + " ("
                   + credential + ") needs modifier " + need + ".")
    wrong_msg = (payer + " pays by license level: modifier " + present + " does not match " + who + " ("
                 + credential + "); expected " + need + ".")
    message = missing_msg.where(present == "", wrong_msg)
    assumption = assumption_note(ctx.line_payers, "credential_modifiers",
                                 payer + " requires license-level modifiers")
    return hits(subset.index, message, assumption=assumption)

