"""Vendor-style exports of the sample practice, each exercising the ingestion traps of its vendor.

- SimplePractice appointment-status CSV: the client's Charge/Paid/Unpaid block only, no insurance outcome
  columns (its outcomes arrive as the 835 remittances in `remittances/`); no minutes/NPI/POS/dx.
- TherapyNotes "Billing Transactions" workbook: serial-number dates, split names, "Last, First"
  clinicians, payment rows between the appointment rows, negative paid amounts.
- A messy "Claims Detail Report" workbook: title rows, a Total row, modifiers glued to some codes,
  dates as text in some rows and real dates in others, NPIs as numbers, dotless ICD codes in some
  rows, "LAST, FIRST CRED" clinicians, plus roster sheets named so only their content tells.
- roster.xlsx (clinicians + enrollments) for the layouts that carry no roster.
- remittances/: the adjudicated history as X12 835 files, one per payer and payment month (remittances.py).

Every layout holds the same claim lines in the same order. Workbooks carry a fixed creation
timestamp so the same practice always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from bhdash.sample.generator import SamplePractice
from bhdash.sample.problems import UNPARSEABLE_DATE
from bhdash.sample.remittances import REMIT_DESCRIPTION, REMIT_FOLDER, write_remittances

SIMPLEPRACTICE_FILE = "simplepractice_appointment_status.csv"
THERAPYNOTES_FILE = "therapynotes_billing_transactions.xlsx"
CLAIMS_DETAIL_FILE = "claims_detail_report.xlsx"
ROSTER_FILE = "roster.xlsx"
CLAIMS_DETAIL_TITLE_ROWS = 3
EXCEL_EPOCH = pd.Timestamp("1899-12-30")

SIMPLEPRACTICE_HEADER = (
    "Date of Service", "Client", "Clinician", "Billing Code", "Primary Insurance", "Secondary Insurance",
    "Rate per Unit", "Units", "Total Fee", "Progress Note Status", "Client Payment Status", "Charge",
    "Uninvoiced", "Paid", "Unpaid",
)
THERAPYNOTES_HEADER = (
    "Date", "Type", "Service Code", "Last Name", "First Name", "Clinician Name", "Billing Method",
    "Primary Insurer Name", "Patient Amount Due", "Patient Amount Paid", "Insurance Amount Due",
    "Insurance Amount Paid", "Patient Balance Status", "Insurance Balance Status",
)
CLAIMS_DETAIL_HEADER = (
    "Claim ID", "Line", "Patient Name", "Patient DOB", "Member ID", "DOS", "Rendering Provider",
    "Rendering NPI", "Payer", "Financial Class", "POS", "CPT", "Mod 1", "Mod 2", "Units", "Start Time",
    "End Time", "Minutes", "Dx 1", "Dx 2", "Dx 3", "Dx 4", "Charge", "Submitted Date", "Claim Status",
    "Denial Reason", "Paid",
)


def _fixed_timestamp(practice: SamplePractice) -> dt.datetime:
    return practice.as_of.to_pydatetime()


def _workbook(path: Path, practice: SamplePractice) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False})
    book.set_properties({"title": "Lakeview Behavioral Health sample practice", "author": "bhdash sample",
                         "created": _fixed_timestamp(practice)})
    return book


_CELL_REFERENCE = re.compile(rb'<c r="[A-Z]+[0-9]+"')


def _compact(path: Path) -> None:
    """Shrink a finished workbook to keep the committed sample under its size budget.

    Cell references (`r="AB123"`) are optional in OOXML when every cell of a row is written in
    order; our writers write every cell (blanks carry a format, so xlsxwriter emits them), so the
    references are dropped and the package is recompressed at the highest level. Excel, openpyxl
    and calamine read the result unchanged; it halves the size of the large sheets.
    """
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info, data in parts:
            if info.filename.startswith("xl/worksheets/sheet"):
                data = _CELL_REFERENCE.sub(b"<c", data)
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data, compresslevel=9)
    path.write_bytes(buffer.getvalue())


def _write_columns(sheet, first_row: int, columns: list[pd.Series], formats: list) -> None:
    """Write whole columns; every cell gets a format so blanks are written too (see `_compact`)."""
    for position, (values, cell_format) in enumerate(zip(columns, formats, strict=True)):
        cells = values.astype(object).where(values.notna(), None).tolist()
        cells = [value.to_pydatetime() if isinstance(value, pd.Timestamp) else value for value in cells]
        cells = [None if value == "" else value for value in cells]
        sheet.write_column(first_row, position, cells, cell_format)


def _us_date(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%m/%d/%Y")


def _bad_dates(practice: SamplePractice) -> pd.Series:
    """Raw text for the lines whose date was planted as unparseable, indexed by line position."""
    manifest = practice.manifest
    bad = manifest[(manifest["problem"] == "unparseable_date")]
    return pd.Series(bad["raw_value"].to_numpy(), index=(bad["source_row"] - 2).astype(int).to_numpy())


def _service_date_text(practice: SamplePractice) -> pd.Series:
    text = _us_date(practice.claims["service_date"])
    bad = _bad_dates(practice)
    text.loc[bad.index] = bad.to_numpy()
    return text


def _clock(times: pd.Series) -> pd.Series:
    minutes = times.dt.total_seconds() // 60
    hour = minutes // 60
    text = ((hour - 1) % 12 + 1).astype("Int64").astype(str) + ":" + (minutes % 60).astype("Int64").astype(
        str).str.zfill(2) + pd.Series(np.where(hour < 12, " AM", " PM"), index=times.index)
    return text.where(times.notna())


def _money(values: pd.Series) -> pd.Series:
    """Amounts as the shortest exact text ("167", "16.4"), which keeps the committed CSV small."""
    return values.map(lambda v: "" if pd.isna(v) else f"{v:.2f}".rstrip("0").rstrip("."))


def _patient_responsibility(practice: SamplePractice) -> pd.Series:
    """What the client owes on a paid line: the payer's share is (1 - coinsurance) of allowed."""
    from bhdash.sample.config import practice_config

    share = {p["name"]: p["patient_share"] for p in practice_config()["payers"]}
    claims = practice.claims
    ratio = claims["payer"].map(share).fillna(0.0)
    owed = (claims["paid_amount"] * ratio / (1 - ratio)).round(2)
    return owed.where(claims["status"] == "Paid", 0.0)


