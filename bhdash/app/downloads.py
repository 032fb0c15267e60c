"""Files the user downloads from a page: the findings workbook and formula-safe CSVs."""

from __future__ import annotations

import pandas as pd

from bhdash import export, report
from bhdash.app.loading import Loaded


def findings_workbook(loaded: Loaded, findings: pd.DataFrame) -> bytes:
    """The formatted, formula-safe findings workbook (bhdash.report) for the findings shown."""
    return report.findings_xlsx(loaded.analysis, findings)


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV download with formula-like cells neutralized (bhdash.export)."""
    return export.to_csv_bytes(frame)
