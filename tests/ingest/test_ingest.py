"""End-to-end ingestion of each vendor layout and each trap, on fixtures built here (fake names)."""

import datetime as dt

import pandas as pd
import pytest

from bhdash.errors import InputFileError
from bhdash.ingest import ingest
from bhdash.model import CLAIM_COLUMNS
from tests.ingest.conftest import TEBRA, THERANEST


def _mapped(result) -> dict[str, str]:
    return {mapping.source_column: mapping.field for mapping in result.mapping}


def _assert_accounted(result):
    assert result.rows_read == len(result.claims) + len(result.skipped)
    assert list(result.claims.index) == list(range(len(result.claims)))
    assert set(result.claims.columns) <= set(CLAIM_COLUMNS)


def test_simplepractice_appointment_status(simplepractice_csv):
    result = ingest(simplepractice_csv)
    _assert_accounted(result)
    assert result.source.layout == "simplepractice_appointment_status"
    assert (result.source.sheet, result.source.header_row) == (None, 2)
    mapped = _mapped(result)
    assert mapped["Total Fee"] == "charge"
    assert mapped["Paid (2nd column)"] == "paid_amount"  # the insurance block, not the client block
    assert "Paid" not in mapped and "Charge" not in mapped
    claims = result.claims
    assert claims["source_row"].tolist() == [3, 4]
    assert claims["service_date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-08")]
    assert claims["procedure_code"].tolist() == ["90837", "90834"]
    assert claims["modifier_1"].iloc[0] == "95" and pd.isna(claims["modifier_1"].iloc[1])
    assert claims["clinician_name"].tolist() == ["Alex Kim", "Alex Kim"]
    assert claims["clinician_credential"].iloc[0] == "LCSW"
    assert claims["patient_name"].tolist() == ["Jane Doe", "Sam Poe"]
    assert claims["charge"].tolist() == [150.0, 1120.0]
    assert claims["paid_amount"].tolist() == [125.0, 0.0]
    assert claims["payer_type"].tolist() == ["commercial", "medicare"]
    assert claims["status"].tolist() == ["Paid", "Denied"]
    assert "minutes" not in claims and "clinician_npi" not in claims
    assert result.skipped[["row", "reason"]].values.tolist() == [
        [1, "title"],
        [5, "blank"],
        [6, "summary/total row"],
    ]


def _therapynotes_rows():
    header = [
        "Date",
        "Type",
        "Service Code",
        "Service Description",
        "Last Name",
        "First Name",
        "Clinician Name",
        "Primary Insurer Name",
        "Patient Amount Due",
        "Patient Amount Paid",
        "Insurance Amount Due",
        "Insurance Amount Paid",
        "Insurance Balance Status",
    ]
    return [
        header,
        [
            45296,
            "Appointment",
            "90837",
            "Psychotherapy 60",
            "Doe",
            "Jane",
            "Kim, Alex",
            "Aetna",
            20,
            -20,
            130,
            -125,
            "Paid",
        ],
        [45297, "Payment", None, "Insurance payment", "Doe", "Jane", None, "Aetna", 0, 0, 0, -125, None],
        [
            45299,
            "Appointment",
            "90834",
            "Psychotherapy 45",
            "Poe",
            "Sam",
            "Lee, Jordan",
            "Medicaid",
            0,
            0,
            110,
            0,
            "Denied",
        ],
    ]


def test_therapynotes_billing_transactions(workbook):
    path = workbook({"Billing Transactions": _therapynotes_rows()}, name="billing.xlsx")
    result = ingest(path)
    _assert_accounted(result)
    assert result.source.layout == "therapynotes_billing_transactions"
    assert result.source.sheet == "Billing Transactions"
    claims = result.claims
    assert claims["service_date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-08")]
    assert claims["patient_name"].tolist() == ["Jane Doe", "Sam Poe"]
    assert claims["clinician_name"].tolist() == ["Alex Kim", "Jordan Lee"]
    assert claims["paid_amount"].tolist() == [125.0, 0.0]  # TherapyNotes stores payments negative
    assert claims["charge"].tolist() == [150.0, 110.0]
    assert ("Patient Amount Due + Insurance Amount Due", "charge", "derived") in {
        (m.source_column, m.field, m.method) for m in result.mapping
    }
    assert result.skipped[["row", "reason", "category"]].values.tolist() == [
        [3, "non-service row (Type 'Payment')", "non-service"]
    ]
    assert not any("unmapped" in warning for warning in result.warnings)


def test_theranest_payroll(workbook):
    path = workbook(
        {
            "Payroll": [
                THERANEST,
                [
                    "Casey Park, LMFT",
                    "Jane Doe",
                    "P-1",
                    "Insurance EFT/ACH",
                    "Cigna",
                    "No",
                    98.5,
                    dt.datetime(2024, 2, 20),
                    dt.datetime(2024, 2, 1),
                    "90834",
                    140,
                ],
            ]
        }
    )
    result = ingest(path)
    _assert_accounted(result)
    assert result.source.layout == "theranest_payroll"
    row = result.claims.iloc[0]
    assert (row["clinician_name"], row["clinician_credential"], row["procedure_code"]) == (
        "Casey Park",
        "LMFT",
        "90834",
    )
    assert (row["charge"], row["paid_amount"], row["service_date"]) == (
        140.0,
        98.5,
        pd.Timestamp("2024-02-01"),
    )


