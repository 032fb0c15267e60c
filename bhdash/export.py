"""Safe exports of findings: CSV and a formatted Excel workbook (used by `bhdash check` and the dashboard).

Exports carry payer names and messages copied from the user's file, so a cell such as `=HYPERLINK(…)`
would run as a formula when opened (CWE-1236). Every text cell starting with = + - @ tab, CR or NUL is
prefixed with a single quote (OWASP ASVS 5.0 §1.2.10), numbers stay numbers, and the workbook is
written with `strings_to_formulas` off as a second guard (engineering.md §4.5).
"""

from __future__ import annotations

import csv as std_csv
import io
from collections.abc import Mapping

import pandas as pd

_DANGEROUS_START = r"^[=+\-@\t\r\0]"
_MAX_WIDTH = 80
_WRAPPED_COLUMNS = ("message", "fix", "rationale", "reason", "title", "What we found", "How to fix",
                    "Why it matters", "Problem", "How it is computed", "Why it did not run")
_MONEY_COLUMNS = ("amount", "charge", "amount_at_risk", "expected_payment", "at_risk", "Charge", "At risk",
                  "Dollars")


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that a spreadsheet would read as a formula starts with `'`."""
    safe = frame.copy()
    for name in safe.columns:
        values = safe[name]
        if values.dtype.kind in "biufcmM":
            continue
        if pd.api.types.is_string_dtype(values.dtype) and (values.dtype != object or pd.api.types.infer_dtype(
                values, skipna=True) in ("string", "empty")):
            as_text = values
        else:
            as_text = values.where(values.map(lambda value: isinstance(value, str)))
        risky = as_text.astype("string").str.contains(_DANGEROUS_START, regex=True).fillna(False).astype(bool)
        if risky.any():
            safe[name] = values.astype("object").mask(risky, "'" + as_text[risky].astype(str))
    return safe


def _csv_column(values: pd.Series):
    """A column for Arrow's CSV writer: numbers stay numbers, dates become YYYY-MM-DD, yes/no stays
    True/False as pandas wrote it, everything else is text; missing values are empty."""
    import pyarrow as pa

    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return pa.array(values, from_pandas=True)
    if values.dtype.kind == "M":
        text = values.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_bool_dtype(values.dtype):
        text = values.astype("object").map({True: "True", False: "False"})
    else:
        text = values.astype("string")
    return pa.array(text.astype("string").mask(values.isna()), type=pa.string(), from_pandas=True)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM so Excel detects the encoding) of the neutralized frame, written column-wise by
    Arrow's CSV writer (pandas' row writer took a minute on 300k findings).

    RFC 4180 line endings (CRLF); the header is quoted only where needed, text values always (Arrow's
    style), so a field holding a delimiter, quote, CR or LF stays one field.
    """
    import pyarrow as pa
    import pyarrow.csv as csv

    safe = neutralize(frame)
    table = pa.table({str(name): _csv_column(safe[name]) for name in safe.columns})
    header = io.StringIO()
    std_csv.writer(header, lineterminator="\r\n").writerow([str(name) for name in safe.columns])
    buffer = io.BytesIO()
    buffer.write(("\ufeff" + header.getvalue()).encode("utf-8"))
    csv.write_csv(table, buffer, csv.WriteOptions(include_header=False, eol="\r\n", quoting_style="needed"))
    return buffer.getvalue()


def _excel_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralized, with dates as plain dates and nullable types turned into Excel-writable values."""
    ready = neutralize(frame)
    for name in ready.columns:
        values = ready[name]
        if values.dtype.kind == "M":
            ready[name] = values.dt.tz_localize(None) if values.dt.tz is not None else values
        elif isinstance(values.dtype, pd.api.extensions.ExtensionDtype) or values.dtype.kind not in "fiub":
            ready[name] = values.astype("object").where(values.notna(), None)
    return ready


def _cells(values: pd.Series) -> list:
    """A column as Python values for xlsxwriter, missing ones as None (left blank, as pandas did)."""
    cells = values.astype("object").to_numpy(copy=True)
    cells[values.isna().to_numpy()] = None
    return cells.tolist()


def _write_sheet(writer: pd.ExcelWriter, frame: pd.DataFrame, sheet: str, formats: dict) -> None:
    """One formatted sheet, written a column at a time (pandas' `to_excel` built a styled cell object per
    value: a minute for 300k findings)."""
    ready = _excel_ready(frame)
    worksheet = writer.book.add_worksheet(sheet)
    for position, name in enumerate(ready.columns):
        values = ready[name]
        worksheet.write_column(1, position, _cells(values),
                               formats["date"] if values.dtype.kind == "M" else None)
    for position, name in enumerate(ready.columns):
        worksheet.write(0, position, str(name), formats["header"])
        sample = ready[name].head(500).astype(str)
        longest = max([len(str(name)), *sample.str.len().tolist()]) if len(sample) else len(str(name))
        width = min(max(longest + 2, 8), _MAX_WIDTH)
        if name in _WRAPPED_COLUMNS:
            worksheet.set_column(position, position, min(width, 60), formats["wrap"])
        elif ready[name].dtype.kind == "M":
            worksheet.set_column(position, position, 12, formats["date"])
        elif name in _MONEY_COLUMNS:
            worksheet.set_column(position, position, 12, formats["money"])
        else:
            worksheet.set_column(position, position, width)
    worksheet.freeze_panes(1, 0)
    if len(ready.columns):
        worksheet.autofilter(0, 0, max(len(ready), 1), len(ready.columns) - 1)


def _write_notes(
    writer: pd.ExcelWriter, sheet: str, below: int, title: str, notes: list[str], formats: dict
) -> None:
    """A titled list of notes under a sheet's table, one row each, neutralized like every other cell."""
    worksheet = writer.sheets[sheet]
    worksheet.write_string(below + 1, 0, title, formats["header"])
    safe = neutralize(pd.DataFrame({"note": notes}))["note"]
    for offset, note in enumerate(safe):
        worksheet.write_string(below + 2 + offset, 0, str(note))


def workbook_bytes(
    sheets: Mapping[str, pd.DataFrame], notes: Mapping[str, tuple[str, list[str]]] | None = None
) -> bytes:
    """An .xlsx with one formatted sheet per frame (bold header, autofilter, frozen header row).

    `notes` puts a titled list under a sheet's table: {sheet: (title, [note, …])}.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
                        datetime_format="yyyy-mm-dd", date_format="yyyy-mm-dd") as writer:
        book = writer.book
        formats = {
            "header": book.add_format({"bold": True, "bg_color": "#DDE7F5", "border": 1, "text_wrap": True,
                                       "valign": "top"}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "money": book.add_format({"num_format": "#,##0.00"}),
        }
        for name, frame in sheets.items():
            _write_sheet(writer, frame, name, formats)
            title, listed = (notes or {}).get(name, ("", []))
            if listed:
                _write_notes(writer, name, len(frame) + 1, title, listed, formats)
    return buffer.getvalue()
