"""The vendor layouts: same lines everywhere, each vendor's traps present, deterministic bytes, small."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bhdash.sample import SamplePractice
from bhdash.sample.layouts import (
    CLAIMS_DETAIL_FILE,
    CLAIMS_DETAIL_HEADER,
    EXAMPLE_REPORT_FILE,
    LAYOUT_FILES,
    ROSTER_FILE,
    SIMPLEPRACTICE_FILE,
    THERAPYNOTES_FILE,
)

COMMITTED = Path(__file__).resolve().parents[2] / "sample_data"
SIZE_BUDGET = 5 * 1024 * 1024
EXAMPLE_REPORT_BUDGET = 2 * 1024 * 1024


def test_committed_sample_is_exactly_what_bhdash_sample_writes(written: Path) -> None:
    for name in LAYOUT_FILES:
        assert (COMMITTED / name).read_bytes() == (written / name).read_bytes(), name


def test_sample_stays_under_the_size_budget(written: Path) -> None:
    assert sum((written / name).stat().st_size for name in LAYOUT_FILES) < SIZE_BUDGET
    assert sum((COMMITTED / name).stat().st_size for name in LAYOUT_FILES) < SIZE_BUDGET


def test_committed_example_report_is_a_pdf_under_two_megabytes() -> None:
    """The example report is rebuilt by `bhdash sample` but not compared byte for byte: Chromium stamps
    each PDF with its creation time (see layouts.EXAMPLE_REPORT_FILE)."""
    report = (COMMITTED / EXAMPLE_REPORT_FILE).read_bytes()
    assert report.startswith(b"%PDF")
    assert len(report) < EXAMPLE_REPORT_BUDGET


def test_simplepractice_csv(written: Path, practice: SamplePractice) -> None:
    frame = pd.read_csv(written / SIMPLEPRACTICE_FILE, dtype=str)
    assert len(frame) == len(practice.claims)
    assert not {"Insurance Payment Status", "Paid.1", "Write Off"} & set(frame.columns)  # outcomes: 835s
    assert not {"Minutes", "NPI", "POS"} & set(frame.columns)
    assert (frame["Billing Code"] == practice.claims["procedure_code"]).all()
    bad = practice.manifest.loc[practice.manifest["problem"] == "unparseable_date", "source_row"]
    assert set(frame.loc[bad.astype(int) - 2, "Date of Service"]) == {"2/30/2026"}


def test_therapynotes_workbook(written: Path, practice: SamplePractice) -> None:
    frame = pd.read_excel(written / THERAPYNOTES_FILE, sheet_name="Billing Transactions", engine="calamine")
    appointments = frame[frame["Type"] == "Appointment"]
    payments = frame[frame["Type"] != "Appointment"]
    assert len(appointments) == len(practice.claims)
    assert len(payments) == int((practice.claims["status"] == "Paid").sum())
    assert (payments["Insurance Amount Paid"] < 0).all()
    serials = pd.to_numeric(appointments["Date"], errors="coerce")
    assert serials.notna().sum() == len(practice.claims) - 3
    assert serials.between(45962, 46326).all() or serials.dropna().between(45962, 46326).all()
    assert appointments["Clinician Name"].str.fullmatch(r"[A-Za-z]+, [A-Za-z]+").all()


def test_claims_detail_report_traps(written: Path, practice: SamplePractice) -> None:
    raw = pd.read_excel(written / CLAIMS_DETAIL_FILE, sheet_name=None, header=None, engine="calamine")
    assert list(raw) == ["Claims Detail", "Staff", "Payer Participation"]
    sheet = raw["Claims Detail"]
    assert sheet.iloc[0, 0] == "Lakeview Behavioral Health" and sheet.iloc[1:3, 1:].isna().all().all()
    assert tuple(sheet.iloc[3]) == CLAIMS_DETAIL_HEADER
    body = sheet.iloc[4:-1].reset_index(drop=True)
    body.columns = CLAIMS_DETAIL_HEADER
    assert len(body) == len(practice.claims)
    assert (body["Claim ID"] == practice.claims["claim_id"]).all()
    total = sheet.iloc[-1]
    assert total.iloc[0] == "Total" and total.iloc[22] == pytest.approx(practice.claims["charge"].sum())
    assert body["CPT"].str.contains("-").any()
    assert body["Dx 1"].str.fullmatch(r"F\d{3,}").any() and body["Dx 1"].str.contains(".", regex=False).any()
    text_dates = body["DOS"].map(lambda value: isinstance(value, str))
    assert 1000 < text_dates.sum() < len(body) - 1000
    assert body["Rendering NPI"].map(lambda v: isinstance(v, int | float | np.integer)).all()
    assert body["Rendering Provider"].str.fullmatch(r"[A-Z]+, [A-Z]+ [A-Z-]+").all()


def test_workbooks_read_the_same_with_openpyxl(written: Path) -> None:
    """Cell references are dropped to save space; both readers must still place every cell."""
    for name, sheet in ((CLAIMS_DETAIL_FILE, "Claims Detail"), (THERAPYNOTES_FILE, "Billing Transactions"),
                        (ROSTER_FILE, "Enrollments")):
        fast = pd.read_excel(written / name, sheet_name=sheet, header=None, engine="calamine", nrows=300)
        slow = pd.read_excel(written / name, sheet_name=sheet, header=None, engine="openpyxl", nrows=300)
        pd.testing.assert_frame_equal(fast.astype(str), slow.astype(str), check_dtype=False)


def test_manifest_rows_point_at_the_same_line_in_every_layout(written: Path) -> None:
    manifest = pd.read_csv(written / "manifest.csv", dtype={"claim_id": str, "code": str})
    lined = manifest.dropna(subset=["row_claims_detail"])
    report = pd.read_excel(written / CLAIMS_DETAIL_FILE, sheet_name="Claims Detail", header=None,
                           engine="calamine")
    claim_ids = report.iloc[lined["row_claims_detail"].astype(int) - 1, 0]
    assert (claim_ids.to_numpy() == lined["claim_id"].to_numpy()).all()
    notes = pd.read_excel(written / THERAPYNOTES_FILE, header=None, engine="calamine")
    codes = notes.iloc[lined["row_therapynotes"].astype(int) - 1, 2].astype(str)
    assert (codes.to_numpy() == lined["code"].astype(str).to_numpy()).all()
    assert "patient" not in " ".join(manifest.columns).lower()
