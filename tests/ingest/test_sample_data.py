"""The committed sample practice reads cleanly: only non-service rows are skipped, and the planted
unreadable dates stay claim lines that carry the date as written."""

from pathlib import Path

import pandas as pd
import pytest

from bhdash.ingest import ingest

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
LAYOUTS = [
    ("simplepractice_appointment_status.csv", "simplepractice_appointment_status", "row_simplepractice"),
    ("therapynotes_billing_transactions.xlsx", "therapynotes_billing_transactions", "row_therapynotes"),
    ("claims_detail_report.xlsx", None, "row_claims_detail"),
]

pytestmark = pytest.mark.skipif(not (SAMPLE / "manifest.csv").exists(), reason="sample_data not generated")


@pytest.fixture(scope="module")
def manifest() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "manifest.csv", dtype=str)


@pytest.fixture(scope="module")
def results() -> dict:
    return {filename: ingest(SAMPLE / filename, roster=SAMPLE / "roster.xlsx") for filename, _, _ in LAYOUTS}


@pytest.mark.parametrize(("filename", "layout", "row_column"), LAYOUTS)
def test_sample_files_keep_planted_unparseable_rows_as_claim_lines(
    manifest, results, filename, layout, row_column
):
    result = results[filename]
    assert result.source.layout == layout
    assert result.rows_read == len(result.claims) + len(result.skipped)
    planted = manifest[manifest["problem"] == "unparseable_date"]
    unread = result.claims[result.claims["service_date_raw"].notna()]
    assert sorted(unread["source_row"]) == sorted(planted[row_column].astype(int))
    assert list(unread["service_date_raw"]) == list(planted["raw_value"])
    assert unread["service_date"].isna().all()
    assert set(result.skipped["category"]) <= {"title", "summary/total", "non-service"}
    assert not [warning for warning in result.warnings if "not found in the roster" in warning]
    assert not [warning for warning in result.warnings if "unmapped" in warning]
    assert result.claims["clinician_credential"].notna().all()


def test_claims_detail_roster_sheets_found_by_content(results):
    result = results["claims_detail_report.xlsx"]
    assert result.source.header_row == 4
    assert len(result.source.roster_sheets) == 2
    assert result.roster.has_clinicians and result.roster.has_enrollments
    assert result.skipped_counts()["title"] == 3
    assert result.skipped_counts()["summary/total"] == 1


def test_the_three_layouts_hold_the_same_lines(results):
    counts = {filename: len(result.claims) for filename, result in results.items()}
    assert len(set(counts.values())) == 1, counts
