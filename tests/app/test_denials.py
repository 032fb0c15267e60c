"""Denials on the sample practice: the page's dollars are the library's, preventable dollars shown."""

from bhdash import denials
from bhdash.app import formatting, session
from bhdash.payers import PayerDirectory
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


def test_appeal_candidates_follow_the_sessions_filing_limits(open_page, sample_app, expected):
    app = open_page("pages/payers.py")
    app.selectbox(key="payers_chosen").set_value("Cigna").run()
    next(box for box in app.number_input if box.key.startswith("filing_")).set_value(3650)
    next(button for button in app.button if button.key.startswith("save_")).click().run(timeout=900)
    try:
        assert not app.exception
        directory = PayerDirectory.load(app.session_state[session.PAYERS_FILE].data, "payers.csv")
        analysis = app.session_state["_loaded"].analysis
        ran = set(analysis.check.rules.loc[analysis.check.rules["status"] == "ran", "family"])
        lines = denials.denied_lines(analysis.claims, analysis.check.findings,
                                     analysis.risk["expected_payment"], ran_families=ran, payers=directory)
        shipped = denials.denied_lines(analysis.claims, analysis.check.findings,
                                       analysis.risk["expected_payment"], ran_families=ran)
        # Cigna's filing-limit denials fall inside a ten-year window: appeal candidates with these settings
        # (and none with the shipped 90 days, under which the same lines were submitted too late)
        appeals = lines[lines["appeal"]]
        assert len(appeals) == 6 and set(appeals["payer"]) == {"Cigna"}
        assert not shipped["appeal"].any()
        app.switch_page("pages/denials.py").run(timeout=900)
        assert not app.exception
        assert metric_values(app)["Appeal candidates"] == "6"
    finally:
        sample_app.session_state[session.PAYERS_FILE] = None
        sample_app.switch_page("pages/overview.py").run(timeout=900)
