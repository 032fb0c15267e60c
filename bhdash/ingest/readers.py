"""Read any supported file into raw cell grids, one per sheet, before headers are known.

Workbooks go through python-calamine (about 7x faster than openpyxl on a 100k-line export,
engineering.md §4.1), its cells converted a column at a time into exactly the grid pandas' calamine
reader gives (excel_cells.py); openpyxl, through pandas, is only the fallback for workbooks calamine
rejects or panics on. CSVs are decoded (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252), their
delimiter is sniffed on a bounded sample, and decimal commas are resolved per column.
Cells stay raw (header=None) so row numbers match what the user sees in the spreadsheet.

The Rust readers can panic on a malformed cell; a panic is a `BaseException`, not an
`Exception`, and Rust prints it straight to the process's stderr, so every native call runs
inside `native_reader`, which turns it into a plain failure and keeps stderr clean.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import sys
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine

from bhdash.errors import InputFileError, unreadable_csv
from bhdash.ingest.decimals import resolve_decimal_commas
from bhdash.ingest.excel_cells import sheet_frame
from bhdash.ingest.extents import list_worksheets
from bhdash.ingest.safety import (
    FileKind,
    check_ole,
    check_size,
    check_zip,
    detect_kind,
    text_encoding,
)

DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
# csv's default 128 KB field limit fails on a long notes cell; the file size limit bounds fields anyway.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
_HIDDEN_STATES = ("hidden", "veryhidden")
_OUT_OF_RANGE_DATE = re.compile(
    r"Cell (?P<cell>[A-Z]{1,3}\d+) is marked as a date but the serial value (?P<value>\S+) is outside"
)
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})(\d+)")


@dataclass(frozen=True)
class RawSheet:
    """One sheet's cells, positional columns, index 0..n-1 (spreadsheet row = index + 1)."""

    name: str | None  # None for a CSV
    cells: pd.DataFrame
    hidden: bool = False  # hidden or very hidden in the workbook
    notes: tuple[str, ...] = field(default=())  # what reading changed or could not keep, for the user


class ReaderFailure(Exception):
    """A native reader raised or panicked; `cause` is what it raised."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _StderrCapture:
    """Points the process's stderr descriptor at a temporary file while any reader call is running.

    Dashboard sessions read files on several threads at once, and the descriptor belongs to the whole
    process: the first reader in redirects it, the last one out restores it and passes on whatever was
    printed that is not a Rust panic report (those become messages instead).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._saved: int | None = None
        self._file = None

    def enter(self) -> None:
        with self._lock:
            if self._active == 0:
                sys.stderr.flush()
                self._file = tempfile.TemporaryFile()  # noqa: SIM115  (held until the last reader leaves)
                self._saved = os.dup(2)
                os.dup2(self._file.fileno(), 2)
            self._active += 1

    def leave(self) -> None:
        with self._lock:
            self._active -= 1
            if self._active:
                return
            os.dup2(self._saved, 2)
            os.close(self._saved)
            self._file.seek(0)
            printed = self._file.read().decode("utf-8", "replace")
            self._file.close()
        if printed and "panicked at" not in printed:
            sys.stderr.write(printed)


_STDERR = _StderrCapture()


@contextlib.contextmanager
def native_reader() -> Iterator[None]:
    """Run Rust/C reader code: its panics become ReaderFailure, and what it prints never reaches stderr.

    pyo3's PanicException derives from BaseException, not Exception; everything but an interrupt or
    exit is caught. Library warnings are recorded by the callers, not printed.
    """
    _STDERR.enter()
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit, ReaderFailure):
        raise
    except BaseException as error:
        raise ReaderFailure(error) from error
    finally:
        _STDERR.leave()


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


def decode_text(data: bytes, filename: str) -> tuple[str, list[str]]:
    """The text and notes on what decoding changed; NUL characters are removed wherever they are.

    Older EHR exports saved on Windows are cp1252; it decodes almost any byte, so it goes last.
    """
    encoding = text_encoding(data)
    if encoding is None:
        raise InputFileError(
            "not a spreadsheet: the text is neither UTF-8, UTF-16 nor Windows-1252", file=filename
        )
    fallbacks = ("cp1252", "latin-1") if encoding.startswith("utf-8") else ()
    for candidate in (encoding, *fallbacks):
        try:
            text = data.decode(candidate)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputFileError(f"the text is not valid {encoding.upper()}", file=filename)
    notes = []
    nuls = text.count("\x00")
    if nuls:
        text = text.replace("\x00", "")
        notes.append(
            f"{nuls:,} NUL character{'s' if nuls != 1 else ''} removed from the file "
            "(a sign of a damaged or oddly saved export); check the values near them"
        )
    if encoding.startswith("utf-16"):
        notes.append("the file is UTF-16 text (Excel's \"Unicode Text\"); it was read as such")
    return text, notes


