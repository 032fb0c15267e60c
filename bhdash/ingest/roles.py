"""What each sheet of a workbook holds — claim lines, clinicians, payer enrollments — from its content.

Sheet names are free text ("Sheet1", "Providers", "Billing Transactions"), so the role comes from
the header mapping plus a look at the values: a claims sheet's code column must hold procedure
codes, an enrollment sheet's dates must be dates, a roster's NPIs must be ten digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from bhdash import normalize
from bhdash.ingest.headers import find_header_row, unique_headers
from bhdash.ingest.layouts import Layout, recognize_layout, resolve_columns, resolve_names
from bhdash.ingest.mapping import ColumnMapping, map_columns
from bhdash.ingest.readers import RawSheet

CLAIMS, CLINICIANS, ENROLLMENTS = "claims", "clinicians", "enrollments"
CLAIM_REQUIRED = ("service_date", "procedure_code")
CONTENT_SAMPLE_ROWS = 500
CONTENT_MIN_SHARE = 0.5
_CLINICIAN_DETAIL = ("credential", "npi", "taxonomy", "license_number", "license_expiration", "supervisor")
_ENROLLMENT_DETAIL = ("effective_date", "term_date", "status")


@dataclass
class SheetAnalysis:
    sheet: RawSheet
    header_row: int | None  # 0-based index into sheet.cells
    columns: list[str] = field(default_factory=list)
    layout: Layout | None = None
    mappings: dict[str, list[ColumnMapping]] = field(default_factory=dict)
    roles: set[str] = field(default_factory=set)

    def fields(self, scope: str) -> dict[str, str]:
        """canonical field -> source column for one scope."""
        return {mapping.field: mapping.source_column for mapping in self.mappings.get(scope, [])}

    def sample(self, column: str) -> pd.Series:
        position = self.columns.index(column)
        start = (self.header_row or 0) + 1
        values = self.sheet.cells.iloc[start : start + CONTENT_SAMPLE_ROWS, position]
        return values[~normalize.is_blank(values)]


def _share(values: pd.Series, parsed: pd.Series) -> float:
    return 1.0 if values.empty else float(parsed.notna().mean())


def has_claim_headers(analysis: SheetAnalysis) -> bool:
    fields = analysis.fields(CLAIMS)
    return all(name in fields for name in CLAIM_REQUIRED)


def _looks_like_claims(analysis: SheetAnalysis) -> bool:
    if not has_claim_headers(analysis):
        return False
    codes = analysis.sample(analysis.fields(CLAIMS)["procedure_code"])
    return _share(codes, normalize.split_code(codes)["procedure_code"]) >= CONTENT_MIN_SHARE


def _looks_like_clinicians(analysis: SheetAnalysis) -> bool:
    fields = analysis.fields(CLINICIANS)
    if "clinician_name" not in fields or not any(name in fields for name in _CLINICIAN_DETAIL):
        return False
    if "npi" in fields:
        npis = analysis.sample(fields["npi"])
        return _share(npis, normalize.normalize_npi(npis)) >= CONTENT_MIN_SHARE
    return True


def _looks_like_enrollments(analysis: SheetAnalysis) -> bool:
    fields = analysis.fields(ENROLLMENTS)
    if "payer" not in fields or not ({"clinician_name", "npi"} & set(fields)):
        return False
    if not any(name in fields for name in _ENROLLMENT_DETAIL):
        return False
    if "effective_date" in fields:
        dates = analysis.sample(fields["effective_date"])
        return _share(dates, normalize.normalize_date(dates)) >= CONTENT_MIN_SHARE
    return True


def analyse_sheet(sheet: RawSheet, overrides: dict[str, str] | None = None) -> SheetAnalysis:
    """Header row, layout, mappings for every scope, and the roles the sheet's content supports."""
    header_row = find_header_row(sheet.cells, tuple(overrides or {}))
    analysis = SheetAnalysis(sheet, header_row)
    if header_row is None:
        return analysis
    analysis.columns = unique_headers(sheet.cells.iloc[header_row].tolist())
    layout = recognize_layout(analysis.columns)
    analysis.layout = layout
    layout_columns = resolve_columns(layout, analysis.columns) if layout else None
    ignore = resolve_names(layout.ignore, analysis.columns) if layout else ()
    applicable = {name: field for name, field in (overrides or {}).items() if name in analysis.columns}
    analysis.mappings[CLAIMS] = map_columns(
        analysis.columns, CLAIMS, layout_columns=layout_columns, ignore=ignore, overrides=applicable
    )
    analysis.mappings[CLINICIANS] = map_columns(analysis.columns, CLINICIANS)
    analysis.mappings[ENROLLMENTS] = map_columns(analysis.columns, ENROLLMENTS)
    if _looks_like_claims(analysis):
        analysis.roles.add(CLAIMS)
    else:
        if _looks_like_clinicians(analysis):
            analysis.roles.add(CLINICIANS)
        if _looks_like_enrollments(analysis):
            analysis.roles.add(ENROLLMENTS)
    return analysis
