"""Read any supported file into raw cell grids, one per sheet, before headers are known.

Workbooks go through python-calamine via pandas (about 7x faster than openpyxl on a 100k-line
export, engineering.md §4.1); openpyxl is only the fallback for workbooks calamine rejects.
CSVs are decoded as UTF-8 (with or without BOM) or cp1252 and their delimiter is sniffed.
Cells stay raw (header=None) so row numbers match what the user sees in the spreadsheet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bhdash.errors import InputFileError
from bhdash.ingest.safety import FileKind, check_ole, check_size, check_zip, detect_kind

ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = ",;\t|"
_SNIFF_LINES = 200


@dataclass(frozen=True)
class RawSheet:
    """One sheet's cells, positional columns, index 0..n-1 (spreadsheet row = index + 1)."""

    name: str | None  # None for a CSV
    cells: pd.DataFrame


def load_bytes(source: bytes | str | Path, filename: str | None) -> tuple[bytes, str]:
    """The file's bytes and the name to report it by."""
    if isinstance(source, bytes):
        return source, filename or "upload"
    path = Path(source)
    name = filename or path.name
    try:
        return path.read_bytes(), name
    except FileNotFoundError as error:
        raise InputFileError("file not found", file=name) from error
    except IsADirectoryError as error:
        raise InputFileError("is a directory, not a file", file=name) from error


def decode_text(data: bytes, filename: str) -> str:
    """UTF-8 (any BOM dropped, so it never sticks to the first header), else Windows-1252.

    Older EHR exports saved on Windows are cp1252; it decodes almost any byte, so it goes last.
    """
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError("not a spreadsheet: the text is neither UTF-8 nor Windows-1252", file=filename)


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first lines.

    When the sniffer cannot decide (a single column, ragged title rows) the most frequent candidate wins.
    """
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {delimiter: sample.count(delimiter) for delimiter in DELIMITERS}
        return max(counts, key=counts.get)


def read_csv_cells(data: bytes, filename: str) -> pd.DataFrame:
    """Every line as a row, as text, blank lines kept so row numbers match the file's line numbers.

    Columns are named up front because title rows above the header are narrower than the data and
    pandas would otherwise size the frame by the first line and reject wider ones; the sample sets
    the width, and a wider row further down (an extra trailing cell) triggers one full-width re-read.
    """
    text = decode_text(data, filename)
    if not text.strip():
        raise InputFileError("the file is empty (no rows)", file=filename)
    delimiter = sniff_delimiter(text)
    sample = text.splitlines()[:_SNIFF_LINES]
    width = max((len(row) for row in csv.reader(sample, delimiter=delimiter)), default=1)
    options = dict(
        sep=delimiter, header=None, dtype=str, keep_default_na=False, na_values=[""], skip_blank_lines=False
    )
    try:
        return pd.read_csv(io.StringIO(text), names=range(width), **options)
    except pd.errors.ParserError:
        width = max(len(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter))
        return pd.read_csv(io.StringIO(text), names=range(width), **options)


def _read_with(data: bytes, engine: str) -> dict[str, pd.DataFrame]:
    """Every sheet, raw (no header row, cells as the engine typed them: dates stay datetimes)."""
    return pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, dtype=object, engine=engine)


def read_workbook_cells(data: bytes, filename: str, kind: FileKind) -> dict[str, pd.DataFrame]:
    try:
        return _read_with(data, "calamine")
    except Exception as error:  # calamine raises its own untyped errors for every malformed input
        message = str(error).lower()
        if "password" in message or "encrypt" in message:
            raise InputFileError(
                "the workbook is password-protected; remove the password in Excel and export again",
                file=filename,
            ) from error
        if kind is FileKind.OLE_WORKBOOK:
            raise InputFileError(
                f"the Excel 97-2003 workbook cannot be read ({error})", file=filename
            ) from error
        calamine_error = error
    try:
        return _read_with(data, "openpyxl")
    except Exception as error:  # openpyxl reports damage as KeyError, ValueError, zipfile errors …
        raise InputFileError(
            f"corrupted workbook: it cannot be read ({calamine_error})", file=filename
        ) from error


def read_sheets(
    source: bytes | str | Path, filename: str | None = None, *, max_bytes: int = 50 * 1024 * 1024
) -> tuple[str, list[RawSheet]]:
    """Safety checks, then every sheet's raw cells; returns the reported filename and the sheets."""
    if not isinstance(source, bytes):
        path = Path(source)
        name = filename or path.name
        if path.is_file():
            check_size(path.stat().st_size, name, max_bytes)
    data, name = load_bytes(source, filename)
    check_size(len(data), name, max_bytes)
    kind = detect_kind(data, name)
    if kind is FileKind.TEXT:
        return name, [RawSheet(None, read_csv_cells(data, name))]
    if kind is FileKind.OLE_WORKBOOK:
        check_ole(data, name)
    else:
        check_zip(data, name)
    sheets = read_workbook_cells(data, name, kind)
    return name, [RawSheet(sheet_name, cells) for sheet_name, cells in sheets.items()]
