"""Fixture builders for ingestion tests: workbooks and CSVs written by the tests themselves (fake names)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An .xlsx with one sheet per entry; datetimes are written as real Excel dates."""
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "mm/dd/yyyy"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for row_index, row in enumerate(rows):
            for column_index, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime | dt.date):
                    sheet.write_datetime(row_index, column_index, value, date_format)
                else:
                    sheet.write(row_index, column_index, value)
    workbook.close()
    return path


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def workbook(tmp_path: Path):
    def build(sheets: dict[str, list[list]], name: str = "claims.xlsx") -> Path:
        return write_workbook(tmp_path / name, sheets)

    return build


@pytest.fixture
def csv_file(tmp_path: Path):
    def build(lines: list[str], name: str = "claims.csv", encoding: str = "utf-8") -> Path:
        return write_csv(tmp_path / name, lines, encoding)

    return build


# Vendor headers as the exports write them, shared by layout-recognition and end-to-end tests.
THERANEST = [
    "Staff",
    "Client",
    "Payment Number",
    "Payment Method",
    "Insurer",
    "Paid with a Card",
    "Amount",
    "Payment Date",
    "Date of Service",
    "CPT Code",
    "Rate",
]
TEBRA = [
    "From",
    "To",
    "Procedure",
    "Mod 1",
    "Mod 2",
    "Mod 3",
    "Mod 4",
    "Units",
    "Unit Charge",
    "Total Charge",
    "Diag 1",
    "Diag 2",
    "Diag 3",
    "Diag 4",
    "Start Time",
    "End Time",
    "Minutes",
]
SIMPLEPRACTICE_HEADER = (
    "Date of Service,Client,Clinician,Billing Code,Primary Insurance,Secondary Insurance,Rate per Unit,Units,"
    "Total Fee,Progress Note Status,Client Payment Status,Charge,Uninvoiced,Paid,Unpaid,"
    "Insurance Payment Status,Charge,Paid,Unpaid,Write Off"
)


@pytest.fixture
def simplepractice_csv(csv_file):
    """SimplePractice appointment status: duplicate Charge/Paid/Unpaid, a title row, a total row."""
    return csv_file(
        [
            "Appointment Status,,,,,,,,,,,,,,,,,,,",
            SIMPLEPRACTICE_HEADER,
            '01/05/2024,"Doe, Jane","KIM, ALEX LCSW",90837-95,Aetna,,$150.00,1,$150.00,Complete,Paid,'
            "$20.00,$0.00,$20.00,$0.00,Paid,$130.00,$125.00,$5.00,$0.00",
            '2024-01-08,Sam Poe,Alex Kim,90834,Medicare,,$120.00,1,"$1,120.00",Complete,Unpaid,'
            "$0.00,$0.00,$0.00,$0.00,Denied,$120.00,$0.00,$120.00,$0.00",
            ",,,,,,,,,,,,,,,,,,,",
            'Total,,,,,,,,"$1,270.00",,,,,,,,,,,',
        ],
        name="appointment-status-report.csv",
    )