def write_simplepractice(practice: SamplePractice, path: Path) -> pd.Series:
    """SimplePractice appointment-status CSV without insurance outcomes; returns each line's row number."""
    claims = practice.claims
    client_owed = _patient_responsibility(practice)
    adjudicated = claims["status"].notna()
    frame = pd.DataFrame({
        "dos": _service_date_text(practice),
        "client": claims["patient_name"],
        "clinician": claims["clinician_name"],
        "code": claims["procedure_code"],
        "primary": claims["payer"].fillna(""),
        "secondary": "",
        "rate": _money(claims["charge"] / claims["units"]),
        "units": claims["units"].astype(int),
        "fee": _money(claims["charge"]),
        "note": "Complete",
        "client_status": np.where(client_owed > 0, "Paid", np.where(adjudicated, "No Charge", "")),
        "client_charge": _money(client_owed),
        "uninvoiced": "0",
        "client_paid": _money(client_owed),
        "client_unpaid": "0",
    })
    frame.to_csv(path, index=False, header=list(SIMPLEPRACTICE_HEADER), lineterminator="\n")
    return pd.Series(np.arange(len(claims)) + 2, index=claims.index)


def write_therapynotes(practice: SamplePractice, path: Path) -> pd.Series:
    """TherapyNotes Billing Transactions workbook; returns each line's row number in the sheet."""
    claims = practice.claims
    client_owed = _patient_responsibility(practice)
    serial = ((claims["service_date"] - EXCEL_EPOCH).dt.days).astype("float64")
    clinician = claims["clinician_name"].str.split(" ", n=1)
    appointments = pd.DataFrame({
        "date": serial.astype(object).where(serial.notna(), UNPARSEABLE_DATE),
        "type": "Appointment",
        "code": claims["procedure_code"],
        "last": claims["patient_last_name"],
        "first": claims["patient_first_name"],
        "clinician": clinician.str[1] + ", " + clinician.str[0],
        "method": "Insurance",
        "insurer": claims["payer"],
        "patient_due": client_owed,
        "patient_paid": client_owed,
        "insurance_due": claims["charge"] - client_owed,
        "insurance_paid": -claims["paid_amount"],
        "patient_status": np.where(client_owed > 0, "Paid in Full", ""),
        "insurance_status": claims["status"],  # blank until adjudicated, like the canonical truth
        "line": np.arange(len(claims)),
        "order": 0,
    })
    appointments.loc[_bad_dates(practice).index, "date"] = UNPARSEABLE_DATE
    paid = claims["status"].eq("Paid") & claims["paid_amount"].gt(0)
    lag = 18 + (np.arange(len(claims)) % 11)
    payment_serial = serial + lag
    payments = pd.DataFrame({
        "date": payment_serial[paid].astype(object),
        "type": "Insurance Payment",
        "code": claims.loc[paid, "procedure_code"],
        "last": claims.loc[paid, "patient_last_name"],
        "first": claims.loc[paid, "patient_first_name"],
        "clinician": appointments.loc[paid, "clinician"],
        "method": "Insurance EFT/ACH",
        "insurer": claims.loc[paid, "payer"],
        "insurance_paid": -claims.loc[paid, "paid_amount"],
        "line": -1,
        "order": 1,
    })
    sort_key = pd.concat([serial.fillna(serial.min()), payment_serial[paid]])
    rows = pd.concat([appointments, payments]).assign(key=sort_key.to_numpy())
    rows = rows.sort_values(["key", "order"], kind="stable").reset_index(drop=True)

    book = _workbook(path, practice)
    plain = book.add_format()
    sheet = book.add_worksheet("Billing Transactions")
    sheet.write_row(0, 0, THERAPYNOTES_HEADER)
    columns = ["date", "type", "code", "last", "first", "clinician", "method", "insurer", "patient_due",
               "patient_paid", "insurance_due", "insurance_paid", "patient_status", "insurance_status"]
    _write_columns(sheet, 1, [rows[column] for column in columns], [plain] * len(columns))
    book.close()
    _compact(path)
    line_rows = rows.index[rows["line"] >= 0]
    return pd.Series(line_rows.to_numpy() + 2, index=rows.loc[line_rows, "line"].to_numpy()).sort_index()


