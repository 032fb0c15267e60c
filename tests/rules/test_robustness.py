"""Every rule survives the gaps real exports have: blank cells anywhere, or a column missing entirely."""

import pandas as pd
import pytest

from bhdash.model import Roster
from bhdash.rules import REGISTRY, run_checks
from tests.rules.conftest import canonical_frame

ROWS = [
    {
        "patient_id": "P1",
        "service_date": "2026-02-02",
        "clinician_name": "Ana Ruiz",
        "clinician_npi": "1234567893",
        "clinician_credential": "LCSW",
        "payer": "Medicare",
        "payer_type": "medicare",
        "pos": "10",
        "procedure_code": "90833",
        "modifier_1": "93",
        "units": 2,
        "start_time": "09:00",
        "end_time": "09:20",
        "minutes": 20,
        "dx_1": "Z63.0",
        "charge": 120,
        "submitted_date": "2026-02-03",
    },
    {
        "patient_id": "P1",
        "service_date": "2026-02-02",
        "clinician_name": "Ana Ruiz",
        "procedure_code": None,
        "payer": "Medicare",
        "pos": "10",
        "modifier_1": None,
        "dx_1": None,
        "charge": None,
    },
    {
        "patient_id": "P2",
        "service_date": None,
        "clinician_name": None,
        "procedure_code": "90840",
        "payer": None,
        "pos": None,
        "units": None,
        "minutes": None,
        "dx_1": "F32",
    },
    {
        "patient_id": None,
        "service_date": "2026-02-03",
        "clinician_name": "Bo Chen",
        "clinician_credential": "LPC",
        "payer": "Zeta Health",
        "pos": "02",
        "procedure_code": "99214",
        "modifier_1": "XX",
        "units": 1,
        "start_time": "08:00",
        "end_time": "08:30",
        "minutes": 30,
        "dx_1": "F41.1",
        "charge": 90,
    },
    {  # a billed line whose values did not read: kept, with the export's text beside each field
        "patient_id": "P3",
        "service_date": None,
        "service_date_raw": "2/30/2026",
        "clinician_name": "Ana Ruiz",
        "payer": "Medicaid",
        "pos": None,
        "pos_raw": "Office?",
        "procedure_code": None,
        "procedure_code_raw": "9083",
        "modifier_1_raw": "XYZ",
        "units_raw": "two",
        "dx_1_raw": "296.32",
        "charge_raw": "lots",
    },
]


def _roster() -> Roster:
    return Roster(
        clinicians=pd.DataFrame(
            {
                "clinician_name": ["Ana Ruiz"],
                "credential": ["LCSW"],
                "npi": ["1234567893"],
                "license_expiration": pd.to_datetime(["2026-01-31"]),
                "taxonomy": [None],
            }
        ),
        enrollments=pd.DataFrame(
            {
                "clinician_name": ["Ana Ruiz"],
                "payer": ["Medicare"],
                "status": ["active"],
                "effective_date": pd.to_datetime(["2026-03-01"]),
                "term_date": [pd.NaT],
            }
        ),
    )


@pytest.mark.parametrize("dropped", [None, "service_date", "procedure_code", "payer", "patient_id"])
def test_every_rule_runs_on_gappy_lines(dropped: str | None) -> None:
    import bhdash.rules.catalogue  # noqa: F401

    claims = canonical_frame(ROWS)
    if dropped:
        claims = claims.drop(columns=dropped)
    result = run_checks(claims, _roster(), as_of="2026-06-30")
    assert set(result.rules["id"]) == set(REGISTRY)
    needing_dropped = {rule.id for rule in REGISTRY.values() if dropped in rule.needs}
    skipped = set(result.rules.loc[result.rules["status"] == "skipped", "id"])
    assert needing_dropped <= skipped
    assert result.findings["rule"].isin(set(result.rules.loc[result.rules["status"] == "ran", "id"])).all()


def test_lines_whose_every_value_is_unreadable_are_reported_not_skipped() -> None:
    import bhdash.rules.catalogue  # noqa: F401

    claims = canonical_frame(  # as ingestion gives them: each field's column beside its raw text
        [ROWS[-1], {**ROWS[-1], "patient_id": "P4", "dx_1_raw": "F4"}],
        ("charge", "modifier_1", "dx_1", "units"),
    )
    result = run_checks(claims, _roster(), as_of="2026-06-30")
    ran = set(result.rules.loc[result.rules["status"] == "ran", "id"])
    assert {"DATA-002", "CODE-002", "CODE-004", "DX-001", "DATA-005", "DATA-008"} <= ran
    messages = result.findings.groupby("rule")["message"].agg(list)
    assert messages["DATA-002"] == ["Date of service '2/30/2026' could not be read."] * 2
    assert sorted(messages["DX-001"]) == [
        "Diagnosis '296.32' is an ICD-9 code; claims need ICD-10-CM since 2015-10-01.",
        "Diagnosis 'F4' is not an ICD-10-CM code.",
    ]
    assert result.findings["row"].tolist() and set(result.findings["row"].dropna()) == {2, 3}
