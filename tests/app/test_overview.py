"""Overview on the sample practice: KPI tiles, the fix-first list and the four charts."""

from bhdash import metrics, money
from bhdash.app import formatting
from bhdash.coverage import coverage
from bhdash.model import FAMILY_NAMES
from tests.app.conftest import metric_values, plotly_figures


def test_overview_shows_the_practice_kpis(open_page, expected):
    app = open_page("pages/overview.py")
    kpis = expected.kpis
    shown = metric_values(app)
    assert shown["Claim lines"] == f"{len(expected.analysis.claims):,}"
    assert shown["Charges"] == formatting.money_short(kpis.charges)
    assert shown["Lines with no finding"] == f"{kpis.clean_line_share:.1%}"
    assert shown["Error lines"] == f"{kpis.lines_with_errors:,}"
    assert shown[money.LABELS["at_risk"]] == formatting.money_short(kpis.money.at_risk)
    assert shown[money.LABELS["certain"]] == formatting.money_short(kpis.money.certain)
    assert shown[money.LABELS["likely"]] == formatting.money_short(kpis.money.likely)
    assert shown[money.LABELS["baseline"]] == formatting.money_short(kpis.money.baseline)
    assert kpis.money.certain > 0 and kpis.money.baseline > 0
    assert kpis.lines_with_errors > 0 and kpis.dollars_at_risk > 0


def test_overview_lists_what_to_fix_first(open_page, expected):
    app = open_page("pages/overview.py")
    top = metrics.fix_first(expected.findings, count=6)
    text = " ".join(block.value for block in app.markdown)
    for title, amount in zip(top["title"], top["amount_at_risk"], strict=True):
        assert title in text
        assert f"{formatting.money(amount)} at risk" in text


def test_overview_draws_family_payer_clinician_and_trend_charts(open_page, expected):
    figures = plotly_figures(open_page("pages/overview.py"))
    assert len(figures) == 4
    titles = [figure["layout"]["title"]["text"] for figure in figures]
    assert titles == [
        "Findings by family and severity",
        "Dollars at risk by payer",
        "Dollars at risk by clinician",
        "Trend by service month",
    ]
    families = metrics.findings_by_family(expected.findings)["family"].map(FAMILY_NAMES).unique()
    drawn = {family for trace in figures[0]["data"] for family in trace["y"]}
    assert drawn == set(families)
    payers = expected.analysis.claims["payer"].dropna().unique()
    drawn_payers = figures[1]["data"][0]["customdata"]  # full names; the axis wraps long ones
    assert set(drawn_payers) <= {*payers, "(not given)"}
    assert len(drawn_payers) >= min(len(payers), 6)


def test_sidebar_payer_filter_narrows_every_number(open_page, expected):
    app = open_page("pages/overview.py")
    claims = expected.analysis.claims
    payer = claims["payer"].value_counts().index[0]
    app.multiselect(key="filter_payers").set_value([payer]).run()
    kept = claims[claims["payer"] == payer]
    findings = metrics.filter_findings(expected.findings, claims, metrics.Filters(payers=(payer,)))
    kpis = metrics.kpis(kept, findings, expected.analysis.risk.loc[kept.index])
    shown = metric_values(app)
    assert shown["Claim lines"] == f"{len(kept):,}"
    assert shown["Error lines"] == f"{kpis.lines_with_errors:,}"
    assert shown[money.LABELS["at_risk"]] == formatting.money_short(kpis.dollars_at_risk)
    assert any("Filtered:" in caption.value for caption in app.caption)
    app.multiselect(key="filter_payers").set_value([]).run()
    assert metric_values(app)["Claim lines"] == f"{len(claims):,}"


def test_overview_says_which_checks_could_not_run_above_the_numbers(open_page, expected):
    app = open_page("pages/overview.py")
    analysis = expected.analysis
    checked = coverage(analysis.check.rules, analysis.claims, analysis.roster)
    skipped = int((analysis.check.rules["status"] == "skipped").sum())
    assert checked.skipped == skipped
    if skipped:
        assert app.warning[0].value == (
            f"{checked.message}: the share of lines with no finding covers only what was checked."
        )
    else:
        assert not [warning for warning in app.warning if "could not run" in warning.value]
