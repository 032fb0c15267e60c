"""What-if on the sample practice: presets, baseline vs scenario, and loading a saved scenario."""

import json

import pandas as pd

from bhdash.app import formatting
from bhdash.whatif import Scenario, scenario_to_json
from tests.app.conftest import metric_values


def _outputs(app) -> dict[str, tuple[float, float]]:
    table = next(table.value for table in app.dataframe if "baseline" in table.value.columns)
    return {
        label: (baseline, scenario)
        for label, baseline, scenario in zip(
            table["label"], table["baseline"], table["scenario"], strict=True
        )
    }


def _preset(open_page, label: str):
    """The What-if page after clicking one of its "Start from" buttons."""
    app = open_page("pages/what_if.py")
    next(button for button in app.button if button.label == label).click().run()
    assert not app.exception
    return app


def test_blank_scenario_equals_the_baseline(open_page, expected):
    app = _preset(open_page, "A blank scenario")
    shown = metric_values(app)
    assert shown["Lines affected"] == "0"
    assert shown["At risk"] == formatting.money_short(expected.analysis.risk["amount_at_risk"].sum())
    for baseline, scenario in _outputs(app).values():
        assert abs(baseline - scenario) < 1e-6


def test_outliers_to_norm_preset_reduces_audit_exposure(open_page):
    app = _preset(open_page, "90837 outliers to the norm")
    outputs = _outputs(app)
    baseline, scenario = outputs["Services away from payer norms (audit exposure)"]
    assert scenario < baseline
    baseline, scenario = outputs["Code-mix outliers (clinician × payer type × family)"]
    assert scenario < baseline
    assert int(metric_values(app)["Lines affected"].replace(",", "")) > 0
    assert app.text_input(key=f"whatif_name_{app.session_state['whatif_version']}").value == (
        "90837 outliers to the norm"
    )


def test_loading_a_saved_scenario_fixes_the_chosen_families(open_page, expected):
    app = open_page("pages/what_if.py")
    saved = scenario_to_json(Scenario(name="Fix credentialing", fix_families=["CRED"]))
    app.file_uploader(key="whatif_upload").set_value(("fix.json", saved.encode(), "application/json")).run()
    assert not app.exception
    findings = expected.findings
    blocking = findings[findings["line_index"].notna() & findings["severity"].isin(["error", "warning"])]
    left = blocking[blocking["family"] != "CRED"]["line_index"].nunique()
    baseline, scenario = _outputs(app)["Lines with error/warning findings"]
    assert baseline == blocking["line_index"].nunique()
    assert scenario == left
    save = app.get("download_button")
    assert [button.label for button in save] == ["Save scenario (JSON)"]
    assert json.loads(saved)["fix_families"] == ["CRED"]


def test_fix_enrollment_gaps_preset_recovers_money(open_page):
    app = _preset(open_page, "Fix the enrollment gaps")
    outputs = _outputs(app)
    baseline, scenario = outputs["At risk (certain + likely loss)"]
    assert scenario < baseline
    baseline, scenario = outputs["Lines with error/warning findings"]
    assert scenario < baseline
    revenue_before, revenue_after = outputs["Expected revenue"]
    assert revenue_after > revenue_before


def test_presets_are_evaluated_in_the_background_and_shown_without_evaluating_again(
    open_page, expected, monkeypatch
):
    from bhdash import whatif
    from bhdash.app import scenarios

    app = open_page("pages/what_if.py")
    base = whatif.baseline_from_analysis(expected.analysis)
    evaluated: list[str] = []
    real = whatif.evaluate
    def recording(*args, **options):
        evaluated.append(args[1].name)
        return real(*args, **options)

    monkeypatch.setattr(whatif, "evaluate", recording)
    presets = scenarios._build_presets(expected.analysis, base)
    assert [len(presets[scenarios.OUTLIERS_TO_NORM].mix_shifts),
            len(presets[scenarios.FIX_ENROLLMENT_GAPS].enrollments)] == [2, 3]
    for label in (scenarios.OUTLIERS_TO_NORM, scenarios.FIX_ENROLLMENT_GAPS):
        next(button for button in app.button if button.label == label).click().run()
        assert not app.exception
        library = real(base, presets[label])
        assert metric_values(app)["At risk"] == formatting.money_short(
            library.metrics.loc["dollars_at_risk", "scenario"])
        assert metric_values(app)["Lines affected"] == f"{library.lines_affected:,}"
    assert evaluated == []  # both came from the background evaluation started when the data loaded


def test_a_preset_changed_by_hand_no_longer_carries_its_name_and_description(open_page):
    from bhdash import whatif
    from bhdash.app import scenarios

    app = _preset(open_page, scenarios.OUTLIERS_TO_NORM)
    heading = [header.value for header in app.subheader][-1]
    assert heading == f"{scenarios.OUTLIERS_TO_NORM}: baseline vs scenario"
    preset = app.session_state["whatif_base"]
    shifts = pd.DataFrame([vars(shift) for shift in preset.mix_shifts])
    no_rows = {name: pd.DataFrame(columns=columns) for name, columns in (
        ("enrollments", ["clinician", "payer", "effective_date", "term_date"]),
        ("licenses", ["clinician", "expiration_date"]),
        ("payer_edits", ["payer", "telehealth_pos", "telehealth_modifiers", "fee_percent"]))}

    def edited(frame: pd.DataFrame, name: str = preset.name) -> whatif.Scenario:
        return scenarios.scenario_from_editors(name, preset, no_rows["enrollments"], no_rows["licenses"],
                                               frame, [], no_rows["payer_edits"])

    untouched = edited(shifts)
    assert (untouched.name, untouched.description) == (preset.name, preset.description)
    changed = edited(shifts.assign(to_norm=[False, True], fraction=[0.25, 0.0]))
    assert changed.name == f"{scenarios.OUTLIERS_TO_NORM} (changed)"
    assert changed.description == f"Started from “{scenarios.OUTLIERS_TO_NORM}”, then changed by hand."
    assert edited(shifts.iloc[:1], name="Ellen only").name == "Ellen only"


def test_the_results_are_not_dimmed_through_a_quick_edit(open_page):
    app = _preset(open_page, "A blank scenario")
    styles = [element.proto.body for element in app.get("html")]
    assert styles == ['<style>[data-stale="true"] { transition-delay: 1.5s !important; }</style>']


def test_a_share_typed_for_a_shift_down_to_the_norm_finds_the_result_already_computed():
    from bhdash.app import scenarios
    from bhdash.whatif import MixShift

    def key(fraction: float, to_norm: bool) -> tuple[str, str]:
        shifts = [MixShift("Ellen Brooks", fraction=fraction, to_norm=to_norm),
                  MixShift("Priya Shah", fraction=0.3)]
        return scenarios._levers(Scenario(name="x", mix_shifts=shifts))

    assert key(0.25, to_norm=True) == key(0.0, to_norm=True)  # the norm decides how many lines move
    assert key(0.25, to_norm=False) != key(0.0, to_norm=False)
    assert key(0.25, to_norm=True) != key(0.25, to_norm=False)
