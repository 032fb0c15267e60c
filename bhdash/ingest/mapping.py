"""Source columns -> canonical fields: exact names, synonyms (data file with sources), fuzzy matches.

Every mapping carries a confidence and the method that produced it, so a consultant can see at a
glance which columns were guessed and fix them with an override.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from bhdash.errors import InputFileError
from bhdash.model import CLAIM_FIELDS, CLINICIAN_FIELDS, ENROLLMENT_FIELDS
from bhdash.reference import load_table

SCOPES: dict[str, tuple[str, ...]] = {
    "claims": tuple(spec.name for spec in CLAIM_FIELDS),
    "clinicians": tuple(spec.name for spec in CLINICIAN_FIELDS),
    "enrollments": tuple(spec.name for spec in ENROLLMENT_FIELDS),
}
CONFIDENCE = {"override": 1.0, "exact": 1.0, "layout": 0.98, "synonym": 0.95}
FUZZY_CUTOFF = 88  # token-sort ratio; "Unpaid" vs "Paid" (80) must not match
FUZZY_SCALE = 0.9  # a fuzzy match is never as sure as a listed synonym
IGNORE_FIELD = "ignore"  # override value that leaves a column unmapped
# How a column the user did not name is called, in their words: the second "Paid" is "Paid (2nd column)",
# a column with a blank header is "Column D" (its spreadsheet letter).
_DUPLICATE_SUFFIX = re.compile(r" \(\d+(?:st|nd|rd|th) column\)$")
_BLANK_HEADER = re.compile(r"^Column [A-Z]+$")


def column_letter(position: int) -> str:
    """Spreadsheet letters of a 0-based column position: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def blank_header(position: int) -> str:
    """The name of a column whose header cell is blank: "Column D"."""
    return f"Column {column_letter(position)}"


def repeated_header(text: str, occurrence: int) -> str:
    """The name of the `occurrence`-th column headed `text` (2 or more): "Paid (2nd column)"."""
    suffix = "th" if 10 <= occurrence % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(occurrence % 10, "th")
    return f"{text} ({occurrence}{suffix} column)"


@dataclass(frozen=True)
class ColumnMapping:
    source_column: str
    field: str
    confidence: float
    method: str  # exact | synonym | fuzzy | override | derived


def header_key(name: object) -> str:
    """Case-, punctuation- and spacing-insensitive header key ("Date of Service" == "date_of_service")."""
    return " ".join(re.sub(r"[^a-z0-9#]+", " ", str(name).lower()).split())


@cache
def _synonym_index(scope: str) -> dict[str, str]:
    table = load_table("column_synonyms.csv")
    table = table[table["scope"] == scope]
    index = {header_key(field): field for field in SCOPES[scope]}
    for synonym, field in zip(table["synonym"], table["field"], strict=True):
        index.setdefault(header_key(synonym), field)
    return index


def known_header_keys() -> frozenset[str]:
    """Every header key any scope knows, for header-row detection."""
    return frozenset(key for scope in SCOPES for key in _synonym_index(scope))


def _candidates(column: str, scope: str) -> tuple[str, float, str] | None:
    key = header_key(_DUPLICATE_SUFFIX.sub("", column))
    if not key:
        return None
    if key in {header_key(field) for field in SCOPES[scope]}:
        return _synonym_index(scope)[key], CONFIDENCE["exact"], "exact"
    index = _synonym_index(scope)
    if key in index:
        return index[key], CONFIDENCE["synonym"], "synonym"
    match = process.extractOne(key, list(index), scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF)
    if match is None:
        return None
    return index[match[0]], round(match[1] / 100 * FUZZY_SCALE, 2), "fuzzy"


def validate_overrides(
    overrides: dict[str, str], columns: list[str], scope: str, filename: str, sheet: str | None
) -> None:
    for source, field in overrides.items():
        if source not in columns:
            raise InputFileError(
                f"--map names column '{source}', which is not in the file; columns are: {', '.join(columns)}",
                file=filename,
                sheet=sheet,
                column=source,
            )
        if field != IGNORE_FIELD and field not in SCOPES[scope]:
            raise InputFileError(
                f"--map target '{field}' is not a canonical field; use one of {', '.join(SCOPES[scope])} "
                f"or '{IGNORE_FIELD}'",
                file=filename,
                sheet=sheet,
                column=source,
            )


def map_columns(
    columns: list[str],
    scope: str,
    *,
    layout_columns: dict[str, str] | None = None,
    ignore: tuple[str, ...] = (),
    overrides: dict[str, str] | None = None,
) -> list[ColumnMapping]:
    """Assign each canonical field to at most one source column, most confident first.

    Precedence: caller overrides, then the recognized layout's column map, then exact names,
    synonyms and fuzzy matches. Ties go to the leftmost column (the first of duplicated headers).
    """
    overrides = overrides or {}
    layout_columns = {column: field for column, field in (layout_columns or {}).items() if column in columns}
    chosen: list[ColumnMapping] = [
        ColumnMapping(column, field, CONFIDENCE["override"], "override")
        for column, field in overrides.items()
        if field != IGNORE_FIELD
    ]
    taken_fields = {mapping.field for mapping in chosen}
    settled = set(overrides) | set(ignore)
    proposals: list[tuple[float, int, ColumnMapping]] = []
    for position, column in enumerate(columns):
        if column in settled:
            continue
        if column in layout_columns:
            mapping = ColumnMapping(column, layout_columns[column], CONFIDENCE["layout"], "synonym")
        else:
            found = _candidates(column, scope)
            if found is None:
                continue
            mapping = ColumnMapping(column, *found)
        proposals.append((-mapping.confidence, position, mapping))
    used_columns = {mapping.source_column for mapping in chosen}
    for _, _, mapping in sorted(proposals, key=lambda item: item[:2]):
        if mapping.field in taken_fields or mapping.source_column in used_columns:
            continue
        chosen.append(mapping)
        taken_fields.add(mapping.field)
        used_columns.add(mapping.source_column)
    order = {column: position for position, column in enumerate(columns)}
    return sorted(chosen, key=lambda mapping: order.get(mapping.source_column, len(order)))


def unmapped_columns(
    columns: list[str],
    mappings: list[ColumnMapping],
    ignore: tuple[str, ...] = (),
    overrides: dict[str, str] | None = None,
) -> list[str]:
    used = {mapping.source_column for mapping in mappings} | set(ignore) | set(overrides or {})
    return [column for column in columns if column not in used and not _BLANK_HEADER.match(column)]
