"""Figure builders: the traces carry the numbers the metrics computed, in the intended order and format."""

import numpy as np
import pandas as pd
import pytest

from bhdash import charts
from bhdash.model import FAMILY_NAMES


def test_findings_by_family_stacks_severities_largest_family_on_top():
    table = pd.DataFrame(
        {
            "family": ["TELE", "TELE", "TIME"],
            "severity": ["error", "warning", "error"],
            "findings": [5, 3, 2],
            "at_risk": [500.0, 300.0, 200.0],
        }
    )
    figure = charts.findings_by_family(table)
    names = [trace.name for trace in figure.data]
    assert names == ["error", "warning"]
    error = figure.data[0]
    # plain family names, reversed so the largest family is drawn at the top
    assert list(error.y) == [FAMILY_NAMES["TIME"], FAMILY_NAMES["TELE"]]
    assert list(error.x) == [2, 5]
    assert list(figure.data[1].x) == [0, 3]
    assert error.marker.color == charts.SEVERITY_COLORS["error"]
    assert figure.layout.barmode == "stack"


def test_findings_by_family_empty_says_so():
    figure = charts.findings_by_family(pd.DataFrame(columns=["family", "severity", "findings", "amount"]))
    assert len(figure.data) == 0
    assert "No findings" in figure.layout.annotations[0].text


def test_amount_by_caps_and_orders_and_drops_zero():
    frame = pd.DataFrame({"payer": ["A", "B", "C", "D"], "amount_at_risk": [10.0, 300.0, 0.0, 50.0]})
    figure = charts.amount_by(frame, "payer", "Dollars at risk by payer", top=2)
    bar = figure.data[0]
    assert list(bar.y) == ["D", "B"]
    np.testing.assert_allclose(bar.x, [50.0, 300.0])
    assert list(bar.text) == ["$50", "$300"]
    assert figure.layout.xaxis.tickformat == "$,.0f"
    assert figure.layout.title.text == "Dollars at risk by payer"


def _trend(*months: str) -> pd.DataFrame:
    """Two months of the monthly-trend table."""
    return pd.DataFrame({
        "month": pd.to_datetime(list(months)), "lines": [10, 20], "charges": [1000.0, 2000.0],
        "flagged_lines": [1, 5], "flagged_share": [0.1, 0.25], "amount_at_risk": [100.0, 250.0],
    })


def test_monthly_trend_has_money_bars_and_share_line_on_second_axis():
    trend = _trend("2026-01-01", "2026-02-01")
    figure = charts.monthly_trend(trend)
    bars, line = figure.data
    assert bars.type == "bar" and line.type == "scatter"
    np.testing.assert_allclose(bars.y, [100.0, 250.0])
    np.testing.assert_allclose(line.y, [0.1, 0.25])
    assert line.yaxis == "y2"
    assert figure.layout.yaxis2.tickformat == ".0%" and figure.layout.yaxis2.dtick == 0.2


def test_code_mix_vs_norm_groups_observed_and_norm():
    comparison = pd.DataFrame(
        {
            "code": ["90832", "90834", "90837"],
            "observed_share": [0.05, 0.15, 0.8],
            "expected_share": [0.2, 0.4, 0.4],
            "lines": [5, 15, 80],
        }
    )
    figure = charts.code_mix_vs_norm(comparison, "Individual psychotherapy")
    observed, norm = figure.data
    assert observed.name == "this clinician" and norm.name == "payer norm"
    assert list(observed.x) == ["90832", "90834", "90837"]
    np.testing.assert_allclose(norm.y, [0.2, 0.4, 0.4])
    assert list(observed.text) == ["5%", "15%", "80%"]
    assert figure.layout.yaxis.tickformat == ".0%"


