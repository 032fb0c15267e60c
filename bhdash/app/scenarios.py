"""What-if glue: the cached baseline, cached scenario evaluations, and scenarios built from the editors."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from bhdash import whatif
from bhdash.analysis import Analysis
from bhdash.app import payer_settings
from bhdash.app.loading import Loaded
from bhdash.app.norms_upload import norms_table
from bhdash.app.session import loaded_key


@st.cache_resource(max_entries=2, scope="session", show_spinner=False)
def _baseline(key: tuple[Any, ...], _analysis: Analysis) -> whatif.Baseline:
    """The what-if baseline of the analysis already computed (no second check run, no second model fit),
    with the session's payer settings."""
    return whatif.baseline_from_analysis(_analysis, payers=payer_settings.directory(), norms=norms_table())


def baseline(loaded: Loaded) -> whatif.Baseline:
    """The what-if baseline for the session's data (prepared once; see `warm_up`)."""
    with st.spinner("Preparing the baseline for what-if scenarios…"):
        return _baseline(loaded_key(), loaded.analysis)


def warm_up(loaded: Loaded | None) -> None:
    """Prepare the what-if baseline after the page is drawn, so the first visit to What-if is instant.

    Called at the end of the entrypoint: the page the user asked for is already on screen while this runs,
    and any interaction simply starts the next run (the cached baseline is kept once computed). It waits for
    the denial-risk model: scenarios rescore lines with it.
    """
    if loaded is not None and not loaded.model_pending:
        _baseline(loaded_key(), loaded.analysis)


@st.cache_data(max_entries=16, scope="session", show_spinner="Evaluating the scenario…")
def _evaluate(
    key: tuple[Any, ...], scenario_json: str, _baseline: whatif.Baseline
) -> whatif.ScenarioComparison:
    return whatif.evaluate(_baseline, whatif.scenario_from_json(scenario_json))


def evaluate_scenario(base: whatif.Baseline, scenario: whatif.Scenario) -> whatif.ScenarioComparison:
    """Baseline vs scenario, cached per scenario so re-showing one is instant."""
    return _evaluate(loaded_key(), whatif.scenario_to_json(scenario), base)


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
    description: str,
    enrollments: pd.DataFrame,
    licenses: pd.DataFrame,
    shifts: pd.DataFrame,
    fix_families: list[str],
    payer_edits: pd.DataFrame,
) -> whatif.Scenario:
    """The scenario the What-if editors describe."""
    return whatif.Scenario(
        name=name.strip() or "Scenario",
        description=description,
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
