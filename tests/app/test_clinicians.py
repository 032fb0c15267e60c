"""Clinicians on the sample practice: the peer table, code mix against norms and the trend."""

from bhdash import metrics, norms
from bhdash.app import background, norms_upload
from tests.app.conftest import metric_values, open_sample_app, plotly_figures


def test_clinicians_table_and_outlier_first(open_page, expected):
    app = open_page("pages/clinicians.py")
    analysis = expected.analysis
    mix = norms.code_mix(
        analysis.claims,
        norms.load_norms(),
        on=analysis.as_of,
        credentials=analysis.roster.credentials_for(analysis.claims),
    )
    peers = norms.peer_metrics(analysis.claims, analysis.risk["expected_payment"])
    summary = metrics.clinician_summary(peers, mix, expected.findings)
    table = app.dataframe[0].value
    assert list(table["clinician"]) == list(summary["clinician"])
    assert list(table["families_off_norm"]) == list(summary["families_off_norm"])
    # the sample's 90837 outlier leads, and is the clinician shown
    assert summary.loc[0, "families_off_norm"] > 0
    assert app.selectbox(key="clinicians_chosen").value == summary.loc[0, "clinician"]
    shown = metric_values(app)
    assert shown["90837 share"] == f"{summary.loc[0, 'share_90837']:.1%}"
    assert shown["Services"] == f"{int(summary.loc[0, 'services']):,}"


def test_code_mix_charts_compare_observed_with_norm(open_page, expected):
    app = open_page("pages/clinicians.py")
    figures = plotly_figures(app)
    mix_figures = [
        figure for figure in figures if figure["data"] and figure["data"][0].get("name") == "this clinician"
    ]
    assert mix_figures, "no observed-vs-norm chart"
    codes = mix_figures[0]["data"][0]["x"]
    assert set(codes) <= {"90832", "90834", "90837"} or len(codes) >= 2
    assert mix_figures[0]["data"][1]["name"] == "payer norm"
    assert any(
        "by month" in figure["layout"]["title"]["text"] for figure in figures if figure["layout"].get("title")
    )
    assert "Audit outlier" in " ".join(block.value for block in app.markdown)


def test_choosing_another_clinician_updates_the_page(open_page, expected):
    app = open_page("pages/clinicians.py")
    options = app.selectbox(key="clinicians_chosen").options
    other = options[-1]
    app.selectbox(key="clinicians_chosen").set_value(other).run()
    own = expected.findings[expected.findings["clinician"] == other]
    assert metric_values(app)["Findings"] == f"{len(own):,}"
    app.selectbox(key="clinicians_chosen").set_value(options[0]).run()


def test_the_practice_code_mix_is_computed_ahead_in_the_background(monkeypatch):
    background._sample_jobs.clear()  # the sample's results are shared by sessions: start afresh
    app = open_sample_app()  # its first complete run starts the background work
    computed_by_the_page: list[int] = []
    real = norms_upload._code_mix
    monkeypatch.setattr(norms_upload, "_code_mix",
                        lambda *args: computed_by_the_page.append(1) or real(*args))
    app.switch_page("pages/clinicians.py").run()
    assert not app.exception
    assert computed_by_the_page == []
    app.multiselect(key="filter_payers").set_value([app.multiselect(key="filter_payers").options[0]]).run()
    assert computed_by_the_page == [1]  # a filtered view is computed when asked for
    app.multiselect(key="filter_payers").set_value([]).run()
