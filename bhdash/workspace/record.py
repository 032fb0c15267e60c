"""What one analysed upload leaves in the workspace: de-identified tables built from an `Analysis`.

Claim lines keep claim ID, date, code, clinician, payer and money; findings keep rule, severity, row and
money; plus the per-clinician code mix, which rules ran, the KPIs and the clinicians' credential dates.
Patient names, birth dates, member IDs and the patient key are never copied. As a second guard, every
text value is checked against the upload's own patient names and member IDs before it is stored: a value
that quotes one (a claim ID that is really a member ID, a message quoting a name) is withheld.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bhdash import metrics
from bhdash.analysis import Analysis
from bhdash.model import PATIENT_ID, Roster
from bhdash.money import FINDING_DOLLARS
from bhdash.norms import code_mix, line_payer_types, load_norms
from bhdash.workspace.version import catalogue_version

WITHHELD_MESSAGE = "(message withheld: it quoted a patient identifier)"
_TOKEN = re.compile(r"[0-9a-z]+")
_NOT_A_VALUE = frozenset({"", "nan", "None", "<NA>"})


@dataclass
class UploadRecord:
    """One upload ready to store: its description and one frame per upload table (see schema.TABLES)."""

    file_name: str
    file_digest: str
    period_start: pd.Timestamp | None
    period_end: pd.Timestamp | None
    as_of: pd.Timestamp
    analysed_at: pd.Timestamp
    catalogue_version: str
    claim_lines: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def file_digest(content: bytes | str | Path) -> str:
    """SHA-256 of the claims file's bytes: the same file saved twice has the same digest."""
    data = Path(content).read_bytes() if isinstance(content, str | Path) else content
    return hashlib.sha256(data).hexdigest()


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="object")


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").astype("object").where(values.notna(), None)


def _lines(analysis: Analysis) -> pd.DataFrame:
    claims, risk = analysis.claims, analysis.risk
    frame = pd.DataFrame({
        "line_index": claims.index.to_numpy(dtype="int64"),
        "source_row": pd.to_numeric(_column(claims, "source_row"), errors="coerce").to_numpy(),
        "claim_id": _text(_column(claims, "claim_id")).to_numpy(),
        "service_date": pd.to_datetime(_column(claims, "service_date")).to_numpy(),
        "procedure_code": _text(_column(claims, "procedure_code")).to_numpy(),
        "clinician": _text(_column(claims, "clinician_name")).to_numpy(),
        "payer": _text(_column(claims, "payer")).to_numpy(),
        "payer_type": _text(line_payer_types(claims)).to_numpy() if "payer" in claims.columns else None,
        "units": pd.to_numeric(_column(claims, "units"), errors="coerce").to_numpy(dtype="float64"),
        "charge": pd.to_numeric(_column(claims, "charge"), errors="coerce").to_numpy(dtype="float64"),
    })
    aligned = risk.reindex(claims.index)
    # The money model's figures per line (bhdash.money), stored as computed: never recomputed here.
    for column, source in (("expected_payment", "expected_payment"), ("denial_risk", "denial_risk"),
                           ("certain_loss", "certain_loss"), ("likely_loss", "likely_loss"),
                           ("baseline_loss", "baseline_loss"), ("at_risk", "amount_at_risk")):
        frame[column] = aligned[source].to_numpy(dtype="float64")
    return frame


def _findings(analysis: Analysis) -> pd.DataFrame:
    findings = analysis.check.findings
    return pd.DataFrame({
        "rule": findings["rule"].astype(str),
        "family": findings["family"].astype(str),
        "severity": findings["severity"].astype(str),
        "title": findings["title"].astype(str),
        "message": _text(findings["message"]),
        "source_row": pd.to_numeric(findings["row"], errors="coerce"),
        "line_index": pd.to_numeric(findings["line_index"], errors="coerce"),
        "claim_id": _text(findings["claim_id"]),
        "clinician": _text(findings["clinician"]),
        "payer": _text(findings["payer"]),
        "code": _text(findings["code"]),
        "service_date": pd.to_datetime(findings["service_date"]),
        "amount": pd.to_numeric(findings["amount"], errors="coerce"),
        "at_risk": pd.to_numeric(findings[FINDING_DOLLARS], errors="coerce"),
    })


def _code_mix(analysis: Analysis, norms: pd.DataFrame | None, mix: pd.DataFrame | None) -> pd.DataFrame:
    claims = analysis.claims
    if mix is None:
        if not {"clinician_name", "procedure_code", "payer"} <= set(claims.columns):
            return pd.DataFrame()
        mix = code_mix(claims, norms if norms is not None else load_norms(), on=analysis.as_of,
                       credentials=analysis.roster.credentials_for(claims))
    return pd.DataFrame({
        "clinician": mix["clinician"], "credential": mix["credential"], "payer_type": mix["payer_type"],
        "code_family": mix["code_family"], "code": mix["code"], "lines": mix["count"],
        "family_lines": mix["volume"], "observed_share": mix["observed_share"],
        "expected_share": mix["expected_share"], "flagged": mix["flagged"].astype(bool),
    })


def _rules(analysis: Analysis) -> pd.DataFrame:
    rules = analysis.check.rules
    return pd.DataFrame({
        "rule": rules["id"], "family": rules["family"], "severity": rules["severity"],
        "status": rules["status"], "reason": rules["reason"], "findings": rules["findings"],
    })


