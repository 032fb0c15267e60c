"""The engine's contract: skipped is never passed, findings carry line context, selection works."""

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from bhdash.model import FINDING_COLUMNS, Roster
from bhdash.rules import REGISTRY, clinician_hits, hits, rule, run_checks


@pytest.fixture
def probe_rules() -> Iterator[None]:
    """Two throwaway rules, removed again so the catalogue meta-tests never see them."""

    @rule(id="PROBE-001", family="TIME", severity="error", title="Short 90837", rationale="r", fix="f",
          source="S4", needs=("procedure_code", "minutes"), effective_from="2026-01-01")
    def _short(claims: pd.DataFrame, ctx) -> pd.DataFrame:
        short = claims[(claims["procedure_code"] == "90837") & (claims["minutes"] < 53)]
        return hits(short.index, "90837 at " + short["minutes"].astype(int).astype(str) + " min")

    @rule(id="PROBE-002", family="CRED", severity="warning", title="Roster probe", rationale="r", fix="f",
          source="S1", needs=("clinician_name",), needs_roster=("clinicians",), clinician_level=True)
    def _roster(claims: pd.DataFrame, ctx) -> pd.DataFrame:
        names = ctx.roster.clinicians["clinician_name"]
        return clinician_hits(names, "seen " + names)

    yield
    for rule_id in ("PROBE-001", "PROBE-002"):
        REGISTRY.pop(rule_id, None)


def _claims() -> pd.DataFrame:
    return pd.DataFrame({
        "source_row": [5, 6, 7],
        "claim_id": ["C1", "C2", "C3"],
        "procedure_code": ["90837", "90834", "90837"],
        "minutes": [45.0, 45.0, 40.0],
        "charge": [150.0, 100.0, 150.0],
        "payer": ["Aetna", "Aetna", "Aetna"],
        "clinician_name": ["Alex Kim", "Alex Kim", "Bea Ruiz"],
        "service_date": pd.to_datetime(["2026-02-02", "2026-02-02", "2025-12-30"]),
    })


@pytest.mark.usefixtures("probe_rules")
def test_findings_carry_row_claim_and_amount_and_respect_effective_dates() -> None:
    result = run_checks(_claims(), select={"PROBE-001"})
    assert list(result.findings.columns) == list(FINDING_COLUMNS)
    assert len(result.findings) == 1  # the 2025 line predates the rule's effective date
    finding = result.findings.iloc[0]
    assert (finding["row"], finding["claim_id"], finding["clinician"], finding["amount"]) == (
        5, "C1", "Alex Kim", 150.0)
    assert finding["message"] == "90837 at 45 min"


@pytest.mark.usefixtures("probe_rules")
def test_rule_without_its_columns_or_roster_is_skipped_with_reason() -> None:
    claims = _claims().drop(columns="minutes")
    result = run_checks(claims, select={"PROBE-001", "PROBE-002"})
    status = result.rules.set_index("id")
    assert status.loc["PROBE-001", "status"] == "skipped"
    assert status.loc["PROBE-001", "reason"] == "missing column minutes"
    assert status.loc["PROBE-002", "reason"] == "no clinician roster"
    assert result.findings.empty


@pytest.mark.usefixtures("probe_rules")
def test_all_empty_column_counts_as_missing() -> None:
    claims = _claims().assign(minutes=float("nan"))
    status = run_checks(claims, select={"PROBE-001"}).rules.set_index("id")
    assert status.loc["PROBE-001", "reason"] == "no values in minutes"


@pytest.mark.usefixtures("probe_rules")
def test_clinician_level_findings_have_no_row() -> None:
    roster = Roster()
    roster.clinicians = pd.DataFrame({"clinician_name": ["Alex Kim"], "credential": ["LCSW"]})
    findings = run_checks(_claims(), roster, select={"PROBE-002"}).findings
    assert findings["row"].isna().all()
    assert findings["clinician"].tolist() == ["Alex Kim"]


