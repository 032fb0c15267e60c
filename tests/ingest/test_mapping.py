import pytest

from bhdash.errors import InputFileError
from bhdash.ingest.mapping import ColumnMapping, header_key, map_columns, validate_overrides


def test_header_key_ignores_case_punctuation_and_spacing():
    assert header_key(" Date_of  Service ") == header_key("date of service") == "date of service"


def test_exact_synonym_and_fuzzy_confidences_are_ordered():
    mappings = map_columns(["procedure_code", "Date of Service", "Rendring Provider"], "claims")
    assert mappings == [
        ColumnMapping("procedure_code", "procedure_code", 1.0, "exact"),
        ColumnMapping("Date of Service", "service_date", 0.95, "synonym"),
        ColumnMapping("Rendring Provider", "clinician_name", mappings[2].confidence, "fuzzy"),
    ]
    assert 0.79 < mappings[2].confidence < 0.95


def test_each_field_goes_to_one_column_first_duplicate_wins():
    mappings = map_columns(["Charge", "Charge (2nd column)", "Paid", "Unpaid"], "claims")
    assert [(m.source_column, m.field) for m in mappings] == [("Charge", "charge"), ("Paid", "paid_amount")]


def test_layout_columns_take_precedence_over_synonyms():
    mappings = map_columns(
        ["Total Fee", "Charge", "Paid", "Paid (2nd column)"],
        "claims",
        layout_columns={"Total Fee": "charge", "Paid (2nd column)": "paid_amount"},
        ignore=("Charge", "Paid"),
    )
    assert [(m.source_column, m.field) for m in mappings] == [
        ("Total Fee", "charge"),
        ("Paid (2nd column)", "paid_amount"),
    ]


def test_overrides_win_and_ignore_unmaps():
    mappings = map_columns(
        ["Session Start", "DOS", "Provider"],
        "claims",
        overrides={"DOS": "submitted_date", "Provider": "ignore"},
    )
    assert [(m.source_column, m.field, m.method) for m in mappings] == [
        ("Session Start", "start_time", "synonym"),
        ("DOS", "submitted_date", "override"),
    ]


def test_scopes_differ_for_npi():
    assert map_columns(["NPI"], "claims")[0].field == "clinician_npi"
    assert map_columns(["NPI"], "clinicians")[0].field == "npi"


def test_unrelated_columns_stay_unmapped():
    assert map_columns(["Favourite Colour", "Unpaid"], "claims") == []


def test_override_validation_names_the_column():
    with pytest.raises(InputFileError) as caught:
        validate_overrides({"Nope": "service_date"}, ["DOS"], "claims", "f.csv", None)
    assert (caught.value.file, caught.value.column) == ("f.csv", "Nope")
    with pytest.raises(InputFileError):
        validate_overrides({"DOS": "date"}, ["DOS"], "claims", "f.csv", None)
