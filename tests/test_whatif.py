"""What-if levers against hand-computed results on small practices, and scenario files."""

from __future__ import annotations

import pandas as pd
import pytest

from bhdash import whatif
from bhdash.model import Roster
from bhdash.norms import flagged_clinicians
from bhdash.rules import REGISTRY, Rule, hits, run_checks
from bhdash.rules.engine import start_checks
from bhdash.sample import generate_practice
from bhdash.whatif import (
    EnrollmentChange,
    LicenseChange,
    MixShift,
    PayerChange,
    Scenario,
    evaluate,
    prepare_baseline,
    scenario_from_json,
    scenario_to_json,
)

# 2025 national non-facility amounts (payer_norms.md §5) at the LCSW 75% and psychologist 100%.
LCSW_90837 = 154.29 * 0.75
LCSW_90834 = 104.16 * 0.75
PHD_90837 = 154.29
COMMERCIAL_BASE = 0.05


def _practice(
    codes: list[str] | None = None, minutes: list[float] | None = None,
) -> tuple[pd.DataFrame, Roster]:
    """Dana (LCSW, Anthem, enrolled from 2025-03-01) and Lee (PhD, Medicare, enrolled since 2020)."""
    dana_codes = codes or ["90837", "90837", "90834", "90837"]
    count = len(dana_codes)
    claims = pd.DataFrame({
        "source_row": range(2, count + 4),
        "patient_id": [f"p{i}" for i in range(count + 2)],
        "clinician_name": ["Dana Reyes"] * count + ["Lee Park"] * 2,
        "clinician_credential": ["LCSW"] * count + ["PHD"] * 2,
        "payer": ["Anthem"] * count + ["Medicare"] * 2,
        "payer_type": ["commercial"] * count + ["medicare"] * 2,
        "procedure_code": [*dana_codes, "90837", "90837"],
        "pos": ["11"] * (count + 2),
        "modifier_1": pd.Series([None] * (count + 2), dtype="str"),
        "service_date": pd.to_datetime(["2025-02-03", "2025-02-10"] + ["2025-03-10"] * (count - 2)
                                       + ["2025-03-04", "2025-03-05"]),
    })
    if minutes is not None:
        claims["minutes"] = [*minutes, 60.0, 60.0]
    roster = Roster(
        clinicians=pd.DataFrame({"clinician_name": ["Dana Reyes", "Lee Park"], "credential": ["LCSW", "PHD"],
                                 "license_expiration": pd.to_datetime(["2027-01-01", "2025-03-04"])}),
        enrollments=pd.DataFrame({"clinician_name": ["Dana Reyes", "Lee Park"],
                                  "payer": ["Anthem", "Medicare"], "status": ["active", "active"],
                                  "effective_date": pd.to_datetime(["2025-03-01", "2020-01-01"]),
                                  "term_date": pd.to_datetime([None, None])}),
    )
    return claims, roster


def _metric(comparison, name: str, column: str = "change") -> float:
    return float(comparison.metrics.loc[name, column])


def test_enrollment_date_lever_clears_the_lines_billed_before_it() -> None:
    claims, roster = _practice()
    baseline = prepare_baseline(claims, roster, select={"CRED-003"})
    assert sorted(baseline.findings["line_index"].dropna().astype(int)) == [0, 1]
    scenario = Scenario(enrollments=[EnrollmentChange("Dana Reyes", "Anthem", "2025-01-15")])
    comparison = evaluate(baseline, scenario)
    # Not enrolled: unpayable as billed, a certain loss of the whole payment; enrolled, only the payer's
    # ordinary denials remain, which are not money at risk.
    assert _metric(comparison, "expected_denials") == pytest.approx(-2 * (1 - COMMERCIAL_BASE))
    assert _metric(comparison, "certain_loss") == pytest.approx(-2 * LCSW_90837)
    assert _metric(comparison, "dollars_at_risk") == pytest.approx(-2 * LCSW_90837)
    assert _metric(comparison, "baseline_loss") == pytest.approx(2 * COMMERCIAL_BASE * LCSW_90837)
    assert _metric(comparison, "expected_revenue") == pytest.approx(2 * (1 - COMMERCIAL_BASE) * LCSW_90837)
    assert comparison.lines_affected == 2
    assert comparison.affected["row"].tolist() == [2, 3]
    assert comparison.findings.empty


