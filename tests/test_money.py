"""The money model: the three-way split per line, attribution to findings, and the summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bhdash import money
from bhdash.rules import REGISTRY


def _lines() -> pd.DataFrame:
    return pd.DataFrame(
        {"denial_risk": [0.30, 0.02, 0.50, 0.10], "expected_payment": [100.0, 200.0, 80.0, 50.0],
         "base_rate": [0.05, 0.05, 0.04, 0.10], "unpayable": [False, False, True, False]},
        index=[7, 8, 9, 10],
    )


def _findings(rows: list[tuple[int | None, str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"line_index": pd.array([row[0] for row in rows], dtype="Int64"),
                         "rule": [row[1] for row in rows], "severity": [row[2] for row in rows]})


def test_split_puts_each_expected_denied_dollar_in_exactly_one_part() -> None:
    lines = money.split(_lines())
    # line 7: (30% − 5%) × 100 likely, 5% × 100 ordinary; line 8: below the payer's rate, nothing likely;
    # line 9: unpayable, the whole payment is certain; line 10: at the payer's rate, only ordinary denials
    assert lines["certain_loss"].tolist() == [0.0, 0.0, 80.0, 0.0]
    np.testing.assert_allclose(lines["likely_loss"], [25.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(lines["baseline_loss"], [5.0, 4.0, 0.0, 5.0])
    np.testing.assert_allclose(lines["amount_at_risk"], [25.0, 0.0, 80.0, 0.0])
    assert lines.loc[9, "denial_risk"] == 1.0
    total = lines["certain_loss"] + lines["likely_loss"] + lines["baseline_loss"]
    np.testing.assert_allclose(total, lines["denial_risk"] * lines["expected_payment"])


def test_summary_keeps_ordinary_denials_out_of_the_headline() -> None:
    summary = money.summarize(money.split(_lines()))
    assert (summary.certain, summary.likely, summary.baseline) == pytest.approx((80.0, 25.0, 14.0))
    assert summary.at_risk == pytest.approx(105.0)
    assert summary.expected_denials == pytest.approx(0.30 + 0.02 + 1.0 + 0.10)
    assert summary.unpayable_lines == 1
    assert money.summarize(money.split(_lines()), pd.Index([7, 10])).at_risk == pytest.approx(25.0)
    assert money.summarize(money.split(_lines())).as_dict()["at_risk"] == 105.0


def test_unpayable_lines_come_from_error_findings_of_the_listed_rules() -> None:
    findings = _findings([(7, "CRED-003", "error"), (8, "TIME-001", "error"), (9, "CRED-003", "warning"),
                          (None, "CRED-003", "error")])
    flags = money.unpayable_lines(findings, pd.Index([7, 8, 9, 10]))
    assert flags.tolist() == [True, False, False, False]


def test_every_unpayable_rule_is_a_registered_line_level_error() -> None:
    import bhdash.rules.catalogue  # noqa: F401  (registers the catalogue)

    for rule_id in money.unpayable_rules():
        rule = REGISTRY[rule_id]
        assert (rule.severity, rule.clinician_level) == ("error", False), rule_id
        assert money.unpayable_reason(rule_id)
    assert money.unpayable_reason("TIME-001") is None  # documentation time: reviewed, not denied on edit


def test_attribution_shares_certain_equally_and_likely_by_prior_weight() -> None:
    lines = money.split(_lines().assign(unpayable=[False, False, True, False]))
    findings = _findings([
        (9, "CRED-003", "error"), (9, "CRED-001", "error"), (9, "TELE-002", "warning"),
        (7, "TELE-002", "warning"), (7, "DX-003", "warning"), (7, "DX-003", "warning"),
        (None, "NORM-001", "warning"),
    ])
    priors = pd.Series([0.9, 0.9, 0.25, 0.5, 0.2, 0.2, np.nan])
    dollars = money.attribute(findings, lines, priors)
    # line 9 (certain 80): the two unpayable findings share it; the warning on it gets nothing
    assert dollars[:3].tolist() == pytest.approx([40.0, 40.0, 0.0])
    # line 7 (likely 25): weights −log(1 − p), the repeated rule sharing one weight
    heavy, light = -np.log(0.5), -np.log(0.8)
    expected = 25.0 * np.array([heavy, light / 2, light / 2]) / (heavy + light)
    assert dollars[3:6].tolist() == pytest.approx(list(expected))
    assert dollars[6] == 0.0  # clinician-level findings carry no dollars
    assert dollars.sum() == pytest.approx(lines["amount_at_risk"].sum())


def test_likely_loss_on_lines_without_findings_stays_unattributed() -> None:
    lines = money.split(_lines().assign(unpayable=False, denial_risk=[0.30, 0.02, 0.50, 0.10]))
    findings = _findings([(7, "TELE-002", "warning")])
    dollars = money.attribute(findings, lines, pd.Series([0.25]))
    assert dollars.tolist() == pytest.approx([25.0])
    # line 9: (50% − 4%) × 80 = 36.8 seen only by the model, on a line without findings
    assert money.unattributed(lines, findings) == pytest.approx(36.8)
    assert dollars.sum() + money.unattributed(lines, findings) == pytest.approx(lines["amount_at_risk"].sum())