def test_share_trend_one_stacked_trace_per_code():
    mix = pd.DataFrame(
        {
            "month": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-02-01"]),
            "code": ["90834", "90837", "90837"],
            "lines": [1, 3, 2],
            "share": [0.25, 0.75, 1.0],
        }
    )
    figure = charts.share_trend(mix)
    assert [trace.name for trace in figure.data] == ["90834", "90837"]
    assert all(trace.stackgroup == "one" for trace in figure.data)
    np.testing.assert_allclose(figure.data[1].y, [0.75, 1.0])
    # Fixed mid-tone colours, so no code takes the theme's dark navy that vanishes in dark mode.
    assert [trace.fillcolor for trace in figure.data] == ["#4c8bf5", "#e8912d"]


def test_enrollment_matrix_colours_states_and_labels_cells():
    matrix = pd.DataFrame(
        {
            "clinician": ["Ana", "Ana", "Ben", "Ben"],
            "payer": ["Aetna", "Cigna", "Aetna", "Cigna"],
            "state": ["active", "none", "termed", "pending"],
            "label": ["active from 2025-01-01", "none", "termed to 2026-01-31", "pending"],
            "charges": [100.0, 0.0, 50.0, 0.0],
        }
    )
    figure = charts.enrollment_matrix(matrix)
    heat = figure.data[0]
    assert list(heat.y) == ["Ben", "Ana"]
    assert list(heat.x) == ["Aetna", "Cigna"]
    # codes follow ENROLLMENT_COLORS order: active 0, pending 1, termed 2, none 3
    np.testing.assert_array_equal(np.asarray(heat.z), [[2, 1], [0, 3]])
    assert heat.text[0][0] == "termed"
    assert heat.customdata[1][0][0] == "active from 2025-01-01"


def test_enrollment_matrix_shows_a_billed_pair_without_enrollment_red_with_its_dollars():
    matrix = pd.DataFrame(
        {
            "clinician": ["Ana", "Ana", "Ben", "Ben"],
            "payer": ["Aetna", "Cigna", "Aetna", "Cigna"],
            "state": ["active", "none", "none", "none"],
            "label": ["active from 2025-01-01", "none", "none", "none"],
            "lines": [4, 88, 0, 0],
            "charges": [400.0, 17890.0, 0.0, 0.0],
            "at_risk": [0.0, 9496.64, 0.0, 0.0],
        }
    )
    heat = charts.enrollment_matrix(matrix).data[0]
    assert list(heat.y) == ["Ben", "Ana"]
    # billed outside enrollment is code 4 and red; the unused pairs stay grey "none" (code 3)
    np.testing.assert_array_equal(np.asarray(heat.z), [[3, 3], [0, 4]])
    assert charts.ENROLLMENT_COLORS[charts.OUTSIDE_STATE] == "#d1242f"
    assert heat.colorscale[-1][1] == "#d1242f"
    assert heat.text[1][1] == "$9,497"
    assert heat.text[0][1] == "none"


def test_credential_timeline_bars_dots_and_as_of_line():
    bars = pd.DataFrame(
        {
            "lane": ["License", "Aetna"],
            "start": pd.to_datetime(["2026-01-01", "2026-02-01"]),
            "end": pd.to_datetime(["2026-06-30", "2026-12-31"]),
            "kind": ["license", "active"],
            "label": ["License valid to 2026-06-30", "Aetna: active"],
        }
    )
    weeks = pd.DataFrame(
        {
            "lane": ["Aetna", "Cigna"],
            "week": pd.to_datetime(["2026-01-05", "2026-03-02"]),
            "lines": [4, 1],
            "charges": [400.0, 100.0],
        }
    )
    figure = charts.credential_timeline(bars, weeks, pd.Timestamp("2026-11-15"), "Ana")
    kinds = [trace.name for trace in figure.data]
    assert kinds == ["license valid", "valid enrollment", "billed lines (weekly)"]
    assert figure.data[0].x[0] == pytest.approx(
        (pd.Timestamp("2026-06-30") - pd.Timestamp("2026-01-01")).total_seconds() * 1000
    )
    assert list(figure.layout.yaxis.categoryarray) == ["Cigna", "Aetna", "License"]
    assert figure.layout.shapes[0].x0 == pd.Timestamp("2026-11-15").timestamp() * 1000


