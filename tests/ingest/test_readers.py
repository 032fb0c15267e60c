import datetime as dt

import pandas as pd
import pytest
import xlwt

from bhdash.errors import InputFileError
from bhdash.ingest import ingest
from bhdash.ingest.readers import read_sheets, sniff_delimiter


@pytest.mark.parametrize(
    ("delimiter", "name"), [(",", "comma.csv"), (";", "semi.csv"), ("\t", "tab.txt"), ("|", "pipe.csv")]
)
def test_csv_delimiters_are_sniffed(csv_file, delimiter, name):
    path = csv_file(
        [
            delimiter.join(["Date of Service", "Client", "CPT Code", "Charge"]),
            delimiter.join(["2024-01-05", "Jane Doe", "90837", "150.00"]),
        ],
        name=name,
    )
    result = ingest(path)
    assert result.claims["procedure_code"].tolist() == ["90837"]
    assert result.claims["charge"].tolist() == [150.0]


def test_sniff_keeps_commas_inside_quotes_apart_from_the_delimiter():
    assert sniff_delimiter('a;b;c\n"x, y";2;3\n') == ";"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings(csv_file, encoding):
    path = csv_file(
        ["Date of Service,Clinician,CPT Code", "2024-01-05,Renée Müller,90837"], encoding=encoding
    )
    result = ingest(path)
    assert result.claims["clinician_name"].tolist() == ["Renée Müller"]
    assert result.mapping[0].source_column == "Date of Service"  # no BOM glued to the first header


def test_csv_rows_wider_than_the_title_keep_line_numbers(csv_file):
    path = csv_file(
        ["Report", "", "Date of Service,CPT Code,Units", "2024-01-05,90837,1", "2024-01-06,90834,1"]
    )
    result = ingest(path)
    assert result.claims["source_row"].tolist() == [4, 5]
    assert result.skipped[["row", "reason"]].values.tolist() == [[1, "title"], [2, "blank"]]


def test_csv_with_a_wider_row_after_the_sniffed_sample(csv_file):
    lines = ["Date of Service,CPT Code"] + ["2024-01-05,90837"] * 250 + ["2024-01-06,90834,extra"]
    result = ingest(csv_file(lines))
    assert len(result.claims) == 251
    assert result.claims["source_row"].iloc[-1] == 252


def test_workbook_rows_match_the_spreadsheet_with_leading_blank_rows(workbook):
    path = workbook(
        {
            "Claims": [
                [],
                ["Clinic claims"],
                [],
                ["Date of Service", "CPT Code"],
                [dt.datetime(2024, 1, 5), "90837"],
            ]
        }
    )
    result = ingest(path)
    assert result.source.header_row == 4
    assert result.claims["source_row"].tolist() == [5]


def test_xls_workbook(tmp_path):
    book = xlwt.Workbook()
    sheet = book.add_sheet("Claims")
    for column, value in enumerate(["Date of Service", "Client", "CPT Code", "NPI"]):
        sheet.write(0, column, value)
    for column, value in enumerate(["01/05/2024", "Jane Doe", "90837-95", 1234567893]):
        sheet.write(1, column, value)
    path = tmp_path / "old.xls"
    book.save(str(path))
    result = ingest(path)
    assert result.source.sheet == "Claims"
    assert result.claims[["procedure_code", "modifier_1", "clinician_npi"]].values.tolist() == [
        ["90837", "95", "1234567893"]
    ]


def test_xlsm_extension_is_read_by_content(workbook):
    path = workbook({"Claims": [["Date of Service", "CPT Code"], ["2024-01-05", "90837"]]}, name="macro.xlsm")
    assert ingest(path).claims["procedure_code"].tolist() == ["90837"]


def test_every_sheet_is_returned_with_its_name(workbook):
    path = workbook({"One": [["a"]], "Two": [["b"]]})
    name, sheets = read_sheets(path)
    assert name == "claims.xlsx"
    assert [sheet.name for sheet in sheets] == ["One", "Two"]


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputFileError) as caught:
        ingest(tmp_path / "nope.csv")
    assert caught.value.file == "nope.csv"
    assert "not found" in str(caught.value)


def test_out_of_range_date_cell_is_a_bad_value_on_its_line_not_a_failed_file(capfd):
    from tests.ingest.hostile_corpus import _bad_date_workbook

    result = ingest(_bad_date_workbook(), "dates.xlsx")
    assert result.claims["source_row"].tolist() == [2, 3, 4]  # the bad cell's line is kept, never dropped
    assert result.skipped.empty
    bad = result.claims.set_index("source_row").loc[3]
    assert pd.isna(bad["service_date"]) and bad["service_date_raw"] == "-1e+20"
    assert capfd.readouterr().err == ""  # neither the Rust panic nor openpyxl's warning is printed


def test_utf16_csv_with_bom_is_read(csv_file):
    path = csv_file(["Date of Service\tCPT Code", "2024-01-05\t90837"], encoding="utf-16")
    result = ingest(path)
    assert result.claims["procedure_code"].tolist() == ["90837"]
    assert result.warnings == ["the file is UTF-16 text (Excel's \"Unicode Text\"); it was read as such"]


@pytest.mark.parametrize("where", ["Date\x00 of Service", "Aet\x00na"])
def test_nul_bytes_are_removed_with_a_warning_wherever_they_are(csv_file, where):
    lines = ["Date of Service,CPT Code,Payer", "2024-01-05,90837,Aetna"]
    lines = [line.replace(where.replace("\x00", ""), where) for line in lines]
    result = ingest(csv_file(lines))
    assert result.claims["payer"].tolist() == ["Aetna"]
    assert result.warnings[0].startswith("1 NUL character removed from the file")


def test_a_cell_longer_than_the_csv_field_limit_is_read(csv_file):
    result = ingest(csv_file(["Date of Service,CPT Code,Notes", '2024-01-05,90837,"' + "x" * 200_000 + '"']))
    assert result.claims["procedure_code"].tolist() == ["90837"]


def test_decimal_commas_are_resolved_per_column(csv_file):
    path = csv_file(
        ["Date of Service;CPT Code;Charge", "2024-01-05;90837;247,50", "2024-01-06;90834;1.234,56",
         "2024-01-07;90834;1.234"]
    )
    result = ingest(path)
    assert result.claims["charge"].tolist() == [247.5, 1234.56, 1234.0]
    assert "amounts use decimal commas ('247,50' read as 247.50) in 1 column" in result.warnings


def test_ambiguous_thousands_follow_a_point_decimal_column(csv_file):
    path = csv_file(
        ["Date of Service,CPT Code,Charge", '2024-01-05,90837,"1,234.50"', "2024-01-06,90834,1.234"]
    )
    assert ingest(path).claims["charge"].tolist() == [1234.5, 1.234]


def test_concurrent_reads_leave_stderr_where_it_was(capfd):
    import os
    import threading

    from tests.ingest.hostile_corpus import _bad_date_workbook

    before = os.fstat(2)
    data = _bad_date_workbook()
    threads = [threading.Thread(target=ingest, args=(data, f"dates{index}.xlsx")) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = os.fstat(2)
    assert (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)
    assert capfd.readouterr().err == ""
