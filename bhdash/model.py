"""The canonical model: the one shape every export is turned into, and every check reads.

Ingestion maps whatever a vendor exported onto these columns; rules, statistics, what-ifs,
charts and exports only ever see these names. Keeping the list here (and nowhere else) is
what lets a rule declare the columns it needs and be reported as skipped when they are absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from bhdash.distinct import per_distinct


class FieldKind(StrEnum):
    """How a canonical field is normalized; one normalizer per kind (see bhdash.normalize)."""

    TEXT = "text"
    ID = "id"
    NAME = "name"
    DATE = "date"
    TIME = "time"
    MINUTES = "minutes"
    CODE = "code"
    MODIFIER = "modifier"
    UNITS = "units"
    NPI = "npi"
    ICD10 = "icd10"
    MONEY = "money"
    POS = "pos"
    CREDENTIAL = "credential"
    PAYER_TYPE = "payer_type"


@dataclass(frozen=True)
class CanonicalField:
    name: str
    kind: FieldKind
    label: str
    outcome: bool = False  # known only after adjudication: a label for models, never a feature


def _fields(*specs: tuple) -> tuple[CanonicalField, ...]:
    return tuple(CanonicalField(*spec) for spec in specs)


CLAIM_FIELDS: tuple[CanonicalField, ...] = _fields(
    ("claim_id", FieldKind.ID, "Claim ID"),
    ("line_no", FieldKind.UNITS, "Line no."),
    ("patient_name", FieldKind.NAME, "Patient name"),
    ("patient_first_name", FieldKind.TEXT, "Patient first name"),
    ("patient_last_name", FieldKind.TEXT, "Patient last name"),
    ("patient_dob", FieldKind.DATE, "Patient date of birth"),
    ("member_id", FieldKind.ID, "Member ID"),
    ("service_date", FieldKind.DATE, "Date of service"),
    ("clinician_name", FieldKind.NAME, "Rendering clinician"),
    ("clinician_npi", FieldKind.NPI, "Rendering NPI"),
    ("clinician_credential", FieldKind.CREDENTIAL, "Credential"),
    ("payer", FieldKind.TEXT, "Payer"),
    ("payer_type", FieldKind.PAYER_TYPE, "Payer type"),
    ("pos", FieldKind.POS, "Place of service"),
    ("procedure_code", FieldKind.CODE, "Procedure code"),
    ("modifier_1", FieldKind.MODIFIER, "Modifier 1"),
    ("modifier_2", FieldKind.MODIFIER, "Modifier 2"),
    ("modifier_3", FieldKind.MODIFIER, "Modifier 3"),
    ("modifier_4", FieldKind.MODIFIER, "Modifier 4"),
    ("units", FieldKind.UNITS, "Units"),
    ("start_time", FieldKind.TIME, "Start time"),
    ("end_time", FieldKind.TIME, "End time"),
    ("minutes", FieldKind.MINUTES, "Minutes"),
    ("dx_1", FieldKind.ICD10, "Diagnosis 1"),
    ("dx_2", FieldKind.ICD10, "Diagnosis 2"),
    ("dx_3", FieldKind.ICD10, "Diagnosis 3"),
    ("dx_4", FieldKind.ICD10, "Diagnosis 4"),
    ("charge", FieldKind.MONEY, "Charge"),
    ("submitted_date", FieldKind.DATE, "Submitted date"),
    ("status", FieldKind.TEXT, "Claim status", True),
    ("denial_reason", FieldKind.TEXT, "Denial reason", True),
    ("paid_amount", FieldKind.MONEY, "Paid amount", True),
)

CLINICIAN_FIELDS: tuple[CanonicalField, ...] = _fields(
    ("clinician_name", FieldKind.NAME, "Clinician"),
    ("credential", FieldKind.CREDENTIAL, "Credential"),
    ("npi", FieldKind.NPI, "NPI"),
    ("taxonomy", FieldKind.ID, "Taxonomy"),
    ("license_number", FieldKind.ID, "License number"),
    ("license_state", FieldKind.TEXT, "License state"),
    ("license_expiration", FieldKind.DATE, "License expiration"),
    ("supervisor", FieldKind.NAME, "Supervisor"),
)

ENROLLMENT_FIELDS: tuple[CanonicalField, ...] = _fields(
    ("clinician_name", FieldKind.NAME, "Clinician"),
    ("npi", FieldKind.NPI, "NPI"),
    ("payer", FieldKind.TEXT, "Payer"),
    ("status", FieldKind.TEXT, "Enrollment status"),
    ("effective_date", FieldKind.DATE, "Effective date"),
    ("term_date", FieldKind.DATE, "Term date"),
)

# Columns ingestion adds that no export carries directly.
SOURCE_ROW = "source_row"  # row number as the user's spreadsheet shows it (1-based, header included)
PATIENT_ID = "patient_id"  # stable per-patient key: member id, else normalized name + DOB

CLAIM_COLUMNS: tuple[str, ...] = (SOURCE_ROW, PATIENT_ID, *(f.name for f in CLAIM_FIELDS))
MODIFIER_COLUMNS: tuple[str, ...] = ("modifier_1", "modifier_2", "modifier_3", "modifier_4")
DX_COLUMNS: tuple[str, ...] = ("dx_1", "dx_2", "dx_3", "dx_4")
# What a matched 835 remittance adds to a line besides status / denial_reason / paid_amount: the
# payer's non-contractual adjustment codes, their dollars and the payment date (bhdash.remit.match).
REMIT_OUTCOME_COLUMNS: tuple[str, ...] = ("remit_reasons", "remit_shortfall", "remit_payment_date")
OUTCOME_COLUMNS: tuple[str, ...] = (*(f.name for f in CLAIM_FIELDS if f.outcome), *REMIT_OUTCOME_COLUMNS)
# A claim line keeps the text of a cell that could not be read in `<field>_raw` (NaN where the cell was
# read), so the finding can quote what the export said. PHI fields keep a placeholder, never the value.
RAW_SUFFIX = "_raw"
UNREADABLE_PHI = "(unreadable)"
PHI_COLUMNS: tuple[str, ...] = (
    "patient_name", "patient_first_name", "patient_last_name", "patient_dob", "member_id", PATIENT_ID,
)

RAW_COLUMNS: tuple[str, ...] = tuple(
    f"{spec.name}{RAW_SUFFIX}" for spec in CLAIM_FIELDS if spec.kind not in (FieldKind.TEXT, FieldKind.ID)
)


def raw_column(name: str) -> str:
    """The column holding the unreadable text of field `name` (see RAW_SUFFIX)."""
    return f"{name}{RAW_SUFFIX}"


# self_pay: the patient pays (cash, private pay, sliding fee); such a line is not an insurance claim.
PAYER_TYPES: tuple[str, ...] = ("medicare", "medicare_advantage", "medicaid", "commercial", "self_pay")
PAYER_TYPE_NAMES: dict[str, str] = {
    "medicare": "Medicare", "medicare_advantage": "Medicare Advantage", "medicaid": "Medicaid",
    "commercial": "commercial", "self_pay": "self-pay",
}
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
FAMILIES: tuple[str, ...] = (
    "DATA", "CODE", "TIME", "ADDON", "PTP", "UNITS", "SCOPE", "CRED",
    "NPI", "TELE", "DX", "DUP", "TIMELY", "AUDIT", "NORM",
)
# What each family checks, in a practice manager's words (the codes stay in rule ids).
FAMILY_NAMES: dict[str, str] = {
    "DATA": "Missing or unreadable data", "CODE": "Invalid or deleted codes", "TIME": "Time and minutes",
    "ADDON": "Add-on codes", "PTP": "Code pairs on the same day", "UNITS": "Units",
    "SCOPE": "Scope of practice", "CRED": "Licenses and enrollments", "NPI": "NPI and taxonomy",
    "TELE": "Telehealth", "DX": "Diagnoses", "DUP": "Duplicates", "TIMELY": "Filing deadlines",
    "AUDIT": "Audit patterns", "NORM": "Code mix vs norms",
}

FINDING_COLUMNS: tuple[str, ...] = (
    "rule", "family", "severity", "title", "message", "fix", "source",
    "row", "line_index", "claim_id", "clinician", "payer", "code", "service_date", "amount",
    "assumption",  # the unconfirmed payer default the finding rests on (NA when it rests on none)
)


def field_kinds() -> dict[str, FieldKind]:
    """Every canonical field name (claims, clinicians, enrollments) with its kind."""
    kinds: dict[str, FieldKind] = {}
    for spec in (*CLAIM_FIELDS, *CLINICIAN_FIELDS, *ENROLLMENT_FIELDS):
        kinds.setdefault(spec.name, spec.kind)
    return kinds


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})


@dataclass
class Roster:
    """Clinicians and their payer enrollments, as read from a roster file or roster sheets."""

    clinicians: pd.DataFrame = field(default_factory=lambda: empty_frame(
        tuple(f.name for f in CLINICIAN_FIELDS)))
    enrollments: pd.DataFrame = field(default_factory=lambda: empty_frame(
        tuple(f.name for f in ENROLLMENT_FIELDS)))

    @property
    def has_clinicians(self) -> bool:
        return not self.clinicians.empty

    @property
    def has_enrollments(self) -> bool:
        return not self.enrollments.empty

    def credentials_for(self, claims: pd.DataFrame) -> pd.Series:
        """Credential per claim line: the line's own, else the roster's for the rendering clinician.

        Upper-case, like the canonical credentials; resolved once per distinct (credential, clinician).
        """
        present = [name for name in ("clinician_credential", "clinician_name") if name in claims.columns]
        if not present:
            return pd.Series(pd.NA, index=claims.index, dtype="string")
        return per_distinct(claims[present], self._credentials_for)

    def _credentials_for(self, claims: pd.DataFrame) -> pd.Series:
        own = (claims["clinician_credential"].astype("string") if "clinician_credential" in claims.columns
               else pd.Series(pd.NA, index=claims.index, dtype="string"))
        roster = self.clinicians
        if "clinician_name" in claims.columns and {"clinician_name", "credential"} <= set(roster.columns):
            named = roster[roster["clinician_name"].notna()].drop_duplicates("clinician_name")
            by_name = named.set_index("clinician_name")["credential"].astype("string")
            own = own.fillna(claims["clinician_name"].map(by_name).astype("string"))
        return own.str.upper()
