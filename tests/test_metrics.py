"""Dashboard metrics on small hand-built frames with hand-computed expectations."""

import numpy as np
import pandas as pd
import pytest

from bhdash import metrics, money
from bhdash.model import FINDING_COLUMNS, Roster


def _claims() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_row": [2, 3, 4, 5, 6],
            "service_date": pd.to_datetime(
                ["2026-01-05", "2026-01-20", "2026-02-03", "2026-02-10", "2026-03-01"]
            ),
            "clinician_name": ["Ana Ruiz", "Ana Ruiz", "Ben Cho", "Ben Cho", "Ana Ruiz"],
            "payer": ["Aetna", "Medicare Part B", "Aetna", "Cigna", "Aetna"],
            "procedure_code": ["90837", "90834", "90837", "90832", "90837"],
            "charge": [200.0, 150.0, 200.0, 100.0, 200.0],
        },
        index=[10, 11, 12, 13, 14],
    )


def _findings() -> pd.DataFrame:
    # line 10: one error and one warning; line 12: warning only; line 14: info only; one clinician-level
    # at_risk: each finding's attributed share of its line's money (see _risk)
    columns = ["rule", "family", "severity", "line_index", "clinician", "payer", "amount", "at_risk"]
    rows = [
        ("TIME-001", "TIME", "error", 10, "Ana Ruiz", "Aetna", 200.0, 150.0),
        ("TELE-001", "TELE", "warning", 10, "Ana Ruiz", "Aetna", 200.0, 50.0),
        ("TELE-001", "TELE", "warning", 12, "Ben Cho", "Aetna", 200.0, 30.0),
        ("DX-009", "DX", "info", 14, "Ana Ruiz", "Aetna", 200.0, 10.0),
        ("CRED-003", "CRED", "warning", pd.NA, "Ben Cho", None, np.nan, 0.0),
    ]
    frame = pd.DataFrame(rows, columns=columns).assign(title="t", message="m", fix="f")
    frame["line_index"] = frame["line_index"].astype("Int64")
    for column in FINDING_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
    frame["service_date"] = pd.to_datetime(
        frame["line_index"].map({10: "2026-01-05", 12: "2026-02-03", 14: "2026-03-01"})
    )
    return frame[[*FINDING_COLUMNS, "at_risk"]]


def _risk() -> pd.DataFrame:
    """Line 10 is unpayable (certain loss 200); the others lose (risk − 5%) × payment as likely loss.

    at risk = [200, 5, 30, 0, 10] = 245; ordinary denials = [0, 5, 10, 5, 10] = 30.
    """
    return money.split(pd.DataFrame(
        {"denial_risk": [0.5, 0.1, 0.2, 0.05, 0.1], "expected_payment": [200.0, 100.0, 200.0, 100.0, 200.0],
         "base_rate": 0.05, "unpayable": [True, False, False, False, False]},
        index=[10, 11, 12, 13, 14],
    ))


def test_kpis_count_clean_lines_errors_and_risk():
    kpis = metrics.kpis(_claims(), _findings(), _risk())
    assert kpis.claim_lines == 5
    assert kpis.charges == 850.0
    assert kpis.lines_with_errors == 1
    assert kpis.lines_with_findings == 2  # info on line 14 does not make it unclean
    assert kpis.clean_line_share == pytest.approx(3 / 5)
    assert kpis.dollars_at_risk == pytest.approx(245.0)
    assert (kpis.money.certain, kpis.money.likely, kpis.money.baseline) == pytest.approx((200.0, 45.0, 30.0))
    assert kpis.expected_denials == pytest.approx(1.45)  # the unpayable line counts as one denial
    assert kpis.money.unpayable_lines == 1


def test_kpis_cover_only_the_filtered_lines():
    claims = _claims()
    kpis = metrics.kpis(claims.loc[[11, 12]], _findings(), _risk())
    assert (kpis.money.at_risk, kpis.money.baseline, kpis.money.lines) == pytest.approx((35.0, 15.0, 2))


