"""Denial risk on the sample practice: the learned model's figures, distribution, heatmap and top lines."""

from bhdash import metrics
from bhdash.app import formatting
from tests.app.conftest import metric_values, plotly_figures


def test_denial_risk_shows_model_auc_and_calibration(open_page, expected):
    app = open_page("pages/denial_risk.py")
    model = expected.analysis.risk_model
    assert model["status"] == "trained"  # the sample carries nine adjudicated months
    shown = metric_values(app)
    assert shown["Held-out AUC"] == f"{model['auc']:.3f}"
    assert shown["Rule-based prior AUC"] == f"{model['prior_auc']:.3f}"
    assert shown["Held-out lines"] == f"{model['test_lines']:,}"
    assert shown["At risk"] == formatting.money(expected.analysis.risk["amount_at_risk"].sum())
    calibration = next(table.value for table in app.dataframe if "observed_rate" in table.value.columns)
    assert len(calibration) == len(model["calibration"])


def test_denial_risk_charts_and_top_lines(open_page, expected):
    app = open_page("pages/denial_risk.py")
    figures = plotly_figures(app)
    titles = [figure["layout"]["title"]["text"] for figure in figures]
    assert titles == [
        "Distribution of denial risk (learned model)",
        "Mean risk by clinician × payer",
        "Calibration on held-out patients",
    ]
    top = next(table.value for table in app.dataframe if "reasons" in table.value.columns)
    assert len(top) == 25
    worst = expected.analysis.risk["amount_at_risk"].max()
    assert abs(top["amount_at_risk"].iloc[0] - worst) < 1e-6
    app.slider(key="risk_top_count").set_value(50).run()
    top = next(table.value for table in app.dataframe if "reasons" in table.value.columns)
    assert len(top) == 50
    app.slider(key="risk_top_count").set_value(25).run()


def test_a_heatmap_taller_than_the_limit_keeps_the_clinicians_with_the_most_dollars_at_risk(
    open_page, expected, monkeypatch
):
    monkeypatch.setattr("bhdash.app.page.HEATMAP_ROWS", 4)
    app = open_page("pages/denial_risk.py")
    ranked = metrics.clinicians_by_risk_dollars(expected.analysis.claims, expected.analysis.risk)
    heatmap = plotly_figures(app)[1]["data"][0]
    assert sorted(heatmap["y"]) == sorted(ranked[:4])
    by_clinician = expected.analysis.risk["amount_at_risk"].groupby(
        expected.analysis.claims["clinician_name"]).sum()
    assert ranked[0] == by_clinician.idxmax()
    app.toggle(key="risk_heatmap_all").set_value(True).run()
    assert len(plotly_figures(app)[1]["data"][0]["y"]) == len(ranked) > 4
    app.toggle(key="risk_heatmap_all").set_value(False).run()
