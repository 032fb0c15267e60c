"""Clinician roster and payer enrollments, and matching claim clinicians to the roster.

Matching uses the NPI first (exact and unambiguous), then the name with order, case, punctuation
and credential suffixes ignored ("KIM, ALEX LCSW" is roster "Alex Kim").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash import normalize
from bhdash.ingest.roles import CLINICIANS, ENROLLMENTS, SheetAnalysis
from bhdash.model import CLINICIAN_FIELDS, ENROLLMENT_FIELDS, Roster, empty_frame, field_kinds

_CLINICIAN_COLUMNS = tuple(spec.name for spec in CLINICIAN_FIELDS)
_ENROLLMENT_COLUMNS = tuple(spec.name for spec in ENROLLMENT_FIELDS)
_UNMATCHED_LISTED = 10


def _sheet_frame(analysis: SheetAnalysis, scope: str, columns: tuple[str, ...]) -> pd.DataFrame:
    data = analysis.sheet.cells.iloc[(analysis.header_row or 0) + 1 :].set_axis(analysis.columns, axis=1)
    kinds = field_kinds()
    frame = pd.DataFrame(index=data.index)
    for name, column in analysis.fields(scope).items():
        if name == "clinician_name":
            split = normalize.split_name_credential(data[column])
            frame[name] = split["name"]
            frame["_credential_from_name"] = split["credential"]
        elif name == "supervisor":
            frame[name] = normalize.normalize_name(data[column])
        else:
            frame[name] = normalize.NORMALIZERS[kinds[name]](data[column])
    if "_credential_from_name" in frame:
        if "credential" in columns:
            frame["credential"] = frame.get("credential", frame["_credential_from_name"]).fillna(
                frame["_credential_from_name"]
            )
        frame = frame.drop(columns="_credential_from_name")
    identified = frame[[name for name in ("clinician_name", "npi") if name in frame]].notna().any(axis=1)
    frame = frame[identified]
    return frame.reindex(columns=list(columns)).reset_index(drop=True)


def _lookup(keys: pd.Series, table_keys: pd.Series) -> pd.Series:
    """Position in the table of each key's first occurrence (NaN when absent)."""
    first = pd.Series(np.arange(len(table_keys)), index=table_keys.to_numpy())
    first = first[~first.index.duplicated() & first.index.notna()]
    return keys.map(first)


def build_roster(sheets: list[SheetAnalysis]) -> Roster:
    """Roster from every sheet whose content is clinicians and/or enrollments."""
    clinicians = [
        _sheet_frame(sheet, CLINICIANS, _CLINICIAN_COLUMNS) for sheet in sheets if CLINICIANS in sheet.roles
    ]
    enrollments = [
        _sheet_frame(sheet, ENROLLMENTS, _ENROLLMENT_COLUMNS)
        for sheet in sheets
        if ENROLLMENTS in sheet.roles
    ]
    clinician_frame = (
        pd.concat(clinicians, ignore_index=True) if clinicians else empty_frame(_CLINICIAN_COLUMNS)
    )
    enrollment_frame = (
        pd.concat(enrollments, ignore_index=True).drop_duplicates(ignore_index=True)
        if enrollments
        else empty_frame(_ENROLLMENT_COLUMNS)
    )
    if clinician_frame.empty and not enrollment_frame.empty:
        clinician_frame = enrollment_frame[["clinician_name", "npi"]].reindex(
            columns=list(_CLINICIAN_COLUMNS)
        )
    if not clinician_frame.empty:
        keys = normalize.name_key(clinician_frame["clinician_name"]).fillna(clinician_frame["npi"])
        clinician_frame = clinician_frame.assign(_key=keys)
        clinician_frame = clinician_frame.groupby("_key", sort=False, dropna=False).first()
        clinician_frame = clinician_frame.reset_index(drop=True)
    clinician_frame = normalize.as_contract_dtypes(clinician_frame.reset_index(drop=True))
    enrollment_frame = normalize.as_contract_dtypes(enrollment_frame.reset_index(drop=True))
    if not enrollment_frame.empty and not clinician_frame.empty:
        position = _match(enrollment_frame["npi"], enrollment_frame["clinician_name"], clinician_frame)
        matched = position.notna()
        names = clinician_frame["clinician_name"].reindex(position[matched].astype(int)).to_numpy()
        enrollment_frame.loc[matched, "clinician_name"] = names
        npis = (
            clinician_frame["npi"].reindex(position.fillna(-1).astype(int)).set_axis(enrollment_frame.index)
        )
        enrollment_frame["npi"] = enrollment_frame["npi"].fillna(npis).astype("str")
    return Roster(clinicians=clinician_frame, enrollments=enrollment_frame)


def _match(npis: pd.Series | None, names: pd.Series | None, clinicians: pd.DataFrame) -> pd.Series:
    index = (npis if npis is not None else names).index
    position = pd.Series(np.nan, index=index)
    if npis is not None:
        position = _lookup(npis, clinicians["npi"])
    if names is not None:
        by_name = _lookup(normalize.name_key(names), normalize.name_key(clinicians["clinician_name"]))
        position = position.fillna(by_name)
    return position


def resolve_clinicians(claims: pd.DataFrame, roster: Roster) -> list[str]:
    """Replace claim clinician names by the roster's and fill NPI/credential gaps; returns warnings."""
    if not roster.has_clinicians or not ({"clinician_name", "clinician_npi"} & set(claims.columns)):
        return []
    clinicians = roster.clinicians
    position = _match(claims.get("clinician_npi"), claims.get("clinician_name"), clinicians)
    matched = position.notna()
    rows = position.fillna(-1).astype(int)
    for claim_column, roster_column in (
        ("clinician_name", "clinician_name"),
        ("clinician_npi", "npi"),
        ("clinician_credential", "credential"),
    ):
        values = clinicians[roster_column].reindex(rows).set_axis(claims.index).where(matched)
        if claim_column == "clinician_name" and claim_column in claims:
            claims[claim_column] = values.fillna(claims[claim_column]).astype("str")
        elif values.notna().any() or claim_column in claims:
            current = (
                claims[claim_column]
                if claim_column in claims
                else pd.Series(np.nan, index=claims.index, dtype="str")
            )
            claims[claim_column] = current.fillna(values).astype("str")
    warnings = []
    unmatched = ~matched & claims.get("clinician_name", pd.Series(np.nan, index=claims.index)).notna()
    if unmatched.any():
        names = sorted(claims.loc[unmatched, "clinician_name"].unique())
        listed = ", ".join(names[:_UNMATCHED_LISTED]) + (" …" if len(names) > _UNMATCHED_LISTED else "")
        warnings.append(f"{unmatched.sum()} claim lines name clinicians not found in the roster: {listed}")
    return warnings