@pytest.mark.usefixtures("probe_rules")
def test_select_by_family_and_ignore() -> None:
    ran = run_checks(_claims(), select={"TIME"}, ignore={"PROBE-001"}).rules
    assert "PROBE-001" not in set(ran["id"])
    assert set(ran["family"]) <= {"TIME"}


def test_unknown_payer_is_warned_once() -> None:
    claims = _claims().assign(payer=["Zeta Health", "Zeta Health", "Aetna"])
    warnings = run_checks(claims, select=set()).warnings
    assert len(warnings) == 1
    assert "Zeta Health" in warnings[0]
    assert "commercial" in warnings[0]


def test_rule_needing_a_roster_column_is_skipped_when_the_roster_lacks_it() -> None:
    roster = Roster()
    roster.clinicians = pd.DataFrame({"clinician_name": ["Alex Kim"], "credential": ["LCSW"]})
    status = run_checks(_claims(), roster, select={"CRED-001", "NPI-003"}).rules.set_index("id")
    assert status.loc["CRED-001", "status"] == "skipped"
    assert status.loc["CRED-001", "reason"] == "no license_expiration in the clinician roster"
    assert status.loc["NPI-003", "reason"] == "no npi in the clinician roster"


def test_unknown_payer_and_credential_warnings_name_the_rules_they_switch_off() -> None:
    claims = _claims().assign(payer=["Zeta Health", "Self-Pay", "Aetna"],
                              clinician_name="Jo Park", clinician_credential=["QMHP", "QMHP", "LPC"])
    warnings = run_checks(claims, select=set()).warnings
    assert warnings == [
        "Payer 'Zeta Health' is not in the payer table; using the commercial defaults; rules switched off "
        "for its 1 line(s): TIMELY-001 (its filing limit is an unconfirmed default, so late lines are "
        "warnings, not errors). Add it to a payer file to set its rules.",
        "Credential 'QMHP' (Jo Park) is not recognized and was kept as written; rules switched off for its "
        "2 line(s): SCOPE-001, SCOPE-002, SCOPE-004, SCOPE-005.",
    ]


def test_payer_rules_keep_quiet_on_self_pay_lines() -> None:
    claims = _claims().assign(payer=["Self-Pay", "Cash", "Aetna"], service_date=pd.Timestamp("2024-01-02"),
                              status="Unbilled")
    result = run_checks(claims, as_of="2026-06-30", select={"TIMELY"})
    assert result.findings["line_index"].tolist() == [2]


@pytest.fixture(scope="module")
def sample_lines():
    from bhdash.ingest import ingest

    return ingest(Path(__file__).resolve().parents[2] / "sample_data" / "claims_detail_report.xlsx")


@pytest.mark.parametrize("families", [{"CRED", "DX", "NORM", "TELE", "SCOPE", "TIMELY", "NPI"}, {"TIME"},
                                      {"UNITS", "DUP", "PTP"}])
def test_runs_of_disjoint_rule_selections_combine_into_the_single_run(sample_lines, families):
    from bhdash.rules.engine import combine_checks

    claims, roster = sample_lines.claims, sample_lines.roster
    single = run_checks(claims, roster)
    parts = [run_checks(claims, roster, ignore=families), run_checks(claims, roster, select=families)]
    combined = combine_checks(parts)
    pd.testing.assert_frame_equal(combined.findings, single.findings)
    untimed = ["id", "family", "severity", "title", "status", "reason", "findings"]
    pd.testing.assert_frame_equal(combined.rules[untimed], single.rules[untimed])
    assert combined.warnings == single.warnings
    assert len(single.findings) == 783


def test_a_selection_without_findings_combines_without_changing_the_columns(sample_lines):
    from bhdash.rules.engine import combine_checks

    claims, roster = sample_lines.claims, sample_lines.roster
    quiet = run_checks(claims, roster, select={"ADDON-002", "CODE-002"})
    assert quiet.findings.empty
    rest = run_checks(claims, roster, ignore={"ADDON-002", "CODE-002"})
    combined = combine_checks([quiet, rest])
    pd.testing.assert_frame_equal(combined.findings, run_checks(claims, roster).findings)
