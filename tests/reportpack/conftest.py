"""Shared inputs for the report tests: the shipped sample practice analysed once, and a small practice in
another export layout written to disk (reading and checking take seconds, so each is built once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bhdash.analysis import Analysis, analyze
from bhdash.ingest import ingest
from bhdash.reportpack import find_browser
from bhdash.sample import generate_practice
from bhdash.sample.layouts import write_sample

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "claims_detail_report.xlsx"

needs_browser = pytest.mark.skipif(
    find_browser() is None, reason="the PDF needs Chromium (apt-get install chromium)"
)


@pytest.fixture(scope="session")
def sample_analysis() -> Analysis:
    return analyze(ingest(SAMPLE))


@pytest.fixture(scope="session")
def small_practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-month practice in every layout (TherapyNotes carries patient first and last names)."""
    out = tmp_path_factory.mktemp("small_practice")
    write_sample(generate_practice(months=2, seed=11), out)
    return out