def test_tebra_encounter_lines_derive_minutes_when_blank(workbook):
    header = ["Patient", "Rendering Provider", "NPI", *TEBRA, "POS"]
    path = workbook(
        {
            "Encounters": [
                header,
                [
                    "Jane Doe",
                    "Alex Kim",
                    1234567893,
                    "01/05/2024",
                    "01/05/2024",
                    "90837",
                    "95",
                    None,
                    None,
                    None,
                    1,
                    150,
                    150,
                    "F411",
                    "Z630",
                    None,
                    None,
                    "2:00 PM",
                    "2:58 PM",
                    None,
                    2,
                ],
                [
                    "Sam Poe",
                    "Alex Kim",
                    1234567893,
                    "01/06/2024",
                    "01/06/2024",
                    "90834-GT",
                    "GT",
                    "HO",
                    None,
                    None,
                    1,
                    120,
                    120,
                    "F32.A",
                    None,
                    None,
                    None,
                    "09:00",
                    "09:45",
                    45,
                    "11",
                ],
            ]
        }
    )
    result = ingest(path)
    _assert_accounted(result)
    assert result.source.layout == "tebra_encounter_lines"
    claims = result.claims
    assert claims["minutes"].tolist() == [58.0, 45.0]
    assert claims["start_time"].iloc[0] == pd.Timedelta(hours=14)
    assert claims["dx_1"].tolist() == ["F41.1", "F32.A"]
    assert claims["dx_2"].iloc[0] == "Z63.0"
    assert claims["clinician_npi"].tolist() == ["1234567893", "1234567893"]
    assert claims["pos"].tolist() == ["02", "11"]
    assert claims[["modifier_1", "modifier_2"]].fillna("").values.tolist() == [["95", ""], ["GT", "HO"]]


def test_unknown_layout_maps_by_synonym_and_fuzzy(csv_file):
    path = csv_file(
        [
            "Date of Servce;Patient Name;Rendering Provider;CPT Code;Payer;Billed Amount;Diagnosis/es",
            "2024-03-04;Jane Doe;Alex Kim;90837;Aetna;$150.00;F411, F32A",
        ],
        name="export.csv",
    )
    result = ingest(path)
    _assert_accounted(result)
    assert result.source.layout is None
    by_field = {m.field: m for m in result.mapping}
    assert (by_field["service_date"].source_column, by_field["service_date"].method) == (
        "Date of Servce",
        "fuzzy",
    )
    assert 0.8 <= by_field["service_date"].confidence < by_field["procedure_code"].confidence
    assert result.claims[["dx_1", "dx_2"]].values.tolist() == [["F41.1", "F32.A"]]


def test_mapping_override_and_unmapped_warning(csv_file):
    path = csv_file(
        [
            "Visit Day,Code,Session Start,Session Stop,Notes",
            "2024-03-04,90837,10:00,10:55,fine",
        ],
        name="custom.csv",
    )
    with pytest.raises(InputFileError) as caught:
        ingest(path)
    assert "needed service_date" in str(caught.value)
    result = ingest(
        path,
        mapping_overrides={"Visit Day": "service_date", "Code": "procedure_code", "Session Stop": "end_time"},
    )
    by_field = {m.field: m for m in result.mapping}
    assert by_field["service_date"].method == "override" and by_field["service_date"].confidence == 1.0
    assert by_field["start_time"].method == "synonym"
    assert by_field["minutes"].method == "derived"
    assert result.claims["minutes"].tolist() == [55.0]
    assert "unmapped columns (not used): Notes" in result.warnings


def test_override_naming_a_missing_column_or_field_is_an_input_error(csv_file):
    path = csv_file(["Date of Service,CPT Code", "2024-03-04,90837"])
    with pytest.raises(InputFileError) as caught:
        ingest(path, mapping_overrides={"Session Start": "start_time"})
    assert caught.value.column == "Session Start"
    with pytest.raises(InputFileError) as caught:
        ingest(path, mapping_overrides={"CPT Code": "cpt"})
    assert "not a canonical field" in str(caught.value)