def test_filters_carry_over_to_findings_and_risk():
    claims, findings = _claims(), _findings()
    filters = metrics.Filters(payers=("Aetna",), clinicians=("Ben Cho",))
    kept = metrics.filter_claims(claims, filters)
    assert list(kept.index) == [12]
    kept_findings = metrics.filter_findings(findings, claims, filters)
    # line 12's warning plus Ben Cho's clinician-level finding
    assert sorted(kept_findings["rule"]) == ["CRED-003", "TELE-001"]
    assert list(metrics.filter_lines(_risk(), claims, filters).index) == [12]


def test_date_filter_is_inclusive_and_drops_clinician_findings_of_other_clinicians_only():
    claims, findings = _claims(), _findings()
    filters = metrics.Filters(start=pd.Timestamp("2026-01-20"), end=pd.Timestamp("2026-02-10"))
    assert list(metrics.filter_claims(claims, filters).index) == [11, 12, 13]
    kept = metrics.filter_findings(findings, claims, filters)
    assert sorted(kept["line_index"].dropna().astype(int)) == [12]
    assert (kept["line_index"].isna()).sum() == 1


def test_inactive_filters_return_frames_unchanged():
    claims = _claims()
    assert metrics.filter_claims(claims, metrics.Filters()) is claims
    assert not metrics.Filters().active


def test_filter_options():
    options = metrics.filter_options(_claims())
    assert options["payers"] == ["Aetna", "Cigna", "Medicare Part B"]
    assert options["clinicians"] == ["Ana Ruiz", "Ben Cho"]
    assert options["first_date"] == pd.Timestamp("2026-01-05")
    assert options["last_date"] == pd.Timestamp("2026-03-01")


def test_findings_by_family_orders_by_count_then_severity():
    table = metrics.findings_by_family(_findings())
    assert list(zip(table["family"], table["severity"], table["findings"], strict=True)) == [
        ("TELE", "warning", 2),
        ("CRED", "warning", 1),
        ("DX", "info", 1),
        ("TIME", "error", 1),
    ]
    assert table.loc[0, "at_risk"] == 80.0


def test_findings_by_rule_counts_distinct_lines():
    table = metrics.findings_by_rule(_findings())
    tele = table[table["rule"] == "TELE-001"].iloc[0]
    assert (tele["findings"], tele["lines"], tele["at_risk"]) == (2, 2, 80.0)
    assert table.iloc[0]["rule"] == "TELE-001"


def test_risk_by_payer_sums_risk_and_flags():
    table = metrics.risk_by(_claims(), _risk(), _findings(), "payer").set_index("payer")
    assert table.loc["Aetna", "lines"] == 3
    assert table.loc["Aetna", "amount_at_risk"] == pytest.approx(240.0)
    assert table.loc["Aetna", ["certain_loss", "likely_loss", "baseline_loss"]].tolist() == pytest.approx(
        [200.0, 40.0, 20.0])
    assert table.loc["Aetna", "expected_denials"] == pytest.approx(1.3)
    assert table.loc["Aetna", "flagged_lines"] == 2
    assert table.index[0] == "Aetna"


def test_monthly_trend():
    trend = metrics.monthly_trend(_claims(), _findings(), _risk())
    assert list(trend["month"]) == list(pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]))
    assert list(trend["lines"]) == [2, 2, 1]
    assert list(trend["flagged_lines"]) == [1, 1, 0]
    assert list(trend["flagged_share"]) == [0.5, 0.5, 0.0]
    np.testing.assert_allclose(trend["amount_at_risk"], [205.0, 30.0, 10.0])


def test_code_mix_by_month():
    mix = metrics.code_mix_by_month(_claims(), ("90832", "90834", "90837"))
    january = mix[mix["month"] == pd.Timestamp("2026-01-01")].set_index("code")["share"]
    assert january.to_dict() == {"90834": 0.5, "90837": 0.5}


def test_top_lines_and_histogram_and_matrix():
    claims, risk = _claims(), _risk()
    top = metrics.top_lines(claims, risk, count=2)
    assert list(top.index) == [10, 12]
    assert list(top["source_row"]) == [2, 4]
    histogram = metrics.risk_histogram(risk, bins=4)
    assert list(histogram["lines"]) == [4, 0, 0, 1]  # the unpayable line is certain to be denied
    assert histogram["amount_at_risk"].sum() == pytest.approx(245.0)
    grid = metrics.risk_matrix(claims, risk)
    assert grid.loc["Ana Ruiz", "Aetna"] == pytest.approx(0.55)
    assert np.isnan(grid.loc["Ana Ruiz", "Cigna"])
    dollars = metrics.risk_matrix(claims, risk, value="amount_at_risk")
    assert dollars.loc["Ana Ruiz", "Aetna"] == pytest.approx(210.0)


