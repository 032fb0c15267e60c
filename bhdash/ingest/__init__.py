"""Any export -> canonical claim lines + roster, with every source row accounted for.

Usage: `result = ingest("appointment-status-report.csv", roster="roster.xlsx")`, then read
`result.claims`, `result.roster`, `result.mapping`, `result.skipped` and `result.warnings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bhdash.errors import InputFileError
from bhdash.ingest import accounting
from bhdash.ingest.claims import build_claims
from bhdash.ingest.layouts import Layout, resolve_names
from bhdash.ingest.mapping import ColumnMapping, unmapped_columns, validate_overrides
from bhdash.ingest.readers import read_sheets
from bhdash.ingest.roles import (
    CLAIM_REQUIRED,
    CLAIMS,
    CLINICIANS,
    ENROLLMENTS,
    SheetAnalysis,
    analyse_sheet,
    has_claim_headers,
)
from bhdash.ingest.roster import build_roster, resolve_clinicians
from bhdash.model import Roster

__all__ = ["ColumnMapping", "IngestResult", "IngestSource", "ingest"]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_REQUIRED_EXAMPLES = {"service_date": "'Date of Service'", "procedure_code": "'CPT Code'"}
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass(frozen=True)
class IngestSource:
    file: str
    sheet: str | None  # None for a CSV
    header_row: int  # 1-based, as the spreadsheet shows it
    layout: str | None  # e.g. "simplepractice_appointment_status"
    vendor: str | None = None
    report: str | None = None
    roster_file: str | None = None
    roster_sheets: tuple[str, ...] = ()  # sheets of the claims workbook read as roster / enrollments


@dataclass
class IngestResult:
    claims: pd.DataFrame
    roster: Roster
    source: IngestSource
    mapping: list[ColumnMapping]
    skipped: pd.DataFrame
    rows_read: int
    warnings: list[str] = field(default_factory=list)

    def skipped_counts(self) -> dict[str, int]:
        """Skipped rows per category (blank, title, summary/total, non-service)."""
        return accounting.reason_counts(self.skipped)


def _reading_notes(analysis: SheetAnalysis) -> list[str]:
    """What reading the sheet changed or noticed (encoding, NUL bytes, decimal commas), as warnings."""
    return list(analysis.sheet.notes)


def _sheet_label(sheet: str | None) -> str:
    return "the file" if sheet is None else f"sheet '{sheet}'"


def _text_under_excel_name(filename: str, analyses: list[SheetAnalysis]) -> str | None:
    """What a text file holds ("plain text", "HTML text") when its name promises a workbook, else None.

    Files are read by their content, so a CSV renamed to .xlsx still works; only when nothing usable
    is found does the mismatch become the explanation worth giving, since the user can act on it.
    """
    if Path(filename).suffix.lower() not in _EXCEL_SUFFIXES:
        return None
    if not analyses or any(analysis.sheet.name is not None for analysis in analyses):
        return None  # a real workbook (only CSV text gives a sheet without a name)
    first_cells = analyses[0].sheet.cells.iloc[:, 0].dropna()
    looks_like_markup = not first_cells.empty and str(first_cells.iloc[0]).lstrip().startswith("<")
    return "HTML text" if looks_like_markup else "plain text"


def _unusable_text_file_error(
    filename: str, analyses: list[SheetAnalysis], scopes: tuple[str, ...]
) -> InputFileError | None:
    """The error for a text file under an Excel name with no column recognized in `scopes`, else None.

    Prose with a comma can pass for a header row of unknown names, so "no header" alone is not the test.
    """
    holds = _text_under_excel_name(filename, analyses)
    if holds is None or any(analysis.mappings.get(scope) for analysis in analyses for scope in scopes):
        return None
    return InputFileError(
        f"not an Excel workbook: the name ends in {Path(filename).suffix.lower()} but it holds {holds}; "
        "was it renamed? Export it again as .xlsx or .csv",
        file=filename,
    )


def _read_as_csv_note(filename: str, analyses: list[SheetAnalysis]) -> str:
    holds = _text_under_excel_name(filename, analyses)
    return "" if holds is None else f" ({filename} holds {holds}, not an Excel workbook; it was read as CSV)"


def _no_claims_error(filename: str, analyses: list[SheetAnalysis]) -> InputFileError:
    renamed = _unusable_text_file_error(filename, analyses, (CLAIMS,))
    if renamed is not None:
        return renamed
    with_header = [analysis for analysis in analyses if analysis.header_row is not None]
    if not with_header:
        first = analyses[0].sheet if analyses else None
        empty = all(analysis.sheet.cells.dropna(how="all").empty for analysis in analyses)
        reason = (
            "the file is empty (no rows)"
            if empty
            else "no recognizable claim columns: no row looks like a header; needed at least "
            + " and ".join(f"{name} (e.g. {_REQUIRED_EXAMPLES[name]})" for name in CLAIM_REQUIRED)
        )
        return InputFileError(reason, file=filename, sheet=first.name if first else None, row=1)
    best = max(with_header, key=lambda analysis: len(analysis.mappings.get(CLAIMS, [])))
    found = best.fields(CLAIMS)
    needed = [name for name in CLAIM_REQUIRED if name not in found]
    found_text = ", ".join(f"{column} -> {name}" for name, column in found.items()) or "none"
    needed_text = ", ".join(f"{name} (e.g. {_REQUIRED_EXAMPLES[name]})" for name in needed)
    reason = (
        f"no recognizable claim columns: found {found_text}; needed {needed_text}. "
        'Rename the column or map it, e.g. --map "Session Date=service_date"'
        + _read_as_csv_note(filename, analyses)
    )
    return InputFileError(reason, file=filename, sheet=best.sheet.name, row=best.header_row + 1)


def _claims_rank(analysis: SheetAnalysis, analyses: list[SheetAnalysis]) -> tuple[bool, bool, int, int]:
    """Visible sheets first (a hidden sheet is usually a stale copy or a lookup), then a known layout,
    then the most claim columns, then the first sheet."""
    return (
        not analysis.sheet.hidden,
        analysis.layout is not None,
        len(analysis.mappings[CLAIMS]),
        -analyses.index(analysis),
    )


def _pick_claims_sheet(analyses: list[SheetAnalysis]) -> SheetAnalysis | None:
    """The claims sheet; failing content evidence, a sheet whose headers say claims.

    A file whose code column holds no readable code at all is still read (every row then reports
    its unparseable code) rather than refused: one bad value is never an exception.
    """
    claims = [analysis for analysis in analyses if CLAIMS in analysis.roles]
    if not claims:
        claims = [analysis for analysis in analyses if has_claim_headers(analysis)]
    if not claims:
        return None
    return max(claims, key=lambda analysis: _claims_rank(analysis, analyses))


def _choice_reason(chosen: SheetAnalysis, other: SheetAnalysis) -> str:
    if chosen.sheet.hidden != other.sheet.hidden:
        return f"it is visible and '{other.sheet.name}' is hidden"
    if (chosen.layout is not None) != (other.layout is not None):
        return f"its columns match the {chosen.layout.vendor} {chosen.layout.report} layout"
    chosen_columns, other_columns = len(chosen.mappings[CLAIMS]), len(other.mappings[CLAIMS])
    if chosen_columns != other_columns:
        return f"it has more claim columns ({chosen_columns} against {other_columns})"
    return "it comes first in the workbook"


def _read_roster(
    source: bytes | str | Path, filename: str | None, max_bytes: int
) -> tuple[str, list[SheetAnalysis]]:
    name, sheets = read_sheets(source, filename, max_bytes=max_bytes)
    analyses = [analyse_sheet(sheet) for sheet in sheets]
    if not any({CLINICIANS, ENROLLMENTS} & analysis.roles for analysis in analyses):
        renamed = _unusable_text_file_error(name, analyses, (CLINICIANS, ENROLLMENTS))
        if renamed is not None:
            raise renamed
        first = analyses[0]
        raise InputFileError(
            "no roster columns found: a clinician roster needs a clinician name plus credential, NPI, "
            "taxonomy or license columns; payer enrollments need clinician, payer and effective date"
            + _read_as_csv_note(name, analyses),
            file=name,
            sheet=first.sheet.name,
            row=None if first.header_row is None else first.header_row + 1,
        )
    return name, analyses


def ingest(
    claims: bytes | str | Path,
    filename: str | None = None,
    *,
    roster: bytes | str | Path | None = None,
    roster_filename: str | None = None,
    mapping_overrides: dict[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IngestResult:
    """Read a claims export (and optionally a roster file) into the canonical model.

    Raises InputFileError for files that cannot be used at all; single bad cells never raise — their
    line stays a claim line, the cell's text kept in `<field>_raw` for the rules to report.
    """
    name, sheets = read_sheets(claims, filename, max_bytes=max_bytes)
    overrides = dict(mapping_overrides or {})
    analyses = [analyse_sheet(sheet, overrides) for sheet in sheets]
    chosen = _pick_claims_sheet(analyses)
    if overrides:
        target = chosen or next((analysis for analysis in analyses if analysis.header_row is not None), None)
        if target is None:
            raise _no_claims_error(name, analyses)
        validate_overrides(overrides, target.columns, CLAIMS, name, target.sheet.name)
    if chosen is None:
        raise _no_claims_error(name, analyses)
    build = build_claims(chosen, name)
    warnings = _reading_notes(chosen)
    if chosen.sheet.hidden:
        warnings.append(
            f"{_sheet_label(chosen.sheet.name)} is hidden in the workbook; it was read because no visible "
            "sheet holds claims"
        )
    layout: Layout | None = chosen.layout
    mapping = [*chosen.mappings[CLAIMS], *build.derived]
    used_by_layout: tuple[str, ...] = ()
    if layout is not None:
        summed = tuple(part for parts in layout.sums.values() for part in parts)
        service = (layout.service_column,) if layout.service_column else ()
        used_by_layout = resolve_names(layout.ignore + summed + service, chosen.columns)
    unmapped = unmapped_columns(chosen.columns, mapping, used_by_layout, overrides)
    if unmapped:
        warnings.append(f"unmapped columns (not used): {', '.join(unmapped)}")
    for analysis in analyses:
        if analysis is not chosen and CLAIMS in analysis.roles:
            warnings.append(
                f"{_sheet_label(analysis.sheet.name)} also looks like claims and was not read; "
                f"{_sheet_label(chosen.sheet.name)} was read because {_choice_reason(chosen, analysis)}. "
                "Export one claims sheet per file"
            )
    roster_sheets = [
        analysis for analysis in analyses
        if analysis is not chosen and {CLINICIANS, ENROLLMENTS} & analysis.roles
    ]
    workbook_roster_sheets = tuple(
        str(analysis.sheet.name) for analysis in roster_sheets if analysis.sheet.name is not None
    )
    roster_name = None
    if roster is not None:
        roster_name, roster_analyses = _read_roster(roster, roster_filename, max_bytes)
        roster_sheets = [*roster_sheets, *roster_analyses]
        warnings.extend(
            f"roster file: {note}" for analysis in roster_analyses for note in _reading_notes(analysis)
        )
    result_roster = build_roster(roster_sheets)
    claims_frame = build.claims
    warnings.extend(resolve_clinicians(claims_frame, result_roster))
    source = IngestSource(
        file=name,
        sheet=chosen.sheet.name,
        header_row=chosen.header_row + 1,
        layout=layout.id if layout else None,
        vendor=layout.vendor if layout else None,
        report=layout.report if layout else None,
        roster_file=roster_name,
        roster_sheets=workbook_roster_sheets,
    )
    return IngestResult(
        claims=claims_frame,
        roster=result_roster,
        source=source,
        mapping=mapping,
        skipped=build.skipped,
        rows_read=build.rows_read,
        warnings=warnings,
    )