def _provider_label(practice: SamplePractice) -> pd.Series:
    """Clinician as "LAST, FIRST CRED" the way claims reports print it."""
    clinicians = practice.clinicians.set_index("clinician_name")
    first_last = clinicians.index.to_series().str.split(" ", n=1)
    label = (first_last.str[1].str.upper() + ", " + first_last.str[0].str.upper() + " "
             + clinicians["display_credential"].str.upper())
    return practice.claims["clinician_name"].map(label)


def write_claims_detail(practice: SamplePractice, path: Path) -> pd.Series:
    """The messy Claims Detail Report workbook; returns each line's row number in the claims sheet."""
    claims = practice.claims
    position = pd.Series(np.arange(len(claims)), index=claims.index)
    glued = claims["modifier_1"].notna() & claims["modifier_2"].isna() & (position % 3 == 0)
    code = claims["procedure_code"].where(~glued, claims["procedure_code"] + "-" + claims["modifier_1"])
    modifier_1 = claims["modifier_1"].where(~glued)
    text_dates = position % 2 == 1
    dos_text = _service_date_text(practice)
    bad = claims.index.isin(_bad_dates(practice).index)
    dos = claims["service_date"].astype(object).where(~text_dates & ~bad, dos_text)
    dob = claims["patient_dob"].astype(object).where(~text_dates, _us_date(claims["patient_dob"]))
    dotless = position % 4 == 0
    financial_class = claims["payer_type"].str.capitalize()

    def dx(column: str) -> pd.Series:
        return claims[column].where(~dotless, claims[column].str.replace(".", "", regex=False))

    columns = [
        claims["claim_id"], claims["line_no"],
        claims["patient_last_name"] + ", " + claims["patient_first_name"], dob, claims["member_id"], dos,
        _provider_label(practice), pd.to_numeric(claims["clinician_npi"]), claims["payer"], financial_class,
        claims["pos"], code, modifier_1, claims["modifier_2"], claims["units"],
        _clock(claims["start_time"]), _clock(claims["end_time"]), claims["minutes"], dx("dx_1"), dx("dx_2"),
        dx("dx_3"), dx("dx_4"), claims["charge"], claims["submitted_date"].astype(object), claims["status"],
        claims["denial_reason"], claims["paid_amount"],
    ]
    book = _workbook(path, practice)
    date_format = book.add_format({"num_format": "mm/dd/yyyy"})
    money_format = book.add_format({"num_format": "#,##0.00"})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Claims Detail")
    sheet.write(0, 0, "Lakeview Behavioral Health", bold)
    sheet.write(1, 0, "Claims Detail Report")
    sheet.write(2, 0, f"Dates of service {practice.period_start:%m/%d/%Y} - {practice.period_end:%m/%d/%Y}"
                      f"   Run date {practice.as_of:%m/%d/%Y}")
    header_row = CLAIMS_DETAIL_TITLE_ROWS
    sheet.write_row(header_row, 0, CLAIMS_DETAIL_HEADER, bold)
    plain = book.add_format()
    formats = {3: date_format, 5: date_format, 23: date_format, 22: money_format, 26: money_format}
    _write_columns(sheet, header_row + 1, columns, [formats.get(i, plain) for i in range(len(columns))])
    total_row = header_row + 1 + len(claims)
    totals = [None] * len(CLAIMS_DETAIL_HEADER)
    totals[0], totals[22], totals[26] = "Total", float(claims["charge"].sum()), float(
        claims["paid_amount"].sum())
    for column, value in enumerate(totals):
        sheet.write(total_row, column, value, bold if column == 0 else money_format)
    _roster_sheets(book, practice, "Staff", "Payer Participation", date_format, numeric_npi=True)
    book.close()
    _compact(path)
    return pd.Series(position.to_numpy() + header_row + 2, index=claims.index)