def _roster() -> Roster:
    clinicians = pd.DataFrame(
        {
            "clinician_name": ["Ana Ruiz", "Ben Cho", "Cara Diaz", "Dev Patel"],
            "credential": ["LCSW", "PHD", "LPC", "MD"],
            "license_expiration": pd.to_datetime(["2026-03-10", "2026-02-20", "2027-01-01", pd.NaT]),
        }
    )
    enrollments = pd.DataFrame(
        {
            "clinician_name": ["Ana Ruiz", "Ana Ruiz", "Ben Cho", "Ben Cho", "Ben Cho"],
            "payer": ["Aetna", "Medicare", "Aetna", "Cigna", "Cigna"],
            "status": ["active", "active", "active", "termed", "active"],
            "effective_date": pd.to_datetime(
                ["2025-01-01", "2026-06-01", "2025-01-01", "2024-01-01", "2026-02-15"]
            ),
            "term_date": pd.to_datetime([pd.NaT, pd.NaT, "2026-01-31", "2025-12-31", pd.NaT]),
        }
    )
    return Roster(clinicians=clinicians, enrollments=enrollments)


def test_license_status_bands():
    table = metrics.license_status(_roster().clinicians, pd.Timestamp("2026-03-01")).set_index("clinician")
    assert table.loc["Ben Cho", "status"] == "expired"
    assert table.loc["Ana Ruiz", "status"] == "≤ 30 days"
    assert table.loc["Ana Ruiz", "days_left"] == 9
    assert table.loc["Cara Diaz", "status"] == "valid"
    assert table.loc["Dev Patel", "status"] == "unknown"
    assert list(table.index) == ["Ben Cho", "Ana Ruiz", "Cara Diaz", "Dev Patel"]


def test_enrollment_matrix_states_dates_and_canonical_payers():
    matrix = metrics.enrollment_matrix(_roster(), _claims(), pd.Timestamp("2026-03-01"))
    cell = matrix.set_index(["clinician", "payer"])
    # "Medicare Part B" on the claims and "Medicare" on the roster are one payer, named as the claims say
    assert cell.loc[("Ana Ruiz", "Medicare Part B"), "state"] == "pending"
    assert cell.loc[("Ana Ruiz", "Medicare Part B"), "lines"] == 1
    assert cell.loc[("Ana Ruiz", "Aetna"), "state"] == "active"
    assert cell.loc[("Ben Cho", "Aetna"), "state"] == "termed"
    assert cell.loc[("Ben Cho", "Aetna"), "label"] == "termed from 2025-01-01 to 2026-01-31"
    # the active Cigna row wins over the termed one
    assert cell.loc[("Ben Cho", "Cigna"), "state"] == "active"
    assert cell.loc[("Cara Diaz", "Cigna"), "state"] == "none"
    assert set(matrix["payer"]) == {"Aetna", "Cigna", "Medicare Part B"}
    assert len(matrix) == 4 * 3
    assert (matrix["at_risk"] == 0.0).all()  # no outside-enrollment frame given: no dollars
    assert "outside_lines" not in matrix.columns


def test_enrollment_matrix_carries_the_outside_enrollment_dollars_per_pair():
    outside = pd.DataFrame(
        {"clinician": ["Cara Diaz"], "payer": ["Cigna"], "lines": [3], "at_risk": [412.5]}
    )
    matrix = metrics.enrollment_matrix(_roster(), _claims(), pd.Timestamp("2026-03-01"), outside=outside)
    cell = matrix.set_index(["clinician", "payer"])
    assert cell.loc[("Cara Diaz", "Cigna"), "at_risk"] == pytest.approx(412.5)
    assert cell.loc[("Cara Diaz", "Cigna"), "outside_lines"] == 3
    assert cell.loc[("Ana Ruiz", "Aetna"), "at_risk"] == 0.0
    assert cell.loc[("Ana Ruiz", "Aetna"), "outside_lines"] == 0
    assert matrix["at_risk"].sum() == pytest.approx(412.5)


