"""JSON Schema (draft 2020-12) of the `bhdash check --format json` document (`bhdash.report`).

The document is the public contract scripts build on, so its shape is written down here and every test
that builds one validates it. A finding names its rule by id; the rule's family, severity, title, fix and
source are given once, in `rules`. Findings and lines list no patient column.
"""

from __future__ import annotations

from typing import Any

_TEXT_OR_NULL = {"type": ["string", "null"]}
_NUMBER = {"type": "number"}
_COUNT = {"type": "integer", "minimum": 0}
_ROW = {"type": "integer", "minimum": 1}
_DATE_OR_NULL = {"anyOf": [{"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, {"type": "null"}]}
_SEVERITY = {"enum": ["error", "warning", "info"]}


def _record(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties),
            "additionalProperties": False}


REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "bhdash check report",
    "type": "object",
    "required": ["report_version", "source", "as_of", "summary", "money", "skipped_rows", "rules",
                 "findings", "lines", "model", "warnings", "remit"],
    "additionalProperties": False,
    "properties": {
        "report_version": {"const": 2},
        "source": _record({
            "file": {"type": "string"}, "sheet": _TEXT_OR_NULL, "header_row": _COUNT,
            "layout": _TEXT_OR_NULL, "vendor": _TEXT_OR_NULL, "roster_file": _TEXT_OR_NULL,
            "roster_sheets": {"type": "array", "items": {"type": "string"}},
        }),
        "as_of": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "summary": _record({
            "rows_read": _COUNT, "claim_lines": _COUNT, "rows_skipped": _COUNT,
            "findings_by_family": {"type": "object", "additionalProperties": _COUNT},
            "findings_by_severity": {"type": "object", "additionalProperties": _COUNT},
            "lines_with_errors": _COUNT, "amount_at_risk": _NUMBER,
        }),
        "money": {"type": "object", "required": ["at_risk", "certain_loss", "likely_loss",
                                                 "expected_ordinary_denials", "not_tied_to_a_finding"]},
        "skipped_rows": {"type": "array", "items": _record(
            {"row": _ROW, "reason": {"type": "string"}, "sheet": _TEXT_OR_NULL})},
        "rules": {"type": "array", "items": _record({
            "id": {"type": "string"}, "family": {"type": "string"}, "severity": _SEVERITY,
            "title": {"type": "string"}, "status": {"enum": ["ran", "skipped"]}, "reason": _TEXT_OR_NULL,
            "findings": _COUNT, "fix": {"type": "string"}, "source": {"type": "string"},
        })},
        "findings": {"type": "array", "items": _record({
            "row": {"anyOf": [_ROW, {"type": "null"}]},  # null: a clinician- or practice-level finding
            "rule": {"type": "string"}, "message": {"type": "string"},
            "claim_id": {"type": ["string", "number", "null"]}, "clinician": _TEXT_OR_NULL,
            "payer": _TEXT_OR_NULL, "code": _TEXT_OR_NULL, "service_date": _DATE_OR_NULL,
            "amount": {"type": ["number", "null"]}, "at_risk": _NUMBER,
        })},
        "lines": {"type": "array", "items": _record({
            "row": _ROW, "denial_risk": _NUMBER, "base_rate": {"type": ["number", "null"]},
            "unpayable": {"type": "boolean"}, "expected_payment": _NUMBER, "amount_at_risk": _NUMBER,
            "certain_loss": _NUMBER, "likely_loss": _NUMBER, "baseline_loss": _NUMBER,
            "reasons": {"type": ["array", "null"], "items": {"type": "string"}},
        })},
        "model": {"type": "object", "required": ["status"]},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "remit": {"type": ["object", "null"]},
    },
}


def report_problems(document: dict[str, Any]) -> list[str]:
    """Where `document` departs from REPORT_SCHEMA, one line per problem (empty when it conforms)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(REPORT_SCHEMA)
    return [f"{'/'.join(str(part) for part in error.absolute_path) or '(document)'}: {error.message[:200]}"
            for error in sorted(validator.iter_errors(document), key=str)]
