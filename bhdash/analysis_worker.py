"""A worker process that fits the denial-risk model and scores the lines (`analysis.score_checked`) for the
dashboard, on the machine's other core.

In the dashboard server's own interpreter a fit held its lock for about a second and slowed every page
drawn meanwhile: an upload's numbers came 1 to 1.5 s later beside it. The worker is its own program
(`python -m bhdash.analysis_worker`), not a multiprocessing child: those re-run the parent's `__main__`,
which under Streamlit is the page script. Requests and replies are pickles over the worker's stdin and
stdout, each preceded by its length; nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import pickle
import subprocess
import sys
import threading
from typing import IO, Any

from bhdash.analysis import Checked, score_checked
from bhdash.risk import RiskResult, import_learner

_LENGTH_BYTES = 8


class WorkerDied(RuntimeError):
    """The worker process could not start, or ended (killed for memory, say) before it replied."""


def _send(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
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
    return pickle.loads(data)


class AnalysisWorker:
    """One worker process serving `score` calls one at a time; started on first use, restarted after it
    dies. Thread-safe: the dashboard's model threads share it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process now (its imports take a second or two), so it is ready when a fit comes; if it
        cannot start, `score` says so when it is called."""
        with self._lock, contextlib.suppress(WorkerDied):
            self._running()

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            command = [sys.executable, "-m", "bhdash.analysis_worker"]
            try:
                self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            except OSError as error:
                self._process = None
                raise WorkerDied(f"the analysis worker could not start ({error})") from error
        return self._process

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
            process = self._running()
            try:
                _send(process.stdin, checked)
                status, value = _receive(process.stdout)
            except (OSError, EOFError) as error:
                process.kill()
                process.wait()
                self._process = None
                raise WorkerDied(f"the analysis worker ended ({error})") from error
        if status == "error":
            raise value
        return value


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Answer `score_checked` requests until the requests pipe closes."""
    while True:
        try:
            checked = _receive(requests)
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("ok", score_checked(checked))
        except Exception as error:  # handed back: the server falls back to the documented prior
            reply = ("error", error)
        try:
            _send(replies, reply)
        except (pickle.PicklingError, TypeError, AttributeError):
            _send(replies, ("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))


def main() -> None:
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the replies
    import_learner()
    serve(requests, replies)


if __name__ == "__main__":
    main()
