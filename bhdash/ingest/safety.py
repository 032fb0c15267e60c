"""Checks that run on the raw bytes before any parser sees them.

An .xlsx is a zip of XML parts: a small upload can inflate to gigabytes (zip bomb) and take the
whole server down for every user, so the archive directory is inspected with the stdlib first.
Password-protected workbooks are OLE containers holding an `EncryptedPackage` stream; parsers
report them as opaque errors, so they are recognized here and explained.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from enum import StrEnum

import olefile

from bhdash.errors import InputFileError
from bhdash.ingest.extents import (
    SheetExtent,
    column_letters,
    list_worksheets,
    measure_biff,
    measure_part,
    worksheet_parts,
)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Limits calibrated on a real 100k-line workbook: 10.7 MB compressed, 72 MB inflated, 7x worst ratio
# (engineering.md §4.4).
MAX_ZIP_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
MAX_ENTRY_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1024 * 1024  # tiny parts compress extremely well and are harmless
# A sheet's grid (rows x columns from A1 to its farthest cell with a value) must fit these. Excel itself
# stops at 1,048,576 x 16,384; a claims export is a few dozen columns wide.
MAX_SHEET_ROWS = 2_000_000
MAX_SHEET_COLUMNS = 300
MAX_GRID_CELLS = 40_000_000  # about 1.3 GB inside the reader at 32 bytes a cell
SPARSE_GRID_CELLS = 1_000_000  # above this, a grid needs at least one byte of sheet XML per cell
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_ENCRYPTED_STREAMS = ("EncryptedPackage", "EncryptionInfo")


_TEXT_SAMPLE_BYTES = 65_536
_CONTROL_BYTES = (*tuple(code for code in range(32) if code not in (0, 9, 10, 12, 13)), 127)
_MAX_CONTROL_SHARE = 0.01


class FileKind(StrEnum):
    ZIP_WORKBOOK = "xlsx"
    OLE_WORKBOOK = "xls"
    TEXT = "csv"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def check_size(size: int, filename: str, max_bytes: int) -> None:
    if size == 0:
        raise InputFileError("the file is empty (0 bytes)", file=filename)
    if size > max_bytes:
        raise InputFileError(
            f"the file is {human_size(size)}, over the {human_size(max_bytes)} limit; "
            "export a shorter date range or split the file",
            file=filename,
        )


def _decodes(head: bytes, encoding: str) -> bool:
    try:
        head.decode(encoding)
    except UnicodeDecodeError as error:
        # a multi-byte character cut by the sample boundary is still text
        return encoding in ("utf-8", "utf-16-le", "utf-16-be") and error.start > len(head) - 4
    return True


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII text leaves every other byte NUL."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even_nuls, odd_nuls = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
    if odd_nuls > 0.4 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.4 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def text_encoding(data: bytes) -> str | None:
    """The encoding the bytes read as text in, or None when they are not text.

    Byte-order marks decide first. Stray NUL bytes do not make text binary (they are removed with a
    warning when read); control characters beyond the odd one do.
    """
    head = data[:_TEXT_SAMPLE_BYTES]
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16" if _decodes(head[: len(head) // 2 * 2], "utf-16") else None
    wide = _utf16_without_bom(head)
    if wide is not None:
        return wide if _decodes(head[: len(head) // 2 * 2], wide) else None
    visible = head.replace(b"\x00", b"")
    controls = sum(visible.count(bytes([code])) for code in _CONTROL_BYTES)
    if controls > _MAX_CONTROL_SHARE * max(len(visible), 1):
        return None
    if _decodes(visible, "utf-8"):
        return "utf-8-sig"
    return "cp1252" if _decodes(visible, "cp1252") else None


_OTHER_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
)


def detect_kind(data: bytes, filename: str) -> FileKind:
    """What the bytes are, regardless of the extension the user gave the file."""
    for magic, description in _OTHER_FORMATS:
        if data.startswith(magic):
            raise InputFileError(
                f"not a spreadsheet: this is {description}; export the report as Excel (.xlsx) or CSV",
                file=filename,
            )
    if data.startswith(ZIP_MAGIC):
        return FileKind.ZIP_WORKBOOK
    if data.startswith(OLE_MAGIC):
        return FileKind.OLE_WORKBOOK
    if text_encoding(data) is not None:
        return FileKind.TEXT
    raise InputFileError(
        "not a spreadsheet: expected an Excel workbook (.xlsx, .xlsm, .xls) or a CSV file", file=filename
    )


def check_ole(data: bytes, filename: str) -> None:
    """Reject encrypted (password-protected) Office files (their stream names are stored UTF-16LE), then
    sheets too large to read."""
    if any(name.encode("utf-16-le") in data for name in _ENCRYPTED_STREAMS):
        raise InputFileError(
            "the workbook is password-protected; open it in Excel, remove the password "
            "(File > Info > Protect Workbook) and export again",
            file=filename,
        )
    check_xls_extents(data, filename)


def check_zip(data: bytes, filename: str) -> None:
    """Zip-bomb and structure checks on the archive directory, then each sheet's extent from its XML.

    The directory checks inflate nothing, so the sheet scan only ever inflates parts within the limits.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as error:
        raise InputFileError(
            f"corrupted zip archive: the workbook cannot be opened ({error})", file=filename
        ) from error
    with archive:
        entries = check_archive_limits(archive, filename, "workbook")
        names = {entry.filename for entry in entries}
        if "mimetype" in names and "content.xml" in names:
            raise InputFileError(
                "not an Excel workbook: this is an OpenDocument file (.ods); save it as .xlsx or .csv",
                file=filename,
            )
        missing = [part for part in REQUIRED_PARTS if part not in names]
        if missing:
            raise InputFileError(
                f"not an Excel workbook: the zip archive lacks {', '.join(missing)}", file=filename
            )
        check_sheet_extents(archive, filename)