def _sample(text: str) -> str:
    """The first SNIFF_BYTES of text, cut at a line end so no row is half there."""
    head = text[:SNIFF_BYTES]
    if len(text) > SNIFF_BYTES and "\n" in head:
        head = head[: head.rindex("\n")]
    return head


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first lines.

    When the sniffer cannot decide (a single column, ragged title rows) the most frequent candidate wins.
    """
    sample = _sample(text)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {delimiter: sample.count(delimiter) for delimiter in DELIMITERS}
        return max(counts, key=counts.get)


def read_csv_cells(data: bytes, filename: str) -> tuple[pd.DataFrame, list[str]]:
    """Every line as a row, as text, blank lines kept so row numbers match the file's line numbers.

    Columns are named up front because title rows above the header are narrower than the data and
    pandas would otherwise size the frame by the first line and reject wider ones; the sample sets
    the width, and a wider row further down (an extra trailing cell) triggers one full-width re-read.
    """
    text, notes = decode_text(data, filename)
    if not text.strip():
        raise InputFileError("the file is empty (no rows)", file=filename)
    delimiter = sniff_delimiter(text)
    sample = _sample(text).splitlines()
    width = max((len(row) for row in csv.reader(sample, delimiter=delimiter)), default=1)
    options = dict(
        sep=delimiter, header=None, dtype=str, keep_default_na=False, na_values=[""], skip_blank_lines=False
    )
    try:
        try:
            cells = pd.read_csv(io.StringIO(text), names=range(width), **options)
        except pd.errors.ParserError:
            width = max(len(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter))
            cells = pd.read_csv(io.StringIO(text), names=range(width), **options)
    except (pd.errors.ParserError, csv.Error) as error:
        raise unreadable_csv(error, file=filename, what="CSV") from error
    cells, decimal_notes = resolve_decimal_commas(cells)
    return cells, notes + decimal_notes


def _place_out_of_range_dates(cells: pd.DataFrame, caught: list[warnings.WarningMessage]) -> pd.DataFrame:
    """Put the serial of each date cell openpyxl could not convert back in its cell, as text.

    The claim builder then reports it as an unparseable value on its own line instead of a blank.
    """
    for warning in caught:
        found = _OUT_OF_RANGE_DATE.search(str(warning.message))
        if found is None:
            continue
        letters, digits = _CELL_REFERENCE.fullmatch(found["cell"]).groups()
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - 64
        row, column = int(digits) - 1, column - 1
        if row < len(cells) and column < cells.shape[1]:
            cells.iat[row, column] = found["value"]
    return cells


def _read_with(data: bytes, engine: str) -> dict[str, pd.DataFrame]:
    """Every sheet through pandas, raw (no header row, cells as the engine typed them, dates as datetimes)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, dtype=object, engine=engine)
    return {name: _place_out_of_range_dates(cells, caught) for name, cells in sheets.items()}


def _read_with_calamine(data: bytes) -> dict[str, pd.DataFrame]:
    """Every worksheet (not chart sheets), raw, as `_read_with(data, "calamine")` gives it but converted a
    column at a time; a sheet only pandas' own parser reproduces sends the workbook through pandas."""
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        worksheet = python_calamine.SheetTypeEnum.WorkSheet
        names = dict.fromkeys(sheet.name for sheet in workbook.sheets_metadata if sheet.typ == worksheet)
        sheets = {}
        for name in names:
            frame = sheet_frame(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            if frame is None:
                return _read_with(data, "calamine")
            sheets[name] = frame
        return sheets
    finally:
        workbook.close()


def _hidden_sheets(data: bytes, kind: FileKind) -> set[str]:
    """Names of hidden and very hidden sheets: from workbook.xml for .xlsx, from calamine for .xls."""
    if kind is FileKind.ZIP_WORKBOOK:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {entry.name for entry in list_worksheets(archive) if entry.state.lower() in _HIDDEN_STATES}
    try:
        with native_reader():
            workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            states = {sheet.name: str(sheet.visible).rsplit(".", 1)[-1] for sheet in workbook.sheets_metadata}
    except ReaderFailure:
        return set()
    return {name for name, state in states.items() if state.lower() in _HIDDEN_STATES}


def _password_error(error: BaseException, filename: str) -> InputFileError | None:
    message = str(error).lower()
    if "password" in message or "encrypt" in message:
        return InputFileError(
            "the workbook is password-protected; remove the password in Excel and export again", file=filename
        )
    return None


def read_workbook_cells(data: bytes, filename: str, kind: FileKind) -> list[RawSheet]:
    try:
        with native_reader():
            sheets = _read_with_calamine(data)
    except (ReaderFailure, Exception) as error:  # calamine raises untyped errors for every malformed input
        cause = error.cause if isinstance(error, ReaderFailure) else error
        password = _password_error(cause, filename)
        if password is not None:
            raise password from error
        if kind is FileKind.OLE_WORKBOOK:
            raise InputFileError(
                f"the Excel 97-2003 workbook cannot be read ({_one_line(cause)})", file=filename
            ) from error
        calamine_error = cause
    else:
        return _with_visibility(sheets, data, kind)
    try:
        sheets = _read_with(data, "openpyxl")
    except Exception as error:  # openpyxl reports damage as KeyError, ValueError, zipfile errors …
        raise InputFileError(
            f"corrupted workbook: it cannot be read ({_one_line(calamine_error)})", file=filename
        ) from error
    return _with_visibility(sheets, data, kind)


def _with_visibility(sheets: dict[str, pd.DataFrame], data: bytes, kind: FileKind) -> list[RawSheet]:
    hidden = _hidden_sheets(data, kind)
    return [RawSheet(str(name), cells, hidden=name in hidden) for name, cells in sheets.items()]


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:200] or type(error).__name__


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
        cells, notes = read_csv_cells(data, name)
        return name, [RawSheet(None, cells, notes=tuple(notes))]
    if kind is FileKind.OLE_WORKBOOK:
        check_ole(data, name)
    else:
        check_zip(data, name)
    return name, read_workbook_cells(data, name, kind)
