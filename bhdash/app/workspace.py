"""The dashboard's side of the workspace: which file, and saving the loaded upload into a practice.

The workspace path is a per-session setting (default: $BHDASH_WORKSPACE or the user's data folder).
Each action opens the file and closes it again, so the dashboard never holds DuckDB's lock between
clicks and the CLI can use the same workspace meanwhile.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from bhdash.app import loading, norms_upload, session
from bhdash.workspace.export import practice_workbook
from bhdash.workspace.record import record_analysis
from bhdash.workspace.store import Workspace, default_workspace_path

WORKSPACE_PATH = "workspace_path"
STORED_STATEMENT = (
    "Saving keeps, in the workspace file on this computer: the file's name and fingerprint, its date range, "
    "and per claim line the claim ID, date, code, clinician, payer, charge and money at risk; the findings; "
    "each clinician's code mix; which checks ran; the headline numbers; and license and enrollment dates. "
    "It never keeps patient names, birth dates or member IDs, and not the file itself."
)


def workspace_path() -> Path:
    """The session's workspace file (the setting on the Start, Progress and Practices pages)."""
    return Path(st.session_state.get(WORKSPACE_PATH) or default_workspace_path())


def path_setting(key: str) -> Path:
    """A text input for the workspace file, shared by the pages through the session setting."""
    typed = st.text_input("Workspace file", value=str(workspace_path()), key=key,
                          help="One file holds every practice you save. Change it to keep several apart.")
    st.session_state[WORKSPACE_PATH] = typed.strip() or str(default_workspace_path())
    return workspace_path()


def open_workspace(read_only: bool = False) -> Workspace:
    return Workspace.open(workspace_path(), read_only=read_only)


def practice_names() -> list[str]:
    """Practices in the workspace (none when the file does not exist yet)."""
    if not workspace_path().exists():
        return []
    with open_workspace(read_only=True) as workspace:
        return workspace.practices()["name"].tolist()


def save_loaded(loaded: loading.Loaded, practice: str, *, force: bool = False) -> int:
    """Store the session's analysed upload into `practice`; DuplicateUploadError when already there."""
    claims: session.FileInput = st.session_state[session.CLAIMS_FILE]
    record = record_analysis(loaded.analysis, file_name=claims.name, digest=claims.digest,
                             norms=norms_upload.norms_table())
    with open_workspace() as workspace:
        return workspace.save_upload(practice, record, force=force)


def export_workbook(path: Path, practice: str) -> bytes:
    """The practice's workbook, built only when the user clicks the download button."""
    with Workspace.open(path, read_only=True) as workspace:
        return practice_workbook(workspace, practice)