def test_serial_dates_dotless_icd_npi_numbers_and_names_in_both_orders(workbook):
    path = workbook(
        {
            "Claims": [
                ["Claim Report"],
                [],
                [
                    "DOS",
                    "Patient",
                    "DOB",
                    "Provider",
                    "Rendering NPI",
                    "CPT",
                    "Modifier",
                    "Dx1",
                    "Charge",
                    "Member ID",
                ],
                [
                    45296,
                    "DOE, JANE",
                    "1/2/1980",
                    "KIM, ALEX LCSW",
                    1234567893.0,
                    "HC:90837:GT",
                    "95",
                    "F411",
                    "$150.00",
                    None,
                ],
                [
                    dt.datetime(2024, 1, 6),
                    "Jane Doe",
                    dt.datetime(1980, 1, 2),
                    "Alex Kim",
                    None,
                    "90834 95",
                    "95",
                    "f32a",
                    "(10.00)",
                    "M-77",
                ],
                ["Total", None, None, None, None, None, None, None, "$140.00", None],
            ]
        }
    )
    result = ingest(path)
    _assert_accounted(result)
    claims = result.claims
    assert result.source.header_row == 3
    assert claims["service_date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-06")]
    assert claims["clinician_npi"].iloc[0] == "1234567893"
    assert claims[["modifier_1", "modifier_2"]].fillna("").values.tolist() == [["GT", "95"], ["95", ""]]
    assert claims["dx_1"].tolist() == ["F41.1", "F32.A"]
    assert claims["charge"].tolist() == [150.0, -10.0]
    assert claims["patient_name"].tolist() == ["Jane Doe", "Jane Doe"]
    assert claims["patient_id"].iloc[1] == "M-77"
    assert claims["patient_id"].iloc[0].startswith("P")
    assert result.skipped[["row", "reason"]].values.tolist() == [
        [1, "title"],
        [2, "blank"],
        [6, "summary/total row"],
    ]


def test_same_patient_key_for_both_name_orders(csv_file):
    path = csv_file(
        [
            "Date of Service,Client,Date of Birth,CPT Code",
            '2024-01-05,"Doe, Jane",1980-01-02,90837',
            "2024-01-12,Jane Doe,01/02/1980,90837",
            "2024-01-12,Jane Doe,01/03/1980,90837",
        ]
    )
    ids = ingest(path).claims["patient_id"].tolist()
    assert ids[0] == ids[1] != ids[2]


def test_roster_file_matches_by_npi_then_name(csv_file, workbook):
    claims = csv_file(
        [
            "Date of Service,Clinician,NPI,CPT Code,Payer",
            '2024-01-05,"KIM, ALEX",,90837,Aetna',
            "2024-01-05,Dr. Someone,1245319599,90834,Aetna",
            "2024-01-06,Pat Unknown,,90834,Aetna",
        ]
    )
    roster = workbook(
        {
            "Staff": [
                ["Name", "Credential", "NPI", "Taxonomy"],
                ["Alex Kim", "LCSW", 1234567893, "1041C0700X"],
                ["Jordan Lee", "PMHNP-BC", 1245319599, "363LP0808X"],
            ]
        },
        name="roster.xlsx",
    )
    result = ingest(claims, roster=roster)
    _assert_accounted(result)
    assert result.claims["clinician_name"].tolist() == ["Alex Kim", "Jordan Lee", "Pat Unknown"]
    assert result.claims["clinician_npi"].fillna("").tolist() == ["1234567893", "1245319599", ""]
    assert result.claims["clinician_credential"].fillna("").tolist() == ["LCSW", "PMHNP", ""]
    assert result.roster.clinicians["credential"].tolist() == ["LCSW", "PMHNP"]
    assert result.source.roster_file == "roster.xlsx"
    assert any("not found in the roster: Pat Unknown" in warning for warning in result.warnings)


def test_roster_file_without_roster_columns_is_an_input_error(csv_file):
    claims = csv_file(["Date of Service,CPT Code", "2024-01-05,90837"])
    roster = csv_file(["Fruit,Colour", "apple,red"], name="fruit.csv")
    with pytest.raises(InputFileError) as caught:
        ingest(claims, roster=roster)
    assert caught.value.file == "fruit.csv"
    assert "no roster columns" in str(caught.value)


def test_bytes_input_uses_given_filename(simplepractice_csv):
    result = ingest(simplepractice_csv.read_bytes(), "upload.csv")
    assert result.source.file == "upload.csv"
    assert set(result.skipped["file"]) == {"upload.csv"}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_repeated_and_blank_headers_reach_the_user_with_readable_names(kind, csv_file, tmp_path):
    rows = [
        ["Date of Service", "CPT Code", "Notes", "", "Notes", "Units"],
        ["2024-03-04", "90837", "first", "x", "second", "1"],
    ]
    if kind == "csv":
        path = csv_file([",".join(row) for row in rows])
    else:
        path = tmp_path / "claims.xlsx"
        pd.DataFrame(rows[1:], columns=rows[0]).to_excel(path, index=False)
    result = ingest(path)
    assert "unmapped columns (not used): Notes, Notes (2nd column)" in result.warnings
    shown = " ".join([*result.warnings, *(mapping.source_column for mapping in result.mapping)])
    assert "Unnamed" not in shown and "Notes.1" not in shown
    ignored = ingest(path, mapping_overrides={"Column D": "ignore"})
    assert ignored.claims["procedure_code"].tolist() == ["90837"]