def test_enrollment_lever_adds_a_missing_enrollment() -> None:
    claims, roster = _practice()
    roster.enrollments = roster.enrollments[roster.enrollments["clinician_name"] == "Dana Reyes"]
    baseline = prepare_baseline(claims, roster, select={"CRED-003"})
    assert sorted(baseline.findings["line_index"].dropna().astype(int)) == [0, 1, 4, 5]
    scenario = Scenario(enrollments=[EnrollmentChange("Lee Park", "Medicare", "2025-01-01")])
    comparison = evaluate(baseline, scenario)
    assert sorted(comparison.findings["line_index"].astype(int)) == [0, 1]
    assert _metric(comparison, "dollars_at_risk") == pytest.approx(-2 * PHD_90837)


def test_license_date_lever() -> None:
    claims, roster = _practice()
    baseline = prepare_baseline(claims, roster, select={"CRED-001"})
    assert baseline.findings["line_index"].dropna().astype(int).tolist() == [5]  # seen a day after expiry
    comparison = evaluate(baseline, Scenario(licenses=[LicenseChange("Lee Park", "2026-03-04")]))
    assert comparison.findings["line_index"].dropna().empty
    assert comparison.lines_affected == 1
    assert float(baseline.risk.lines.loc[5, "denial_risk"]) == 1.0  # a lapsed license: unpayable
    assert _metric(comparison, "dollars_at_risk") == pytest.approx(-PHD_90837)


def test_fix_families_lever_removes_those_findings() -> None:
    claims, roster = _practice()
    baseline = prepare_baseline(claims, roster, select={"CRED-003"})
    comparison = evaluate(baseline, Scenario(fix_families=["CRED"]))
    assert _metric(comparison, "expected_denials") == pytest.approx(-2 * (1 - COMMERCIAL_BASE))
    assert _metric(comparison, "lines_with_findings") == -2
    assert _metric(comparison, "expected_payment") == 0


def test_mix_shift_moves_the_shortest_sessions_first() -> None:
    codes = ["90837"] * 8 + ["90834"] * 2
    minutes = [60, 55, 53, 61, 54, 70, 56, 58, 45, 45]
    claims, roster = _practice(codes, minutes)
    baseline = prepare_baseline(claims, roster, select={"NORM"})
    scenario = Scenario(mix_shifts=[MixShift("Dana Reyes", "90837", "90834", fraction=0.5)])
    comparison = evaluate(baseline, scenario)
    assert sorted(comparison.affected.index) == [1, 2, 4, 6]  # 55, 53, 54 and 56 minutes
    assert set(comparison.affected["code_after"]) == {"90834"}
    assert _metric(comparison, "expected_payment") == pytest.approx(4 * (LCSW_90834 - LCSW_90837))
    assert _metric(comparison, "expected_revenue") == pytest.approx(
        4 * (LCSW_90834 - LCSW_90837) * (1 - COMMERCIAL_BASE))
    assert baseline.claims["procedure_code"].tolist()[:8] == ["90837"] * 8  # the baseline is untouched


def test_mix_shift_to_the_norm() -> None:
    codes = ["90837"] * 8 + ["90834"] * 2
    claims, roster = _practice(codes, [60, 55, 53, 61, 54, 70, 56, 58, 45, 45])
    baseline = prepare_baseline(claims, roster, select={"NORM"})
    comparison = evaluate(baseline, Scenario(mix_shifts=[MixShift("Dana Reyes", to_norm=True)]))
    # Commercial norm 90837 = 50%: 8 of 10 must come down to 5, so the 3 shortest move.
    assert sorted(comparison.affected.index) == [1, 2, 4]
    assert _metric(comparison, "expected_payment") == pytest.approx(3 * (LCSW_90834 - LCSW_90837))
    # Dana, norm 10/40/50 %: before 0/20/80 % is 3 services off, after 0/50/50 % is 1 service off.
    # Lee's two Medicare 90837 against 18/45/36 % (rescaled from 0.99) stay 1.26 / 0.99 services off.
    lee = (0.18 + 0.45 + 0.63) / 0.99
    assert _metric(comparison, "services_off_norm", "baseline") == pytest.approx(3.0 + lee)
    assert _metric(comparison, "services_off_norm", "scenario") == pytest.approx(1.0 + lee)


