"""The whole catalogue on a clean, realistic practice month: a checker that cries wolf gets switched off."""

from __future__ import annotations

import pytest

from bhdash.rules import run_checks
from bhdash.sample import generate_practice


@pytest.fixture(scope="module")
def clean_month():
    practice = generate_practice(plant=False, months=2)
    return practice, run_checks(practice.claims, practice.roster, as_of=practice.as_of)


def test_clean_month_has_errors_on_well_under_one_percent_of_lines(clean_month) -> None:
    practice, result = clean_month
    assert len(practice.claims) > 2000
    errors = result.findings[result.findings["severity"] == "error"]
    share = errors["line_index"].nunique() / len(practice.claims)
    assert share < 0.005, errors.groupby("rule")["message"].first().to_dict()


def test_clean_month_runs_every_roster_and_payer_rule(clean_month) -> None:
    _, result = clean_month
    mine = result.rules[result.rules["family"].isin(["DATA", "SCOPE", "CRED", "NPI", "TELE", "DX", "TIMELY"])]
    not_ran = mine.loc[mine["status"] != "ran", ["id", "reason"]]
    assert not_ran.empty, not_ran.to_dict("records")
    assert mine.loc[mine["severity"] == "error", "findings"].sum() == 0