def kpi_values(analysis: Analysis) -> dict[str, float]:
    """The KPIs stored per upload (the Overview's headline numbers plus rule coverage; the line count is
    on the upload itself)."""
    headline = metrics.kpis(analysis.claims, analysis.check.findings, analysis.risk)
    rules = analysis.check.rules
    findings = analysis.check.findings
    return {
        "charges": headline.charges,
        "clean_line_share": headline.clean_line_share,
        "lines_with_errors": float(headline.lines_with_errors),
        "lines_with_findings": float(headline.lines_with_findings),
        "at_risk": headline.dollars_at_risk,
        "certain_loss": headline.money.certain,
        "likely_loss": headline.money.likely,
        "baseline_loss": headline.money.baseline,
        "expected_payment": headline.money.expected_payment,
        "expected_denials": headline.expected_denials,
        "findings": float(len(findings)),
        "errors": float((findings["severity"] == "error").sum()),
        "warnings": float((findings["severity"] == "warning").sum()),
        "rules_run": float((rules["status"] == "ran").sum()),
        "rules_skipped": float((rules["status"] == "skipped").sum()),
    }


def _credentials(roster: Roster) -> pd.DataFrame:
    clinicians, enrollments = roster.clinicians, roster.enrollments
    licenses = pd.DataFrame({
        "clinician": _column(clinicians, "clinician_name"), "kind": "license", "payer": None,
        "status": _column(clinicians, "credential"), "starts": pd.NaT,
        "ends": pd.to_datetime(_column(clinicians, "license_expiration")),
    })
    enrolled = pd.DataFrame({
        "clinician": _column(enrollments, "clinician_name"), "kind": "enrollment",
        "payer": _column(enrollments, "payer"), "status": _column(enrollments, "status"),
        "starts": pd.to_datetime(_column(enrollments, "effective_date")),
        "ends": pd.to_datetime(_column(enrollments, "term_date")),
    })
    frame = pd.concat([licenses, enrolled], ignore_index=True)
    frame = frame[frame["clinician"].notna()]
    for column in ("clinician", "payer", "status"):
        frame[column] = _text(frame[column])
    return frame.reset_index(drop=True)


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text.lower()))


def patient_identifiers(claims: pd.DataFrame) -> set[tuple[str, ...]]:
    """The upload's patient names (both name orders) and member IDs, as lower-case token sequences."""
    found: set[tuple[str, ...]] = set()
    for column in ("patient_name", "member_id", PATIENT_ID):
        if column in claims.columns:
            values = claims[column].dropna().astype(str).unique()
            found |= {_tokens(value) for value in values if value not in _NOT_A_VALUE}
    if {"patient_first_name", "patient_last_name"} <= set(claims.columns):
        pairs = claims[["patient_first_name", "patient_last_name"]].dropna().drop_duplicates()
        for first, last in pairs.itertuples(index=False):
            found.add(_tokens(f"{first} {last}"))
            found.add(_tokens(f"{last} {first}"))
    names = {tokens for tokens in found if len(tokens) > 1}
    found |= {tokens[::-1] for tokens in names}
    return {tokens for tokens in found if tokens}


class _Matcher:
    """Finds any identifier's token sequence inside a text, in time linear in the text's tokens."""

    def __init__(self, identifiers: Iterable[tuple[str, ...]]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for tokens in identifiers:
            self._by_first.setdefault(tokens[0], []).append(tokens)

    def quotes(self, text: str) -> bool:
        tokens = _tokens(text)
        for position, token in enumerate(tokens):
            for candidate in self._by_first.get(token, ()):
                if tokens[position:position + len(candidate)] == candidate:
                    return True
        return False


def withhold_identifiers(tables: dict[str, pd.DataFrame], claims: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every text value that quotes a patient identifier of these claims replaced (messages) or blanked."""
    matcher = _Matcher(patient_identifiers(claims))
    if not matcher._by_first:
        return tables
    cleaned = {}
    for name, frame in tables.items():
        frame = frame.copy()
        for column in frame.columns:
            if not (frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column])):
                continue
            values = frame[column].dropna().astype(str).unique()
            leaking = [value for value in values if matcher.quotes(value)]
            if leaking:
                hit = frame[column].isin(leaking)
                frame[column] = frame[column].where(~hit, WITHHELD_MESSAGE if column == "message" else None)
        cleaned[name] = frame
    return cleaned


def record_analysis(
    analysis: Analysis,
    *,
    file_name: str,
    digest: str,
    norms: pd.DataFrame | None = None,
    mix: pd.DataFrame | None = None,
    analysed_at: pd.Timestamp | None = None,
) -> UploadRecord:
    """The de-identified record of one analysis of the file `file_name` (whose bytes hash to `digest`).

    `mix` is the code mix (`norms.code_mix`) when the caller already has it, as the dashboard does;
    otherwise it is computed with `norms` (default: the shipped norms).
    """
    dates = pd.to_datetime(_column(analysis.claims, "service_date")).dropna()
    kpis = kpi_values(analysis)
    tables = {
        "lines": _lines(analysis),
        "findings": _findings(analysis),
        "code_mix": _code_mix(analysis, norms, mix),
        "rules": _rules(analysis),
        "kpis": pd.DataFrame({"kpi": list(kpis), "value": np.array(list(kpis.values()), dtype="float64")}),
        "credentials": _credentials(analysis.roster),
    }
    return UploadRecord(
        file_name=Path(file_name).name,
        file_digest=digest,
        period_start=dates.min() if not dates.empty else None,
        period_end=dates.max() if not dates.empty else None,
        as_of=analysis.as_of,
        analysed_at=pd.Timestamp(analysed_at) if analysed_at is not None else pd.Timestamp.now().floor("s"),
        catalogue_version=catalogue_version(),
        claim_lines=len(analysis.claims),
        tables=withhold_identifiers(tables, analysis.claims),
    )
