"""What-if glue: the cached baseline, cached scenario evaluations, and scenarios built from the editors.

The presets are evaluated in the background as soon as the baseline is ready (`warm_up`), so a click on
one shows its result at once; any scenario evaluated once is kept for the session (`bhdash.app.background`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from bhdash import metrics, whatif
from bhdash.analysis import Analysis
from bhdash.app import background, payer_settings
from bhdash.app.loading import MODEL_WORKER, Loaded
from bhdash.app.norms_upload import norms_table
from bhdash.app.session import loaded_key, shows_shipped_sample

FIX_ENROLLMENT_GAPS = "Fix the enrollment gaps"
OUTLIERS_TO_NORM = "90837 outliers to the norm"


def _prepare(analysis: Analysis) -> whatif.Baseline:
    """The what-if baseline of the analysis already computed (no second check run, no second model fit),
    with the session's payer settings."""
    return whatif.baseline_from_analysis(analysis, payers=payer_settings.directory(), norms=norms_table())


@st.cache_resource(max_entries=2, scope="session", show_spinner=False)
def _session_baseline(key: tuple[Any, ...], _analysis: Analysis) -> whatif.Baseline:
    return _prepare(_analysis)


@st.cache_resource(max_entries=1, scope="global", show_spinner=False)
def _shipped_sample_baseline(key: tuple[Any, ...], _analysis: Analysis) -> whatif.Baseline:
    return _prepare(_analysis)


def _baseline(key: tuple[Any, ...], analysis: Analysis) -> whatif.Baseline:
    """Prepared once per session, and once per server process for the shipped sample (which holds no
    user data and whose key says no payer or norms file of the user's is in play), like its analysis."""
    if shows_shipped_sample(key):
        return _shipped_sample_baseline(key, analysis)
    return _session_baseline(key, analysis)


def baseline(loaded: Loaded) -> whatif.Baseline:
    """The what-if baseline for the session's data (prepared once; see `warm_up`)."""
    with st.spinner("Preparing the baseline for what-if scenarios…"):
        return _baseline(loaded_key(), loaded.analysis)


def presets(loaded: Loaded, base: whatif.Baseline) -> dict[str, whatif.Scenario]:
    """The What-if page's starting points, built from the practice's own findings and code mix (once)."""
    return _presets(loaded_key(), loaded.analysis, base)


def _presets(key: tuple[Any, ...], analysis: Analysis, base: whatif.Baseline) -> dict[str, whatif.Scenario]:
    if shows_shipped_sample(key):
        return _shipped_sample_presets(key, analysis, base)
    return _session_presets(key, analysis, base)


@st.cache_resource(max_entries=2, scope="session", show_spinner=False)
def _session_presets(
    key: tuple[Any, ...], _analysis: Analysis, _base: whatif.Baseline
) -> dict[str, whatif.Scenario]:
    return _build_presets(_analysis, _base)


@st.cache_resource(max_entries=1, scope="global", show_spinner=False)
def _shipped_sample_presets(
    key: tuple[Any, ...], _analysis: Analysis, _base: whatif.Baseline
) -> dict[str, whatif.Scenario]:
    return _build_presets(_analysis, _base)


def _build_presets(analysis: Analysis, base: whatif.Baseline) -> dict[str, whatif.Scenario]:
    outside = metrics.outside_enrollment(analysis.check.findings, metrics.enrollment_rule_ids())
    fixes = metrics.enrollment_date_fixes(outside, base.roster, base.claims)
    flagged = base.mix[base.mix["audit_flag"] & base.mix["code"].eq("90837")]
    return {
        FIX_ENROLLMENT_GAPS: whatif.Scenario(
            name=FIX_ENROLLMENT_GAPS,
            description="Each clinician billed before an enrollment took effect (or with none) is enrolled "
            "from the first date billed; each billed after a term date has the term extended through the "
            "last date billed.",
            enrollments=[
                whatif.EnrollmentChange(
                    row.clinician, row.payer, iso_day(row.effective_date), iso_day(row.term_date)
                )
                for row in fixes.itertuples(index=False)
            ],
        ),
        OUTLIERS_TO_NORM: whatif.Scenario(
            name=OUTLIERS_TO_NORM,
            description="Clinicians flagged for 90837 recode their shortest 90837 sessions to 90834, down to "
            "the norm.",
            mix_shifts=[whatif.MixShift(clinician=name, to_norm=True)
                        for name in sorted(flagged["clinician"].unique())],
        ),
    }


