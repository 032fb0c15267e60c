"""The analysis worker: the scores this process would compute, errors raised back, a dead worker replaced."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from bhdash.analysis import check_claims, score_checked
from bhdash.analysis_worker import AnalysisWorker, WorkerDied
from bhdash.ingest import ingest

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "sample_data", "claims_detail_report.xlsx")


class _ExitsWhenRead:
    """Unpickled by the worker, it ends the worker's process at once (as the kernel's OOM killer would)."""

    def __reduce__(self):
        return (os._exit, (3,))


@pytest.fixture(scope="module")
def worker():
    started = AnalysisWorker()
    yield started
    started.close()


@pytest.fixture(scope="module")
def sample_checked():
    return check_claims(ingest(SAMPLE))


def test_the_worker_scores_as_this_process_does(worker, sample_checked):
    there = worker.score(sample_checked)
    here = score_checked(sample_checked)
    pd.testing.assert_frame_equal(there.lines, here.lines)
    pd.testing.assert_series_equal(there.finding_dollars, here.finding_dollars)
    assert there.model["status"] == here.model["status"] == "trained"
    assert round(there.lines["likely_loss"].sum(), 2) == 17_605.57


def test_an_error_in_the_worker_is_raised_here(worker):
    with pytest.raises(AttributeError, match="has no attribute .history."):
        worker.score(object())


def test_a_worker_that_dies_is_reported_and_replaced(worker, sample_checked):
    with pytest.raises(WorkerDied, match="ended"):
        worker.score(_ExitsWhenRead())
    assert round(worker.score(sample_checked).lines["likely_loss"].sum(), 2) == 17_605.57


def test_a_worker_that_cannot_start_is_reported(monkeypatch, sample_checked):
    def refused(*args, **kwargs):
        raise OSError("Resource temporarily unavailable")

    unstartable = AnalysisWorker()
    monkeypatch.setattr("bhdash.analysis_worker.subprocess.Popen", refused)
    unstartable.start()  # nothing raised: the page that starts it goes on
    with pytest.raises(WorkerDied, match="could not start"):
        unstartable.score(sample_checked)