def _roster_sheets(book: xlsxwriter.Workbook, practice: SamplePractice, clinician_sheet: str,
                   enrollment_sheet: str, date_format, numeric_npi: bool) -> None:
    clinicians = practice.clinicians
    roster = practice.roster
    npi = pd.to_numeric(clinicians["npi"]) if numeric_npi else clinicians["npi"]
    staff = [
        ("Clinician", clinicians["clinician_name"]), ("Credential", clinicians["display_credential"]),
        ("NPI", npi), ("Taxonomy", clinicians["taxonomy"]), ("License Number", clinicians["license_number"]),
        ("License State", clinicians["license_state"]),
        ("License Expiration", roster.clinicians["license_expiration"].astype(object)),
        ("Supervisor", clinicians["supervisor"]),
    ]
    enrollments = roster.enrollments
    enrollment_npi = pd.to_numeric(enrollments["npi"]) if numeric_npi else enrollments["npi"]
    participation = [
        ("Clinician", enrollments["clinician_name"]), ("NPI", enrollment_npi),
        ("Payer", enrollments["payer"]),
        ("Status", enrollments["status"]), ("Effective Date", enrollments["effective_date"].astype(object)),
        ("Term Date", enrollments["term_date"].astype(object)),
    ]
    plain = book.add_format()
    for name, table in ((clinician_sheet, staff), (enrollment_sheet, participation)):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, [header for header, _ in table])
        formats = [date_format if header in {"License Expiration", "Effective Date", "Term Date"} else plain
                   for header, _ in table]
        _write_columns(sheet, 1, [values for _, values in table], formats)


def write_roster(practice: SamplePractice, path: Path) -> None:
    book = _workbook(path, practice)
    date_format = book.add_format({"num_format": "mm/dd/yyyy"})
    _roster_sheets(book, practice, "Clinicians", "Enrollments", date_format, numeric_npi=False)
    book.close()
    _compact(path)


LAYOUT_FILES: dict[str, str] = {
    SIMPLEPRACTICE_FILE: "SimplePractice-style appointment status CSV without insurance outcomes (see "
                         "remittances/)",
    THERAPYNOTES_FILE: "TherapyNotes-style Billing Transactions workbook (serial dates, payment rows)",
    CLAIMS_DETAIL_FILE: "messy Claims Detail Report: title rows, Total row, glued modifiers, roster sheets",
    ROSTER_FILE: "clinician roster and payer enrollments, for the layouts that carry none",
    "manifest.csv": "every planted problem: family, problem, claim, and its row in each layout",
    "README.md": "this page",
}
# Written by `bhdash sample` after the layouts, where Chromium is installed. Not byte for byte like the
# rest: Chromium stamps each PDF with its creation time, and glyph shapes depend on the installed fonts.
EXAMPLE_REPORT_FILE = "example_report.pdf"
EXAMPLE_REPORT_NOTE = ("the consultant's report on the Claims Detail Report, as `bhdash report` writes "
                       "it (rebuilt by `bhdash sample`; not byte for byte: Chromium stamps the time)")


def write_manifest(practice: SamplePractice, path: Path, rows: dict[str, pd.Series]) -> None:
    """The planted-problem manifest with each line's row number in every layout (no patient data)."""
    manifest = practice.manifest.copy()
    position = manifest["source_row"] - 2
    for name, row_of_line in rows.items():
        manifest[f"row_{name}"] = position.map(row_of_line).astype("Int64")
    manifest["service_date"] = manifest["service_date"].dt.strftime("%Y-%m-%d")
    manifest["line_no"] = manifest["line_no"].astype("Int64")
    manifest.drop(columns=["source_row"]).to_csv(path, index=False, lineterminator="\n")


def write_sample(practice: SamplePractice, out_dir: Path) -> dict[str, Path]:
    """Write every layout, the roster, the manifest and the README into `out_dir`."""
    from bhdash.sample.readme import render_readme

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in LAYOUT_FILES}
    rows = {
        "simplepractice": write_simplepractice(practice, paths[SIMPLEPRACTICE_FILE]),
        "therapynotes": write_therapynotes(practice, paths[THERAPYNOTES_FILE]),
        "claims_detail": write_claims_detail(practice, paths[CLAIMS_DETAIL_FILE]),
    }
    write_roster(practice, paths[ROSTER_FILE])
    write_manifest(practice, paths["manifest.csv"], rows)
    paths[REMIT_FOLDER] = write_remittances(practice, out_dir)
    listed = {**LAYOUT_FILES, f"{REMIT_FOLDER}/": REMIT_DESCRIPTION, EXAMPLE_REPORT_FILE: EXAMPLE_REPORT_NOTE}
    paths["README.md"].write_text(render_readme(practice, listed), encoding="utf-8")
    return paths
