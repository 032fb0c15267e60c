"""The session's files and choices: the claims and roster uploads, the sample practice, mapping overrides.

Each browser session keeps its own upload (bytes in `st.session_state`, never on disk), so one
practice's claims are never served to another session. Every file is wrapped with its sha256 digest once,
here, so the caches in `bhdash.app.loading` key on the digest rather than on bytes or a DataFrame.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

SAMPLE_ENV = "BHDASH_OPEN_SAMPLE"
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
SAMPLE_CLAIMS = "claims_detail_report.xlsx"
SAMPLE_REMITTANCES = "remittances"
SAMPLE_NAME = "Sample practice (Lakeview Behavioral Health)"
UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "csv"]

CLAIMS_FILE = "claims_file"
ROSTER_FILE = "roster_file"
NORMS_FILE = "norms_file"
REMIT_FILES = "remit_files"
PAYERS_FILE = "payers_file"
OVERRIDES = "mapping_overrides"
SOURCE_KIND = "source_kind"
LOADED_KEY = "loaded_key"
OPENED_ON_SAMPLE = "opened_on_sample"
CHARTS_SENT = "charts_sent"  # this browser session has been sent a chart (see page.plotly_chart)


@dataclass(frozen=True)
class FileInput:
    """An uploaded file kept in the session; caches key on `digest`, never on the bytes or a frame."""

    name: str
    data: bytes
    digest: str


def file_input(name: str, data: bytes) -> FileInput:
    """Wrap an upload with its sha256, hashed once here rather than by Streamlit on every cached call."""
    return FileInput(name=name, data=data, digest=hashlib.sha256(data).hexdigest())


def init_session() -> None:
    """Give every session key a value up front, so pages read them without existence checks."""
    st.session_state.setdefault(CLAIMS_FILE, None)
    st.session_state.setdefault(ROSTER_FILE, None)
    st.session_state.setdefault(REMIT_FILES, ())
    st.session_state.setdefault(OVERRIDES, {})
    st.session_state.setdefault(SOURCE_KIND, None)
    st.session_state.setdefault(LOADED_KEY, None)
    if OPENED_ON_SAMPLE not in st.session_state:
        st.session_state[OPENED_ON_SAMPLE] = os.environ.get(SAMPLE_ENV) == "1"
        if st.session_state[OPENED_ON_SAMPLE]:
            load_sample()


def opens_on_sample() -> bool:
    """True for a session started by `bhdash dashboard --sample`: it opens on Overview, not Start."""
    return bool(st.session_state.get(OPENED_ON_SAMPLE))


def loaded_key() -> tuple[Any, ...] | None:
    """The key of the data the session last read and checked; derived caches and widgets follow it."""
    return st.session_state.get(LOADED_KEY)


def shows_shipped_sample(key: tuple[Any, ...] | None) -> bool:
    """True when the session shows the sample practice exactly as shipped: no roster, mapping, norms or
    other choice of the user's in `key` (every part after the claims digest is empty).

    Such an analysis holds no user data, so it is computed once per server process and shared by every
    session; anything the user adds makes the data theirs, and it is then cached for their session only.
    """
    return key is not None and st.session_state.get(SOURCE_KIND) == "sample" and not any(key[1:])


def load_sample() -> None:
    """Put the sample practice's messy workbook (claims plus roster sheets) in place of any upload."""
    path = SAMPLE_DIR / SAMPLE_CLAIMS
    st.session_state[CLAIMS_FILE] = file_input(path.name, path.read_bytes())
    st.session_state[ROSTER_FILE] = None
    st.session_state[REMIT_FILES] = ()
    st.session_state[OVERRIDES] = {}
    st.session_state[SOURCE_KIND] = "sample"


def load_sample_remittances() -> None:
    """Add the sample practice's 835 files (one per payer and payment month) next to its claims."""
    folder = SAMPLE_DIR / SAMPLE_REMITTANCES
    st.session_state[REMIT_FILES] = tuple(file_input(path.name, path.read_bytes())
                                          for path in sorted(folder.glob("*.835")))


def remittances() -> tuple[FileInput, ...]:
    return tuple(st.session_state.get(REMIT_FILES) or ())


def take_remittances(uploaded: list[Any] | None) -> bool:
    """Keep the 835 files just put in the multi-file uploader; True when the set changed. An emptied
    uploader leaves earlier remittances (such as the sample's) in place."""
    files = tuple(file_input(item.name, item.getvalue()) for item in uploaded or [])
    digests = tuple(item.digest for item in files)
    if not files or st.session_state.get("seen_remit_files") == digests:
        if not files:
            st.session_state.pop("seen_remit_files", None)
        return False
    st.session_state["seen_remit_files"] = digests
    st.session_state[REMIT_FILES] = files
    return True

def set_upload(slot: str, name: str, data: bytes) -> None:
    """Store an uploaded file; a new claims file resets the mapping overrides."""
    st.session_state[slot] = file_input(name, data)
    if slot == CLAIMS_FILE:
        st.session_state[OVERRIDES] = {}
        st.session_state[SOURCE_KIND] = "upload"


def fresh_upload(seen: str, uploaded: Any) -> tuple[str, bytes] | None:
    """Name and bytes of a file the user just put in an uploader, once per upload.

    The uploader keeps showing its file on later runs; taking it again would undo a later choice (such
    as the sample practice). An emptied uploader forgets it, so the same file can be uploaded again.
    """
    if uploaded is None:
        st.session_state.pop(seen, None)
        return None
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if st.session_state.get(seen) == digest:
        return None
    st.session_state[seen] = digest
    return uploaded.name, data


def take_upload(slot: str, uploaded: Any) -> bool:
    """Keep a claims or roster file just uploaded; True when the session's data changed.

    Pages call this from their body (not from an on_change callback) and rerun, so the entrypoint, which
    reads and checks the data before the page runs, sees the new file.
    """
    fresh = fresh_upload(f"seen_{slot}", uploaded)
    if fresh is None:
        return False
    set_upload(slot, *fresh)
    return True


def clear_data() -> None:
    """Forget the session's files (the session-scoped caches drop their copies when the session ends)."""
    for slot in (CLAIMS_FILE, ROSTER_FILE, NORMS_FILE, PAYERS_FILE):
        st.session_state[slot] = None
    st.session_state[REMIT_FILES] = ()
    st.session_state[OVERRIDES] = {}
    st.session_state[SOURCE_KIND] = None


def set_overrides(overrides: dict[str, str]) -> None:
    """Column -> canonical field (or "ignore") overrides; the next run re-reads and re-checks."""
    st.session_state[OVERRIDES] = dict(overrides)


def overrides() -> dict[str, str]:
    return dict(st.session_state.get(OVERRIDES) or {})
