"""Credentialing on the sample practice: dollars outside enrollment, licenses, matrix and timeline."""

import base64

import numpy as np
import pytest

from bhdash import charts, metrics
from bhdash.app import formatting
from tests.app.conftest import metric_values, plotly_figures


def test_credentialing_numbers_match_the_enrollment_findings(open_page, expected):
    app = open_page("pages/credentialing.py")
    analysis = expected.analysis
    outside = metrics.outside_enrollment(expected.findings, metrics.enrollment_rule_ids())
    licenses = metrics.license_status(analysis.roster.clinicians, analysis.as_of)
    shown = metric_values(app)
    assert shown["Billed outside enrollment"] == formatting.money(outside["at_risk"].sum())
    assert shown["Lines affected"] == f"{int(outside['lines'].sum()):,}"
    assert shown["Licenses expired"] == str(int((licenses["status"] == "expired").sum()))
    assert outside["at_risk"].sum() > 0  # the sample plants enrollment gaps


def test_credentialing_draws_matrix_gap_chart_and_timeline(open_page, expected):
    app = open_page("pages/credentialing.py")
    figures = plotly_figures(app)
    assert len(figures) == 3
    matrix = figures[0]["data"][0]
    assert matrix["type"] == "heatmap"
    assert set(matrix["y"]) == set(expected.analysis.roster.clinicians["clinician_name"])
    assert figures[1]["layout"]["title"]["text"] == "Dollars at risk billed outside valid enrollment"
    chosen = app.selectbox(key="cred_clinician").value
    assert figures[2]["layout"]["title"]["text"].startswith(f"{chosen}:")
    lanes = {lane for trace in figures[2]["data"] for lane in trace["y"]}
    assert "License" in lanes


def test_license_table_lists_every_clinician(open_page, expected):
    app = open_page("pages/credentialing.py")
    tables = [table.value for table in app.dataframe]
    licenses = next(table for table in tables if "days_left" in table.columns)
    assert len(licenses) == len(expected.analysis.roster.clinicians)
    assert licenses.iloc[0]["status"] == "expired"


def test_pairs_table_lists_each_pair_billed_outside_enrollment_with_its_outside_lines(open_page, expected):
    app = open_page("pages/credentialing.py")
    tables = [table.value for table in app.dataframe]
    pairs = next(table for table in tables if "first_date" in table.columns)
    outside = metrics.outside_enrollment(expected.findings, metrics.enrollment_rule_ids())
    assert set(zip(pairs["clinician"], pairs["payer"], strict=True)) == set(
        zip(outside["clinician"], outside["payer"], strict=True)
    )
    assert pairs["lines"].sum() == outside["lines"].sum()
    assert pairs["at_risk"].sum() == outside["at_risk"].sum()


def test_matrix_shows_alex_kim_billing_unitedhealthcare_unenrolled_red_with_its_dollars(open_page, expected):
    app = open_page("pages/credentialing.py")
    heat = plotly_figures(app)[0]["data"][0]
    cell = (heat["y"].index("Alex Kim"), heat["x"].index("UnitedHealthcare"))
    outside = metrics.outside_enrollment(expected.findings, metrics.enrollment_rule_ids())
    dollars = outside.set_index(["clinician", "payer"]).loc[("Alex Kim", "UnitedHealthcare"), "at_risk"]
    assert dollars == pytest.approx(9496.64)
    assert heat["text"][cell[0]][cell[1]] == "$9,497"


def _typed_array(value: dict | list) -> np.ndarray:
    """A plotly JSON array, which plotly sends as base64 bytes with a dtype and shape."""
    if not isinstance(value, dict):
        return np.asarray(value)
    shape = [int(size) for size in str(value["shape"]).split(",")]
    return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)


def test_matrix_shows_every_pair_billed_outside_enrollment_red_with_the_pages_dollars(open_page, expected):
    app = open_page("pages/credentialing.py")
    heat = plotly_figures(app)[0]["data"][0]
    grid = _typed_array(heat["z"])
    outside = metrics.outside_enrollment(expected.findings, metrics.enrollment_rule_ids())
    matrix = metrics.enrollment_matrix(
        expected.analysis.roster, expected.analysis.claims, expected.analysis.as_of, outside=outside
    ).set_index(["clinician", "payer"])
    payers = [payer.replace("<br>", " ") for payer in heat["x"]]
    red = list(charts.ENROLLMENT_COLORS).index(charts.OUTSIDE_STATE)
    states = set()
    for pair in outside[["clinician", "payer"]].itertuples(index=False):
        row, column = heat["y"].index(pair.clinician), payers.index(pair.payer)
        assert grid[row][column] == red, pair
        assert heat["text"][row][column] == formatting.money(matrix.loc[tuple(pair), "at_risk"]), pair
        states.add(matrix.loc[tuple(pair), "state"])
    assert {"termed", "active"} & states  # the sample bills after a term or before an effective date
    assert int((grid == red).sum()) == len(outside)


def test_sidebar_filters_narrow_the_matrix_licenses_and_clinician_list(sample_app, open_page):
    open_page("pages/credentialing.py")
    sample_app.multiselect(key="filter_clinicians").set_value(["Alex Kim", "Daniel Wu"])
    sample_app.multiselect(key="filter_payers").set_value(["UnitedHealthcare"])
    try:
        app = sample_app.run()
        assert not app.exception, app.exception[0].message
        heat = plotly_figures(app)[0]["data"][0]
        assert sorted(heat["y"]) == ["Alex Kim", "Daniel Wu"]
        assert list(heat["x"]) == ["UnitedHealthcare"]
        licenses = next(table.value for table in app.dataframe if "days_left" in table.columns)
        assert sorted(licenses["clinician"]) == ["Alex Kim", "Daniel Wu"]
        assert app.selectbox(key="cred_clinician").options == ["Alex Kim", "Daniel Wu"]
        assert metric_values(app)["Billed outside enrollment"] == "$9,497"
    finally:
        sample_app.multiselect(key="filter_clinicians").set_value([])
        sample_app.multiselect(key="filter_payers").set_value([]).run()


def test_a_matrix_taller_than_the_limit_shows_the_clinicians_most_at_stake_until_asked_for_all(
    open_page, expected, monkeypatch
):
    monkeypatch.setattr("bhdash.app.page.HEATMAP_ROWS", 3)
    app = open_page("pages/credentialing.py")
    analysis = expected.analysis
    outside = metrics.outside_enrollment(expected.findings, metrics.enrollment_rule_ids())
    ranked = metrics.clinicians_by_enrollment_gaps(
        metrics.enrollment_matrix(analysis.roster, analysis.claims, analysis.as_of, outside=outside)
    )
    matrix = plotly_figures(app)[0]["data"][0]
    assert sorted(matrix["y"]) == sorted(ranked[:3])
    assert outside.groupby("clinician")["at_risk"].sum().idxmax() == ranked[0]
    assert f"Showing 3 of {len(ranked)} clinicians: those with the most at stake" in [
        caption.value[:len(f"Showing 3 of {len(ranked)} clinicians: those with the most at stake")]
        for caption in app.caption]
    app.toggle(key="cred_matrix_all").set_value(True).run()
    assert sorted(plotly_figures(app)[0]["data"][0]["y"]) == sorted(ranked)
    assert not any(caption.value.startswith("Showing 3 of") for caption in app.caption)
    app.toggle(key="cred_matrix_all").set_value(False).run()
