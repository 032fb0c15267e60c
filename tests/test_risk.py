"""Denial risk: the prior, expected payment, the learned model's AUC, leakage guard and refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bhdash.model import FINDING_COLUMNS
from bhdash.risk import (
    adjudicated_mask,
    denial_label,
    expected_payment,
    fit_risk_model,
    paid_history,
    prior_risk,
    risk_features,
    score_lines,
)


def _findings(rows: list[tuple[int, str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series([None] * len(rows), dtype=object) for column in FINDING_COLUMNS})
    for position, (line, rule_id, family, severity) in enumerate(rows):
        frame.loc[position, ["line_index", "rule", "family", "severity"]] = [line, rule_id, family, severity]
    return frame


def _history(n: int = 4000, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Adjudicated lines whose denials follow a known signal: CRED hits and UHC 90837 lines."""
    rng = np.random.default_rng(seed)
    payer = rng.choice(["Anthem", "UnitedHealthcare", "Medicare", "Medicaid"], n)
    code = rng.choice(["90832", "90834", "90837"], n)
    claims = pd.DataFrame({
        "source_row": np.arange(n) + 2,
        "patient_id": [f"P{i}" for i in rng.integers(0, 700, n)],
        "payer": payer, "procedure_code": code,
        "clinician_name": rng.choice(["A", "B", "C"], n),
        "clinician_credential": rng.choice(["LCSW", "PHD"], n),
        "pos": rng.choice(["10", "11"], n),
        "service_date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
    })
    claims["submitted_date"] = claims["service_date"] + pd.to_timedelta(rng.integers(1, 60, n), unit="D")
    hit = rng.random(n) < 0.15
    findings = _findings([(int(i), "CRED-003", "CRED", "error") for i in np.flatnonzero(hit)])
    logit = -3 + 3 * hit + 1.5 * ((payer == "UnitedHealthcare") & (code == "90837"))
    denied = rng.random(n) < 1 / (1 + np.exp(-logit))
    claims["status"] = np.where(denied, "Denied", "Paid")
    claims["denial_reason"] = pd.Series(np.where(denied, "CO-B7", None), dtype="str")
    claims["paid_amount"] = np.where(denied, 0.0, 100.0)
    return claims, findings


def test_denial_label_uses_status_or_reason() -> None:
    frame = pd.DataFrame({"status": ["Denied", "Paid", None, "rejected", "Paid"],
                          "denial_reason": [None, None, "CO-16", None, " "]})
    assert denial_label(frame).tolist() == [True, False, True, True, False]


def test_pending_lines_are_not_adjudicated() -> None:
    frame = pd.DataFrame({
        "status": ["Submitted", "Not Billed", "Paid", "Denied", None, "Unpaid", "Processed", None],
        "paid_amount": [None, None, 80.0, 0.0, 55.0, None, None, None],
        "denial_reason": [None, None, None, None, None, None, None, "CO-29"],
    })
    assert adjudicated_mask(frame).tolist() == [False, False, True, True, True, False, True, True]


def test_prior_combines_hits_as_one_minus_product() -> None:
    claims = pd.DataFrame({"payer_type": ["commercial", "medicare", "medicare", "medicaid", "commercial"],
                           "procedure_code": ["90837"] * 5}, index=[10, 11, 12, 13, 14])
    findings = _findings([
        (10, "CRED-003", "CRED", "error"), (10, "TIME-001", "TIME", "error"),
        (10, "TIME-001", "TIME", "error"),  # the same rule twice on a line counts once
        (12, "TIME-001", "TIME", "error"),  # Medicare-specific TIME prior
        (13, "INFO-001", "AUDIT", "info"),
        (14, "TIME-002", "TIME", "warning"),  # under-billing has its own row, not the TIME warning default
    ])
    risk, reasons = prior_risk(claims, findings)
    assert risk.loc[10] == pytest.approx(1 - 0.95 * 0.10 * 0.65)
    assert risk.loc[11] == pytest.approx(0.0412)
    assert risk.loc[12] == pytest.approx(1 - (1 - 0.0412) * (1 - 0.45))
    assert risk.loc[13] == pytest.approx(1 - (1 - 0.059) * (1 - 0.02))
    assert risk.loc[14] == pytest.approx(1 - (1 - 0.05) * (1 - 0.01))
    assert reasons.loc[10] == ["CRED-003 (error, P(denial) 90%)", "TIME-001 (error, P(denial) 35%)"]
    assert reasons.loc[11] == ["base rate medicare 4.1%"]


