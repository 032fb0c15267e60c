import io
import zipfile

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from bhdash.errors import InputFileError
from bhdash.ingest import ingest, safety
from tests.ingest.conftest import write_workbook

HEADER = ["Date of Service", "Client", "Clinician", "CPT Code", "Payer", "Charge"]
ROW = ["01/05/2024", "Jane Doe", "Alex Kim", "90837", "Aetna", 150]


def _workbook_bytes(tmp_path) -> bytes:
    return write_workbook(tmp_path / "ok.xlsx", {"Claims": [HEADER, ROW]}).read_bytes()


def _error(source, filename="upload.xlsx", **kwargs) -> InputFileError:
    with pytest.raises(InputFileError) as caught:
        ingest(source, filename, **kwargs)
    return caught.value


def test_empty_file_names_the_file():
    error = _error(b"", "claims.csv")
    assert error.file == "claims.csv"
    assert "empty" in str(error)
    assert str(error).startswith("file 'claims.csv'")


def test_file_over_the_size_limit(tmp_path):
    error = _error(_workbook_bytes(tmp_path), "big.xlsx", max_bytes=1000)
    assert error.file == "big.xlsx"
    assert "KB, over the 1,000 bytes limit" in str(error)


def test_not_a_spreadsheet():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    error = _error(png, "scan.png")
    assert error.file == "scan.png"
    assert "not a spreadsheet: this is a PNG image" in str(error)


def test_binary_garbage_is_not_a_spreadsheet():
    error = _error(bytes(range(256)) * 8, "data.bin")
    assert str(error) == (
        "file 'data.bin': not a spreadsheet: expected an Excel workbook (.xlsx, .xlsm, .xls) or a CSV file"
    )


def test_opendocument_spreadsheet_is_named():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    error = _error(buffer.getvalue(), "claims.ods")
    assert "OpenDocument file (.ods)" in str(error)


def test_corrupted_zip(tmp_path):
    truncated = _workbook_bytes(tmp_path)[:400]
    error = _error(truncated, "broken.xlsx")
    assert error.file == "broken.xlsx"
    assert "corrupted zip" in str(error)


def test_zip_without_workbook_parts():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    error = _error(buffer.getvalue(), "notes.xlsx")
    assert "lacks [Content_Types].xml, xl/workbook.xml" in str(error)