def test_payer_fee_lever() -> None:
    claims, roster = _practice()
    baseline = prepare_baseline(claims, roster, select={"CRED-003"})
    scenario = Scenario(payer_changes=[PayerChange("Anthem", fee_percent=110), PayerChange(
        "Medicare", fees={"90837": 160.0})])
    comparison = evaluate(baseline, scenario)
    anthem = 3 * LCSW_90837 + LCSW_90834
    assert _metric(comparison, "expected_payment") == pytest.approx(0.1 * anthem + 2 * (160.0 - PHD_90837))
    assert comparison.lines_affected == 6


def _telehealth_modifier_rule(claims: pd.DataFrame, ctx) -> pd.DataFrame:
    settings = ctx.line_payers
    expects = settings["telehealth_modifiers"].map(len) > 0
    modifier = claims["modifier_1"].fillna("")
    missing = claims["pos"].isin(["02", "10"]) & expects & ~pd.Series(
        [value in wanted for value, wanted in zip(modifier, settings["telehealth_modifiers"], strict=True)],
        index=claims.index)
    return hits(claims.index[missing], "telehealth modifier missing")


def test_payer_telehealth_lever_reruns_the_telehealth_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REGISTRY, "TELE-900", Rule(
        id="TELE-900", family="TELE", severity="error", title="t", rationale="r", fix="f", source="s",
        needs=("pos", "payer"), check=_telehealth_modifier_rule))
    claims, roster = _practice()
    claims["pos"] = ["10", "11", "10", "11", "11", "11"]
    baseline = prepare_baseline(claims, roster, select={"TELE-900"})
    assert sorted(baseline.findings["line_index"].astype(int)) == [0, 2]  # Anthem expects modifier 95
    comparison = evaluate(baseline, Scenario(payer_changes=[PayerChange("Anthem", telehealth_modifiers=[])]))
    assert comparison.findings.empty
    assert comparison.lines_affected == 2
    tele_error = 0.60
    assert _metric(comparison, "dollars_at_risk") == pytest.approx(
        -(tele_error * (1 - COMMERCIAL_BASE)) * (LCSW_90837 + LCSW_90834))
    assert baseline.payers.settings_for(pd.Series(["Anthem"]))["telehealth_modifiers"].iloc[0] == ("95",)


def test_empty_scenario_changes_nothing() -> None:
    claims, roster = _practice()
    baseline = prepare_baseline(claims, roster, select={"CRED"})
    comparison = evaluate(baseline, Scenario())
    assert comparison.lines_affected == 0
    assert (comparison.metrics["change"] == 0).all()


