"""Code-centric families (CODE, TIME, ADDON, PTP, UNITS, DUP, AUDIT): what the TOML fixtures can't say.

Reference-table integrity (sources, confirmation flags, no double reporting between tables) and rule
robustness on frames where nothing applies.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bhdash.model import CLAIM_COLUMNS
from bhdash.reference import load_table
from bhdash.rules import REGISTRY, CheckContext, run_checks
from bhdash.rules.catalogue._shared import NO_GROUP, same_day_group
from tests.rules.conftest import canonical_frame

FAMILIES = ("CODE", "TIME", "ADDON", "PTP", "UNITS", "DUP", "AUDIT")
TABLES = ("codes.csv", "addon_primaries.csv", "addon_conflicts.csv", "ptp_pairs.csv", "mue.csv",
          "modifiers.csv")
CLAIM_FIELDS_ONLY = tuple(column for column in CLAIM_COLUMNS if column != "source_row")


@pytest.mark.parametrize("name", TABLES)
def test_reference_rows_carry_source_dates_and_confirmation(name: str) -> None:
    table = load_table(name)
    assert {"source", "effective_from", "effective_to", "confirmed"} <= set(table.columns)
    assert table["source"].notna().all()
    assert set(table["confirmed"]) <= {"yes", "no"}


def test_codes_table_has_one_row_per_code() -> None:
    codes = load_table("codes.csv")
    assert not codes["code"].duplicated().any()


def test_addon_conflicts_never_repeat_a_ptp_pair() -> None:
    """A pair enforced by PTP must not be reported again by ADDON on either line."""
    ptp = load_table("ptp_pairs.csv")
    ptp_pairs = set(zip(ptp["column_1"], ptp["column_2"], strict=True))
    ptp_pairs |= {(second, first) for first, second in ptp_pairs}
    conflicts = load_table("addon_conflicts.csv")
    overlap = {pair for pair in zip(conflicts["addon"], conflicts["code"], strict=True) if pair in ptp_pairs}
    assert overlap == set()


def test_unconfirmed_facts_never_drive_error_rules() -> None:
    """Severity split: rules fed by unconfirmed rows are warnings (ADDON-006, PTP-005, TIME-007, CODE-007)."""
    for rule_id in ("ADDON-006", "PTP-005", "TIME-007", "CODE-007", "UNITS-003"):
        assert REGISTRY[rule_id].severity == "warning"


def test_same_day_group_needs_every_key_part() -> None:
    claims = canonical_frame([
        {"patient_id": "P1", "service_date": "2026-03-02", "clinician_name": "Alex Kim"},
        {"patient_id": "P1", "service_date": "2026-03-02", "clinician_name": "Alex Kim"},
        {"patient_id": "P1", "service_date": "2026-03-02", "clinician_name": "Dr. Lee"},
        {"patient_id": "P1", "service_date": "2026-03-03", "clinician_name": "Alex Kim"},
        {"service_date": "2026-03-02", "clinician_name": "Alex Kim"},
    ])
    groups = same_day_group(CheckContext(as_of=pd.Timestamp("2026-03-31"), claims=claims)).tolist()
    assert groups[0] == groups[1]
    assert len({groups[0], groups[2], groups[3]}) == 3
    assert groups[4] == NO_GROUP


def _my_rules(result) -> pd.DataFrame:
    return result.rules[result.rules["family"].isin(FAMILIES)]


def test_every_rule_runs_quietly_on_lines_it_does_not_concern() -> None:
    claims = canonical_frame([
        {"patient_id": "P1", "service_date": "2026-03-02", "clinician_name": "Alex Kim", "payer": "Aetna",
         "procedure_code": "90791", "modifier_1": "95", "units": 1, "minutes": 60, "start_time": "09:00",
         "end_time": "10:00", "charge": 200},
    ], CLAIM_FIELDS_ONLY)
    result = run_checks(claims, select=set(FAMILIES))
    ran = _my_rules(result)
    assert len(ran) == 39
    assert ran["status"].eq("ran").all()
    assert result.findings.empty


def test_every_rule_survives_an_empty_frame() -> None:
    claims = canonical_frame([{"procedure_code": "90837", "service_date": "2026-03-02"}], CLAIM_FIELDS_ONLY)
    result = run_checks(claims.iloc[0:0], select=set(FAMILIES))
    assert result.findings.empty
    assert set(_my_rules(result)["status"]) == {"skipped"}


def test_findings_carry_charge_and_spreadsheet_row() -> None:
    claims = canonical_frame([
        {"source_row": 14, "patient_id": "P1", "service_date": "2026-03-02", "clinician_name": "Dr. Lee",
         "procedure_code": "90838", "minutes": 30, "charge": 180.0},
    ])
    findings = run_checks(claims, select={"TIME-001", "ADDON-001"}).findings
    assert sorted(findings["rule"]) == ["ADDON-001", "TIME-001"]
    assert findings["row"].tolist() == [14, 14]
    assert findings["amount"].tolist() == [180.0, 180.0]
