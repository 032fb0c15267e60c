"""The analysis worker: the scores this process would compute, errors raised back, a dead worker replaced."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from bhdash import analysis_worker, whatif
from bhdash.analysis import check_claims, complete, score_checked
from bhdash.analysis_worker import MIN_SPLIT_RULES, WORKER_FAMILIES, AnalysisWorker, WorkerDied
from bhdash.ingest import ingest
from bhdash.payers import PayerDirectory
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


def _ready(worker: AnalysisWorker) -> None:
    with worker._lock:
        worker._wait_until_ready(worker._running())


@pytest.fixture
def asked(monkeypatch) -> list[dict]:
    """The options of each request pickled for the worker."""
    calls: list[dict] = []
    real_pickled = analysis_worker._pickled

    def spied(message):
        if isinstance(message, tuple) and len(message) == 3:
            calls.append(message[2])
        return real_pickled(message)

    monkeypatch.setattr(analysis_worker, "_pickled", spied)
    return calls


def test_the_rules_checked_in_two_processes_give_the_single_runs_result(worker, sample_checked, asked):
    claims, roster = sample_checked.claims, sample_checked.ingested.roster
    _ready(worker)
    single = run_checks(claims, roster)
    split = worker.run_checks(claims, roster)
    assert [options["select"] for options in asked] == [WORKER_FAMILIES]
    pd.testing.assert_frame_equal(split.findings, single.findings)
    pd.testing.assert_frame_equal(split.rules[UNTIMED], single.rules[UNTIMED])
    assert split.warnings == single.warnings


def test_a_busy_worker_leaves_every_rule_to_this_process(worker, sample_checked, asked):
    claims, roster = sample_checked.claims, sample_checked.ingested.roster
    _ready(worker)
    with worker._lock:  # a fit in progress for another session
        result = worker.run_checks(claims, roster)
    assert asked == []
    pd.testing.assert_frame_equal(result.findings, run_checks(claims, roster).findings)


def test_a_chosen_selection_gives_the_worker_every_other_rule(worker, sample_checked, asked):
    claims, roster = sample_checked.claims, sample_checked.ingested.roster
    _ready(worker)
    chosen = {"ADDON", "CODE", "PTP"}
    single = run_checks(claims, roster, select=chosen)
    split = worker.run_checks(claims, roster, select=chosen)
    ids = list(single.rules["id"])
    assert len(ids) == 21
    assert asked[0]["select"] == [rule_id for position, rule_id in enumerate(ids) if position % 2 == 1]
    assert len(asked[0]["select"]) == 10
    pd.testing.assert_frame_equal(split.findings, single.findings)
    pd.testing.assert_frame_equal(split.rules[UNTIMED], single.rules[UNTIMED])
    assert not worker._lock.locked()  # released by the thread that read the reply


def test_a_few_chosen_rules_are_checked_here(worker, sample_checked, asked):
    claims, roster = sample_checked.claims, sample_checked.ingested.roster
    _ready(worker)
    result = worker.run_checks(claims, roster, select={"CRED", "UNITS"})
    assert len(result.rules) == MIN_SPLIT_RULES - 1
    assert asked == []


def test_a_what_if_with_its_reruns_in_the_worker_gives_the_same_comparison(worker, sample_checked, asked):
    baseline = whatif.baseline_from_analysis(complete(sample_checked))
    _ready(worker)
    scenario = whatif.Scenario(
        mix_shifts=[whatif.MixShift("Ellen Brooks", to_norm=True),
                    whatif.MixShift("Priya Shah", fraction=0.25)],
        enrollments=[whatif.EnrollmentChange("Priya Shah", "Aetna", "2025-01-01")],
    )
    here = whatif.evaluate(baseline, scenario)
    split = whatif.evaluate(baseline, scenario, start=worker.start_checks)
    assert len(asked) == 1  # the recoded visits' rerun; the others start while the worker is busy
    # One in two of the 24 rules that tell 90837 from 90834 apart within a visit; the three that read the
    # clinician's day rerun apart.
    assert len(asked[0]["select"]) == 12
    assert here.lines_affected == 1_257
    assert split.lines_affected == here.lines_affected
    pd.testing.assert_frame_equal(split.metrics, here.metrics)
    pd.testing.assert_frame_equal(split.findings, here.findings)
    pd.testing.assert_frame_equal(split.lines, here.lines)


def test_checks_whose_worker_dies_are_finished_here(worker, sample_checked, monkeypatch):
    claims, roster = sample_checked.claims, sample_checked.ingested.roster
    _ready(worker)

    def dies(request):
        raise WorkerDied("the analysis worker ended (killed)")

    monkeypatch.setattr(worker, "_ask", dies)
    chosen = {"ADDON", "CODE", "PTP"}
    result = worker.run_checks(claims, roster, select=chosen)
    single = run_checks(claims, roster, select=chosen)
    assert len(single.findings) > 0
    pd.testing.assert_frame_equal(result.findings, single.findings)
    pd.testing.assert_frame_equal(result.rules[UNTIMED], single.rules[UNTIMED])
    assert not worker._lock.locked()


def test_the_request_is_pickled_before_this_process_checks(worker, sample_checked, monkeypatch):
    # The server's share reads (and memoizes on) the same objects: a dict that grows mid-pickle raises.
    claims, roster = sample_checked.claims, sample_checked.ingested.roster
    _ready(worker)
    order: list[str] = []
    real_pickled, real_settings = analysis_worker._pickled, PayerDirectory.settings_for

    def pickled(message):
        order.append("pickled")
        return real_pickled(message)

    def settings_here(self, *args, **options):
        order.append("checked here")
        return real_settings(self, *args, **options)

    monkeypatch.setattr(analysis_worker, "_pickled", pickled)
    monkeypatch.setattr(PayerDirectory, "settings_for", settings_here)
    worker.run_checks(claims, roster, payers=sample_checked.payers)
    assert order[:2] == ["pickled", "checked here"]


def _delivered(message):
    """`message` as the other end of the pipe reads it."""
    import io

    stream = io.BytesIO()
    analysis_worker._send(stream, analysis_worker._pickled(message))
    stream.seek(0)
    return analysis_worker._receive(stream)


def test_a_payer_directory_sent_again_is_the_instance_already_received(monkeypatch):
    # Its memos (payer names resolved, settings per payer) then stay filled from one request to the next.
    monkeypatch.setattr(analysis_worker, "_KEPT_DIRECTORIES", {})
    shipped = PayerDirectory.load()
    first = _delivered(("run", (shipped,), {"payers": shipped}))
    directory = first[1][0]
    assert directory is not shipped and directory is first[2]["payers"]
    assert directory.canonical_payer(pd.Series(["Aetna PPO Plus"])).tolist() == ["Aetna"]
    assert len(directory._resolved) == 1
    assert _delivered({"payers": shipped})["payers"] is directory and len(directory._resolved) == 1
    practice = PayerDirectory.load(b"payer,payer_type,aliases\nAcme Health,commercial,Acme\n", "payers.csv")
    other = _delivered({"payers": practice})["payers"]
    assert other is not directory
    assert other.canonical_payer(pd.Series(["Acme"])).tolist() == ["Acme Health"]


def test_the_worker_keeps_a_few_payer_directories(monkeypatch):
    monkeypatch.setattr(analysis_worker, "_KEPT_DIRECTORIES", {})
    csv = "payer,payer_type\nPlan {},commercial\n"
    directories = [PayerDirectory.load(csv.format(number).encode(), "payers.csv") for number in range(6)]
    received = [_delivered(directory) for directory in directories]
    assert len(analysis_worker._KEPT_DIRECTORIES) == analysis_worker._KEEP_DIRECTORIES == 4
    assert _delivered(directories[5]) is received[5]
    assert _delivered(directories[0]) is not received[0]
