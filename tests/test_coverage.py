import pandas as pd

from bhdash.coverage import Coverage, coverage
from bhdash.model import Roster
from bhdash.rules import run_checks


def test_skipped_checks_are_counted_and_the_missing_data_named_most_rules_first() -> None:
    claims = pd.DataFrame({
        "source_row": [2], "patient_id": ["P1"], "procedure_code": ["90834"], "payer": ["Aetna"],
        "service_date": pd.to_datetime(["2026-01-02"]), "charge": [150.0], "clinician_name": ["Sam Lee"],
        "modifier_1": pd.Series([None], dtype="object"),
    })
    result = run_checks(claims)
    summary = coverage(result.rules, claims, Roster())
    skipped = int((result.rules["status"] == "skipped").sum())
    assert (summary.total, summary.skipped) == (len(result.rules), skipped)
    assert summary.missing[0] == "minutes"
    assert "diagnoses" in summary.missing
    assert summary.message.startswith(
        f"{skipped} of {len(result.rules)} checks could not run on this export (no minutes, ")


def test_no_message_when_every_check_ran() -> None:
    assert Coverage(total=65, skipped=0, missing=()).message == ""
    assert Coverage(total=65, skipped=2, missing=("minutes", "diagnoses")).message == (
        "2 of 65 checks could not run on this export (no minutes or diagnoses)")
