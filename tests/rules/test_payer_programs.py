"""Correct claims of issue 15 §2–3 (self-pay, out of network, Medicare Advantage, Medicaid plans of
commercial brands) draw no error: one false error costs the client."""

import pandas as pd

from bhdash.model import Roster
from bhdash.rules import run_checks
from tests.rules.conftest import canonical_frame

_LINE = {"clinician_name": "Jo Park", "clinician_npi": "1234567893", "clinician_credential": "LCSW",
         "procedure_code": "90834", "minutes": 45, "units": 1, "pos": "11", "dx_1": "F41.1", "charge": 150}
CORRECT_LINES = [
    # self-pay, private pay, cash, sliding fee: never submitted, years old, telehealth without modifier
    {**_LINE, "patient_id": "P1", "payer": "Self-Pay", "service_date": "2024-01-02", "pos": "10"},
    {**_LINE, "patient_id": "P2", "payer": "Private Pay", "service_date": "2024-02-05", "pos": "02",
     "modifier_1": "GT"},
    {**_LINE, "patient_id": "P3", "payer": "Cash", "service_date": "2026-03-02"},
    {**_LINE, "patient_id": "P4", "payer": "Sliding Fee", "service_date": "2026-03-03"},
    # out of network on purpose (enrollment status OON / non-par)
    {**_LINE, "patient_id": "P5", "payer": "Cigna", "service_date": "2026-03-02",
     "submitted_date": "2026-03-04"},
    {**_LINE, "patient_id": "P6", "payer": "Anthem", "service_date": "2026-03-02",
     "submitted_date": "2026-03-04"},
    # Medicare Advantage: filed within the plan's year, telehealth with 95
    {**_LINE, "patient_id": "P7", "payer": "Humana Medicare Advantage", "service_date": "2025-04-01",
     "submitted_date": "2026-03-20", "pos": "10", "modifier_1": "95"},
    {**_LINE, "patient_id": "P8", "payer": "Wellcare", "service_date": "2026-03-02",
     "submitted_date": "2026-03-04"},
    # Medicaid plans of commercial brands, by name and by plan-type column, filed after 95 days
    {**_LINE, "patient_id": "P9", "payer": "UnitedHealthcare Community Plan", "service_date": "2026-01-02",
     "submitted_date": "2026-04-07", "pos": "02", "modifier_1": "95"},
    {**_LINE, "patient_id": "P10", "payer": "Aetna Better Health", "service_date": "2026-01-02",
     "submitted_date": "2026-04-07"},
    {**_LINE, "patient_id": "P11", "payer": "UHC", "payer_type": "medicaid", "service_date": "2026-01-02",
     "submitted_date": "2026-04-07"},
]


def _roster() -> Roster:
    clinicians = pd.DataFrame({
        "clinician_name": ["Jo Park"], "credential": ["LCSW"], "npi": ["1234567893"],
        "taxonomy": ["1041C0700X"], "license_expiration": pd.to_datetime(["2028-01-31"]),
    })
    enrollments = pd.DataFrame({
        "clinician_name": ["Jo Park"] * 6,
        "payer": ["Cigna", "Anthem", "Humana", "Wellcare", "UnitedHealthcare", "Aetna"],
        "status": ["OON", "Non-Participating", "Active", "Active", "Active", "Active"],
        "effective_date": pd.to_datetime(["2020-01-01"] * 6), "term_date": pd.to_datetime([pd.NaT] * 6),
    })
    return Roster(clinicians=clinicians, enrollments=enrollments)


def test_no_error_on_correct_self_pay_out_of_network_and_program_lines() -> None:
    result = run_checks(canonical_frame(CORRECT_LINES), _roster(), as_of="2026-06-30")
    errors = result.findings[result.findings["severity"] == "error"]
    assert errors[["rule", "row", "message"]].values.tolist() == []
    ran = set(result.rules.loc[result.rules["status"] == "ran", "id"])
    assert {"CRED-003", "TIMELY-001", "TELE-002", "CODE-006", "SCOPE-005"} <= ran


def test_out_of_network_lines_get_an_info_finding_only() -> None:
    result = run_checks(canonical_frame(CORRECT_LINES), _roster(), as_of="2026-06-30", select={"CRED"})
    noted = result.findings[result.findings["rule"] == "CRED-006"]
    assert noted["row"].tolist() == [6, 7] and set(noted["severity"]) == {"info"}
