"""The practice's own norms file and the Clinicians page's code mix and peer tables over it.

The shipped norms are laid under the user's norms CSV; the derived tables are kept per data, filters and
norms file for this session, the whole practice's started ahead in the background (`warm_up`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from bhdash import metrics, norms
from bhdash.analysis import Analysis
from bhdash.app import background
from bhdash.app.filters import View, filters_key
from bhdash.app.loading import Loaded
from bhdash.app.session import NORMS_FILE, FileInput, file_input, fresh_upload
from bhdash.errors import InputFileError
from bhdash.model import Roster

NORMS_ERROR = "norms_error"


def take_norms_upload(uploaded: Any) -> bool:
    """Keep a practice's norms CSV when it reads cleanly (else keep the message); True when it changed."""
    fresh = fresh_upload("seen_norms", uploaded)
    if fresh is None:
        return False
    name, data = fresh
    st.session_state[NORMS_ERROR] = None
    try:
        norms.load_norms(data, name)
    except InputFileError as error:
        st.session_state[NORMS_ERROR] = error
        return False
    st.session_state[NORMS_FILE] = file_input(name, data)
    return True


def norms_error() -> InputFileError | None:
    return st.session_state.get(NORMS_ERROR)


def clear_norms() -> None:
    st.session_state[NORMS_FILE] = None


def norms_file() -> FileInput | None:
    return st.session_state.get(NORMS_FILE)


@st.cache_resource(max_entries=2, scope="session", show_spinner=False)
def _norms_table(digest: str | None, name: str | None, _data: bytes | None) -> pd.DataFrame:
    return norms.load_norms(_data, name) if _data is not None else norms.load_norms()


def norms_table() -> pd.DataFrame:
    """The shipped norms with the session's own norms file (if any) laid over them."""
    user = norms_file()
    return _norms_table(
        user.digest if user else None, user.name if user else None, user.data if user else None
    )


def _code_mix(
    claims: pd.DataFrame, roster: Roster, norms_frame: pd.DataFrame, on: pd.Timestamp
) -> pd.DataFrame:
    return norms.code_mix(claims, norms_frame, on=on, credentials=roster.credentials_for(claims))


def code_mix(current: View) -> pd.DataFrame:
    """Clinician code mix vs norms for the filtered lines (kept per data, filters and norms file)."""
    analysis = current.loaded.analysis
    return background.result(("code mix", filters_key(current.filters)), _code_mix, current.claims,
                             analysis.roster, norms_table(), analysis.as_of)


def peer_table(current: View) -> pd.DataFrame:
    """Per-clinician peer metrics for the filtered lines (kept per data and filters)."""
    if current.claims.empty or "clinician_name" not in current.claims.columns:
        return pd.DataFrame()
    return background.result(("peer table", filters_key(current.filters)), norms.peer_metrics,
                             current.claims, current.risk["expected_payment"])


def warm_up(loaded: Loaded | None) -> None:
    """Start the whole practice's code mix and peer table in the background (Clinicians' first view), once
    the denial-risk model is done."""
    if loaded is None or loaded.model_pending:
        return
    analysis = loaded.analysis
    unfiltered = filters_key(metrics.Filters())
    background.start(("code mix", unfiltered), _code_mix, analysis.claims, analysis.roster, norms_table(),
                     analysis.as_of)
    if "clinician_name" in analysis.claims.columns and not analysis.claims.empty:
        background.start(("peer table", unfiltered), norms.peer_metrics, analysis.claims,
                         analysis.risk["expected_payment"])


def credential_of(analysis: Analysis, clinician: str) -> str | None:
    """The roster credential of one clinician, or None when the roster does not give one."""
    people = analysis.roster.clinicians
    if people.empty or "credential" not in people.columns:
        return None
    found = people.loc[people["clinician_name"] == clinician, "credential"].dropna()
    return str(found.iloc[0]) if not found.empty else None