def test_scenario_json_round_trip() -> None:
    scenario = Scenario(
        name="Q3 plan", description="fix enrollments, coach Dana",
        enrollments=[EnrollmentChange("Dana Reyes", "Anthem", "2025-01-15")],
        licenses=[LicenseChange("Lee Park", "2026-03-04")],
        mix_shifts=[MixShift("Dana Reyes", fraction=0.25), MixShift("Lee Park", to_norm=True)],
        fix_families=["TIME", "TELE"],
        payer_changes=[PayerChange("Anthem", telehealth_pos=["02", "10"], fee_percent=105,
                                   fees={"90837": 120.0})],
    )
    assert scenario_from_json(scenario_to_json(scenario)) == scenario


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "invalid JSON"),
    ('{"name": "x"}', "version key is missing"),
    ('{"bhdash_scenario": 1, "fix_families": ["TIMING"]}', r"fix_families\[0\]: 'TIMING' is not one of"),
    ('{"bhdash_scenario": 1, "mix_shifts": [{"clinician": "A", "percent": 5}]}',
     r"mix_shifts\[0\]: Additional properties are not allowed \('percent' was unexpected\)"),
    ('{"bhdash_scenario": 1, "mix_shifts": [{"clinician": 5, "fraction": 3}]}',
     r"^not a valid scenario: mix_shifts\[0\]\.fraction: 3 is greater than the maximum of 1; "
     r"mix_shifts\[0\]\.clinician: 5 is not of type 'string'$"),
    ('{"bhdash_scenario": 1, "licenses": [{"clinician": "A", "expiration_date": "2026-02-30"}]}',
     "not a valid scenario: day is out of range for month"),
    ('{"bhdash_scenario": 1, "payer_changes": [{"payer": "Aetna", "fees": {"90837": -5}}]}',
     r"payer_changes\[0\]\.fees\.90837: -5 is less than the minimum of 0"),
    ('{"bhdash_scenario": 1, "enrollments": {"clinician": "A"}}', r"enrollments: .* is not of type 'array'"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"bhdash_scenario": 1, "description": "' + "x" * 1_100_000 + '"}', "over 1024 KB"),
])
def test_bad_scenario_files_are_explained(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        scenario_from_json(text)


def _evaluation_with_psychotherapy_rule(claims: pd.DataFrame, ctx) -> pd.DataFrame:
    day = claims.groupby(["patient_id", "service_date"])["procedure_code"]
    has_evaluation = day.transform(lambda codes: codes.eq("90791").any())
    has_therapy = day.transform(lambda codes: codes.isin(["90832", "90834", "90837"]).any())
    return hits(claims.index[has_evaluation & has_therapy], "90791 with psychotherapy on the same day")


def test_mix_shift_reruns_pair_rules_on_the_recoded_lines_same_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REGISTRY, "PTP-900", Rule(
        id="PTP-900", family="PTP", severity="error", title="t", rationale="r", fix="f", source="s",
        needs=("procedure_code", "patient_id", "service_date"), check=_evaluation_with_psychotherapy_rule))
    claims, roster = _practice(["90837", "90837", "90834", "90834"], minutes=[30, 60, 45, 45])
    same_visit = claims.loc[0, ["patient_id", "service_date"]].tolist()
    claims.loc[2, ["patient_id", "service_date"]] = same_visit
    baseline = prepare_baseline(claims, roster, select={"PTP-900"})
    assert baseline.findings.empty
    scenario = Scenario(mix_shifts=[MixShift("Dana Reyes", "90837", "90791", fraction=0.5)])
    comparison = evaluate(baseline, scenario)
    # The shortest 90837 (line 0, 30 min) becomes 90791 and now pairs with line 2's 90834 that day.
    assert sorted(comparison.findings["line_index"].astype(int)) == [0, 2]
    assert sorted(comparison.affected.index) == [0, 2]
    assert comparison.affected.loc[2, "code_after"] == "90834"


def test_a_recode_rejudges_the_patients_other_dates_and_the_clinicians_day() -> None:
    """A recode on one line changes findings on others: Dana's patient's next evaluation now repeats the
    recoded one (AUDIT-004), and Lee's day total drops with the recoded session's minutes, which other
    patients' lines quote (AUDIT-003). The scenario's findings are the ones a full check gives."""
    claims = pd.DataFrame({
        "source_row": [2, 3, 4, 5, 6, 7],
        "patient_id": ["p1", "p1", "p1", "p4", "p5", "p6"],
        "clinician_name": ["Dana Reyes"] * 3 + ["Lee Park"] * 3,
        "payer": ["Anthem"] * 6,
        "procedure_code": ["90791", "90834", "90791", "90837", "90837", "90837"],
        "service_date": pd.to_datetime(["2025-01-06", "2025-02-03", "2025-04-07"] + ["2025-03-03"] * 3),
        "minutes": [60.0, 45.0, 60.0, 60.0, 720.0, 700.0],
    })
    rules = {"AUDIT-003", "AUDIT-004"}
    baseline = prepare_baseline(claims, Roster(), as_of="2025-05-01", select=rules)
    scenario = Scenario(mix_shifts=[MixShift("Dana Reyes", "90834", "90791", fraction=1.0),
                                    MixShift("Lee Park", "90837", "90834", fraction=0.34)])
    comparison = evaluate(baseline, scenario)
    assert comparison.claims["procedure_code"].tolist() == ["90791", "90791", "90791", "90834", "90837",
                                                            "90837"]
    full = whatif.run_checks(comparison.claims, Roster(), as_of="2025-05-01", select=rules).findings

    def messages(findings: pd.DataFrame) -> list[tuple[str, int, str]]:
        return sorted(zip(findings["rule"], findings["row"].astype(int), findings["message"], strict=True))

    assert messages(comparison.findings) == messages(full)
    assert full.loc[full["row"].eq(4), "message"].str.contains("repeats the 90791 of 2025-02-03").all()
    assert full.loc[full["rule"].eq("AUDIT-003"), "message"].str.contains("day total 1465 min").all()
    assert not baseline.findings["message"].str.contains("1465|of 2025-02-03").any()


