"""Files the user downloads from a page: the findings workbook and formula-safe CSVs."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from bhdash import export, report
from bhdash.app.loading import Loaded
from bhdash.rules.engine import CheckResult


def findings_workbook(loaded: Loaded, findings: pd.DataFrame) -> bytes:
    """The formatted, formula-safe findings workbook (bhdash.report) for the findings shown."""
    analysis = loaded.analysis
    shown = replace(
        analysis,
        check=CheckResult(findings=findings, rules=analysis.check.rules, warnings=analysis.check.warnings),
    )
    return report.findings_xlsx(shown)


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV download with formula-like cells neutralized (bhdash.export)."""
    return export.to_csv_bytes(frame)
