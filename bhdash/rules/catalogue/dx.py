"""DX: ICD-10-CM validity and diagnoses that do not support the service (bh_coding_rules.md §8, §12).

Validity is judged on the date of service against the dated ICD-10-CM table (reference/icd10cm.py,
built from the official FY code sets): a code is valid when it was billable that day. Diagnosis
groups (behavioral F codes, Z codes, symptom R codes, dementia/ID, "unspecified" codes) live in
`reference/dx_groups.csv`.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from bhdash.distinct import per_distinct_value
from bhdash.model import DX_COLUMNS
from bhdash.payers import assumption_note
from bhdash.reference import load_table
from bhdash.reference.icd10cm import (
    CATEGORY,
    NOT_VALID,
    UNCONFIRMED,
    UNKNOWN,
    UNSHIPPED,
    code_sets,
    dx_status,
)
from bhdash.rules.catalogue._lookup import column, diagnoses, fmt_date, joined_values, text, unreadable
from bhdash.rules.catalogue._shared import codes_of_kind, memo, no_hits, of_kinds
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule

# Code kinds of codes.csv: services that need a behavioral diagnosis, and diagnostic evaluations.
PSYCH_SERVICE_KINDS = ("eval", "psychotherapy", "psychotherapy_addon", "crisis", "crisis_addon", "family",
                       "group", "psychoanalysis")
EVALUATION_KINDS = ("eval",)
# Treatment sessions: the dementia/intellectual-disability limit is on psychotherapy, not on evaluations.
PSYCHOTHERAPY_KINDS = tuple(kind for kind in PSYCH_SERVICE_KINDS if kind not in EVALUATION_KINDS)
HBAI_KINDS = ("hbai", "hbai_addon")
# ICD-9-CM shapes: 3 digits (+ up to 2 decimals), V + 2 digits, E + 3 digits. ICD-10-CM replaced ICD-9-CM
# on claims for services from 2015-10-01 (S100).
ICD9_PATTERN = r"\d{3}(?:\.?\d{1,2})?|V\d{2}(?:\.?\d{1,2})?|E\d{3}(?:\.?\d)?"


@cache
def _dx_group_codes(group: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The dx_groups.csv group's code prefixes and exact codes (read once per process)."""
    table = load_table("dx_groups.csv")
    table = table[table["dx_group"] == group]
    return (tuple(table.loc[table["match"] == "prefix", "code"]),
            frozenset(table.loc[table["match"] == "exact", "code"]))


def _in_dx_group(codes: pd.Series, group: str) -> pd.Series:
    """True where the diagnosis belongs to the dx_groups.csv group (matched once per distinct code)."""
    positions, uniques = pd.factorize(text(codes))
    values = pd.Series(uniques, dtype="string").str.upper()
    prefixes, exact = _dx_group_codes(group)
    matched = values.isin(exact).fillna(False)
    if prefixes:
        matched |= values.str.startswith(prefixes).fillna(False)
    in_group = np.append(matched.to_numpy(dtype=bool), False)  # the last slot is position -1: no code
    return pd.Series(in_group[positions], index=codes.index)


