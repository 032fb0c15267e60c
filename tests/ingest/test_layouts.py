import pytest

from bhdash.ingest.headers import unique_headers
from bhdash.ingest.layouts import load_layouts, recognize_layout, resolve_columns
from tests.ingest.conftest import SIMPLEPRACTICE_HEADER, TEBRA, THERANEST

SIMPLEPRACTICE = unique_headers(SIMPLEPRACTICE_HEADER.split(","))
SIMPLEPRACTICE_OLD = [
    "Date of Service",
    "Client",
    "Clinician",
    "Billing Code",
    "Rate per Unit",
    "Units",
    "Total Fee",
    "Client Payment Status",
    "Charge",
    "Uninvoiced",
    "Paid",
    "Unpaid",
]
THERAPYNOTES = [
    "Date",
    "Type",
    "Service Code",
    "Last Name",
    "First Name",
    "Clinician Name",
    "Patient Amount Due",
    "Patient Amount Paid",
    "Insurance Amount Due",
    "Insurance Amount Paid",
]


@pytest.mark.parametrize(
    ("columns", "layout"),
    [
        (SIMPLEPRACTICE, "simplepractice_appointment_status"),
        (SIMPLEPRACTICE_OLD, "simplepractice_appointment_status"),
        ([name.lower() for name in THERAPYNOTES], "therapynotes_billing_transactions"),
        (THERANEST, "theranest_payroll"),
        (TEBRA[:-2], "tebra_encounter_lines"),
    ],
)
def test_vendor_fingerprints(columns, layout):
    assert recognize_layout(columns).id == layout


def test_generic_claims_header_is_no_vendor_layout():
    assert recognize_layout(["Date of Service", "CPT Code", "Client", "Units", "Charge"]) is None


def test_layout_columns_resolve_against_drifted_capitalisation():
    layout = recognize_layout([name.upper() for name in THERAPYNOTES])
    resolved = resolve_columns(layout, [name.upper() for name in THERAPYNOTES])
    assert resolved["SERVICE CODE"] == "procedure_code"


def test_every_layout_cites_a_source_and_maps_canonical_fields():
    from bhdash.model import CLAIM_COLUMNS

    for layout in load_layouts():
        assert layout.source
        assert set(layout.columns.values()) <= set(CLAIM_COLUMNS)
        assert set(layout.sums) <= set(CLAIM_COLUMNS)
