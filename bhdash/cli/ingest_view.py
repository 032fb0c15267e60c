"""What `bhdash ingest` shows: layout, column mapping, row accounting and a PHI-free preview.

Kept apart from the command so `bhdash --help` never imports pandas.
"""

from __future__ import annotations

import pandas as pd

from bhdash.ingest import IngestResult
from bhdash.model import PHI_COLUMNS
from bhdash.text import plural

SKIPPED_LISTED = 20


def preview_records(result: IngestResult, rows: int) -> list[dict]:
    """First claim lines without any PHI column (or empty column), as JSON-ready records."""
    visible = result.claims.drop(columns=[name for name in PHI_COLUMNS if name in result.claims]).head(rows)
    visible = visible.loc[:, visible.notna().any(axis=0).to_numpy()]
    shown = pd.DataFrame(index=visible.index)
    for name in visible.columns:
        values = visible[name]
        if values.dtype.kind == "M":
            shown[name] = values.dt.strftime("%Y-%m-%d")
        elif values.dtype.kind == "m":
            seconds = values.dt.total_seconds()
            shown[name] = (
                (seconds // 3600).astype("Int64").astype("string").str.zfill(2)
                + ":"
                + (seconds % 3600 // 60).astype("Int64").astype("string").str.zfill(2)
            )
        else:
            shown[name] = values
    values = shown.to_numpy(dtype=object)
    values[pd.isna(values)] = None
    return [dict(zip(shown.columns, row, strict=True)) for row in values.tolist()]


def report(result: IngestResult, preview_rows: int) -> dict:
    """Everything the command prints, as plain JSON-ready data."""
    source = result.source
    return {
        "source": {
            "file": source.file,
            "sheet": source.sheet,
            "header_row": source.header_row,
            "layout": source.layout,
            "vendor": source.vendor,
            "report": source.report,
            "roster_file": source.roster_file,
            "roster_sheets": list(source.roster_sheets),
        },
        "mapping": [vars(mapping) for mapping in result.mapping],
        "rows": {
            "read": result.rows_read,
            "claim_lines": len(result.claims),
            "skipped": len(result.skipped),
            "skipped_by_category": result.skipped_counts(),
        },
        "skipped": [
            {"row": int(row), "sheet": sheet if isinstance(sheet, str) else None, "reason": reason}
            for row, sheet, reason in result.skipped[["row", "sheet", "reason"]].itertuples(index=False)
        ],
        "roster": {
            "clinicians": len(result.roster.clinicians),
            "enrollments": len(result.roster.enrollments),
        },
        "warnings": result.warnings,
        "preview": preview_records(result, preview_rows),
    }


def render_table(data: dict) -> str:
    source = data["source"]
    lines = [
        f"File: {source['file']}"
        + (f"  sheet '{source['sheet']}'" if source["sheet"] else "")
        + f"  header row {source['header_row']}"
    ]
    if source["layout"]:
        lines.append(f"Layout: {source['vendor']} — {source['report']} ({source['layout']})")
    else:
        lines.append("Layout: not a known vendor layout (columns mapped by name)")
    mapping = pd.DataFrame(data["mapping"])
    lines += [
        "",
        "Column mapping:",
        mapping.to_string(index=False, formatters={"confidence": "{:.2f}".format})
        if not mapping.empty
        else "  (none)",
    ]
    rows = data["rows"]
    categories = ", ".join(f"{name} {count}" for name, count in rows["skipped_by_category"].items())
    lines += [
        "",
        f"Rows: {rows['read']} read = {plural(rows['claim_lines'], 'claim line')} + {rows['skipped']} skipped"
        + (f" ({categories})" if categories else ""),
    ]
    if data["skipped"]:
        skipped = pd.DataFrame(data["skipped"][:SKIPPED_LISTED])[["row", "reason"]]
        lines += [skipped.to_string(index=False)]
        if len(data["skipped"]) > SKIPPED_LISTED:
            lines.append(f"… {len(data['skipped']) - SKIPPED_LISTED} more skipped rows (use --format json)")
    roster = data["roster"]
    roster_from = source["roster_file"] or (
        "sheets " + ", ".join(source["roster_sheets"]) if source["roster_sheets"] else None
    )
    lines += [
        "",
        f"Roster: {plural(roster['clinicians'], 'clinician')}, {plural(roster['enrollments'], 'enrollment')}"
        + (f" (from {roster_from})" if roster_from else ""),
    ]
    if data["warnings"]:
        lines += ["", "Warnings:", *(f"- {warning}" for warning in data["warnings"])]
    preview = pd.DataFrame(data["preview"])
    lines += [
        "",
        f"Preview (first {plural(len(preview), 'claim line')}; patient columns hidden):",
        preview.fillna("").to_string(index=False) if not preview.empty else "  (no claim lines)",
    ]
    return "\n".join(lines)
