"""Every rule's fixture cases: rows in, expected findings out (sqlfluff-style YAML cases, in TOML)."""

from __future__ import annotations

import pandas as pd
import pytest

from bhdash.payers import PayerDirectory
from bhdash.rules import REGISTRY, run_checks
from tests.rules.conftest import canonical_frame, fixture_roster, load_fixture_files

FIXTURES = load_fixture_files()
CASES = [
    pytest.param(rule_id, case, id=f"{rule_id}::{case['name']}")
    for rule_id, spec in FIXTURES.items()
    for case in spec["case"]
]


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_rule_fixture(rule_id: str, case: dict) -> None:
    claims = canonical_frame(case["rows"])
    for blank in case.get("blank_columns", []):
        claims[blank] = pd.Series(None, index=claims.index, dtype="object")
    before = claims.copy()
    payers = PayerDirectory.load(case["payers"].encode(), "payers.csv") if "payers" in case else None
    result = run_checks(
        claims, fixture_roster(case), as_of=case.get("as_of"), settings=case.get("settings"),
        payers=payers, select={rule_id},
    )
    status = result.rules.set_index("id").loc[rule_id]
    assert status["status"] == "ran", f"{rule_id} was skipped: {status['reason']}"
    findings = result.findings
    line_findings = findings[findings["line_index"].notna()]
    assert sorted(line_findings["line_index"].astype(int).tolist()) == sorted(case.get("expect", []))
    clinician_findings = findings[findings["line_index"].isna()]
    assert sorted(clinician_findings["clinician"].tolist()) == sorted(case.get("expect_clinicians", []))
    for fragment in case.get("expect_messages", []):
        assert findings["message"].str.contains(fragment, regex=False).any(), (
            f"no message contains {fragment!r}: {findings['message'].tolist()}")
    assumptions = findings["assumption"].dropna()
    for fragment in case.get("expect_assumptions", []):
        assert assumptions.str.contains(fragment, regex=False).any(), (
            f"no assumption contains {fragment!r}: {assumptions.tolist()}")
    if case.get("expect_no_assumption"):
        assert assumptions.empty, assumptions.tolist()
    pd.testing.assert_frame_equal(claims, before)


def test_every_rule_has_firing_and_quiet_fixture_cases() -> None:
    import bhdash.rules.catalogue  # noqa: F401

    for rule_id in REGISTRY:
        assert rule_id in FIXTURES, f"{rule_id} has no fixture file tests/rules/fixtures/{rule_id}.toml"
        cases = FIXTURES[rule_id]["case"]
        assert any(case.get("expect") or case.get("expect_clinicians") for case in cases), rule_id
        assert any(not case.get("expect") and not case.get("expect_clinicians") for case in cases), rule_id
