"""One money model: every page, the CLI and the exports show the same dollars for the same selection.

The expectations are computed here from the analysis frames (`bhdash.money`), never pinned, so the test
holds whatever the rules find on the sample; it fails as soon as one place computes money its own way.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from bhdash import metrics, money, whatif
from bhdash.app import formatting
from bhdash.cli import app as cli
from bhdash.report import report_document, summary_table
from tests.app.conftest import SAMPLE, metric_values


def _cents(value: float) -> float:
    return round(float(value), 2)


def _selection(expected) -> tuple[metrics.Filters, pd.DataFrame, pd.DataFrame]:
    """The busiest payer: the filters, its claim lines and its findings."""
    claims = expected.analysis.claims
    payer = claims["payer"].value_counts().index[0]
    filters = metrics.Filters(payers=(payer,))
    return filters, metrics.filter_claims(claims, filters), metrics.filter_findings(
        expected.findings, claims, filters)


def test_library_figures_agree_to_the_cent(expected) -> None:
    analysis = expected.analysis
    filters, claims, findings = _selection(expected)
    risk = metrics.filter_lines(analysis.risk, analysis.claims, filters)
    chosen = money.summarize(analysis.risk, claims.index)
    assert chosen.certain > 0 and chosen.baseline > 0
    kpis = metrics.kpis(claims, findings, risk)
    assert _cents(kpis.money.at_risk) == _cents(chosen.at_risk)
    by_clinician = metrics.risk_by(claims, risk, findings, "clinician_name")
    for column, figure in (("amount_at_risk", chosen.at_risk), ("certain_loss", chosen.certain),
                           ("likely_loss", chosen.likely), ("baseline_loss", chosen.baseline)):
        assert _cents(by_clinician[column].sum()) == _cents(figure)
    assert _cents(metrics.monthly_trend(claims, findings, risk)["amount_at_risk"].sum()) == _cents(
        money.summarize(risk, claims.index[claims["service_date"].notna()]).at_risk)
    # dollars by family, by rule and per finding add up to the same total, no line counted twice
    unattributed = money.unattributed(risk, findings)
    by_family = metrics.findings_by_family(findings)["at_risk"].sum()
    by_rule = metrics.findings_by_rule(findings)["at_risk"].sum()
    assert _cents(by_family + unattributed) == _cents(by_rule + unattributed) == _cents(chosen.at_risk)
    # credentialing's dollars are the enrollment rules' dollars on Findings and Fix first
    rules = metrics.enrollment_rule_ids()
    outside = metrics.outside_enrollment(findings, rules)
    cards = metrics.fix_first(findings, count=100)
    assert _cents(outside["at_risk"].sum()) == _cents(
        cards.loc[cards["rule"].isin(rules), "amount_at_risk"].sum())


def test_report_exports_and_what_if_baseline_agree(expected) -> None:
    analysis = expected.analysis
    totals = analysis.money
    document = report_document(analysis)
    assert document["money"]["at_risk"] == _cents(totals.at_risk) == document["summary"]["amount_at_risk"]
    assert document["money"]["certain_loss"] == _cents(totals.certain)
    assert document["money"]["expected_ordinary_denials"] == _cents(totals.baseline)
    lines = pd.DataFrame(document["lines"])
    assert lines["amount_at_risk"].sum() == pytest.approx(totals.at_risk, abs=0.005 * len(lines))
    exported = summary_table(analysis)["at_risk"].sum() + document["money"]["not_tied_to_a_finding"]
    assert exported == pytest.approx(totals.at_risk, abs=0.01 * len(summary_table(analysis)))
    baseline = whatif.baseline_from_analysis(analysis)
    comparison = whatif.evaluate(baseline, whatif.Scenario(fix_families=["CRED"]))
    assert _cents(comparison.metrics.loc["dollars_at_risk", "baseline"]) == _cents(totals.at_risk)
    assert _cents(comparison.metrics.loc["baseline_loss", "baseline"]) == _cents(totals.baseline)
    assert comparison.metrics.loc["dollars_at_risk", "change"] < 0


def test_pages_show_the_same_dollars_for_the_same_selection(sample_app, expected) -> None:
    analysis = expected.analysis
    filters, claims, findings = _selection(expected)
    chosen = money.summarize(analysis.risk, claims.index)
    sample_app.multiselect(key="filter_clinicians").set_value([])
    sample_app.multiselect(key="filter_payers").set_value(list(filters.payers))
    try:
        shown = metric_values(sample_app.switch_page("pages/overview.py").run())
        assert shown[money.LABELS["at_risk"]] == formatting.money_short(chosen.at_risk)
        assert shown[money.LABELS["certain"]] == formatting.money_short(chosen.certain)
        assert shown[money.LABELS["baseline"]] == formatting.money_short(chosen.baseline)
        shown = metric_values(sample_app.switch_page("pages/denial_risk.py").run())
        assert shown[money.LABELS["at_risk"]] == formatting.money(chosen.at_risk)
        shown = metric_values(sample_app.switch_page("pages/findings.py").run())
        unattributed = money.unattributed(analysis.risk.loc[claims.index], findings)
        assert shown["At risk"] == formatting.money(chosen.at_risk - unattributed)
        captions = " ".join(caption.value for caption in sample_app.caption)
        assert f"also counts {formatting.money(unattributed)} on lines without any finding" in captions
        shown = metric_values(sample_app.switch_page("pages/credentialing.py").run())
        outside = metrics.outside_enrollment(findings, metrics.enrollment_rule_ids())
        assert shown["Billed outside enrollment"] == formatting.money(outside["at_risk"].sum())
        page = sample_app.switch_page("pages/clinicians.py").run()
        clinician = page.selectbox(key="clinicians_chosen").value
        own = claims.index[claims["clinician_name"] == clinician]
        assert metric_values(page)[money.LABELS["at_risk"]] == formatting.money(
            money.summarize(analysis.risk, own).at_risk)
    finally:
        sample_app.multiselect(key="filter_payers").set_value([]).run()
    page = sample_app.switch_page("pages/what_if.py").run()
    # The session keeps the scenario an earlier test chose: start from a blank one, i.e. today's practice.
    next(button for button in page.button if button.label == "A blank scenario").click().run()
    shown = metric_values(page)
    assert shown["At risk"] == formatting.money_short(analysis.money.at_risk)  # what-if: the whole practice


def test_cli_and_dashboard_give_the_same_findings_risk_and_dollars(sample_app, expected) -> None:
    result = CliRunner().invoke(cli, ["check", str(SAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    dashboard = sample_app.session_state["_loaded"].analysis
    assert dashboard.risk_model["status"] == document["model"]["status"] == "trained"
    assert dashboard.risk_model["auc"] == document["model"]["auc"]
    totals = dashboard.money.as_dict()
    assert document["money"]["at_risk"] == totals["at_risk"]
    assert document["money"]["certain_loss"] == totals["certain"]
    assert document["money"]["likely_loss"] == totals["likely"]
    assert document["money"]["expected_ordinary_denials"] == totals["baseline"]
    mine = dashboard.check.findings
    rows = [None if pd.isna(row) else int(row) for row in mine["row"]]
    assert [(finding["rule"], finding["row"]) for finding in document["findings"]] == list(
        zip(mine["rule"], rows, strict=True))
    lines = pd.DataFrame(document["lines"]).set_index("row")
    risk = dashboard.risk.set_index("row")
    pd.testing.assert_series_equal(lines["denial_risk"], risk["denial_risk"].round(4), check_names=False,
                                   check_dtype=False)
    pd.testing.assert_series_equal(lines["amount_at_risk"], risk["amount_at_risk"].round(2),
                                   check_names=False, check_dtype=False)
