"""Files the user downloads from a page: the findings workbook, formula-safe CSVs and built reports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from bhdash import export, report
from bhdash.app.loading import Loaded


def findings_workbook(loaded: Loaded, findings: pd.DataFrame) -> bytes:
    """The formatted, formula-safe findings workbook (bhdash.report) for the findings shown."""
    return report.findings_xlsx(loaded.analysis, findings)


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV download with formula-like cells neutralized (bhdash.export)."""
    return export.to_csv_bytes(frame)


NO_BROWSER_FOR_PDF = ("The PDF needs Chrome or Chromium on the server (`apt-get install chromium`); the HTML "
                      "opens in any browser and prints to PDF from there.")


def report_buttons(pdf: bytes | None, html: str, stem: str, pdf_label: str, html_label: str,
                   primary: bool = False) -> None:
    """PDF and HTML downloads of a built report side by side; without a PDF, what it needs instead."""
    columns = st.columns(2)
    if pdf is not None:
        columns[0].download_button(pdf_label, pdf, file_name=f"{stem}.pdf", mime="application/pdf",
                                   icon=":material/picture_as_pdf:", width="stretch",
                                   type="primary" if primary else "secondary")
    else:
        columns[0].caption(NO_BROWSER_FOR_PDF)
    columns[1].download_button(html_label, html, file_name=f"{stem}.html", mime="text/html",
                               icon=":material/code:", width="stretch")
