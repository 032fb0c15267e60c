"""Denial risk on the sample practice: the learned model's figures, distribution, heatmap and top lines."""

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