def test_outside_enrollment_bars():
    outside = pd.DataFrame(
        {
            "clinician": ["Ana", "Ben"],
            "payer": ["Aetna", "Cigna"],
            "lines": [3, 10],
            "at_risk": [300.0, 1000.0],
        }
    )
    bar = charts.outside_enrollment(outside).data[0]
    assert list(bar.y) == ["Ana · Aetna", "Ben · Cigna"]
    np.testing.assert_allclose(bar.x, [300.0, 1000.0])


def test_risk_histogram_titles_rule_based_prior():
    histogram = pd.DataFrame(
        {"low": [0.0, 0.5], "high": [0.5, 1.0], "lines": [10, 2], "amount_at_risk": [5.0, 80.0]}
    )
    figure = charts.risk_histogram(histogram, rule_based=True)
    np.testing.assert_allclose(figure.data[0].x, [0.25, 0.75])
    np.testing.assert_allclose(figure.data[0].y, [10, 2])
    assert "rule-based prior" in figure.layout.title.text
    assert "learned model" in charts.risk_histogram(histogram, rule_based=False).layout.title.text


def test_risk_heatmap_text_formats():
    grid = pd.DataFrame({"Aetna": [0.1, np.nan], "Cigna": [0.25, 0.5]}, index=["Ana", "Ben"])
    heat = charts.risk_heatmap(grid, "Mean denial risk").data[0]
    assert heat.text.tolist() == [["10%", "25%"], ["", "50%"]]
    money = charts.risk_heatmap(grid * 1000, "Dollars", money=True).data[0]
    assert money.text[0][1] == "$250"


def test_calibration_has_diagonal_and_bins():
    table = pd.DataFrame({"mean_predicted": [0.05, 0.2], "observed_rate": [0.04, 0.25], "lines": [100, 50]})
    figure = charts.calibration(table)
    diagonal, bins = figure.data
    assert diagonal.name == "perfect calibration"
    np.testing.assert_allclose(bins.x, [0.05, 0.2])
    np.testing.assert_allclose(bins.y, [0.04, 0.25])


def test_scenario_comparison_one_panel_per_metric():
    comparison = pd.DataFrame(
        {
            "metric": ["Dollars at risk", "Expected denials"],
            "baseline": [1000.0, 12.0],
            "scenario": [400.0, 5.0],
            "unit": ["$", ""],
        }
    )
    figure = charts.scenario_comparison(comparison)
    assert len(figure.data) == 2
    assert list(figure.data[0].text) == ["$1,000", "$400"]
    assert list(figure.data[1].text) == ["12", "5"]
    assert [annotation.text for annotation in figure.layout.annotations] == [
        "Dollars at risk",
        "Expected denials",
    ]


def test_risk_heatmap_wraps_long_payer_labels_and_hovers_full_names():
    payers = ["Aetna", "Blue Cross Blue Shield of Illinois", "Illinois Medicaid - Meridian"]
    grid = pd.DataFrame([[0.1, 0.2, 0.3]], columns=payers, index=["Ana"])
    figure = charts.risk_heatmap(grid, "Mean denial risk")
    heat = figure.data[0]
    assert list(heat.x) == [
        "Aetna",
        "Blue Cross Blue<br>Shield of Illinois",
        "Illinois Medicaid<br>- Meridian",
    ]
    assert figure.layout.xaxis.tickangle == -90
    assert heat.customdata[0].tolist() == payers
    assert "%{customdata}" in heat.hovertemplate


def test_monthly_trend_breaks_its_line_over_months_without_data_and_ends_at_100_percent():
    trend = _trend("2026-01-01", "2026-04-01")
    figure = charts.monthly_trend(trend)
    _, line = figure.data
    assert len(line.x) == 4  # January to April, February and March empty
    assert np.isnan(line.y[1]) and np.isnan(line.y[2])
    assert line.connectgaps is False
    assert list(figure.layout.yaxis2.range) == [0, 1]


