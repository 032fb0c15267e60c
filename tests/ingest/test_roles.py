import datetime as dt

from bhdash.ingest import ingest
from bhdash.ingest.readers import read_sheets
from bhdash.ingest.roles import CLAIMS, CLINICIANS, ENROLLMENTS, analyse_sheet


def _multi_sheet(workbook):
    return workbook(
        {
            "Sheet3": [
                ["Provider", "Degree", "NPI", "License #", "License Expiration", "Supervisor"],
                ["Alex Kim", "LCSW", 1234567893, "LC-1", dt.datetime(2027, 1, 31), None],
                ["Grace Lee", "LPC-A", 1245319599, "LA-2", dt.datetime(2026, 6, 30), "Marcus Green"],
            ],
            "Data": [
                ["Claims export"],
                ["DOS", "Rendering Provider", "CPT", "Payer", "Charge"],
                [dt.datetime(2024, 1, 5), "LEE, GRACE", "90834", "Aetna", 120],
                [dt.datetime(2024, 1, 6), "Kim, Alex", "90837", "Cigna", 150],
            ],
            "Misc": [
                ["Clinician", "Insurance", "Effective Date", "Term Date", "Status"],
                ["Alex Kim", "Aetna", "2023-01-01", None, "Active"],
                ["Grace Lee", "Aetna", "01/15/2024", None, "Active"],
            ],
            "Notes": [["Free text"], ["nothing to see"]],
        },
        name="practice.xlsx",
    )


def test_sheet_roles_come_from_content_not_names(workbook):
    _, sheets = read_sheets(_multi_sheet(workbook))
    roles = {sheet.name: analyse_sheet(sheet).roles for sheet in sheets}
    assert roles == {"Sheet3": {CLINICIANS}, "Data": {CLAIMS}, "Misc": {ENROLLMENTS}, "Notes": set()}


def test_multi_sheet_workbook_yields_claims_and_roster(workbook):
    result = ingest(_multi_sheet(workbook))
    assert (result.source.sheet, result.source.header_row) == ("Data", 2)
    assert result.source.roster_sheets == ("Sheet3", "Misc")
    clinicians = result.roster.clinicians
    assert clinicians["clinician_name"].tolist() == ["Alex Kim", "Grace Lee"]
    assert clinicians["supervisor"].fillna("").tolist() == ["", "Marcus Green"]
    enrollments = result.roster.enrollments
    assert enrollments["effective_date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-01-01", "2024-01-15"]
    assert enrollments["npi"].tolist() == ["1234567893", "1245319599"]  # filled from the clinician sheet
    assert result.claims["clinician_name"].tolist() == ["Grace Lee", "Alex Kim"]
    assert result.claims["clinician_credential"].tolist() == ["LPC-A", "LCSW"]


def test_code_column_without_codes_is_not_claims(workbook):
    path = workbook(
        {
            "S": [
                ["Date", "Service", "Client"],
                ["2024-01-05", "Therapy session", "Jane Doe"],
                ["2024-01-06", "Intake", "Sam Poe"],
            ]
        }
    )
    _, sheets = read_sheets(path)
    assert analyse_sheet(sheets[0]).roles == set()


def test_a_combined_roster_sheet_is_both_clinicians_and_enrollments(workbook):
    path = workbook(
        {
            "Roster": [
                ["Clinician", "Credential", "NPI", "Payer", "Effective Date"],
                ["Alex Kim", "LCSW", 1234567893, "Aetna", "2023-01-01"],
            ]
        }
    )
    _, sheets = read_sheets(path)
    assert analyse_sheet(sheets[0]).roles == {CLINICIANS, ENROLLMENTS}