def test_expected_payment_prefers_paid_history_then_fee_schedule_then_charge() -> None:
    history = pd.DataFrame({"payer": ["Anthem"] * 4, "procedure_code": ["90837"] * 4,
                            "status": ["Paid", "Paid", "Paid", "Denied"],
                            "paid_amount": [110.0, 120.0, 130.0, 0.0]})
    claims = pd.DataFrame({
        "payer": ["Anthem", "Medicare", "Medicare", "Medicare", "Anthem"],
        "procedure_code": ["90837", "90837", "90837", "90834", "H0031"],
        "clinician_credential": ["LCSW", "LCSW", "PHD", "PMHNP", "LCSW"],
        "pos": ["11", "11", "02", "11", "11"],
        "service_date": pd.to_datetime(["2025-03-01"] * 4 + ["2025-03-01"]),
        "charge": [200.0, 200.0, 200.0, 150.0, 95.0],
    })
    paid = paid_history(history)
    payment = expected_payment(claims, paid=paid)
    assert payment["expected_payment"].round(4).tolist() == [
        120.0,                      # median of Anthem's three paid 90837 lines
        round(154.29 * 0.75, 4),    # 2025 non-facility at the LCSW 75%
        134.56,                     # POS 02 is paid at the facility rate from 2024; psychologist 100%
        round(104.16 * 0.85, 4),    # NP 85%
        95.0,                       # no fee on file: the charge
    ]
    assert payment["payment_basis"].tolist() == ["paid history", "fee schedule", "fee schedule",
                                                 "fee schedule", "charge"]


def test_fee_schedule_uses_the_nearest_year_on_file() -> None:
    claims = pd.DataFrame({"procedure_code": ["90834", "90834", "90837"],
                           "service_date": pd.to_datetime(["2019-05-01", "2027-02-01", "2018-01-10"])})
    payment = expected_payment(claims)["expected_payment"].tolist()
    assert payment == pytest.approx([91.18, 104.16, 136.95])  # 2019; 2025 (no 2026 NF 90834); 2019


def test_model_learns_a_known_signal_on_a_patient_grouped_split() -> None:
    claims, findings = _history()
    model = fit_risk_model(claims, findings)
    assert model.info["status"] == "trained"
    assert model.info["auc"] > 0.75
    assert "patient_id" in model.info["split"]
    table = model.info["calibration"]
    assert sum(row["lines"] for row in table) == model.info["test_lines"]
    observed = sum(row["observed_rate"] * row["lines"] for row in table) / model.info["test_lines"]
    predicted = sum(row["mean_predicted"] * row["lines"] for row in table) / model.info["test_lines"]
    assert abs(observed - predicted) < 0.03
    assert table[-1]["observed_rate"] > 3 * table[0]["observed_rate"]


def test_learned_reasons_name_effects_in_plain_words() -> None:
    claims, findings = _history()
    model = fit_risk_model(claims, findings)
    uhc_90837 = claims.index[(claims["payer"] == "UnitedHealthcare") & (claims["procedure_code"] == "90837")]
    line = int(uhc_90837.difference(findings["line_index"].astype(int))[0])
    reasons = model.reasons(risk_features(claims, findings).loc[[line]])[0]
    assert reasons[0].startswith("UnitedHealthcare × 90837 (payer and code) (odds of denial ×")
    assert not any("payer_code" in reason or " = " in reason for reason in reasons)
    one_line_payer = claims.iloc[[0]].assign(payer="Tiny Payer", source_row=99_999)
    rare = pd.concat([claims, one_line_payer], ignore_index=True)
    names = fit_risk_model(rare, findings).feature_names
    assert "payer: one with few lines in the history" in names
    assert "place of service 10" in names and "submitted 31-60 days after the service" in names
    family_hits = [name for name in names if name.endswith(" lines") and " findings on " in name]
    assert family_hits and not any(" × " in name for name in family_hits)


def test_shuffled_labels_give_chance_auc() -> None:
    claims, findings = _history()
    shuffled = claims.copy()
    order = np.random.default_rng(11).permutation(len(claims))
    for column in ("status", "denial_reason", "paid_amount"):
        shuffled[column] = claims[column].to_numpy()[order]
    model = fit_risk_model(shuffled, findings)
    assert 0.4 < model.info["auc"] < 0.6


