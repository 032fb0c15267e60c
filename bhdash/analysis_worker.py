"""A worker process for the dashboard: it fits the denial-risk model and scores the lines
(`analysis.score_checked`), and checks part of the rules while the server checks the others
(`AnalysisWorker.start_checks`: half of the rule families on a whole check, every other rule of a what-if
rerun), on the machine's other core.

In the dashboard server's own interpreter a fit held its lock for about a second and slowed every page
drawn meanwhile: an upload's numbers came 1 to 1.5 s later beside it. The worker is its own program
(`python -m bhdash.analysis_worker`), not a multiprocessing child: those re-run the parent's `__main__`,
which under Streamlit is the page script. Requests (a function of bhdash and its arguments) and replies are
pickles over the worker's stdin and stdout, each preceded by its length; nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import pickle
import select
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import IO, Any

import pandas as pd

from bhdash.analysis import Checked, prepare_analysis, score_checked
from bhdash.collector import settle
from bhdash.model import Roster
from bhdash.payers import PayerDirectory
from bhdash.risk import RiskResult
from bhdash.rules.engine import CheckResult, combine_checks, selected_rules
from bhdash.rules.engine import run_checks as run_all_checks
from bhdash.rules.engine import start_checks as start_checks_here

_LENGTH_BYTES = 8
_READY = "ready"  # the worker's first message, once its imports and reference tables are loaded
# The rule families the worker checks while the server checks the others: about half the time each (on a
# 26,632-line upload 0.64 s and 0.56 s, against 1.16 s for all of them in one process).
WORKER_FAMILIES = frozenset({"CRED", "DX", "NORM", "TELE", "SCOPE", "TIMELY", "NPI"})


# Fewer chosen rules than this are checked here: the round trip through the pipe (the claims pickled both
# ways) costs more than checking a third of them (a what-if date lever's 3 to 6 rules took 0.1 s longer).
MIN_SPLIT_RULES = 12


def _shares(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The options of the worker's part of a check and of the server's, or None when not worth splitting.

    A whole check splits by WORKER_FAMILIES. A chosen selection of MIN_SPLIT_RULES or more (a what-if
    recode's rerun) gives the worker every other rule in id order. Its half costs it more than the same
    rules here (the claims come through the pipe, and the run's shared groupings are worked out again), which
    the server's other work meanwhile (the code mix) about evens out: on the sample's recode, half took
    0.53-0.67 s against 0.61-0.71 s for two rules in three, one after the other in the same phase."""
    select, ignore = options.get("select"), options.get("ignore")
    if select is None and ignore is None:
        return {**options, "select": WORKER_FAMILIES}, {**options, "ignore": WORKER_FAMILIES}
    ids = [rule.id for rule in selected_rules(select, ignore)]
    if len(ids) < MIN_SPLIT_RULES:
        return None
    return {**options, "select": ids[1::2], "ignore": None}, {**options, "select": ids[::2], "ignore": None}


class WorkerDied(RuntimeError):
    """The worker process could not start, or ended (killed for memory, say) before it replied."""


# Payer directories the worker has unpickled, by the digest of their pickle, the most recently used last: a
# directory fills its memos as rules ask it about the practice's payers (resolving them cost a what-if
# recode's share of the rules about 0.15 s of CPU), and a fresh copy with each request started them empty.
_KEPT_DIRECTORIES: dict[bytes, PayerDirectory] = {}
_KEEP_DIRECTORIES = 4


class _Pickler(pickle.Pickler):
    """Pickles a payer directory as a reference: the digest of its own pickle (its memos left out, see
    `PayerDirectory.__getstate__`) and that pickle, so the receiving process keeps one instance per
    content."""

    def persistent_id(self, value: Any) -> tuple[bytes, bytes] | None:
        if type(value) is not PayerDirectory:
            return None
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return hashlib.blake2b(data, digest_size=16).digest(), data


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, reference: tuple[bytes, bytes]) -> PayerDirectory:
        digest, data = reference
        directory = _KEPT_DIRECTORIES.pop(digest, None)
        if directory is None:
            directory = pickle.loads(data)
            if len(_KEPT_DIRECTORIES) >= _KEEP_DIRECTORIES:
                del _KEPT_DIRECTORIES[next(iter(_KEPT_DIRECTORIES))]
        _KEPT_DIRECTORIES[digest] = directory
        return directory


