"""The sample layouts through real ingestion: the same lines come back, only non-service rows are skipped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bhdash.ingest import ingest
from bhdash.sample import SamplePractice
from bhdash.sample.layouts import CLAIMS_DETAIL_FILE, ROSTER_FILE, SIMPLEPRACTICE_FILE, THERAPYNOTES_FILE

pytestmark = pytest.mark.slow
COMPARED = ("claim_id", "procedure_code", "modifier_1", "modifier_2", "clinician_npi", "pos", "dx_1", "dx_2",
            "service_date", "submitted_date", "units", "minutes", "charge", "status", "denial_reason")


def _unparseable(result) -> pd.DataFrame:
    return result.claims[result.claims["service_date_raw"].notna()]


def test_claims_detail_reads_back_as_the_canonical_truth(written: Path, practice: SamplePractice) -> None:
    result = ingest(written / CLAIMS_DETAIL_FILE)
    truth = practice.claims.reset_index(drop=True)
    read = result.claims.reset_index(drop=True)
    assert len(read) == len(truth)
    assert len(_unparseable(result)) == 3
    assert set(result.skipped_counts()) == {"title", "summary/total"}
    for column in COMPARED:
        expected, actual = truth[column], read[column]
        same = (expected.astype(str) == actual.astype(str)) | (expected.isna() & actual.isna())
        assert same.all(), column
    assert len(result.roster.clinicians) == 12 and len(result.roster.enrollments) == len(
        practice.roster.enrollments)


@pytest.mark.parametrize("name", [SIMPLEPRACTICE_FILE, THERAPYNOTES_FILE])
def test_vendor_layouts_keep_every_line(name: str, written: Path, practice: SamplePractice) -> None:
    result = ingest(written / name, roster=written / ROSTER_FILE)
    assert len(result.claims) == len(practice.claims)
    assert _unparseable(result)["service_date_raw"].tolist() == ["2/30/2026"] * 3
    resolved = result.claims["clinician_name"].isin(practice.roster.clinicians["clinician_name"])
    assert resolved.all()
    assert (result.claims["procedure_code"].value_counts().sort_index()
            == practice.claims["procedure_code"].value_counts().sort_index()).all()
