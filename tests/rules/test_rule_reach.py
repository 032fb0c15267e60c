"""How far a rule looks from a line: a code-reading rule that does not look across dates
(`Rule.across_dates`) judges a line by its visit and its clinician's day alone, and one that does not read
the clinician's day either (`Rule.clinician_day`) by its visit alone. What-if recodes judge again only
the lines within that reach of a recoded line, on the lines within reach of those."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import bhdash.rules.catalogue  # noqa: F401  (registers the rules)
from bhdash.distinct import distinct_ids
from bhdash.rules import REGISTRY, run_checks
from bhdash.sample import generate_practice

WITHIN_DAYS = sorted(rule.id for rule in REGISTRY.values()
                     if rule.judges_codes(None) and not rule.clinician_level and not rule.across_dates)
WITHIN_VISITS = sorted(rule_id for rule_id in WITHIN_DAYS if not REGISTRY[rule_id].clinician_day)
VISIT = (["patient_id", "service_date"],)
CLINICIAN_DAY = (["clinician_name", "service_date"],)


@pytest.fixture(scope="module")
def practice():
    return generate_practice(seed=7, scale=0.2)


def _within(claims: pd.DataFrame, chosen: np.ndarray, groups: tuple[list[str], ...]) -> np.ndarray:
    """Lines sharing a group (a visit: patient and date; a clinician's day) with a chosen line."""
    reach = np.zeros(len(claims), dtype=bool)
    reach[chosen] = True
    for columns in groups:
        ids = distinct_ids(claims[columns])[0]
        reach |= np.isin(ids, ids[chosen])
    return reach


def _findings_on(practice, claims: pd.DataFrame, rule_id: str, lines: pd.Index) -> list[tuple[str, ...]]:
    findings = run_checks(claims, practice.roster, as_of=practice.as_of, select={rule_id}).findings
    findings = findings[findings["line_index"].isin(lines)]
    return sorted(findings[["line_index", "message"]].astype(str).itertuples(index=False))


def _judged_alone(practice, rule_id: str, seed: int,
                  groups: tuple[list[str], ...] = VISIT + CLINICIAN_DAY) -> tuple[list, list]:
    """The rule's findings on target lines (random ones and those it finds, with what shares a group with
    them) from the whole practice, and from the target's reach."""
    claims = practice.claims
    rng = np.random.default_rng(seed)
    found = run_checks(claims, practice.roster, as_of=practice.as_of, select={rule_id}).findings["line_index"]
    moved = np.union1d(rng.choice(len(claims), size=len(claims) // 20, replace=False),
                       claims.index.get_indexer(found.dropna().astype("int64")))
    target = np.flatnonzero(_within(claims, moved, groups))
    context = _within(claims, target, groups)
    lines = claims.index[target]
    return (_findings_on(practice, claims, rule_id, lines),
            _findings_on(practice, claims[context], rule_id, lines))


@pytest.mark.parametrize("rule_id", WITHIN_DAYS)
def test_a_rule_within_days_judges_a_line_by_its_visit_and_its_clinicians_day(practice, rule_id: str) -> None:
    whole, reach = _judged_alone(practice, rule_id, seed=11)
    assert reach == whole


@pytest.mark.parametrize("rule_id", WITHIN_VISITS)
def test_a_rule_within_visits_judges_a_line_by_its_visit(practice, rule_id: str) -> None:
    whole, reach = _judged_alone(practice, rule_id, seed=11, groups=VISIT)
    assert reach == whole


def test_the_rules_on_a_clinicians_day_are_the_day_total_and_overlap_rules() -> None:
    assert sorted(rule.id for rule in REGISTRY.values() if rule.clinician_day) == [
        "AUDIT-001", "AUDIT-002", "AUDIT-003"]


def test_a_rule_on_the_clinicians_day_needs_more_than_the_visit(practice) -> None:
    """AUDIT-002 finds a clinician's sessions overlapping other patients': the visit alone misses them."""
    whole, reach = _judged_alone(practice, "AUDIT-002", seed=11, groups=VISIT)
    assert whole and reach != whole


def test_a_rule_across_dates_needs_more_than_the_day(practice) -> None:
    """AUDIT-004 compares a patient's evaluations months apart: the day alone misses the earlier one."""
    whole, reach = _judged_alone(practice, "AUDIT-004", seed=11)
    assert whole and reach != whole


def test_the_rules_that_look_across_a_day_fire_on_the_sample(practice) -> None:
    """The check above means something for the rules that group lines: the sample gives them findings."""
    grouping = {"ADDON-001", "AUDIT-002", "DUP-001", "PTP-001", "PTP-004", "PTP-006", "TIME-003"}
    findings = run_checks(practice.claims, practice.roster, as_of=practice.as_of, select=grouping).findings
    assert sorted(set(findings["rule"])) == sorted(grouping)
