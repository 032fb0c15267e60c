"""Each rule's promise about procedure codes: recoding lines between listed codes outside its `code_scope`
(every listed code, for a rule that reads no code) never changes its findings. What-if recodes skip a rule
on that promise, so a broken one would leave stale findings in a scenario. Checked on the sample practice
and on the rule's firing fixture cases, each line given a same-visit twin of an outside code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import bhdash.rules.catalogue  # noqa: F401  (registers the rules)
from bhdash.payers import PayerDirectory
from bhdash.rules import REGISTRY, run_checks
from bhdash.rules.catalogue._shared import code_facts, codes_of_kind
from bhdash.sample import generate_practice
from tests.rules.conftest import canonical_frame, fixture_roster, load_fixture_files


def _outside(rule_id: str) -> list[str]:
    """The listed codes a recode may move lines between without the rule judging them again."""
    rule = REGISTRY[rule_id]
    return sorted(set(code_facts().index) - (rule.code_scope() if rule.code_scope else frozenset()))


# Rules with a scope short of every listed code, and rules that read no code at all.
PROMISED = sorted(rule.id for rule in REGISTRY.values()
                  if (rule.code_scope is not None or not rule.judges_codes(None)) and _outside(rule.id))
FIXTURES = load_fixture_files()


@pytest.fixture(scope="module")
def practice():
    return generate_practice(seed=7, scale=0.2)


def _recoded_outside(claims: pd.DataFrame, outside: list[str], seed: int) -> pd.DataFrame:
    """A copy with a third of the lines billed with an `outside` code recoded to another, with new minutes
    and end times (a what-if recode documents the new code's time)."""
    rng = np.random.default_rng(seed)
    candidates = claims.index[claims["procedure_code"].isin(outside).to_numpy(dtype=bool, na_value=False)]
    chosen = rng.choice(candidates, size=len(candidates) // 3, replace=False)
    recoded = claims.copy()
    recoded.loc[chosen, "procedure_code"] = rng.choice(outside, size=len(chosen))
    minutes = rng.integers(5, 180, size=len(chosen)).astype("float64")
    recoded.loc[chosen, "minutes"] = minutes
    recoded.loc[chosen, "end_time"] = recoded.loc[chosen, "start_time"] + pd.to_timedelta(minutes, unit="min")
    return recoded


def _findings(practice, claims: pd.DataFrame, rule_id: str) -> list[tuple[str, ...]]:
    findings = run_checks(claims, practice.roster, as_of=practice.as_of, select={rule_id}).findings
    return sorted(findings[["line_index", "clinician", "message"]].astype(str).itertuples(index=False))


@pytest.mark.parametrize("rule_id", PROMISED)
def test_a_recode_outside_the_rules_code_scope_leaves_its_findings(practice, rule_id: str) -> None:
    before = _findings(practice, practice.claims, rule_id)
    for seed in (1, 2):
        recoded = _recoded_outside(practice.claims, _outside(rule_id), seed)
        assert recoded["procedure_code"].ne(practice.claims["procedure_code"]).sum() > 100
        assert _findings(practice, recoded, rule_id) == before


def _with_twins(rows: list[dict], outside: list[str], rng: np.random.Generator) -> list[dict]:
    """The rows, then a twin of each (same patient, date and clinician) billed with an outside code."""
    twins = [{**row, "procedure_code": str(rng.choice(outside)), "minutes": int(rng.integers(5, 180))}
             for row in rows]
    return rows + twins


def _case_findings(case: dict, rows: list[dict], rule_id: str) -> list[tuple[str, ...]]:
    payers = PayerDirectory.load(case["payers"].encode(), "payers.csv") if "payers" in case else None
    findings = run_checks(canonical_frame(rows), fixture_roster(case), as_of=case.get("as_of"),
                          settings=case.get("settings"), payers=payers, select={rule_id}).findings
    return sorted(findings[["line_index", "clinician", "message"]].astype(str).itertuples(index=False))


@pytest.mark.parametrize("rule_id", PROMISED)
def test_a_recode_of_same_visit_lines_outside_the_scope_leaves_the_fixture_findings(rule_id: str) -> None:
    outside = _outside(rule_id)
    firing = [case for case in FIXTURES[rule_id]["case"]
              if case.get("expect") or case.get("expect_clinicians")]
    rng = np.random.default_rng(3)
    for case in firing:
        rows = _with_twins([dict(row) for row in case["rows"]], outside, rng)
        before = _case_findings(case, rows, rule_id)
        assert before, f"{case['name']} no longer fires with its twins"
        originals = len(case["rows"])
        for _ in range(2):
            recoded = rows[:originals] + [{**row, "procedure_code": str(rng.choice(outside)),
                                           "minutes": int(rng.integers(5, 180))} for row in rows[originals:]]
            assert _case_findings(case, recoded, rule_id) == before, case["name"]


def test_a_scope_too_narrow_is_caught(practice) -> None:
    """TIME-001 judges psychotherapy minutes: claimed to judge crisis codes only, the recode shows it."""
    before = _findings(practice, practice.claims, "TIME-001")
    assert len(before) >= 5
    outside = sorted(set(code_facts().index) - codes_of_kind("crisis", "crisis_addon"))
    recoded = _recoded_outside(practice.claims, outside, seed=1)
    assert _findings(practice, recoded, "TIME-001") != before