def test_enrollment_status_uses_stated_status():
    enrollments = pd.DataFrame(
        {
            "status": ["Pending", "active", "Terminated"],
            "effective_date": pd.to_datetime(["2025-01-01", "2027-01-01", "2025-01-01"]),
            "term_date": pd.to_datetime([pd.NaT, pd.NaT, pd.NaT]),
        }
    )
    assert list(metrics.enrollment_status(enrollments, pd.Timestamp("2026-01-01"))) == [
        "pending",
        "pending",
        "termed",
    ]


def test_outside_enrollment_counts_lines_once_and_sums_the_findings_dollars():
    findings = _findings()
    extra = findings.iloc[[0]].assign(rule="CRED-001", family="CRED", at_risk=120.0)
    again = findings.iloc[[0]].assign(rule="CRED-002", family="CRED", at_risk=80.0)
    table = metrics.outside_enrollment(pd.concat([findings, extra, again]), ("CRED-001", "CRED-002"))
    assert table.to_dict("records")[0] | {} == {
        "clinician": "Ana Ruiz",
        "payer": "Aetna",
        "lines": 1,
        "at_risk": 200.0,
        "first_date": pd.Timestamp("2026-01-05"),
        "last_date": pd.Timestamp("2026-01-05"),
    }


def test_credential_timeline_and_claim_weeks():
    roster, claims = _roster(), _claims()
    bars = metrics.credential_timeline(roster, claims, "Ben Cho", pd.Timestamp("2026-03-01"))
    assert list(bars["lane"]) == ["License", "Aetna", "Cigna", "Cigna"]
    assert bars.loc[0, "kind"] == "license expired"
    assert bars.loc[1, "end"] == pd.Timestamp("2026-01-31")
    assert bars.loc[3, "end"] == pd.Timestamp("2026-03-01")  # open-ended runs to the as-of date
    weeks = metrics.claim_dates_by_payer(claims, "Ben Cho")
    assert list(zip(weeks["lane"], weeks["lines"], strict=True)) == [("Aetna", 1), ("Cigna", 1)]
    assert not weeks["outside"].any()
    ben = claims.index[claims["clinician_name"] == "Ben Cho"]
    marked = metrics.claim_dates_by_payer(claims, "Ben Cho", pd.Index(ben[:1]))
    assert marked["outside"].tolist().count(True) == 1


def test_fix_first_ranks_rules_by_their_attributed_dollars():
    table = metrics.fix_first(_findings())
    assert list(table["rule"]) == ["TIME-001", "TELE-001", "DX-009", "CRED-003"]
    # TELE-001 holds 50 of line 10 and 30 of line 12; the clinician-level rule has no lines
    assert list(table["amount_at_risk"]) == [150.0, 80.0, 10.0, 0.0]
    assert list(table["lines"]) == [1, 2, 1, 0]
    assert table.loc[0, "fix"] == "f"
    assert len(metrics.fix_first(_findings(), count=2)) == 2



def test_fix_first_within_clinician_ranks_each_clinician_as_their_findings_alone():
    findings = _findings()
    findings["assumption"] = pd.Series(pd.NA, index=findings.index, dtype="string")
    findings.loc[2, "assumption"] = "Assumed: a payer default."
    table = metrics.fix_first(findings, count=1, within="clinician")
    assert list(zip(table["clinician"], table["rule"], strict=True)) == [
        ("Ana Ruiz", "TIME-001"),
        ("Ben Cho", "TELE-001"),
    ]
    # Ben Cho's TELE-001 holds only his own line 12 (30 at risk), with its one assumed finding
    assert list(table["amount_at_risk"]) == [150.0, 30.0]
    assert list(table["assumed_findings"]) == [0, 1]
    for clinician, own in findings.groupby("clinician"):
        alone = metrics.fix_first(own, count=2)
        together = metrics.fix_first(findings, count=2, within="clinician")
        together = together[together["clinician"] == clinician].drop(columns="clinician")
        pd.testing.assert_frame_equal(together.reset_index(drop=True), alone)

