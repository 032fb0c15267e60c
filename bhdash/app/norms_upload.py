"""The practice's own norms file and the Clinicians page's code mix and peer tables over it.

The shipped norms are laid under the user's norms CSV; the derived tables are cached per data, filters
and norms file for this session.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from bhdash import norms
from bhdash.analysis import Analysis
from bhdash.app.filters import View, filters_key
from bhdash.app.session import NORMS_FILE, FileInput, file_input, fresh_upload, loaded_key
from bhdash.errors import InputFileError

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


@st.cache_data(max_entries=16, scope="session", show_spinner=False)
def _code_mix(
    key: tuple[Any, ...],
    _claims: pd.DataFrame,
    _credentials: pd.Series,
    _norms: pd.DataFrame,
    _on: pd.Timestamp,
) -> pd.DataFrame:
    return norms.code_mix(_claims, _norms, on=_on, credentials=_credentials)


def code_mix(current: View) -> pd.DataFrame:
    """Clinician code mix vs norms for the filtered lines (cached per data, filters and norms file)."""
    analysis = current.loaded.analysis
    key = (loaded_key(), filters_key(current.filters))
    credentials = analysis.roster.credentials_for(current.claims)
    return _code_mix(key, current.claims, credentials, norms_table(), analysis.as_of)


@st.cache_data(max_entries=16, scope="session", show_spinner=False)
def _peer_table(key: tuple[Any, ...], _claims: pd.DataFrame, _allowed: pd.Series) -> pd.DataFrame:
    return norms.peer_metrics(_claims, _allowed)


def peer_table(current: View) -> pd.DataFrame:
    """Per-clinician peer metrics for the filtered lines (cached per data and filters)."""
    if current.claims.empty or "clinician_name" not in current.claims.columns:
        return pd.DataFrame()
    key = (loaded_key(), filters_key(current.filters))
    return _peer_table(key, current.claims, current.risk["expected_payment"])


def credential_of(analysis: Analysis, clinician: str) -> str | None:
    """The roster credential of one clinician, or None when the roster does not give one."""
    people = analysis.roster.clinicians
    if people.empty or "credential" not in people.columns:
        return None
    found = people.loc[people["clinician_name"] == clinician, "credential"].dropna()
    return str(found.iloc[0]) if not found.empty else None
