"""The PTP and MUE tables are versioned: an edit or limit applies only on dates inside its row's window."""

from __future__ import annotations

import pandas as pd
import pytest

from bhdash.rules import run_checks
from bhdash.rules.catalogue import ptp, units
from tests.rules.conftest import canonical_frame


def _dated(rows: list[dict[str, object]]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    for column in ("effective_from", "effective_to"):
        table[column] = pd.to_datetime(table[column])
    return table


def _visit(day: str, patient: str, code: str, start: str = "09:00") -> dict[str, str]:
    return {"patient_id": patient, "service_date": day, "clinician_name": "Dr. Lee", "procedure_code": code,
            "payer": "Medicare", "start_time": start}


def test_ptp_edit_applies_only_inside_its_window(monkeypatch: pytest.MonkeyPatch) -> None:
    edits = _dated([{"column_1": "90832", "column_2": "90839", "modifier_indicator": 0, "confirmed": True,
                     "effective_from": "2021-01-01", "effective_to": "2024-12-31"}])
    monkeypatch.setattr(ptp, "_ptp", lambda: edits)
    claims = canonical_frame([
        _visit("2020-12-31", "P1", "90832"), _visit("2020-12-31", "P1", "90839"),
        _visit("2022-06-01", "P2", "90832"), _visit("2022-06-01", "P2", "90839"),
        _visit("2025-01-02", "P3", "90832"), _visit("2025-01-02", "P3", "90839"),
    ])
    found = run_checks(claims, select={"PTP-001"}).findings
    assert found["line_index"].tolist() == [3]


def test_mue_value_in_force_on_the_date_of_service(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = _dated([
        {"code": "90837", "mue": "2", "mai": "3", "confirmed": True, "effective_from": None,
         "effective_to": "2024-12-31"},
        {"code": "90837", "mue": "1", "mai": "3", "confirmed": True, "effective_from": "2025-01-01",
         "effective_to": None},
    ])
    limits["mue"] = limits["mue"].astype("float64")
    limits["mai"] = limits["mai"].astype("int64")
    monkeypatch.setattr(units, "_mue_rows", lambda: limits)
    claims = canonical_frame([
        _visit("2024-12-31", "P1", "90837"), _visit("2024-12-31", "P1", "90837", "14:00"),
        _visit("2025-01-02", "P2", "90837"), _visit("2025-01-02", "P2", "90837", "14:00"),
    ])
    found = run_checks(claims, select={"UNITS-001"}).findings
    assert found["line_index"].tolist() == [3]
    assert found["message"].iloc[0].endswith("the Medicare MUE is 1 per day for this patient (MAI 3)")
