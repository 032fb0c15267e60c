import pandas as pd

from bhdash.ingest import ingest
from bhdash.ingest.roster import resolve_clinicians
from bhdash.model import Roster


def _roster() -> Roster:
    clinicians = pd.DataFrame(
        {
            "clinician_name": ["Alex Kim", "Jordan Lee"],
            "credential": ["LCSW", "PMHNP"],
            "npi": ["1234567893", "1245319599"],
        }
    ).astype("str")
    return Roster(clinicians=clinicians)


def test_npi_match_wins_over_a_different_name():
    claims = pd.DataFrame({"clinician_name": ["Alex Kim"], "clinician_npi": ["1245319599"]}).astype("str")
    assert resolve_clinicians(claims, _roster()) == []
    assert claims[["clinician_name", "clinician_credential"]].values.tolist() == [["Jordan Lee", "PMHNP"]]


def test_mistyped_npi_falls_back_to_the_name_and_is_kept_for_the_npi_checks():
    claims = pd.DataFrame({"clinician_name": ["KIM, ALEX"], "clinician_npi": ["1234567894"]}).astype("str")
    resolve_clinicians(claims, _roster())
    assert claims[["clinician_name", "clinician_npi", "clinician_credential"]].values.tolist() == [
        ["Alex Kim", "1234567894", "LCSW"]
    ]


def test_unmatched_clinicians_are_warned_about_once_each():
    claims = pd.DataFrame({"clinician_name": ["Pat Unknown", "Pat Unknown", "Alex Kim"]}).astype("str")
    warnings = resolve_clinicians(claims, _roster())
    assert warnings == ["2 claim lines name clinicians not found in the roster: Pat Unknown"]
    assert claims["clinician_npi"].fillna("").tolist() == ["", "", "1234567893"]


def test_no_roster_means_no_changes():
    claims = pd.DataFrame({"clinician_name": ["Alex Kim"]}).astype("str")
    assert resolve_clinicians(claims, Roster()) == []
    assert list(claims.columns) == ["clinician_name"]


def test_roster_sheets_from_workbook_and_roster_file_are_merged_without_duplicates(workbook):
    enrollment_rows = [["Clinician", "Payer", "Effective Date"], ["Alex Kim", "Aetna", "2023-01-01"]]
    claims = workbook(
        {
            "Claims": [["Date of Service", "Clinician", "CPT Code"], ["2024-01-05", "Alex Kim", "90837"]],
            "Enrollments": enrollment_rows,
        }
    )
    roster = workbook(
        {"Staff": [["Name", "Credential"], ["Alex Kim", "LCSW"]], "Payers": enrollment_rows},
        name="roster.xlsx",
    )
    result = ingest(claims, roster=roster)
    assert len(result.roster.enrollments) == 1
    assert result.roster.clinicians[["clinician_name", "credential"]].values.tolist() == [
        ["Alex Kim", "LCSW"]
    ]
    assert result.source.roster_sheets == ("Enrollments",)
    assert result.claims["clinician_credential"].tolist() == ["LCSW"]