def check_archive_limits(archive: zipfile.ZipFile, filename: str, noun: str) -> list[zipfile.ZipInfo]:
    """Zip-bomb checks on an archive's directory (entry count, inflated size, per-entry ratio), without
    inflating anything; returns the entries. `noun` names the archive in messages ("workbook")."""
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise InputFileError(
            f"the {noun} has {len(entries)} parts (limit {MAX_ZIP_ENTRIES}); refusing to unpack it",
            file=filename,
        )
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InputFileError(
            f"the {noun} would inflate to {total / 1024 / 1024:.0f} MB "
            f"(limit {MAX_UNCOMPRESSED_BYTES / 1024 / 1024:.0f} MB); refusing to unpack it",
            file=filename,
        )
    for entry in entries:
        if entry.file_size < RATIO_CHECK_MIN_BYTES:
            continue
        ratio = entry.file_size / max(entry.compress_size, 1)
        if ratio > MAX_ENTRY_RATIO:
            raise InputFileError(
                f"the {noun} part '{entry.filename}' inflates {ratio:.0f}x (limit {MAX_ENTRY_RATIO}x); "
                "this looks like a zip bomb",
                file=filename,
            )
    return entries


def check_sheet_extents(archive: zipfile.ZipFile, filename: str) -> None:
    """Refuse a sheet whose grid would not fit in memory, before any reader allocates it.

    The grid runs from A1 to the farthest cell with a value, so one stray cell far below or to the
    right of the data makes it huge however small the file is.
    """
    sheet_names = {entry.part: entry.name for entry in list_worksheets(archive) if entry.part}
    for part in worksheet_parts(archive):
        _refuse_oversized(measure_part(archive.read(part), part), sheet_names.get(part, part), filename)


def _refuse_oversized(extent: SheetExtent, sheet: str, filename: str) -> None:
    corner = f"{column_letters(extent.columns)}{extent.rows}"
    span = (
        f"a cell with a value at {extent.farthest_cell} stretches the sheet to A1:{corner} "
        f"({extent.rows:,} rows x {extent.columns:,} columns)"
    )
    over = extent.rows > MAX_SHEET_ROWS or extent.columns > MAX_SHEET_COLUMNS
    if over or extent.cells > MAX_GRID_CELLS:
        problem = (
            f"{span}, over the limit of {MAX_SHEET_ROWS:,} rows, {MAX_SHEET_COLUMNS} columns "
            f"and {MAX_GRID_CELLS:,} cells"
        )
    elif extent.cells > SPARSE_GRID_CELLS and extent.cells > extent.xml_bytes:
        problem = f"{span} though the sheet holds little data"
    else:
        return
    raise InputFileError(
        f"the sheet is too large to read: {problem}. Delete the rows and columns beyond your data "
        "in Excel (or copy the data to a new sheet) and export again",
        file=filename,
        sheet=sheet,
    )


def check_xls_extents(data: bytes, filename: str) -> None:
    """The same grid limits for an Excel 97-2003 workbook, from the cell records of its BIFF stream.

    A container olefile cannot open is left to the reader, which reports it as damaged.
    """
    try:
        with olefile.OleFileIO(data) as container:
            name = next((name for name in ("Workbook", "Book") if container.exists(name)), None)
            stream = container.openstream(name).read() if name else b""
    except Exception:  # olefile reports damage as OSError, struct.error, IndexError …
        return
    for sheet, extent in measure_biff(stream):
        _refuse_oversized(extent, sheet, filename)
