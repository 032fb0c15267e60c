"""The session's payer settings: the practice's own payer file (uploaded or edited on the Payers page)
laid over the shipped payer table, read through `bhdash.payers.PayerDirectory` like `--payers` is.

The file lives in the session only. Every analysis and what-if of the session uses the directory built
here, so a changed setting changes every number at once.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from bhdash import export
from bhdash.app.session import PAYERS_FILE, FileInput, file_input, fresh_upload
from bhdash.errors import InputFileError
from bhdash.payers import (
    ASSUMED,
    ASSUMED_COLUMN,
    EDITABLE_SETTINGS,
    PayerDirectory,
    default_directory,
    origin_column,
)

PAYERS_ERROR = "payers_error"
PAYERS_FILE_NAME = "bhdash_payers.csv"
SETTING_LABELS: dict[str, str] = {
    "payer_type": "Payer type",
    "timely_filing_days": "Filing limit (days)",
    "telehealth_pos": "Telehealth POS",
    "telehealth_modifiers": "Telehealth modifier",
    "credential_modifiers": "License-level modifiers",
    "dx_cognitive_exclusion": "Limits dementia/ID psychotherapy",
    "out_of_network": "Out of network",
}


def payers_file() -> FileInput | None:
    return st.session_state.get(PAYERS_FILE)


@st.cache_resource(max_entries=4, scope="session", show_spinner=False)
def _directory(digest: str, name: str, _data: bytes) -> PayerDirectory:
    return PayerDirectory.load(_data, name)


def directory() -> PayerDirectory:
    """The shipped payer table with the session's payer file (if any) laid over it."""
    user = payers_file()
    return default_directory() if user is None else _directory(user.digest, user.name, user.data)


def use_payer_file(name: str, data: bytes) -> InputFileError | None:
    """Make a payer CSV the session's payer settings when it reads cleanly; else return why not."""
    try:
        PayerDirectory.load(data, name)
    except InputFileError as error:
        return error
    st.session_state[PAYERS_FILE] = file_input(name, data)
    return None


def take_payers_upload(uploaded: Any) -> bool:
    """Keep a payer CSV just uploaded (or its message); True when the session's settings changed."""
    fresh = fresh_upload("seen_payers", uploaded)
    if fresh is None:
        return False
    st.session_state[PAYERS_ERROR] = use_payer_file(*fresh)
    return st.session_state[PAYERS_ERROR] is None


def payers_error() -> InputFileError | None:
    return st.session_state.get(PAYERS_ERROR)


def reset_payers() -> None:
    """Back to the shipped defaults."""
    st.session_state[PAYERS_FILE] = None
    st.session_state[PAYERS_ERROR] = None


def seen_payers(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per payer of the upload, in the payer-file shape, with each setting's origin."""
    names = claims["payer"] if "payer" in claims.columns else pd.Series(dtype="string")
    table = directory().payer_file(names)
    origins = directory().settings_for(table["payer"])[[origin_column(name) for name in EDITABLE_SETTINGS]]
    return pd.concat([table, origins.set_axis(table.index)], axis=1)


def origins_long(table: pd.DataFrame) -> pd.DataFrame:
    """Every setting of every payer with its value and origin, one row each (the "where from" table)."""
    rows = [
        {
            "payer": row["payer"],
            "setting": SETTING_LABELS[name],
            "value": str(row[name]),
            "origin": row[origin_column(name)],
        }
        for _, row in table.iterrows()
        for name in EDITABLE_SETTINGS
    ]
    return pd.DataFrame(rows, columns=["payer", "setting", "value", "origin"])


def edited_file(before: pd.DataFrame, after: pd.DataFrame, confirmed: pd.Series) -> bytes:
    """The payer file after the user's edits: a changed setting becomes the practice's own (no longer
    listed as assumed), and a row marked confirmed keeps its values with no assumption left.
    """
    result = after.copy()
    assumed = before[ASSUMED_COLUMN].fillna("").str.split(";")
    for position in range(len(result)):
        names = [name for name in assumed.iloc[position] if name]
        if bool(confirmed.iloc[position]):
            names = []
        names = [
            name for name in names if str(before[name].iloc[position]) == str(after[name].iloc[position])
        ]
        result.loc[result.index[position], ASSUMED_COLUMN] = ";".join(names)
    return export.to_csv_bytes(result[list(before.columns)])


def assumed_labels(table: pd.DataFrame) -> pd.Series:
    """Per payer, the settings still taken on trust from an unconfirmed shipped default, in words."""
    return table.apply(
        lambda row: ", ".join(
            SETTING_LABELS[name] for name in EDITABLE_SETTINGS if row[origin_column(name)] == ASSUMED
        ),
        axis=1,
    )