def test_only_the_clinician_day_rules_rejudge_the_clinicians_other_patients() -> None:
    """Lee's 90837 with p5 becomes a 90834: the day-total and overlap rules judge Lee's whole day again,
    every other rule only that visit (on a 246,283-line upload, 21,186 lines instead of 49,341)."""
    claims = pd.DataFrame({
        "source_row": [2, 3, 4], "patient_id": ["p4", "p5", "p6"], "clinician_name": ["Lee Park"] * 3,
        "payer": ["Anthem"] * 3, "procedure_code": ["90837"] * 3,
        "service_date": pd.to_datetime(["2025-03-03"] * 3), "minutes": [60.0, 53.0, 700.0],
    })
    baseline = prepare_baseline(claims, Roster(), as_of="2025-05-01")
    scenario = Scenario(mix_shifts=[MixShift("Lee Park", "90837", "90834", fraction=0.34)])
    recoded, moved = whatif._apply_mix(baseline, scenario)
    assert moved.tolist() == [1]
    visit, day, practice_wide = whatif._reruns(baseline, scenario, recoded, moved)
    assert sorted(day.rules) == ["AUDIT-001", "AUDIT-002", "AUDIT-003"]
    assert sorted(day.target) == [0, 1, 2] and sorted(day.context) == [0, 1, 2]
    assert {"TIME-001", "PTP-006", "DUP-001"} <= visit.rules and not visit.rules & day.rules
    assert visit.target.tolist() == [1] and visit.context.tolist() == [1]
    assert "NORM-001" in practice_wide.rules


def test_recoded_sessions_are_documented_to_fit_the_new_code() -> None:
    claims, roster = _practice(["90837", "90837", "90837"], minutes=[50, 60, 58])
    claims["start_time"] = pd.to_timedelta(["09:00:00"] * 5)
    claims["end_time"] = claims["start_time"] + pd.to_timedelta(claims["minutes"], unit="min")
    baseline = prepare_baseline(claims, roster, select={"NORM"})
    comparison = evaluate(baseline, Scenario(mix_shifts=[MixShift("Dana Reyes", fraction=1.0)]))
    recoded = comparison.claims.loc[[0, 1, 2]]
    # 50 minutes already fits 90834 (38-52); 60 and 58 become its nominal 45 minutes.
    assert recoded["minutes"].tolist() == [50.0, 45.0, 45.0]
    assert recoded["end_time"].tolist() == pd.to_timedelta(["09:50:00", "09:45:00", "09:45:00"]).tolist()
    assert baseline.claims.loc[[0, 1, 2], "minutes"].tolist() == [50.0, 60.0, 58.0]


