"""DATA: required data missing or unreadable on a claim line.

A line without a code, a date, a clinician or a payer cannot be checked or paid. Ingestion keeps a line
whose cell could not be read, with the cell's text in `<field>_raw`; the finding quotes that text.
Unreadable procedure codes, modifiers and diagnoses are reported by CODE-002, CODE-004 and DX-001.
"""

from __future__ import annotations

import pandas as pd

from bhdash.model import CLAIM_FIELDS, PHI_COLUMNS, UNREADABLE_PHI
from bhdash.rules.catalogue._lookup import column, fmt_date, fmt_money, unreadable
from bhdash.rules.catalogue._shared import no_table_code
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule

_LABELS = {spec.name: spec.label for spec in CLAIM_FIELDS}
# Fields whose unreadable values another rule reports (with the consequence for that field).
_REPORTED_ELSEWHERE = {
    "procedure_code", "modifier_1", "modifier_2", "modifier_3", "modifier_4", "dx_1", "dx_2", "dx_3", "dx_4",
    "service_date", "clinician_name", "charge",
}


def _missing(claims: pd.DataFrame, name: str, what: str, missing: pd.Series | None = None) -> pd.DataFrame:
    """Lines without `name`: quoting the export's text where there was some, else saying it is blank."""
    missing = claims[name].isna() if missing is None else missing
    raw = unreadable(claims, name)[missing]
    message = pd.Series(f"No {what} on the line (the cell is blank).", index=raw.index)
    message = message.where(raw.isna(), what[0].upper() + what[1:] + " '" + raw + "' could not be read.")
    return hits(raw.index, message)


@rule(
    id="DATA-001", family="DATA", severity="error",
    title="No procedure code",
    rationale="A claim line without a CPT/HCPCS code is rejected before adjudication (CARC 16).",
    fix="Enter the CPT/HCPCS code for the service in the EHR and re-export.",
    source="S105 (CARC 16: missing or invalid information)",
    needs=("procedure_code",),
    code_scope=no_table_code,
)
def missing_code(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    blank = claims["procedure_code"].isna() & unreadable(claims, "procedure_code").isna()
    return _missing(claims, "procedure_code", "procedure code", blank)


@rule(
    id="DATA-002", family="DATA", severity="error",
    title="No date of service",
    rationale="Every edit (time, enrollment, filing limit, same-day pairs) depends on the date of service; "
              "payers reject lines without one (CARC 16).",
    fix="Enter the date of service (MM/DD/YYYY) and re-export.",
    source="S105 (CARC 16: missing or invalid information)",
    needs=("service_date",),
)
def missing_date(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _missing(claims, "service_date", "date of service")


@rule(
    id="DATA-003", family="DATA", severity="error",
    title="No rendering clinician",
    rationale="The rendering provider (name and NPI) is required on a professional claim; without it the "
              "line cannot be checked for scope, license or enrollment (CARC 16).",
    fix="Assign the rendering clinician to the appointment and re-export.",
    source="S105 (CARC 16 / rendering provider missing)",
    needs=("clinician_name",),
)
def missing_clinician(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    missing = claims["clinician_name"].isna() & column(claims, "clinician_npi").isna()
    return _missing(claims, "clinician_name", "rendering clinician name or NPI", missing)


@rule(
    id="DATA-004", family="DATA", severity="error",
    title="No payer",
    rationale="Without a payer the line cannot be billed, and no payer-specific rule (filing limit, "
              "enrollment, telehealth) can be applied.",
    fix="Record the patient's insurance (or self-pay) on the appointment and re-export.",
    source="S105 (CARC 16: missing or invalid information)",
    needs=("payer",),
)
def missing_payer(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _missing(claims, "payer", "payer")


@rule(
    id="DATA-005", family="DATA", severity="warning",
    title="Charge missing, zero or negative",
    rationale="A line with no positive charge is either not billed or a data-entry error; its dollars at "
              "stake cannot be estimated.",
    fix="Enter the fee-schedule charge for the code (credits and adjustments belong on separate rows).",
    source="Claim form: each service line carries its charge (CMS-1500 item 24F)",
    needs=("charge",),
)
def bad_charge(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    charge = claims["charge"]
    bad = charge.isna() | (charge <= 0)
    raw = unreadable(claims, "charge")[bad]
    shown = ("charge " + fmt_money(charge[bad])).where(charge[bad].notna(), "no charge")
    shown = shown.where(raw.isna(), "a charge that could not be read ('" + raw + "')")
    return hits(claims.index[bad], "Line has " + shown + " (expected a positive amount).")


@rule(
    id="DATA-006", family="DATA", severity="warning",
    title="Submitted before the date of service",
    rationale="A claim cannot be submitted before the service happened: one of the two dates is wrong, "
              "and the filing-limit clock depends on both.",
    fix="Correct the date of service or the submitted date in the billing system.",
    source="S105, S106 (filing clock runs from the date of service)",
    needs=("service_date", "submitted_date"),
)
def submitted_before_service(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    early = claims["submitted_date"] < claims["service_date"]
    subset = claims[early]
    message = ("Submitted " + fmt_date(subset["submitted_date"]) + ", before the date of service "
               + fmt_date(subset["service_date"]) + ".")
    return hits(subset.index, message)


@rule(
    id="DATA-007", family="DATA", severity="warning",
    title="Patient not identified",
    rationale="Same-day pairs, duplicates and frequency rules compare lines of one patient; a line with no "
              "member id or name + date of birth cannot be compared.",
    fix="Record the member id (or the patient's name and date of birth) on the claim and re-export.",
    source="Claim form: the insured's ID number (CMS-1500 item 1a)",
    needs=("patient_id",),
)
def missing_patient(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    missing = claims.index[claims["patient_id"].isna()]
    return hits(missing, "No member id or patient name on the line; it cannot be matched to the patient's "
                         "other lines.")


@rule(
    id="DATA-008", family="DATA", severity="warning",
    title="Value that could not be read",
    rationale="A cell the export filled but bhdash could not read (a date of birth like 31/31/1980, units "
              "'two', a place of service 'Office?') is kept on its line; every check that needs the value "
              "skipped that line, so the problem is reported here instead of silently dropped.",
    fix="Correct the value in the EHR and re-export.",
    source="bhdash reads each kind of value one way; a value it cannot read is reported, never guessed",
    needs=(),
)
def unreadable_value(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    frames = []
    for name, label in _LABELS.items():
        if name in _REPORTED_ELSEWHERE:
            continue
        raw = unreadable(claims, name).dropna()
        if raw.empty:
            continue
        quoted = " could not be read" if name in PHI_COLUMNS or (raw == UNREADABLE_PHI).all() else (
            " '" + raw + "' could not be read")
        message = label + quoted + "; the checks treated the cell as blank."
        frames.append(hits(raw.index, message if isinstance(message, pd.Series) else
                           pd.Series(message, index=raw.index)))
    return pd.concat(frames, ignore_index=True) if frames else hits(claims.index[:0], "")
