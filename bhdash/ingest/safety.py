"""Checks that run on the raw bytes before any parser sees them.

An .xlsx is a zip of XML parts: a small upload can inflate to gigabytes (zip bomb) and take the
whole server down for every user, so the archive directory is inspected with the stdlib first.
Password-protected workbooks are OLE containers holding an `EncryptedPackage` stream; parsers
report them as opaque errors, so they are recognized here and explained.
"""

from __future__ import annotations

import io
import zipfile
from enum import StrEnum

from bhdash.errors import InputFileError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Limits calibrated on a real 100k-line workbook: 10.7 MB compressed, 72 MB inflated, 7x worst ratio
# (engineering.md §4.4).
MAX_ZIP_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
MAX_ENTRY_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1024 * 1024  # tiny parts compress extremely well and are harmless
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_ENCRYPTED_STREAMS = ("EncryptedPackage", "EncryptionInfo")


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


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            if encoding == "utf-8" and error.start > len(head) - 4:
                return True  # a multi-byte character cut by the sample boundary
            continue
        return True
    return False


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
    if _looks_like_text(data[:65_536]):
        return FileKind.TEXT
    raise InputFileError(
        "not a spreadsheet: expected an Excel workbook (.xlsx, .xlsm, .xls) or a CSV file", file=filename
    )


def check_ole(data: bytes, filename: str) -> None:
    """Reject encrypted (password-protected) Office files; their stream names are stored UTF-16LE."""
    if any(name.encode("utf-16-le") in data for name in _ENCRYPTED_STREAMS):
        raise InputFileError(
            "the workbook is password-protected; open it in Excel, remove the password "
            "(File > Info > Protect Workbook) and export again",
            file=filename,
        )


def check_zip(data: bytes, filename: str) -> None:
    """Zip-bomb and structure checks on the archive directory, without inflating anything."""
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