def test_credential_timeline_draws_valid_windows_in_one_colour_and_outside_lines_in_red():
    bars = pd.DataFrame(
        {
            "lane": ["Aetna", "Cigna"],
            "start": pd.to_datetime(["2026-02-01", "2025-01-01"]),
            "end": pd.to_datetime(["2026-12-31", "2025-12-31"]),
            "kind": ["active", "termed"],
            "label": ["Aetna: active", "Cigna: termed"],
        }
    )
    weeks = pd.DataFrame(
        {
            "lane": ["Aetna", "Aetna", "Cigna"],
            "week": pd.to_datetime(["2026-01-05", "2026-03-02", "2026-03-02"]),
            "outside": [True, False, True],
            "lines": [2, 3, 1],
            "charges": [200.0, 300.0, 100.0],
        }
    )
    figure = charts.credential_timeline(bars, weeks, pd.Timestamp("2026-11-15"), "Ana")
    traces = {trace.name: trace for trace in figure.data}
    assert list(traces) == ["valid enrollment", "billed lines (weekly)", "billed outside enrollment"]
    assert traces["valid enrollment"].marker.color == charts.VALID_COLOR
    assert list(traces["valid enrollment"].y) == ["Aetna", "Cigna"]  # termed windows were valid too
    assert traces["billed outside enrollment"].marker.color == charts.OUTSIDE_COLOR
    assert list(traces["billed outside enrollment"].y) == ["Aetna", "Cigna"]
    assert list(traces["billed lines (weekly)"].y) == ["Aetna"]


def test_denied_dollars_labels_a_reason_without_description_by_its_code() -> None:
    table = pd.DataFrame({"reason": ["CO-16", "CO-999"], "description": ["claim lacks information", None],
                          "total": [100.0, 40.0], "denied": [100.0, 40.0], "preventable": [30.0, 0.0],
                          "underpaid": [0.0, 0.0]})
    figure = charts.denied_dollars(table, "description", "Denied dollars")
    assert list(figure.data[0].y) == ["CO-999", "CO-16: claim lacks information"]


def test_denied_dollars_names_lines_without_a_payer() -> None:
    table = pd.DataFrame({"payer": ["Aetna", None], "total": [100.0, 40.0], "denied": [100.0, 40.0],
                          "preventable": [0.0, 0.0], "underpaid": [0.0, 0.0]})
    figure = charts.denied_dollars(table, "payer", "By payer")
    assert list(figure.data[0].y) == ["(not given)", "Aetna"]


def test_enrollment_matrix_shows_pairs_billed_after_term_or_before_effective_red_with_their_dollars():
    matrix = pd.DataFrame(
        {
            "clinician": ["Ben", "Ben", "Ana", "Ana"],
            "payer": ["Aetna", "Cigna", "Aetna", "Self Pay"],
            "state": ["termed", "active", "active", "none"],
            "label": [
                "termed from 2025-01-01 to 2026-01-31", "active from 2026-02-15", "active from 2025-01-01",
                "none",
            ],
            "lines": [1, 1, 2, 3],
            "charges": [200.0, 100.0, 400.0, 300.0],
            "at_risk": [171.6, 85.8, 0.0, 0.0],
            "outside_lines": [1, 1, 0, 0],
        }
    )
    heat = charts.enrollment_matrix(matrix).data[0]
    assert list(heat.y) == ["Ben", "Ana"] and list(heat.x) == ["Aetna", "Cigna", "Self Pay"]
    # Ben: termed Aetna billed after its term, active Cigna billed before it began: both red (code 4)
    np.testing.assert_array_equal(np.asarray(heat.z), [[4, 4, 3], [0, 3, 3]])
    assert [heat.text[0][0], heat.text[0][1]] == ["$172", "$86"]
    assert heat.text[1][0] == "active"  # Ana billed inside her enrollment
    assert heat.text[1][2] == "none"  # self-pay lines need no enrollment: the findings cleared them
    assert heat.customdata[0][0][0] == (
        "termed from 2025-01-01 to 2026-01-31<br>billed outside enrollment: 1 line, $172 at risk"
    )
