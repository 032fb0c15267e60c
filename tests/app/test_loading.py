"""The shipped sample is read and checked once per server process; a user's own data never is shared."""

from __future__ import annotations

import pytest

from bhdash.app import loading
from tests.app.conftest import background_finished, metric_values, open_sample_app

CLAIMS_CSV = (
    "Date of Service,Clinician,CPT Code,Payer,Charge\n"
    "01/05/2026,Ana Ruiz LCSW,90837,Aetna,$200.00\n"
)


@pytest.fixture
def counted_analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = loading.check_claims

    def counting(ingested, **options):
        calls.append(ingested.source.file)
        return real(ingested, **options)

    monkeypatch.setattr(loading, "check_claims", counting)
    return calls


def test_a_second_session_on_the_sample_reuses_the_first_ones_analysis(sample_app, counted_analyses):
    second = open_sample_app()
    assert counted_analyses == []
    first = sample_app.switch_page("pages/overview.py").run()  # earlier tests may leave it on any page
    assert metric_values(second)["Claim lines"] == metric_values(first)["Claim lines"]


def test_a_session_that_adds_its_own_file_gets_its_own_analysis(sample_app, counted_analyses):
    app = open_sample_app()
    app.switch_page("pages/start.py").run()
    app.file_uploader(key="start_claims_upload").set_value(
        ("mine.csv", CLAIMS_CSV.encode(), "text/csv")).run()
    assert not app.exception
    assert counted_analyses == ["mine.csv"]
    assert metric_values(app)["Claim lines"] == "1"


def test_a_second_session_on_the_sample_reuses_the_background_what_if_results(sample_app, monkeypatch):
    from bhdash import whatif

    background_finished()
    evaluated: list[str] = []
    real = whatif.evaluate
    def recording(*args, **options):
        evaluated.append(args[1].name)
        return real(*args, **options)

    monkeypatch.setattr(whatif, "evaluate", recording)
    second = open_sample_app()
    second.switch_page("pages/what_if.py").run()
    next(button for button in second.button if button.label == "Fix the enrollment gaps").click().run()
    assert not second.exception
    assert metric_values(second)["Lines affected"] != "0"
    assert evaluated == []  # the first session's presets, shared: the sample holds no user data


def test_a_second_session_on_the_sample_reuses_the_what_if_baseline(sample_app, monkeypatch):
    """The shipped sample's what-if baseline and presets are kept once per server process, like its
    analysis: a new session must not prepare them again at the end of its first run (half a second
    before its first numbers). AppTest runs every app under one session id, so the test watches that no
    session cache is consulted for the sample."""
    from bhdash import whatif
    from bhdash.app import scenarios

    sample_app.switch_page("pages/what_if.py").run()  # the baseline exists
    consulted: list[str] = []
    real = whatif.baseline_from_analysis
    monkeypatch.setattr(whatif, "baseline_from_analysis",
                        lambda *args, **options: consulted.append("prepared") or real(*args, **options))
    for name in ("_session_baseline", "_session_presets"):
        monkeypatch.setattr(scenarios, name, lambda *args, name=name: consulted.append(name))
    second = open_sample_app()
    second.switch_page("pages/what_if.py").run()
    assert not second.exception
    assert metric_values(second)["Lines affected"] == "0"  # a new session opens on the blank scenario
    assert consulted == []


def test_the_model_fit_starts_only_once_the_preliminary_figures_are_built(monkeypatch):
    """Both hold the interpreter's lock; the preliminary figures are what the page is waiting to show."""
    from bhdash.analysis import check_claims
    from bhdash.app import session
    from bhdash.ingest import ingest

    events: list[str] = []
    real_preliminary, real_fit = loading.preliminary, loading._complete_or_prior
    monkeypatch.setattr(loading, "preliminary", lambda checked: events.append("preliminary")
                        or real_preliminary(checked))
    monkeypatch.setattr(loading, "_complete_or_prior", lambda checked: events.append("fit")
                        or real_fit(checked))
    job = loading.start_analysis(check_claims(ingest(session.SAMPLE_DIR / session.SAMPLE_CLAIMS)))
    assert job.future.result().risk_model["status"] == "trained"
    assert events == ["preliminary", "fit"]
    assert job.preliminary.model_pending and not job.pending


@pytest.fixture(scope="module")
def sample_checked():
    from bhdash.analysis import check_claims
    from bhdash.app import session
    from bhdash.ingest import ingest

    return check_claims(ingest(session.SAMPLE_DIR / session.SAMPLE_CLAIMS))


def test_the_dashboard_fits_in_the_worker_the_same_model_as_the_library(sample_checked, monkeypatch):
    """The dashboard fits in a worker process; its figures are the ones `bhdash check` computes here."""
    import pandas as pd

    from bhdash.analysis import complete

    here: list[str] = []
    monkeypatch.setattr(loading, "score_checked", lambda checked: here.append("fit") or None)
    shown = loading.start_analysis(sample_checked).future.result()
    assert here == []  # not fitted in this process
    library = complete(sample_checked)
    assert shown.risk_model["status"] == "trained"
    pd.testing.assert_frame_equal(shown.risk, library.risk)
    pd.testing.assert_frame_equal(shown.check.findings, library.check.findings)
    assert round(shown.money.likely, 2) == round(library.money.likely, 2) == 17_605.57


def test_when_the_worker_dies_the_model_is_fitted_here(monkeypatch, sample_checked):
    from bhdash.analysis_worker import WorkerDied

    def dead(checked):
        raise WorkerDied("the analysis worker ended (pipe closed)")

    monkeypatch.setattr(loading.MODEL_WORKER, "score", dead)
    analysis = loading.start_analysis(sample_checked).future.result()
    assert analysis.risk_model["status"] == "trained"
    assert not any("could not be trained" in warning for warning in analysis.warnings)
