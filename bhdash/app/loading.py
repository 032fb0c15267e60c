"""Reading and checking the session's files once, with session-scoped caches.

Caches are keyed on the uploads' sha256 digests and the mapping overrides, never on a DataFrame
(Streamlit samples large frames when hashing them), so page switches and filter changes reuse the read
and the checks. They are session-scoped: one practice's data is never served to another session. The one
exception is the shipped sample practice, which holds no user data: it is read and checked once per server
process, so a consultant's demo opens on numbers at once.

The rules and the money that needs no model come first (`analysis.check_claims`, `analysis.preliminary`);
the denial-risk model trains on the file's paid and denied lines in a worker process, waited for by a
background thread (`ModelJob`), and `load` hands pages the preliminary analysis (`model_pending`) until it is
done. The thread runs only bhdash code, never st.*: the sidebar's status fragment polls it and reruns the
app when it finishes.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import streamlit as st

from bhdash import metrics
from bhdash.analysis import Analysis, Checked, check_claims, complete, preliminary, score_checked
from bhdash.analysis_worker import AnalysisWorker, WorkerDied
from bhdash.app import payer_settings, session
from bhdash.app.formatting import plain
from bhdash.app.session import CLAIMS_FILE, LOADED_KEY, NORMS_FILE, OVERRIDES, ROSTER_FILE, FileInput
from bhdash.errors import InputFileError
from bhdash.ingest import IngestResult, ingest
from bhdash.payers import PayerDirectory, default_directory
from bhdash.remit import RemitFile, read_remittance_bytes
from bhdash.risk import RiskResult
from bhdash.text import plural

MAX_UPLOAD_MB = 50

# Model fits of every session wait in these threads for the worker process, which runs them one at a time.
_MODEL_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bhdash-risk-model")
MODEL_WORKER = AnalysisWorker()


def _scored(checked: Checked) -> RiskResult:
    """`score_checked` in the worker process; here, in this thread, if the worker died (out of memory)."""
    try:
        return MODEL_WORKER.score(checked)
    except WorkerDied:
        return score_checked(checked)


def _complete_or_prior(checked: Checked) -> Analysis:
    """`complete`, falling back to the documented prior if the fit fails, so a page never waits forever."""
    try:
        return complete(checked, _scored(checked))
    except Exception as error:
        fallback = complete(replace(checked, history=None, learned_from_file=False))
        fallback.warnings.append(f"Denial-risk model could not be trained ({type(error).__name__}); "
                                 "using the prior.")
        return fallback


@dataclass(frozen=True)
class ModelJob:
    """An analysis whose denial-risk model may still be training in a background thread."""

    future: Future[Analysis]
    preliminary: Analysis | None = None  # the rules' figures shown meanwhile (None: nothing to wait for)
    training_lines: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def pending(self) -> bool:
        return not self.future.done()

    def current(self) -> Analysis:
        """The finished analysis when the model is done, else the preliminary one (`model_pending`)."""
        if self.pending and self.preliminary is not None:
            return self.preliminary
        return self.future.result()

    def status(self, *, elapsed: bool = False) -> str:
        """What the model is doing, in a practice manager's words (with the seconds so far if `elapsed`), for
        a page showing the preliminary figures: a fit that ends during the page's run is about to replace
        them (the sidebar's poll reruns the app), so it is never called ready beside a "Pending" tile."""
        if not self.pending:
            return "Denial-risk model: done; its figures appear in a moment."
        text = f"Denial-risk model: training on {plural(self.training_lines, 'paid and denied line')}…"
        return f"{text} ({time.monotonic() - self.started:.0f} s so far)" if elapsed else text


def start_analysis(checked: Checked) -> ModelJob:
    """The preliminary analysis at once and the complete one from a background thread; a file without
    adjudicated lines uses the prior, which needs no training, so it is completed here.

    The preliminary analysis is built before the fit starts: it is what the page is waiting to show, and the
    fit's thread shares the interpreter's lock with it (to send the claims to the worker, or for the whole
    fit when the worker is gone: 0.3 s alone, 0.65 s beside a 26k-line fit in this process)."""
    if checked.history is None:
        done: Future[Analysis] = Future()
        done.set_result(complete(checked))
        return ModelJob(future=done)
    shown = preliminary(checked)
    return ModelJob(future=_MODEL_THREADS.submit(_complete_or_prior, checked), preliminary=shown,
                    training_lines=checked.training_lines)


@dataclass(frozen=True)
class Loaded:
    """What every page reads: the ingestion result and the analysis, both cached for the session.

    While the risk model trains, `analysis` is the preliminary one (`analysis.model_pending`) and `model`
    says how far it is; the next run after it finishes gets the complete analysis.
    """

    ingest: IngestResult
    analysis: Analysis
    source_label: str
    model: ModelJob | None = None

    @property
    def model_pending(self) -> bool:
        return self.analysis.model_pending


@st.cache_resource(max_entries=4, scope="session", show_spinner=False)
def _ingest(
    claims_digest: str,
    roster_digest: str | None,
    overrides: tuple[tuple[str, str], ...],
    claims_name: str,
    roster_name: str | None,
    _claims: bytes,
    _roster: bytes | None,
) -> IngestResult:
    """Read the upload; cached on the files' digests and the mapping overrides, for this session only."""
    return ingest(
        _claims,
        filename=claims_name,
        roster=_roster,
        roster_filename=roster_name,
        mapping_overrides=dict(overrides) or None,
        max_bytes=MAX_UPLOAD_MB * 1024 * 1024,
    )


def _analysis(
    ingested: IngestResult,
    norms_name: str | None,
    norms: bytes | None,
    payers: PayerDirectory,
    remittances: list[RemitFile] | None = None,
) -> ModelJob:
    """The same analysis `bhdash check` runs: a file with its own outcomes (from its columns or from the
    835 remittances matched to it) trains the model on them, here in the background."""
    return start_analysis(check_claims(
        ingested, payers=payers, norms_file=norms, norms_filename=norms_name, remittances=remittances,
        checker=MODEL_WORKER.run_checks,
    ))


@st.cache_resource(max_entries=4, scope="session", show_spinner=False)
def _remittances(digests: tuple[str, ...], _files: tuple[FileInput, ...]) -> list[RemitFile]:
    """The session's 835 uploads read once; an unreadable one carries its error and the rest go on."""
    return [read for item in _files for read in read_remittance_bytes(item.data, item.name)]


@st.cache_resource(max_entries=4, scope="session", show_spinner=False)
def _analyze(
    key: tuple[Any, ...],
    norms_name: str | None,
    _ingested: IngestResult,
    _norms: bytes | None,
    _payers: PayerDirectory,
) -> ModelJob:
    files = session.remittances()
    remittances = _remittances(tuple(item.digest for item in files), files) if files else None
    return _analysis(_ingested, norms_name, _norms, _payers, remittances)


@st.cache_resource(max_entries=1, scope="global", show_spinner=False)
def _shipped_sample(digest: str) -> IngestResult:
    """The shipped sample workbook, read from the package's folder (never from a session's bytes)."""
    path = session.SAMPLE_DIR / session.SAMPLE_CLAIMS
    return ingest(path, max_bytes=MAX_UPLOAD_MB * 1024 * 1024)


@st.cache_resource(max_entries=1, scope="global", show_spinner=False)
def _shipped_sample_analysis(key: tuple[Any, ...], _ingested: IngestResult) -> ModelJob:
    return _analysis(_ingested, None, None, default_directory())


def _key() -> tuple[Any, ...] | None:
    claims: FileInput | None = st.session_state.get(CLAIMS_FILE)
    if claims is None:
        return None
    roster: FileInput | None = st.session_state.get(ROSTER_FILE)
    user_norms: FileInput | None = st.session_state.get(NORMS_FILE)
    user_payers = payer_settings.payers_file()
    return (
        claims.digest,
        roster.digest if roster else None,
        tuple(sorted(st.session_state[OVERRIDES].items())),
        user_norms.digest if user_norms else None,
        tuple(item.digest for item in session.remittances()),
        user_payers.digest if user_payers else None,
    )


def _read(key: tuple[Any, ...]) -> IngestResult:
    if session.shows_shipped_sample(key):
        return _shipped_sample(key[0])
    claims: FileInput = st.session_state[CLAIMS_FILE]
    roster: FileInput | None = st.session_state.get(ROSTER_FILE)
    return _ingest(
        key[0],
        key[1],
        key[2],
        claims.name,
        roster.name if roster else None,
        claims.data,
        roster.data if roster else None,
    )


def _check(key: tuple[Any, ...], ingested: IngestResult) -> ModelJob:
    if session.shows_shipped_sample(key):
        return _shipped_sample_analysis(key, ingested)
    user_norms: FileInput | None = st.session_state.get(NORMS_FILE)
    return _analyze(
        key,
        user_norms.name if user_norms else None,
        ingested,
        user_norms.data if user_norms else None,
        payer_settings.directory(),
    )


def load() -> Loaded | None:
    """The session's data, read and checked once; shows progress the first time.

    Raises InputFileError for unusable input (pages render it as a message, never a traceback).
    """
    key = _key()
    if key is None:
        return None
    claims: FileInput = st.session_state[CLAIMS_FILE]
    label = session.SAMPLE_NAME if st.session_state.get(session.SOURCE_KIND) == "sample" else claims.name
    if st.session_state.get(LOADED_KEY) == key:
        ingested = _read(key)
        job = _check(key, ingested)
        return Loaded(ingest=ingested, analysis=job.current(), source_label=label, model=job)
    st.session_state[LOADED_KEY] = None
    MODEL_WORKER.start()
    with st.status(f"Reading {plain(claims.name)}…", expanded=True) as status:
        try:
            ingested = _read(key)
        except InputFileError:
            status.update(label=f"Could not read {plain(claims.name)}", state="error", expanded=False)
            raise
        st.write(
            f"Read {plural(ingested.rows_read, 'row')}: {plural(len(ingested.claims), 'claim line')}, "
            f"{plural(len(ingested.skipped), 'row')} skipped."
        )
        status.update(label=f"Checking {plural(len(ingested.claims), 'claim line')}…")
        job = _check(key, ingested)
        analysis = job.current()
        rules = analysis.check.rules
        st.write(
            f"Ran {int((rules['status'] == 'ran').sum())} rules "
            f"({int((rules['status'] == 'skipped').sum())} skipped for missing data): "
            f"{plural(len(analysis.check.findings), 'finding')}."
        )
        if job.pending:
            st.write(job.status())
        status.update(label=f"{plain(label)}: ready", state="complete", expanded=False)
    st.session_state[LOADED_KEY] = key
    return Loaded(ingest=ingested, analysis=analysis, source_label=label, model=job)


def load_or_error() -> tuple[Loaded | None, InputFileError | None]:
    """`load`, with unusable input returned instead of raised so every page can show it as a message."""
    try:
        return load(), None
    except InputFileError as error:
        st.session_state[LOADED_KEY] = None
        return None, error


def publish(loaded: Loaded | None, filters: metrics.Filters, error: InputFileError | None) -> None:
    """Hand the entrypoint's loaded data, filters and input error to the page about to run."""
    st.session_state["_loaded"] = loaded
    st.session_state["_filters"] = filters
    st.session_state["_input_error"] = error


def input_error() -> InputFileError | None:
    return st.session_state.get("_input_error")


def loaded_data() -> Loaded | None:
    return st.session_state.get("_loaded")


def published_filters() -> metrics.Filters:
    """The sidebar filters the entrypoint read on this run."""
    return st.session_state["_filters"]


def practice_name(loaded: Loaded) -> str:
    """The practice a report is about: the sample's name, else one made from the upload's file name."""
    if st.session_state.get(session.SOURCE_KIND) == "sample":
        from bhdash.sample.config import practice_config

        return practice_config()["practice"]["name"]
    from bhdash.reportpack import practice_name_from

    return practice_name_from(loaded.ingest.source.file)
