"""`bhdash check` on every sample layout: same lines, and exactly the planted problems it can see."""

from pathlib import Path

import pandas as pd
import pytest

from bhdash.analysis import Analysis, analyze
from bhdash.ingest import ingest

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
LAYOUTS = (
    "claims_detail_report.xlsx",
    "simplepractice_appointment_status.csv",
    "therapynotes_billing_transactions.xlsx",
)
# Measured to the submitted date where the export has one, else to the as-of date (issue 3 §3), so
# the vendor layouts without a submitted date legitimately see more lines near or past the window.
DEPENDS_ON_SUBMITTED_DATE = {"TIMELY-001", "TIMELY-002"}
# The vendor layouts carry no NPI column: their lines take the roster's NPI, so the planted NPI typos
# (which live in the claims detail export) cannot be seen there.
DEPENDS_ON_EXPORTED_NPI = {"NPI-001", "NPI-002"}


@pytest.fixture(scope="module")
def analyses() -> dict[str, Analysis]:
    return {
        name: analyze(ingest(SAMPLE / name, roster=SAMPLE / "roster.xlsx"), as_of="2026-11-15")
        for name in LAYOUTS
    }


@pytest.fixture(scope="module")
def manifest() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "manifest.csv", dtype=str)


def test_every_layout_yields_the_same_claim_lines(analyses: dict[str, Analysis]) -> None:
    assert {name: len(result.claims) for name, result in analyses.items()} == dict.fromkeys(LAYOUTS, 21767)


def test_claims_detail_findings_are_exactly_the_planted_rows(
    analyses: dict[str, Analysis], manifest: pd.DataFrame
) -> None:
    result = analyses["claims_detail_report.xlsx"]
    findings = result.check.findings.dropna(subset=["row"])
    assert not set(result.skipped["row"]) & set(result.claims["source_row"])
    planted = manifest.dropna(subset=["row_claims_detail"])
    for family, rows in planted.groupby("family")["row_claims_detail"]:
        expected = {int(row) for row in rows}
        flagged = set(findings.loc[findings["family"] == family, "row"].astype(int))
        assert flagged == expected, family
    unparseable = planted[planted["problem"] == "unparseable_date"]
    quoted = findings[findings["rule"] == "DATA-002"].set_index("row")["message"]
    assert {int(row): quoted[int(row)] for row in unparseable["row_claims_detail"]} == {
        int(row): f"Date of service '{value}' could not be read."
        for row, value in zip(unparseable["row_claims_detail"], unparseable["raw_value"], strict=True)
    }


def test_norm_outliers_are_the_planted_clinicians(analyses: dict[str, Analysis]) -> None:
    for result in analyses.values():
        norm = result.check.findings[result.check.findings["family"] == "NORM"]
        assert set(norm["clinician"]) == {"Ellen Brooks", "Priya Shah"}


def test_rules_that_run_on_every_layout_find_the_same_counts(analyses: dict[str, Analysis]) -> None:
    counts = pd.DataFrame({
        name: result.check.rules.set_index("id").query("status == 'ran'")["findings"]
        for name, result in analyses.items()
    }).dropna().drop(
        index=list(DEPENDS_ON_SUBMITTED_DATE | DEPENDS_ON_EXPORTED_NPI), errors="ignore")
    differing = counts[counts.nunique(axis=1) > 1]
    assert differing.empty, differing.to_string()
    assert len(counts) >= 30


def test_self_pay_lines_draw_no_finding_and_out_of_network_lines_only_the_info_note(
    analyses: dict[str, Analysis]
) -> None:
    for name, result in analyses.items():
        claims, findings = result.claims, result.check.findings.dropna(subset=["row"])
        self_pay = set(claims.loc[claims["payer"] == "Self Pay", "source_row"])
        out_of_network = set(claims.loc[claims["payer"] == "Anthem Blue Cross", "source_row"])
        assert (len(self_pay), len(out_of_network)) == (21, 16), name
        on_self_pay = findings[findings["row"].isin(self_pay)]
        assert on_self_pay.empty, (name, on_self_pay[["row", "rule"]].to_string())
        # Without a submitted date the filing window runs to the as-of date, here as on every other line.
        layout_dependent = set() if name == "claims_detail_report.xlsx" else DEPENDS_ON_SUBMITTED_DATE
        on_oon = findings[findings["row"].isin(out_of_network) & ~findings["rule"].isin(layout_dependent)]
        assert set(on_oon["rule"]) == {"CRED-006"}, name
        assert set(on_oon["severity"]) == {"info"}, name
        assert set(on_oon["row"].astype(int)) == out_of_network, name