def test_sessions_without_a_minutes_column_are_refitted_from_their_times() -> None:
    # The spans are the minutes; with no minutes to order by, a share takes the earliest dates first.
    claims, roster = _practice(["90837", "90837", "90837"])
    claims["start_time"] = pd.to_timedelta(["09:00:00"] * 5)
    claims["end_time"] = claims["start_time"] + pd.to_timedelta([58, 50, 60, 60, 60], unit="min")
    baseline = prepare_baseline(claims, roster, select={"NORM"})
    comparison = evaluate(baseline, Scenario(mix_shifts=[MixShift("Dana Reyes", fraction=2 / 3)]))
    assert comparison.claims["procedure_code"].tolist() == ["90834", "90834", "90837", "90837", "90837"]
    assert comparison.claims["end_time"].tolist() == pd.to_timedelta(
        ["09:45:00", "09:50:00", "10:00:00", "10:00:00", "10:00:00"]).tolist()
    assert "minutes" not in comparison.claims.columns
    assert baseline.claims["end_time"].tolist()[:2] == pd.to_timedelta(["09:58:00", "09:50:00"]).tolist()


def test_extending_a_term_date_covers_lines_billed_after_it() -> None:
    claims = pd.DataFrame({
        "source_row": [2, 3],
        "patient_id": ["P1", "P2"],
        "service_date": pd.to_datetime(["2026-01-10", "2026-03-10"]),
        "clinician_name": ["Dana Reyes", "Dana Reyes"],
        "payer": ["Anthem", "Anthem"],
        "procedure_code": ["90834", "90834"],
        "charge": [150.0, 150.0],
    })
    roster = Roster(enrollments=pd.DataFrame({
        "clinician_name": ["Dana Reyes"], "payer": ["Anthem"], "status": ["active"],
        "effective_date": pd.to_datetime(["2025-01-01"]), "term_date": pd.to_datetime(["2026-02-28"]),
    }))
    baseline = prepare_baseline(claims, roster, as_of="2026-04-01", select={"CRED-003"})
    assert baseline.findings["row"].tolist() == [3]
    extended = evaluate(baseline, Scenario(enrollments=[EnrollmentChange("Dana Reyes", "Anthem",
                                                                         term_date="2026-03-31")]))
    assert extended.findings.empty
    reopened = evaluate(baseline, Scenario(enrollments=[EnrollmentChange("Dana Reyes", "Anthem",
                                                                         term_date="open")]))
    assert reopened.findings.empty
    assert scenario_from_json(scenario_to_json(Scenario(enrollments=[
        EnrollmentChange("Dana Reyes", "Anthem", term_date="open")]))).enrollments[0].term_date == "open"


def test_enrollment_change_needs_a_date() -> None:
    with pytest.raises(ValueError, match="sets no date"):
        EnrollmentChange("Dana Reyes", "Anthem")


def test_date_levers_rerun_only_the_rules_reading_what_they_change() -> None:
    claims, roster = _practice()
    baseline = prepare_baseline(claims, roster, select={"CRED", "NPI", "SCOPE"})
    selected: list[set[str]] = []

    def recording(*args, **options):
        selected.append(set(options["select"]))
        return start_checks(*args, **options)

    renewed = [LicenseChange("Lee Park", "2026-12-31")]
    enrolled = [EnrollmentChange("Dana Reyes", "Anthem", "2025-01-01")]
    evaluate(baseline, Scenario(licenses=renewed), start=recording)
    evaluate(baseline, Scenario(enrollments=enrolled), start=recording)
    comparison = evaluate(baseline, Scenario(licenses=renewed, enrollments=enrolled), start=recording)
    # A license date is read by the license rules (and CRED-002, which reads every clinician field); an
    # enrollment date only by the enrollment rules. NPI and taxonomy rules cannot change.
    licensing, enrolling = {"CRED-001", "CRED-002", "CRED-004"}, {"CRED-003", "CRED-005", "CRED-006"}
    assert selected == [licensing, enrolling, licensing | enrolling]
    clinicians = roster.clinicians.assign(license_expiration=pd.to_datetime(["2027-01-01", "2026-12-31"]))
    enrollments = roster.enrollments.assign(effective_date=pd.to_datetime(["2025-01-01", "2020-01-01"]))
    full = whatif.run_checks(claims, Roster(clinicians=clinicians, enrollments=enrollments),
                             as_of=baseline.as_of, select={"CRED", "NPI", "SCOPE"}).findings

    def hit_set(findings: pd.DataFrame) -> list[tuple[str, ...]]:
        columns = ["rule", "line_index", "clinician", "message"]
        return sorted(findings[columns].astype(str).itertuples(index=False))

    assert hit_set(comparison.findings) == hit_set(full)
    assert not comparison.findings["rule"].isin(["CRED-001", "CRED-003"]).any()  # both gaps closed
    assert hit_set(baseline.findings) != hit_set(full)