def test_zip_bomb_rejected_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (20 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 100_000
    error = _error(data, "bomb.xlsx")
    assert error.file == "bomb.xlsx"
    assert "zip bomb" in str(error)
    assert "xl/worksheets/sheet1.xml" in str(error)


def test_too_many_zip_entries(monkeypatch):
    monkeypatch.setattr(safety, "MAX_ZIP_ENTRIES", 3)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(5):
            archive.writestr(f"part{index}.xml", "<x/>")
    error = _error(buffer.getvalue(), "many.xlsx")
    assert "5 parts (limit 3)" in str(error)


def test_total_uncompressed_size_limit(monkeypatch, tmp_path):
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED_BYTES", 1000)
    error = _error(_workbook_bytes(tmp_path), "wide.xlsx")
    assert "would inflate" in str(error)


def test_password_protected_workbook(tmp_path):
    plain = io.BytesIO(_workbook_bytes(tmp_path))
    encrypted = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", encrypted)
    error = _error(encrypted.getvalue(), "locked.xlsx")
    assert error.file == "locked.xlsx"
    assert "password-protected" in str(error)


def test_no_recognizable_claim_columns_names_sheet_row_and_what_is_missing(tmp_path):
    path = write_workbook(
        tmp_path / "visits.xlsx",
        {
            "Visits": [
                ["Visit report"],
                ["Client", "Clinician", "Payer", "Notes"],
                ["Jane Doe", "Alex Kim", "Aetna", "x"],
            ],
        },
    )
    error = _error(path, None)
    assert (error.file, error.sheet, error.row) == ("visits.xlsx", "Visits", 2)
    message = str(error)
    assert message.startswith("file 'visits.xlsx', sheet 'Visits', row 2:")
    assert "found Client -> patient_name, Clinician -> clinician_name, Payer -> payer" in message
    assert "needed service_date" in message and "procedure_code" in message


def test_no_header_row_at_all(tmp_path):
    path = write_workbook(tmp_path / "numbers.xlsx", {"Data": [[1, 2, 3], [4, 5, 6]]})
    error = _error(path, None)
    assert (error.file, error.sheet, error.row) == ("numbers.xlsx", "Data", 1)
    assert "no recognizable claim columns" in str(error)


@pytest.mark.parametrize("filename", ["claims.xlsx", "claims.xlsm", "CLAIMS.XLS"])
def test_plain_text_renamed_to_an_excel_name_says_it_is_not_a_workbook(filename):
    error = _error(b"Visit notes for January\nnothing tabular here\n", filename)
    suffix = filename[filename.rindex(".") :].lower()
    assert str(error) == (
        f"file '{filename}': not an Excel workbook: the name ends in {suffix} but it holds plain text; "
        "was it renamed? Export it again as .xlsx or .csv"
    )
    assert (error.sheet, error.row) == (None, None)


def test_html_saved_under_an_excel_name_is_named_as_html():
    page = b"<html><body><table><tr><td>Date of Service</td><td>CPT Code</td></tr></table></body></html>\n"
    error = _error(page, "report.xls")
    assert "not an Excel workbook: the name ends in .xls but it holds HTML text;" in str(error)


def test_csv_under_an_excel_name_is_still_read_when_it_has_claim_headers():
    result = ingest(b"Date of Service,CPT Code\n2024-01-05,90837\n", "claims.xlsx")
    assert result.claims["procedure_code"].tolist() == ["90837"]
    assert result.source.sheet is None


def test_csv_under_an_excel_name_without_claim_columns_says_it_was_read_as_csv():
    error = _error(b"Client,Clinician,Payer\nJane Doe,Alex Kim,Aetna\n", "visits.xlsx")
    message = str(error)
    assert "found Client -> patient_name, Clinician -> clinician_name, Payer -> payer" in message
    assert message.endswith(
        "(visits.xlsx holds plain text, not an Excel workbook; it was read as CSV)"
    )


def test_unrecognizable_text_under_a_csv_name_keeps_the_header_message():
    error = _error(b"Visit notes for January\nnothing tabular here\n", "notes.csv")
    assert "no recognizable claim columns: no row looks like a header" in str(error)
    assert "Excel" not in error.reason


def test_plain_text_roster_under_an_excel_name_says_it_is_not_a_workbook():
    error = _error(
        b"Date of Service,CPT Code\n2024-01-05,90837\n",
        "claims.csv",
        roster=b"Clinician list to follow\n",
        roster_filename="roster.xlsx",
    )
    assert str(error) == (
        "file 'roster.xlsx': not an Excel workbook: the name ends in .xlsx but it holds plain text; "
        "was it renamed? Export it again as .xlsx or .csv"
    )


def test_empty_sheet_is_an_empty_file(tmp_path):
    path = write_workbook(tmp_path / "blank.xlsx", {"Sheet1": []})
    error = _error(path, None)
    assert (error.file, error.sheet) == ("blank.xlsx", "Sheet1")
    assert "empty" in str(error)


def test_billion_laughs_workbook_is_refused(tmp_path):
    source = zipfile.ZipFile(io.BytesIO(_workbook_bytes(tmp_path)))
    buffer = io.BytesIO()
    entities = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{level} "{("&lol" + str(level - 1) + ";") * 10 if level > 1 else "&lol;" * 10}">'
            for level in range(1, 10)
        )
        + "]>"
    )
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                head, _, rest = data.decode().partition("?>")
                assert "Alex Kim" in rest
                data = (head + "?>" + entities + rest.replace("Alex Kim", "&lol9;")).encode()
            target.writestr(item, data)
    with pytest.raises(InputFileError) as caught:
        ingest(buffer.getvalue(), "laughs.xlsx")
    assert caught.value.file == "laughs.xlsx"
    assert "corrupted workbook" in str(caught.value)
