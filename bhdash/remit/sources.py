"""Where remittance files come from: single files, folders (recursively) and zip archives.

A clearinghouse download is often a zip of many 835s; its directory is checked against the same
zip-bomb limits as a workbook (bhdash.ingest.safety) before anything is inflated, and each entry is
read with a size cap. Every file read becomes a `RemitFile`: unreadable ones carry their `error`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

from bhdash.errors import InputFileError
from bhdash.ingest.safety import ZIP_MAGIC, check_archive_limits, human_size
from bhdash.remit.era import RemitFile, read_835

MAX_REMIT_BYTES = 100 * 1024 * 1024
_BINARY = (
    (b"%PDF", "a PDF document (a printed remittance, not the 835 file)"),
    (b"\xd0\xcf\x11\xe0", "an Excel/Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_remittance_bytes(data: bytes, name: str) -> list[RemitFile]:
    """One upload (an 835 or a zip of them) as files read; never raises on bad content."""
    if data.startswith(ZIP_MAGIC):
        return _read_zip(data, name)
    if not data.strip():
        return [RemitFile(file=name, error="the file is empty")]
    if len(data) > MAX_REMIT_BYTES:
        return [RemitFile(file=name, error=f"the file is {human_size(len(data))}, over the "
                                           f"{human_size(MAX_REMIT_BYTES)} limit")]
    for magic, description in _BINARY:
        if data.startswith(magic):
            return [RemitFile(file=name, error=f"not an 835 remittance file: this is {description}")]
    if b"\x00" in data[:65_536]:
        return [RemitFile(file=name, error="not an 835 remittance file: it is binary, not X12 text")]
    return [read_835(_decode(data), name)]


def _read_zip(data: bytes, name: str) -> list[RemitFile]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as error:
        return [RemitFile(file=name, error=f"corrupted zip archive ({error})")]
    results: list[RemitFile] = []
    with archive:
        try:
            entries = check_archive_limits(archive, name, "archive")
        except InputFileError as error:
            return [RemitFile(file=name, error=error.reason)]
        for entry in sorted(entries, key=lambda item: item.filename):
            if entry.is_dir() or Path(entry.filename).name.startswith((".", "__MACOSX")):
                continue
            inner = f"{name}/{entry.filename}"
            if entry.file_size > MAX_REMIT_BYTES:
                results.append(RemitFile(file=inner, error=f"the file is {human_size(entry.file_size)}, over "
                                                           f"the {human_size(MAX_REMIT_BYTES)} limit"))
                continue
            try:
                with archive.open(entry) as handle:
                    content = handle.read(MAX_REMIT_BYTES + 1)
            except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError) as error:
                results.append(RemitFile(file=inner, error=f"cannot be unpacked ({error})"))
                continue
            if content.startswith(ZIP_MAGIC):
                results.append(RemitFile(file=inner, error="a zip inside a zip; unpack it and add its files"))
                continue
            results.extend(read_remittance_bytes(content, inner))
    if not results:
        return [RemitFile(file=name, error="the zip archive holds no files")]
    return results


def _files_in(folder: Path) -> list[Path]:
    def hidden(path: Path) -> bool:
        return any(part.startswith(".") for part in path.relative_to(folder).parts)

    return sorted(path for path in folder.rglob("*") if path.is_file() and not hidden(path))


def read_remittances(paths: Iterable[str | Path]) -> list[RemitFile]:
    """Every file under `paths` (files, folders, zips) read in a stable order."""
    results: list[RemitFile] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = _files_in(path)
            if not found:
                results.append(RemitFile(file=str(path), error="the folder holds no files"))
            for file in found:
                results.extend(_read_path(file))
        else:
            results.extend(_read_path(path))
    return results


def _read_path(path: Path) -> list[RemitFile]:
    try:
        size = path.stat().st_size
        if size > MAX_REMIT_BYTES and not zipfile.is_zipfile(path):
            return [RemitFile(file=str(path), error=f"the file is {human_size(size)}, over the "
                                                    f"{human_size(MAX_REMIT_BYTES)} limit")]
        data = path.read_bytes()
    except OSError as error:
        return [RemitFile(file=str(path), error=f"cannot be read ({error.strerror or error})")]
    return read_remittance_bytes(data, str(path))