def _pickled(message: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(message)
    return buffer.getvalue()


def _send(stream: IO[bytes], data: bytes) -> None:
    stream.write(len(data).to_bytes(_LENGTH_BYTES, "little"))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or EOFError when the other side has closed the pipe."""
    header = stream.read(_LENGTH_BYTES)
    if len(header) < _LENGTH_BYTES:
        raise EOFError("pipe closed")
    size = int.from_bytes(header, "little")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("pipe closed")
    return _Unpickler(io.BytesIO(data)).load()


class AnalysisWorker:
    """One worker process serving calls one at a time; started on first use, restarted after it dies.
    Thread-safe: the dashboard's sessions share it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._ready = False

    def start(self) -> None:
        """Start the process now (its imports take a second or two), so it is ready when work comes; if it
        cannot start, a call says so."""
        with self._lock, contextlib.suppress(WorkerDied):
            self._running()

    def close(self) -> None:
        """End the process: it exits once its requests pipe closes."""
        with self._lock:
            if self._process is not None:
                self._process.stdin.close()
                self._process.wait()
                self._process = None

    def score(self, checked: Checked) -> RiskResult:
        """`score_checked(checked)` computed in the worker; an error it raised is raised here."""
        with self._lock:
            return self._call(score_checked, checked)

    def run_checks(self, claims: pd.DataFrame, roster: Roster | None = None, **options: Any) -> CheckResult:
        """`start_checks`, waiting for its result."""
        return self.start_checks(claims, roster, **options)()

    def start_checks(self, claims: pd.DataFrame, roster: Roster | None = None,
                     **options: Any) -> Callable[[], CheckResult]:
        """`rules.engine.start_checks`, with part of the rules checked in the worker meanwhile when it is
        started and idle (`_shares`); otherwise every rule is checked here. The function returned waits for
        the worker's part; its result is the one a single run gives (`combine_checks`)."""
        shares = _shares(options)
        if shares is None or not self._lock.acquire(blocking=False):
            return start_checks_here(claims, roster, **options)
        if not self._started_and_ready():
            self._lock.release()
            return start_checks_here(claims, roster, **options)
        theirs, mine = shares
        try:  # pickled here, before this thread's checks start reading (and memoizing on) the same objects
            request = _pickled((run_all_checks, (claims, roster), theirs))
        except BaseException:
            self._lock.release()
            raise
        there: Future[CheckResult] = Future()
        # The thread releases the lock once the reply is read: the pipe stays in step whatever happens here.
        ask = threading.Thread(target=self._ask_into, daemon=True, args=(there, request))
        ask.start()
        here = run_all_checks(claims, roster, **mine)

        def result() -> CheckResult:
            ask.join()
            try:
                elsewhere = there.result()
            except WorkerDied:
                elsewhere = run_all_checks(claims, roster, **theirs)
            return combine_checks([here, elsewhere])

        return result

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            command = [sys.executable, "-m", "bhdash.analysis_worker"]
            self._ready = False
            try:
                self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            except OSError as error:
                self._process = None
                raise WorkerDied(f"the analysis worker could not start ({error})") from error
        return self._process

    def ready(self) -> bool:
        """Whether the worker has started and said it is ready, without waiting (a busy worker is)."""
        if not self._lock.acquire(blocking=False):
            return True
        try:
            return self._started_and_ready()
        finally:
            self._lock.release()

    def _started_and_ready(self) -> bool:
        """`ready`, the lock held."""
        process = self._process
        if process is None or process.poll() is not None:
            return False
        if not self._ready and select.select([process.stdout], [], [], 0)[0]:
            with contextlib.suppress(WorkerDied):
                self._wait_until_ready(process)
        return self._ready

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> None:
        if not self._ready:
            self._ready = self._exchange(process, None) == _READY

    def _call(self, function: Callable[..., Any], *args: Any, **options: Any) -> Any:
        """`function(*args, **options)` in the worker (the lock held); an error it raised is raised here."""
        return self._ask(_pickled((function, args, options)))

    def _ask(self, request: bytes) -> Any:
        """The reply to a pickled (function, args, options) request (the lock held)."""
        process = self._running()
        self._wait_until_ready(process)
        status, value = self._exchange(process, request)
        if status == "error":
            raise value
        return value

    def _ask_into(self, result: Future[Any], request: bytes) -> None:
        """`_ask`, its outcome set on `result`, then the lock released (for a thread)."""
        try:
            result.set_result(self._ask(request))
        except Exception as error:
            result.set_exception(error)
        finally:
            self._lock.release()

    def _exchange(self, process: subprocess.Popen[bytes], request: bytes | None) -> Any:
        """Send a pickled request (None: only read) and return the reply; a closed pipe means the worker
        died."""
        try:
            if request is not None:
                _send(process.stdin, request)
            return _receive(process.stdout)
        except (OSError, EOFError) as error:
            process.kill()
            process.wait()
            self._process = None
            raise WorkerDied(f"the analysis worker ended ({error})") from error


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Answer requests until the requests pipe closes."""
    _send(replies, _pickled(_READY))
    while True:
        try:
            function, args, options = _receive(requests)
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("ok", function(*args, **options))
        except Exception as error:  # handed back to the caller (a failed fit falls back to the prior)
            reply = ("error", error)
        try:
            data = _pickled(reply)
        except (pickle.PicklingError, TypeError, AttributeError):
            data = _pickled(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))
        _send(replies, data)


def main() -> None:
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the replies
    prepare_analysis()
    settle()
    serve(requests, replies)


if __name__ == "__main__":
    main()