def test_outcome_columns_are_never_features() -> None:
    claims, findings = _history(n=1500)
    features = risk_features(claims, findings)
    assert not any(name in column for column in features.columns
                   for name in ("status", "denial", "paid"))
    model = fit_risk_model(claims, findings)
    scrambled = claims.assign(status="Paid", denial_reason=None, paid_amount=999.0)
    np.testing.assert_allclose(score_lines(claims, findings, model=model).lines["denial_risk"],
                               score_lines(scrambled, findings, model=model).lines["denial_risk"])


def test_training_is_deterministic() -> None:
    claims, findings = _history(n=1500)
    first, second = fit_risk_model(claims, findings), fit_risk_model(claims, findings)
    assert first.info == second.info


def test_refuses_small_or_denial_free_history_and_falls_back_to_the_prior() -> None:
    claims, findings = _history(n=150)
    small = score_lines(claims, findings, history=claims, history_findings=findings)
    assert small.model["status"] == "not trained"
    assert "150 adjudicated lines" in small.model["reason"]
    assert (small.lines["risk_source"] == "prior").all()
    claims, findings = _history(n=1000)
    clean = claims.assign(status="Paid", denial_reason=None)
    refused = score_lines(clean, findings, history=clean, history_findings=findings)
    assert refused.model["status"] == "not trained"
    assert "0 denials" in refused.model["reason"]


def test_score_lines_gives_every_line_risk_payment_and_amount() -> None:
    claims, findings = _history(n=1500)
    result = score_lines(claims, findings, history=claims, history_findings=findings)
    lines = result.lines
    assert len(lines) == len(claims) and lines.index.equals(claims.index)
    assert lines["denial_risk"].between(0, 1).all()
    np.testing.assert_allclose(lines["certain_loss"] + lines["likely_loss"] + lines["baseline_loss"],
                               lines["denial_risk"] * lines["expected_payment"])
    np.testing.assert_allclose(lines["amount_at_risk"], lines["certain_loss"] + lines["likely_loss"])
    # CRED-003 makes a line unpayable: its whole expected payment is a certain loss
    hit = findings["line_index"].astype(int).unique()
    assert lines.loc[hit, "unpayable"].all() and (lines.loc[hit, "denial_risk"] == 1.0).all()
    np.testing.assert_allclose(lines.loc[hit, "certain_loss"], lines.loc[hit, "expected_payment"])
    others = lines.drop(index=hit)
    assert (others["certain_loss"] == 0).all()
    ordinary = np.minimum(others["denial_risk"], others["base_rate"]) * others["expected_payment"]
    np.testing.assert_allclose(others["baseline_loss"], ordinary)
    hit_line = int(findings["line_index"].iloc[0])
    assert any("CRED-003" in reason for reason in lines.loc[hit_line, "reasons"])
    assert lines["row"].iloc[0] == 2


def test_scoring_works_out_each_lines_payer_type_and_key_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The features, expected payment, base rates and hit priors all read them: a 246,283-line upload's
    what-if rescores paid for them three times each."""
    from bhdash import risk

    claims, findings = _history(n=1500)
    model, paid = fit_risk_model(claims, findings), risk.paid_history(claims)
    calls: list[str] = []
    for name in ("line_payer_types", "_payer_key"):
        original = getattr(risk, name)
        monkeypatch.setattr(risk, name, lambda *args, _name=name, _original=original, **options: (
            calls.append(_name), _original(*args, **options))[1])
    scored = score_lines(claims, findings, model=model, paid=paid, explain=False)
    assert sorted(calls) == ["_payer_key", "line_payer_types"]
    assert scored.lines["payment_basis"].eq("paid history").any()
    calls.clear()
    score_lines(claims, findings, explain=False)  # the prior, no paid history: no payer key is read
    assert calls == ["line_payer_types"]


def test_features_ignore_outcome_columns_entirely() -> None:
    claims, findings = _history(n=300)
    scrambled = claims.assign(status="Denied", denial_reason="CO-50", paid_amount=0.0)
    pd.testing.assert_frame_equal(
        risk_features(claims, findings, as_of=pd.Timestamp("2026-12-31")),
        risk_features(scrambled, findings, as_of=pd.Timestamp("2026-12-31")),
    )
