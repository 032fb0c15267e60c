"""The analysis worker: the scores this process would compute, errors raised back, a dead worker replaced."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from bhdash.analysis import check_claims, score_checked
from bhdash.analysis_worker import WORKER_FAMILIES, AnalysisWorker, WorkerDied
from bhdash.ingest import ingest
from bhdash.rules import run_checks

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
    with pytest.raises(AttributeError, match=r"has no attribute 'history'"):
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


UNTIMED = ["id", "family", "severity", "title", "status", "reason", "findings"]


def test_the_rules_checked_in_two_processes_give_the_single_runs_result(worker, sample_checked):
    claims, roster = sample_checked.claims, sample_checked.ingested.roster
    with worker._lock:
        worker._wait_until_ready(worker._running())
    asked: list[dict] = []
    real_call = worker._call

    def spied(function, *args, **options):
        asked.append(options)
        return real_call(function, *args, **options)

    single = run_checks(claims, roster)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(worker, "_call", spied)
        split = worker.run_checks(claims, roster)
    assert [options["select"] for options in asked] == [WORKER_FAMILIES]
    pd.testing.assert_frame_equal(split.findings, single.findings)
    pd.testing.assert_frame_equal(split.rules[UNTIMED], single.rules[UNTIMED])
    assert split.warnings == single.warnings


def test_a_busy_worker_leaves_every_rule_to_this_process(worker, sample_checked, monkeypatch):
    claims, roster = sample_checked.claims, sample_checked.ingested.roster
    asked: list[object] = []
    monkeypatch.setattr(worker, "_call", lambda *args, **options: asked.append(args))
    with worker._lock:  # a fit in progress for another session
        result = worker.run_checks(claims, roster)
    assert asked == []
    pd.testing.assert_frame_equal(result.findings, run_checks(claims, roster).findings)