@pytest.fixture(scope="module")
def generated_baseline():
    from bhdash.sample import generate_practice

    practice = generate_practice(seed=7, scale=0.3)
    return prepare_baseline(practice.claims, practice.roster, as_of=practice.as_of)


def _levers(baseline) -> dict[str, Scenario]:
    """One scenario per lever kind, built from the practice's own findings."""
    findings = baseline.findings
    gap = findings[findings["rule"].eq("CRED-003") & findings["line_index"].notna()]
    clinician, payer = gap.groupby(["clinician", "payer"]).size().idxmax()
    lapsed = findings.loc[findings["rule"].eq("CRED-001"), "clinician"].mode()[0]
    outlier = flagged_clinicians(baseline.mix)["clinician"].iloc[0]
    codes = baseline.claims["procedure_code"]
    most_90834 = baseline.claims.loc[codes.eq("90834"), "clinician_name"].mode()[0]
    tele_payer = findings.loc[findings["family"].eq("TELE") & findings["payer"].notna(), "payer"].mode()[0]
    return {
        "enrollment": Scenario(enrollments=[EnrollmentChange(clinician, payer, "2020-01-01", "open")]),
        "license": Scenario(licenses=[LicenseChange(lapsed, "2030-12-31")]),
        "mix to norm": Scenario(mix_shifts=[MixShift(outlier, to_norm=True)]),
        "therapy to evaluation": Scenario(mix_shifts=[MixShift(most_90834, "90834", "90791", fraction=0.5)]),
        "telehealth": Scenario(payer_changes=[PayerChange(tele_payer, telehealth_modifiers=[])]),
    }


@pytest.mark.parametrize("lever", ["enrollment", "license", "mix to norm", "therapy to evaluation",
                                   "telehealth"])
def test_each_lever_gives_the_findings_a_full_check_gives(generated_baseline, lever: str) -> None:
    """The scenario re-runs only what a lever can change; its findings must still be a full check's."""
    baseline = generated_baseline
    scenario = _levers(baseline)[lever]
    comparison = evaluate(baseline, scenario)
    roster = whatif._apply_dates(baseline, scenario) if scenario.enrollments or scenario.licenses else (
        baseline.roster)
    full = whatif.run_checks(comparison.claims, roster, as_of=baseline.as_of,
                             payers=whatif._apply_payers(baseline, scenario), norms=baseline.norms,
                             settings=baseline.settings).findings

    def hit_set(findings: pd.DataFrame) -> list[tuple[str, ...]]:
        columns = ["rule", "line_index", "clinician", "message"]
        return sorted(findings[columns].astype(str).itertuples(index=False))

    assert hit_set(comparison.findings) == hit_set(full)
    assert hit_set(comparison.findings) != hit_set(baseline.findings)


def test_the_code_mix_outliers_are_judged_again_only_when_the_findings_are_read(monkeypatch) -> None:
    practice = generate_practice(seed=7)
    baseline = prepare_baseline(practice.claims, practice.roster, as_of=practice.as_of, select={"NORM"})
    assert sorted(set(baseline.findings["clinician"])) == ["Ellen Brooks", "Priya Shah"]
    runs = []
    monkeypatch.setattr(whatif, "run_checks", lambda *args, **options: runs.append(options) or run_checks(
        *args, **options))
    comparison = evaluate(baseline, Scenario(mix_shifts=[MixShift("Ellen Brooks", to_norm=True)]))
    assert runs == []  # no figure reads NORM-001: the dashboard never waits for it
    assert _metric(comparison, "norm_flagged_groups") == -3
    assert comparison.findings["clinician"].tolist() == ["Priya Shah"] * 3  # Ellen Brooks is at the norm
    assert [options["select"] for options in runs] == [{"NORM-001"}]
    assert len(comparison.findings) == 3 and len(runs) == 1  # judged once, then kept