def test_clinician_summary_counts_flagged_families_and_findings():
    peers = pd.DataFrame({"clinician": ["Ana Ruiz", "Ben Cho"], "outlier_score": [5.0, 50.0]})
    mix = pd.DataFrame(
        {
            "clinician": ["Ana Ruiz", "Ana Ruiz", "Ana Ruiz", "Ben Cho"],
            "payer_type": ["commercial", "commercial", "medicare", "commercial"],
            "code_family": ["individual_psychotherapy"] * 4,
            "code": ["90837", "90834", "90837", "90837"],
            "difference_pp": [40.0, -30.0, 12.0, 5.0],
            "p_value": [1e-9, 1e-6, 1e-3, 0.4],
            "flagged": [True, True, True, False],
            "audit_flag": [True, False, True, False],  # only shares above the norm on audit-focus codes
        }
    )
    summary = metrics.clinician_summary(peers, mix, _findings()).set_index("clinician")
    assert summary.loc["Ana Ruiz", "families_off_norm"] == 2  # commercial and medicare groups
    assert summary.loc["Ana Ruiz", "largest_gap_pp"] == 40.0
    assert summary.loc["Ana Ruiz", "findings"] == 3
    assert summary.loc["Ben Cho", "families_off_norm"] == 0
    assert np.isnan(summary.loc["Ben Cho", "largest_gap_pp"])
    assert list(summary.index) == ["Ana Ruiz", "Ben Cho"]  # flagged first, despite the lower score


def test_code_families_present_and_codes_in_family():
    assert metrics.code_families_present(_claims()) == ["individual_psychotherapy"]
    assert metrics.codes_in_family("individual_psychotherapy") == ("90832", "90834", "90837")


def test_enrollment_rule_ids_are_line_level_enrollment_rules():
    from bhdash.rules.registry import REGISTRY

    ids = metrics.enrollment_rule_ids()
    assert ids
    for rule_id in ids:
        assert "enrollments" in REGISTRY[rule_id].needs_roster
        assert not REGISTRY[rule_id].clinician_level


def test_rule_catalogue_merges_status():
    from bhdash.rules.registry import REGISTRY

    catalogue = metrics.rule_catalogue()
    assert len(catalogue) == len(REGISTRY)
    assert set(catalogue["status"]) == {"not run"}
    first = catalogue.loc[0, "id"]
    status = pd.DataFrame(
        {"id": [first], "status": ["skipped"], "reason": ["missing column minutes"], "findings": [0]}
    )
    merged = metrics.rule_catalogue(status).set_index("id")
    assert merged.loc[first, "status"] == "skipped"
    assert merged.loc[first, "reason"] == "missing column minutes"
    assert (merged.drop(index=first)["status"] == "not run").all()


def test_enrollment_date_fixes_start_earlier_or_extend_the_term():
    outside = pd.DataFrame(
        {
            "clinician": ["Ana Ruiz", "Ben Cho", "Cara Diaz"],
            "payer": ["Medicare Part B", "Aetna", "Cigna"],
            "lines": [3, 2, 4],
            "amount": [300.0, 200.0, 400.0],
            "first_date": pd.to_datetime(["2026-02-01", "2026-02-05", "2026-01-10"]),
            "last_date": pd.to_datetime(["2026-03-01", "2026-02-20", "2026-02-10"]),
        }
    )
    fixes = metrics.enrollment_date_fixes(outside, _roster(), _claims())
    # Ana's Medicare starts too late (open-ended), Ben's Aetna was termed 2026-01-31, Cara has no Cigna.
    assert fixes.to_dict("records") == [
        {"clinician": "Ana Ruiz", "payer": "Medicare Part B", "effective_date": pd.Timestamp("2026-02-01"),
         "term_date": pd.NaT},
        {"clinician": "Ben Cho", "payer": "Aetna", "effective_date": pd.NaT,
         "term_date": pd.Timestamp("2026-02-20")},
        {"clinician": "Cara Diaz", "payer": "Cigna", "effective_date": pd.Timestamp("2026-01-10"),
         "term_date": pd.NaT},
    ]


def test_keep_chosen_narrows_only_on_columns_with_choices():
    findings = _findings()
    kept = metrics.keep_chosen(findings, {"severity": ["warning"], "family": ["TELE", "CRED"], "rule": []})
    assert kept["rule"].tolist() == ["TELE-001", "TELE-001", "CRED-003"]
    assert metrics.keep_chosen(findings, {"severity": [], "family": []}).equals(findings)


