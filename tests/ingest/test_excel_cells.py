"""The column-wise workbook grid: the cells pandas' calamine reader gives, value and type alike."""

import datetime as dt
import io
import math

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from pandas._libs.parsers import STR_NA_VALUES

from bhdash.ingest.excel_cells import MISSING_TEXTS, convert_cells
from bhdash.ingest.readers import read_sheets


def _tricky_workbook() -> bytes:
    """Data from C3 (two blank rows and columns above and left), a title, a header, typed columns, and
    odd cells late in them: text in a number column, a number in a date column, missing-value texts."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Claims")
    date = workbook.add_format({"num_format": "mm/dd/yyyy"})
    clock = workbook.add_format({"num_format": "h:mm AM/PM"})
    hours = workbook.add_format({"num_format": "[h]:mm"})
    sheet.write_string(2, 2, "Claims report")
    sheet.write_row(3, 2, ["Date of Service", "CPT Code", "Charge", "Start", "Length", "Paid", "Note"])
    lines = [
        (dt.datetime(2024, 1, 5), 90837.0, 150.0, 0.5, 1.5, True, "NA"),
        (dt.datetime(2024, 1, 6, 9, 30), 90834.0, 120.25, 0.375, 0.5, False, " "),
        (45300.0, "H0031", 1e20, 0.75, 2.0, True, "None"),
        ("01/08/2024", 90791.0, -0.0, 0.25, 0.25, False, "n/a "),
    ]
    for offset, (served, code, charge, start, length, paid, note) in enumerate(lines):
        row = 4 + offset
        if isinstance(served, dt.datetime):
            sheet.write_datetime(row, 2, served, date)
        elif isinstance(served, float):
            sheet.write_number(row, 2, served)
        else:
            sheet.write_string(row, 2, served)
        sheet.write(row, 3, code)
        sheet.write_number(row, 4, charge)
        sheet.write_number(row, 5, start, clock)
        sheet.write_number(row, 6, length, hours)
        sheet.write_boolean(row, 7, paid)
        sheet.write_string(row, 8, note)
    sheet.write_string(9, 2, "")  # an empty text cell
    workbook.close()
    return buffer.getvalue()


def _cells(data: bytes) -> pd.DataFrame:
    _, sheets = read_sheets(data, "tricky.xlsx")
    return sheets[0].cells


def _same(left: object, right: object) -> bool:
    if isinstance(left, float) and math.isnan(left):
        return isinstance(right, float) and math.isnan(right)
    return type(left) is type(right) and left == right


def test_missing_value_texts_are_pandas_defaults():
    assert MISSING_TEXTS == STR_NA_VALUES


def test_grid_starts_at_a1_and_keeps_blank_leading_rows_and_columns():
    cells = _cells(_tricky_workbook())
    assert cells.shape == (10, 9)
    assert cells.index.tolist() == list(range(10))  # index + 1 is the spreadsheet row
    assert cells.iloc[:2].isna().all().all()
    assert cells[[0, 1]].isna().all().all()
    assert cells.iat[2, 2] == "Claims report"
    assert cells.iat[3, 2] == "Date of Service"


def test_cell_values_and_types():
    cells = _cells(_tricky_workbook())
    columns = (cells[column].iloc[4:9].tolist() for column in range(2, 9))
    served, code, charge, start, length, paid, note = columns
    assert [type(value) for value in served[:4]] == [dt.datetime, dt.datetime, int, str]
    assert served[:4] == [dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 6, 9, 30), 45300, "01/08/2024"]
    assert [type(value) for value in code[:4]] == [int, int, str, int]  # whole floats are ints
    assert code[:4] == [90837, 90834, "H0031", 90791]
    assert [type(value) for value in charge[:4]] == [int, float, int, int]
    assert charge[:4] == [150, 120.25, 10**20, 0]
    assert start[:4] == [dt.time(12, 0), dt.time(9, 0), dt.time(18, 0), dt.time(6, 0)]
    assert length[:4] == [dt.timedelta(hours=hours) for hours in (36, 12, 48, 6)]
    assert paid[:4] == [True, False, True, False] and {type(value) for value in paid[:4]} == {bool}
    assert math.isnan(note[0]) and note[1] == " " and math.isnan(note[2]) and note[3] == "n/a "
    assert math.isnan(served[4])  # the empty text cell
    assert {str(dtype) for dtype in cells.dtypes} == {"object"}


def test_grid_is_what_pandas_calamine_reader_gives_cell_for_cell():
    data = _tricky_workbook()
    expected = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, dtype=object, engine="calamine")
    cells = _cells(data)
    reference = expected["Claims"]
    assert cells.shape == reference.shape
    assert cells.columns.tolist() == reference.columns.tolist() and type(cells.index) is type(reference.index)
    for row, column in np.ndindex(*cells.shape):
        assert _same(reference.iat[row, column], cells.iat[row, column]), (row, column)


@pytest.mark.parametrize(
    ("first_cell", "read_as"),
    [("\ufeffDate of Service", "Date of Service"), ('\ufeff"Claims" report', "Claims report")],
)
def test_byte_order_mark_at_a1_is_stripped_as_pandas_does(first_cell, read_as):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Claims")
    sheet.write_string(0, 0, first_cell)
    sheet.write_string(1, 0, "\ufeffkept below A1")
    workbook.close()
    cells = _cells(buffer.getvalue())
    assert cells.iloc[:, 0].tolist() == [read_as, "\ufeffkept below A1"]


def test_convert_cells_handles_large_whole_floats_and_mixed_kinds():
    values = np.array(
        [2.0**63, -(2.0**63), 2.0**53 + 2, 0.1, "NULL", "x", dt.date(2024, 2, 29), True, 7], dtype=object
    )
    converted = convert_cells(values)
    assert converted[:3].tolist() == [2**63, -(2**63), 2**53 + 2]
    assert [type(value) for value in converted[:4]] == [int, int, int, float]
    assert math.isnan(converted[4]) and converted[5] == "x"
    assert type(converted[6]) is dt.datetime and converted[6] == dt.datetime(2024, 2, 29)
    assert converted[7] is True and converted[8] == 7
