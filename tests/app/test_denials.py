"""Denials on the sample practice: the page's dollars are the library's, preventable dollars shown."""

from bhdash import denials
from bhdash.app import formatting
from tests.app.conftest import metric_values, plotly_figures


def _expected_lines(expected):
    analysis = expected.analysis
    ran = set(analysis.check.rules.loc[analysis.check.rules["status"] == "ran", "family"])
    return denials.denied_lines(analysis.claims, analysis.check.findings, analysis.risk["expected_payment"],
                                ran_families=ran)


def test_denials_page_shows_denied_and_preventable_dollars(open_page, expected):
    app = open_page("pages/denials.py")
    figures = denials.summary(_expected_lines(expected))
    assert figures["denied_lines"] > 1000 and 0 < figures["preventable_share"] < 1
    shown = metric_values(app)
    assert shown["Denied"] == formatting.money(figures["denied_dollars"])
    assert shown["Preventable"] == formatting.money(figures["preventable_dollars"])
    titles = [figure["layout"]["title"]["text"] for figure in plotly_figures(app)]
    assert titles[0] == "Denied and underpaid dollars by payer reason (CARC)"
    assert len(titles) == 4
    preventable = next(table.value for table in app.dataframe
                       if "Would have been caught by" in table.value.columns)
    assert len(preventable) == figures["preventable_lines"]
    assert "caught_by" not in preventable.columns and "Claim" in preventable.columns
