"""A practice's workspace data as one xlsx workbook, one sheet per table."""

from __future__ import annotations

import io

import pandas as pd

from bhdash.workspace.schema import UPLOAD_TABLES
from bhdash.workspace.store import Workspace

# Excel's limit is 1,048,576 rows per sheet; a table larger than that continues on "<table> (2)" etc.
_SHEET_ROWS = 1_048_575


def practice_workbook(workspace: Workspace, practice: str) -> bytes:
    """Sheets: practice, uploads, then lines, findings, code_mix, rules, kpis and credentials."""
    practice_id = workspace.practice_id(practice)
    practices = workspace.table("practices")
    uploads = workspace.uploads(practice)
    ids = uploads["upload_id"].tolist()
    sheets = {"practice": practices[practices["practice_id"] == practice_id], "uploads": uploads}
    sheets |= {table: workspace.table(table, ids) for table in UPLOAD_TABLES}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        for name, frame in sheets.items():
            for part, start in enumerate(range(0, max(len(frame), 1), _SHEET_ROWS)):
                sheet = name if part == 0 else f"{name} ({part + 1})"
                frame.iloc[start:start + _SHEET_ROWS].to_excel(writer, sheet_name=sheet, index=False)
    return buffer.getvalue()