def _primary(claims: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    """The first diagnosis on the line (dx_1, or the first filled slot when dx_1 is blank), worked out once
    per check run (five DX rules read it)."""

    def compute() -> pd.Series:
        dx = diagnoses(claims)
        primary = pd.Series(pd.NA, index=claims.index, dtype="string")
        for slot in dx.columns:
            primary = primary.fillna(dx[slot])
        return primary

    return memo(ctx, "dx_primary", compute)


def _psych_lines(claims: pd.DataFrame) -> pd.Series:
    return claims["procedure_code"].isin(codes_of_kind(*PSYCH_SERVICE_KINDS)).fillna(False).astype(bool)


def _slot_status(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    """One row per filled diagnosis slot: line, slot number, code, date and its status that day.

    A line without a service date is judged on the as-of date. Computed once for DX-001 and DX-007.
    """

    def compute() -> pd.DataFrame:
        dx = diagnoses(claims)
        long = dx.reset_index(names="line").melt(id_vars="line", var_name="slot", value_name="code").dropna()
        dates = column(claims, "service_date")
        long["date"] = pd.to_datetime(dates.reindex(long["line"]).to_numpy()).fillna(ctx.as_of)
        long["slot"] = per_distinct_value(long["slot"], lambda slot: slot.str.extract(r"(\d)$", expand=False))
        long = long.join(dx_status(long["code"], long["date"]))
        return long.sort_values(["line", "slot"])

    return memo(ctx, "dx_slot_status", compute)


def _per_line(long: pd.DataFrame) -> tuple[pd.Index, pd.Series]:
    per_line = long.groupby("line", sort=False)["text"].agg("; ".join)
    return per_line.index, per_line.str.slice(0, 1).str.upper() + per_line.str.slice(1) + "."


def _window(long: pd.DataFrame, label: str = "billable") -> pd.Series:
    """ " (billable from 2022-10-01)", " (billable until 2024-09-30)" or "" for each slot row."""
    since = (" (" + label + " from " + fmt_date(long["billable_from"]) + ")").where(
        long["billable_from"].notna() & (long["date"] < long["billable_from"]), "")
    until = (" (" + label + " until " + fmt_date(long["billable_to"]) + ")").where(
        long["billable_to"].notna() & (long["date"] > long["billable_to"]), "")
    return since + until


@rule(
    id="DX-001", family="DX", severity="error",
    title="Diagnosis missing, invalid or not billable on the date of service",
    rationale="Only ICD-10-CM codes billable on the date of service are accepted; the code set changes every "
              "October 1. A category header such as F32 or F43.2, a code that became a category (F50.2 from "
              "2024-10-01) or did not exist yet (F43.81 before 2022-10-01), an unknown code, or a line with "
              "no diagnosis is rejected (CARC 146/16).",
    fix="Code the diagnosis to the full specificity in force on the date of service (e.g. F32.1 rather than "
        "F32; F50.20-F50.25 rather than F50.2 from 2024-10-01) and attach it to the line.",
    source="S100; the ICD-10-CM code sets of FY2021, FY2025 and FY2026 (CDC, CMS), with the codes added "
           "and deleted between them dated",
    needs=("dx_1",),
    facts=("icd10cm_transitions.csv",),
)
def invalid_dx(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    long = _slot_status(claims, ctx)
    bad = long[long["status"].isin([CATEGORY, NOT_VALID, UNKNOWN])].copy()
    when = " on " + fmt_date(bad["date"])
    label = "diagnosis " + bad["slot"] + " " + bad["code"]
    bad["text"] = np.where(
        bad["status"] == CATEGORY, label + " is a category" + when + ", not a billable code",
        np.where(bad["status"] == NOT_VALID, label + " is not a valid ICD-10-CM code" + when,
                 label + " is not an ICD-10-CM code")) + _window(bad)
    lines, message = _per_line(bad)
    written = _unreadable_diagnoses(claims)
    no_dx = claims.index[diagnoses(claims).isna().all(axis=1) & written.isna()]
    return pd.concat([hits(lines, message), hits(no_dx, "No diagnosis on the line."),
                      _unreadable_dx_hits(written.dropna())], ignore_index=True)


def _unreadable_diagnoses(claims: pd.DataFrame) -> pd.Series:
    """Per line, the diagnosis texts that could not be read ("296.32, F4"), NaN where none."""
    written = pd.concat([unreadable(claims, name) for name in DX_COLUMNS], axis=1)
    return joined_values(written, ", ").replace("", pd.NA).astype("string")


def _unreadable_dx_hits(written: pd.Series) -> pd.DataFrame:
    parts = written.str.split(", ").explode()
    icd9 = parts.str.fullmatch(ICD9_PATTERN).fillna(False).astype(bool)
    said = ("diagnosis '" + parts + "' " + pd.Series(
        np.where(icd9, "is an ICD-9 code; claims need ICD-10-CM since 2015-10-01",
                 "is not an ICD-10-CM code"), index=parts.index))
    per_line = said.groupby(level=0, sort=False).agg("; ".join)
    return hits(per_line.index, per_line.str.slice(0, 1).str.upper() + per_line.str.slice(1) + ".")


@rule(
    id="DX-002", family="DX", severity="error",
    title="Psychotherapy without a supporting behavioral diagnosis",
    rationale="Psychotherapy and psychiatric evaluations need a mental or behavioral (F) diagnosis; a Z code "
              "as the first or only diagnosis (e.g. Z63.0 relationship distress) is not paid by most payers "
              "(CARC 11/50).",
    fix="List the F-code diagnosis the service treats first; keep Z codes as secondary context.",
    source="S93, S101, S102, S103",
    needs=("procedure_code", "dx_1"),
    code_scope=of_kinds(*PSYCH_SERVICE_KINDS),
)
def unsupported_psychotherapy(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    dx = diagnoses(claims)
    primary = _primary(claims, ctx)
    has_dx = dx.notna().any(axis=1)
    has_f = pd.concat([_in_dx_group(dx[slot], "behavioral") for slot in dx.columns], axis=1).any(axis=1)
    psych = _psych_lines(claims) & has_dx
    z_first = _in_dx_group(primary, "z_code")
    flagged = psych & (z_first | ~has_f)
    listed = joined_values(dx[flagged], ", ")
    code = text(claims.loc[flagged, "procedure_code"])
    message = (code + " with diagnoses " + listed + ": " + pd.Series(
        np.where(z_first[flagged] & has_f[flagged], "a Z code is listed first",
                 np.where(z_first[flagged], "a Z code is the only kind of diagnosis",
                          "no behavioral (F) diagnosis supports it")), index=code.index) + ".")
    return hits(claims.index[flagged], message)


@rule(
    id="DX-003", family="DX", severity="warning",
    title="Unspecified diagnosis still primary",
    rationale="Unspecified codes (F32.9, F32.A, F41.9, F43.20, F99 …) are acceptable at intake, but still "
              "primary after several visits or after a diagnostic evaluation they draw medical-necessity "
              "review (CARC 50).",
    fix="Update the diagnosis to the specific code the assessment supports.",
    source="S104 (LCD L35101: diagnoses specific to the service); other payers unconfirmed",
    needs=("patient_id", "dx_1", "service_date"),
    across_dates=True,
    code_scope=of_kinds(*EVALUATION_KINDS),
)
def unspecified_primary(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    max_visits = int(ctx.setting("dx_unspecified_visits", 6))
    grace_days = int(ctx.setting("dx_unspecified_days_after_eval", 30))
    primary = _primary(claims, ctx)
    patients = claims["patient_id"].astype("string")
    dated = patients.notna() & claims["service_date"].notna()
    unspecified = dated & _in_dx_group(primary, "unspecified")
    if not unspecified.any():
        return no_hits()
    # Only lines with an unspecified primary can be flagged, so only their patients' histories are ranked.
    # Patients are matched and grouped by an integer code (string isin and groupby cost ~0.1 s on 100k lines).
    patient = pd.Series(pd.factorize(patients)[0], index=claims.index)
    dated &= patient.isin(patient[unspecified].unique())
    visit = claims.loc[dated, "service_date"].groupby(patient[dated]).rank(method="dense")
    visit = visit.reindex(claims.index)
    first_visit = (claims.loc[dated, "service_date"].groupby(patient[dated]).transform("min")
                   .reindex(claims.index))
    evaluation = dated & column(claims, "procedure_code").isin(codes_of_kind(*EVALUATION_KINDS))
    first_eval = claims.loc[evaluation, "service_date"].groupby(patient[evaluation]).min()
    eval_date = pd.Series(first_eval.reindex(patient[dated].to_numpy()).to_numpy(),
                          index=claims.index[dated])
    eval_date = pd.to_datetime(eval_date.reindex(claims.index))
    after_eval = (claims["service_date"] - eval_date).dt.days >= grace_days
    late = (visit > max_visits).fillna(False) | after_eval.fillna(False)
    flagged = unspecified & late
    subset = claims[flagged]
    message = (text(primary[flagged]) + " (unspecified) is still the primary diagnosis at visit "
               + visit[flagged].astype("Int64").astype(str) + " of this patient (first visit "
               + fmt_date(first_visit[flagged]) + ")")
    with_eval = after_eval[flagged].fillna(False)
    message = message.where(~with_eval, message + ", " + (subset["service_date"] - eval_date[flagged]).dt.days
                            .astype("Int64").astype(str) + " days after the evaluation on "
                            + fmt_date(eval_date[flagged]))
    return hits(subset.index, message + ".")


@rule(
    id="DX-004", family="DX", severity="warning",
    title="Health behavior service with a mental-health primary diagnosis",
    rationale="Health behavior assessment/intervention (96156-96171) treats the behavioral side of a "
              "physical condition: the primary diagnosis must be the physical problem, not an F code "
              "(CARC 11).",
    fix="List the physical condition first (e.g. E11.9, I10) and the F code, if any, after it — or bill "
        "psychotherapy if a mental disorder was treated.",
    source="S44",
    needs=("procedure_code", "dx_1"),
    code_scope=of_kinds(*HBAI_KINDS),
)
def hbai_primary(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    primary = _primary(claims, ctx)
    hbai = claims["procedure_code"].isin(codes_of_kind(*HBAI_KINDS)).fillna(False).astype(bool)
    flagged = hbai & _in_dx_group(primary, "behavioral")
    message = (text(claims.loc[flagged, "procedure_code"]) + " with " + text(primary[flagged])
               + " as the primary diagnosis: health behavior services need a physical condition first.")
    return hits(claims.index[flagged], message)


@rule(
    id="DX-005", family="DX", severity="warning",
    title="Psychotherapy with a dementia or intellectual-disability primary",
    rationale="LCDs limit psychotherapy to patients able to benefit, and some behavioral-health carve-outs "
              "exclude F01-F03 and F70-F79 from the mental-health benefit (CARC 50/167). The limit is on "
              "psychotherapy; a diagnostic evaluation (90791/90792) is how the diagnosis is made. Which "
              "payers is payer configuration (dx_cognitive_exclusion).",
    fix="Document the patient's capacity to benefit and list the treated behavioral condition first, or "
        "bill the payer that covers the condition.",
    source="S104 (payer exclusions unconfirmed)",
    needs=("procedure_code", "dx_1", "payer"),
    code_scope=of_kinds(*PSYCHOTHERAPY_KINDS),
    insurance_only=True,
)
def cognitive_primary(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    primary = _primary(claims, ctx)
    excluded = ctx.line_payers["dx_cognitive_exclusion"].astype(bool)
    psychotherapy = claims["procedure_code"].isin(codes_of_kind(*PSYCHOTHERAPY_KINDS)).fillna(False)
    flagged = excluded & psychotherapy.astype(bool) & _in_dx_group(primary, "cognitive")
    payer = text(claims.loc[flagged, "payer"])
    message = (text(claims.loc[flagged, "procedure_code"]) + " with " + text(primary[flagged])
               + " (dementia/intellectual disability) as the primary diagnosis for " + payer + ".")
    assumption = assumption_note(ctx.line_payers, "dx_cognitive_exclusion", payer
                                 + " limits psychotherapy for dementia and intellectual disability")
    return hits(claims.index[flagged], message, assumption=assumption)


@rule(
    id="DX-006", family="DX", severity="warning",
    title="Symptom code listed first on psychotherapy",
    rationale="R codes (e.g. R45.851 suicidal ideation) are accepted as secondary diagnoses, but as the "
              "first diagnosis on psychotherapy they are frequently denied (unconfirmed, hence a warning).",
    fix="List the F-code diagnosis first and keep the symptom code as secondary.",
    source="ICD-10-CM Official Guidelines (first-listed diagnosis); payer practice unconfirmed",
    needs=("procedure_code", "dx_1"),
    code_scope=of_kinds(*PSYCH_SERVICE_KINDS),
)
def symptom_first(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    primary = _primary(claims, ctx)
    flagged = _psych_lines(claims) & _in_dx_group(primary, "symptom")
    if not flagged.any():
        return no_hits()
    dx = diagnoses(claims)
    has_f = pd.concat([_in_dx_group(dx[slot], "behavioral") for slot in dx.columns], axis=1).any(axis=1)
    flagged &= has_f
    message = (text(claims.loc[flagged, "procedure_code"]) + " lists symptom code " + text(primary[flagged])
               + " first; put the behavioral (F) diagnosis first.")
    return hits(claims.index[flagged], message)



@rule(
    id="DX-007", family="DX", severity="warning",
    title="Diagnosis validity on the date of service unconfirmed",
    rationale="bhdash ships the FY2021, FY2025 and FY2026 ICD-10-CM code sets (no package carries FY2022-"
              "FY2024). A code whose status changed between shipped sets, with no dated transition on file, "
              "may or may not have been billable on a date in the gap; a well-formed code in no shipped set, "
              "dated in such a year or after the newest set (a new October code), may be valid then.",
    fix="Check the code against the ICD-10-CM code set of the date's fiscal year (Oct 1 to Sep 30).",
    source="S100; the ICD-10-CM code set of each fiscal year (CDC, CMS)",
    needs=("dx_1",),
    facts=("icd10cm_transitions.csv",),
)
def unconfirmed_dx(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    long = _slot_status(claims, ctx)
    doubtful = long[long["status"].isin([UNCONFIRMED, UNSHIPPED])].copy()
    shipped = ", ".join(code_sets()["fiscal_year"])
    changed = (" changed between the shipped code sets (" + shipped + ")"
               + _window(doubtful, "billable in them"))
    absent = " is in none of the shipped code sets (" + shipped + "), and that date's set is not shipped"
    doubtful["text"] = ("diagnosis " + doubtful["slot"] + " " + doubtful["code"] + " on "
                        + fmt_date(doubtful["date"])
                        + changed.where(doubtful["status"] == UNCONFIRMED, absent))
    lines, message = _per_line(doubtful)
    return hits(lines, message)
