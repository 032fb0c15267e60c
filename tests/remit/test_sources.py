"""Folders, zip archives (with the workbook's zip-bomb limits) and binary files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from bhdash.remit import read_remittance_bytes, read_remittances

FIXTURES = Path(__file__).parent / "fixtures"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_archive_entries_are_read_in_name_order() -> None:
    data = _zip({"b.835": (FIXTURES / "bare_transaction.835").read_bytes(),
                 "a.835": (FIXTURES / "ig_single_payment.835").read_bytes(),
                 "__MACOSX/._a.835": b"junk", "notes.txt": b"hello"})
    results = read_remittance_bytes(data, "download.zip")
    assert [(item.file, item.error is None) for item in results] == [
        ("download.zip/a.835", True), ("download.zip/b.835", True), ("download.zip/notes.txt", False)]
    assert [item.payment_total for item in results[:2]] == [245.25, 80.0]


def test_zip_bomb_is_refused_before_inflating() -> None:
    data = _zip({"huge.835": b"0" * (60 * 1024 * 1024)})
    (result,) = read_remittance_bytes(data, "bomb.zip")
    assert result.error is not None and "looks like a zip bomb" in result.error


def test_nested_zip_and_pdf_are_named() -> None:
    nested = _zip({"inner.zip": _zip({"a.835": b"x"})})
    assert read_remittance_bytes(nested, "outer.zip")[0].error == (
        "a zip inside a zip; unpack it and add its files")
    assert "a PDF document" in read_remittance_bytes(b"%PDF-1.7 ...", "era.pdf")[0].error
    assert read_remittance_bytes(b"  \n", "empty.835")[0].error == "the file is empty"


def test_folder_is_read_recursively_skipping_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "2026" / "01").mkdir(parents=True)
    (tmp_path / "2026" / "01" / "era.835").write_bytes((FIXTURES / "bare_transaction.835").read_bytes())
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    results = read_remittances([tmp_path])
    assert [(Path(item.file).name, item.error) for item in results] == [("era.835", None)]
    assert read_remittances([tmp_path / "missing.835"])[0].error.startswith("cannot be read")
