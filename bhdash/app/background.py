"""Work on the session's data done once: started ahead in a background thread, or computed by the run that
first needs it, and kept for the session by name (per data: the caches key on `loaded_key`). The shipped
sample practice holds no user data, so its results are kept once per server process for every session.

`warm_up` in the entrypoint starts what the pages will most likely ask for (the unfiltered code mix, the
What-if presets) after the page the user asked for is on screen; a page then picks the result up with
`result`, waiting for it if it is still running. The thread runs only bhdash code, never st.*.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st

from bhdash import collector
from bhdash.app import session

if TYPE_CHECKING:
    from bhdash.app.loading import Loaded

KEPT = 32  # results per session and data; the oldest goes first

# One thread per server: background work waits its turn rather than crowd the users' own runs.
_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bhdash-background")

Result = TypeVar("Result")
_SETTLING: list[Future[None]] = []  # the server's one `collector.settle`, once submitted


def settle_memory(loaded: Loaded | None) -> None:
    """Once per server process, in the background thread, after a run has drawn a page with a complete
    analysis (so the libraries are all imported): take what is alive then (Streamlit, the libraries, the
    shared sample's analysis) out of the garbage collector's later passes (`collector`)."""
    if loaded is not None and not loaded.model_pending and not _SETTLING:
        _SETTLING.append(_THREAD.submit(collector.settle, collect=True))


@st.cache_resource(max_entries=2, scope="session", show_spinner=False)
def _session_jobs(key: tuple[Any, ...] | None) -> dict[tuple[Any, ...], Future[Any]]:
    return {}


@st.cache_resource(max_entries=1, scope="global", show_spinner=False)
def _sample_jobs(key: tuple[Any, ...] | None) -> dict[tuple[Any, ...], Future[Any]]:
    return {}


def _jobs() -> dict[tuple[Any, ...], Future[Any]]:
    key = session.loaded_key()
    return _sample_jobs(key) if session.shows_shipped_sample(key) else _session_jobs(key)


def _keep(jobs: dict[tuple[Any, ...], Future[Any]], name: tuple[Any, ...], job: Future[Any]) -> None:
    while len(jobs) >= KEPT:
        jobs.pop(next(iter(jobs)), None)
    jobs[name] = job


def start(name: tuple[Any, ...], function: Callable[..., Any], *args: Any) -> None:
    """Compute `function(*args)` in the background thread unless `name` is already known."""
    jobs = _jobs()
    if name not in jobs:
        _keep(jobs, name, _THREAD.submit(function, *args))


def result(name: tuple[Any, ...], function: Callable[..., Result], *args: Any,
           spinner: str | None = None) -> Result:
    """The result kept under `name` (waiting for it when the background thread is still on it), else
    `function(*args)` computed now and kept. An exception is kept and raised again, like a result."""
    jobs = _jobs()
    if name not in jobs:
        done: Future[Result] = Future()
        with st.spinner(spinner) if spinner else nullcontext():
            try:
                done.set_result(function(*args))
            except Exception as error:  # kept and raised again below, as for a background job
                done.set_exception(error)
        _keep(jobs, name, done)
    job = jobs[name]
    if not job.done() and spinner:
        with st.spinner(spinner):
            job.exception()
    return job.result()