def test_a_recode_reruns_only_the_rules_that_tell_its_codes_apart(monkeypatch) -> None:
    """90837 → 90834 leaves crisis, evaluation and care-management rules alone; 90834 → 90791 reruns the
    evaluation rules, DX-003 among them (it reads the code without needing the column)."""
    claims, roster = _practice(["90837", "90837", "90834", "90837"], minutes=[30, 60, 45, 45])
    baseline = prepare_baseline(claims, roster)
    selections = []
    monkeypatch.setattr(whatif, "start_checks", lambda *args, **options: selections.append(
        options["select"]) or start_checks(*args, **options))

    def rerun(shift: MixShift) -> set[str]:
        selections.clear()
        evaluate(baseline, Scenario(mix_shifts=[shift]), start=whatif.start_checks)
        return set().union(*selections)

    psychotherapy = rerun(MixShift("Dana Reyes", "90837", "90834", fraction=0.5))
    assert {"TIME-001", "TIME-002", "PTP-006", "DUP-001", "CODE-001"} <= psychotherapy
    assert not {"TIME-003", "AUDIT-004", "DX-003", "PTP-003", "SCOPE-004", "DATA-001", "TELE-001",
                "CODE-006", "CODE-007"} & psychotherapy
    evaluation = rerun(MixShift("Dana Reyes", "90834", "90791", fraction=1.0))
    assert {"AUDIT-004", "DX-003", "PTP-003", "PTP-007"} <= evaluation
    assert "TIME-003" not in evaluation
    unlisted = rerun(MixShift("Dana Reyes", "90834", "X9999", fraction=1.0))
    assert {"TIME-003", "AUDIT-004", "CODE-003", "DATA-001"} <= unlisted


def test_a_recode_rejudges_the_patients_other_dates_only_for_rules_that_look_across_dates() -> None:
    claims, roster = _practice(["90837", "90837", "90834", "90837"], minutes=[30, 60, 45, 45])
    claims.loc[4, "patient_id"] = claims.loc[0, "patient_id"]  # Lee sees Dana's patient on another date
    baseline = prepare_baseline(claims, roster)
    # The shortest 90837 (line 0, 30 min) moves: as 90834 only its own day is judged again; as 90791 the
    # patient's other dates too (AUDIT-004's repeated evaluations, DX-003's visits after an evaluation).
    for to_code, rejudged in (("90834", [0]), ("90791", [0, 4])):
        scenario = Scenario(mix_shifts=[MixShift("Dana Reyes", "90837", to_code, fraction=0.25)])
        recoded, moved = whatif._apply_mix(baseline, scenario)
        assert moved.tolist() == [0]
        assert sorted(whatif._reruns(baseline, scenario, recoded, moved)[0].target) == rejudged


def test_a_later_shift_takes_the_lines_an_earlier_one_recoded_to_its_code() -> None:
    claims, roster = _practice(["90837", "90837", "90834", "90837"], minutes=[30, 60, 45, 45])
    baseline = prepare_baseline(claims, roster)
    scenario = Scenario(mix_shifts=[MixShift("Dana Reyes", "90837", "90834", fraction=1.0),
                                    MixShift("Dana Reyes", "90834", "90832", fraction=0.5),
                                    MixShift("Lee Park", "90834", "90832", fraction=1.0)])
    recoded, moved = whatif._apply_mix(baseline, scenario)
    # All four of Dana's lines are 90834 of 45 minutes after the first shift; the second takes the two
    # earliest dates (lines 0 and 1), documented at 90832's nominal 30 minutes. Lee has no 90834 to move.
    assert recoded["procedure_code"].tolist() == ["90832", "90832", "90834", "90834", "90837", "90837"]
    assert recoded["minutes"].tolist() == [30.0, 30.0, 45.0, 45.0, 60.0, 60.0]
    assert sorted(moved) == [0, 1, 3]