def _levers(scenario: whatif.Scenario) -> tuple[str, str]:
    """What a scenario changes, without its name and description: its result's name in the background. A
    shift down to the norm moves what the norm says whatever its share, so a share typed there finds the
    result already computed."""
    shifts = [dataclasses.replace(shift, fraction=1.0) if shift.to_norm else shift
              for shift in scenario.mix_shifts]
    return "what-if", whatif.scenario_to_json(
        dataclasses.replace(scenario, name="", description="", mix_shifts=shifts))


def warm_up(loaded: Loaded | None) -> None:
    """Prepare the what-if baseline after the page is drawn, so the first visit to What-if is instant.

    Called at the end of the entrypoint: the page the user asked for is already on screen while this runs,
    and any interaction simply starts the next run (the cached baseline is kept once computed). It waits for
    the denial-risk model: scenarios rescore lines with it. The blank scenario (the page's first view) and
    the presets then start evaluating in the background.
    """
    if loaded is None or loaded.model_pending:
        return
    base = _baseline(loaded_key(), loaded.analysis)
    for scenario in (whatif.Scenario(), *presets(loaded, base).values()):
        background.start(_levers(scenario), _evaluate, base, scenario)


def _evaluate(base: whatif.Baseline, scenario: whatif.Scenario) -> whatif.ScenarioComparison:
    """`whatif.evaluate`, with part of the reruns' rules checked in the analysis worker's process."""
    return whatif.evaluate(base, scenario, start=MODEL_WORKER.start_checks)


def evaluate_scenario(base: whatif.Baseline, scenario: whatif.Scenario) -> whatif.ScenarioComparison:
    """Baseline vs scenario; each scenario is evaluated once per session (a preset usually already is)."""
    comparison = background.result(_levers(scenario), _evaluate, base, scenario,
                                   spinner="Evaluating the scenario…")
    return dataclasses.replace(comparison, scenario=scenario)


def _rows(frame: pd.DataFrame, required: tuple[str, ...]) -> pd.DataFrame:
    """Editor rows with every required cell filled (half-typed rows are ignored until complete)."""
    return frame.dropna(subset=list(required)) if not frame.empty else frame


def iso_day(value: object) -> str | None:
    """A date cell as YYYY-MM-DD, None when blank (scenario levers take dates as text)."""
    return None if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _codes(text: object) -> list[str] | None:
    if text is None or pd.isna(text) or not str(text).strip():
        return None
    return [part.strip().upper() for part in str(text).replace(",", ";").split(";") if part.strip()]


def scenario_from_editors(
    name: str,
    started_from: whatif.Scenario,
    enrollments: pd.DataFrame,
    licenses: pd.DataFrame,
    shifts: pd.DataFrame,
    fix_families: list[str],
    payer_edits: pd.DataFrame,
) -> whatif.Scenario:
    """The scenario the What-if editors describe. Once its levers differ from the preset or file it
    started from, that one's description no longer holds and its name says so ("… (changed)")."""
    scenario = whatif.Scenario(
        name=name.strip() or "Scenario",
        description=started_from.description,
        enrollments=[
            whatif.EnrollmentChange(
                row.clinician, row.payer, iso_day(row.effective_date), iso_day(row.term_date)
            )
            for row in _rows(enrollments, ("clinician", "payer")).itertuples()
            if pd.notna(row.effective_date) or pd.notna(row.term_date)
        ],
        licenses=[
            whatif.LicenseChange(row.clinician, f"{pd.Timestamp(row.expiration_date):%Y-%m-%d}")
            for row in _rows(licenses, ("clinician", "expiration_date")).itertuples()
        ],
        mix_shifts=[
            whatif.MixShift(
                clinician=row.clinician,
                from_code=row.from_code,
                to_code=row.to_code,
                fraction=float(row.fraction) if pd.notna(row.fraction) else 0.0,
                to_norm=bool(row.to_norm) if pd.notna(row.to_norm) else False,
            )
            for row in _rows(shifts, ("clinician", "from_code", "to_code")).itertuples()
        ],
        fix_families=list(fix_families),
        payer_changes=[
            whatif.PayerChange(
                payer=row.payer,
                telehealth_pos=_codes(row.telehealth_pos),
                telehealth_modifiers=_codes(row.telehealth_modifiers),
                fee_percent=float(row.fee_percent) if pd.notna(row.fee_percent) else None,
            )
            for row in _rows(payer_edits, ("payer",)).itertuples()
        ],
    )
    if not started_from.description or _levers(scenario) == _levers(started_from):
        return scenario
    renamed = f"{started_from.name} (changed)" if scenario.name == started_from.name else scenario.name
    return dataclasses.replace(
        scenario, name=renamed, description=f"Started from “{started_from.name}”, then changed by hand."
    )