def test_readme_rule_list_is_the_catalogue():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    listed = readme.split("<!-- rules:start -->\n")[1].split("<!-- rules:end -->")[0]
    assert listed == metrics.rule_list_markdown(), "run python scripts/update_readme_rules.py"
    assert "| CODE-001 | error | Procedure code not valid on the date of service | any date |" in listed
    assert "until 2024-12-31: 99441–99443, G2012" in listed


def test_rule_catalogue_lists_dated_facts_of_the_rules_that_use_them():
    catalogue = metrics.rule_catalogue().set_index("id")
    assert "F50 2024-10-01" in catalogue.loc["DX-001", "dated_facts"]
    assert "from 2025-01-01: 98000–98016" in catalogue.loc["CODE-001", "dated_facts"]
    assert catalogue.loc["UNITS-004", "effective"] == "from 2018-01-01"
    assert catalogue.loc["PTP-003", "dated_facts"] == ""


def test_fix_first_says_when_a_rule_rests_on_an_unconfirmed_payer_default():
    findings = _findings()
    note = "Assumed: Medicaid requires license-level modifiers (a shipped default not confirmed …)."
    findings["assumption"] = pd.Series(pd.NA, index=findings.index, dtype="string")
    findings.loc[findings["rule"] == "TELE-001", "assumption"] = note
    table = metrics.fix_first(findings).set_index("rule")
    assert table.loc["TELE-001", "assumed_findings"] == int((findings["rule"] == "TELE-001").sum())
    assert table.loc["TELE-001", "assumption"] == note
    assert table.loc["TIME-001", "assumed_findings"] == 0 and pd.isna(table.loc["TIME-001", "assumption"])


def test_enrollment_gap_order_puts_dollars_outside_enrollment_first_then_lines_then_states():
    matrix = pd.DataFrame({
        "clinician": ["Ana Ruiz", "Ana Ruiz", "Ben Cho", "Cara Diaz", "Dev Patel", "Eli Moss", "Fay Lin"],
        "payer": ["Aetna", "Cigna", "Aetna", "Aetna", "Aetna", "Aetna", "Aetna"],
        "state": ["active", "termed", "none", "none", "pending", "active", "active"],
        "lines": [10, 0, 4, 2, 0, 8, 3],
        "at_risk": [0.0, 0.0, 120.0, 0.0, 0.0, 0.0, 0.0],
        "outside_lines": [0, 0, 4, 2, 0, 0, 0],
    })
    # Ben: $120 outside; Cara: lines outside, no dollars; Ana: a termed pair; Dev: pending; then by name
    assert metrics.clinicians_by_enrollment_gaps(matrix) == [
        "Ben Cho", "Cara Diaz", "Ana Ruiz", "Dev Patel", "Eli Moss", "Fay Lin"]


def test_enrollment_gap_order_without_the_findings_counts_billed_pairs_with_no_enrollment():
    matrix = pd.DataFrame({
        "clinician": ["Ana Ruiz", "Ben Cho", "Cara Diaz"],
        "payer": ["Aetna", "Aetna", "Aetna"],
        "state": ["active", "none", "none"],
        "lines": [5, 0, 2],
        "at_risk": [0.0, 0.0, 0.0],
    })
    assert metrics.clinicians_by_enrollment_gaps(matrix) == ["Cara Diaz", "Ana Ruiz", "Ben Cho"]


def test_clinicians_by_risk_dollars_sums_each_clinicians_lines_most_first():
    claims = pd.DataFrame({"clinician_name": ["Ana Ruiz", "Ben Cho", None, "Ana Ruiz", "Cara Diaz"]},
                          index=[10, 11, 12, 13, 14])
    risk = pd.DataFrame({"amount_at_risk": [30.0, 50.0, 80.0, 25.0, 50.0]}, index=[10, 11, 12, 13, 14])
    # the line without a clinician is the heatmap's "(not given)" row; Ben and Cara tie at $50, by name
    assert metrics.clinicians_by_risk_dollars(claims, risk) == [
        "(not given)", "Ana Ruiz", "Ben Cho", "Cara Diaz"]
    grid = metrics.risk_matrix(claims.assign(payer="Aetna"), risk.assign(denial_risk=0.1),
                               value="amount_at_risk")
    assert set(grid.index) == set(metrics.clinicians_by_risk_dollars(claims, risk))
