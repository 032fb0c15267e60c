"""AppTest fixtures: the dashboard opened on the sample practice, and the same practice read by the library.

The app runs once per test session (reading and checking ~20,000 lines takes a while); each page test
switches to its page on that app and compares what the page shows with numbers computed here directly
from `bhdash`, without Streamlit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from bhdash import metrics
from bhdash.analysis import Analysis, analyze
from bhdash.app import background
from bhdash.ingest import IngestResult, ingest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "streamlit_app.py"
SAMPLE = ROOT / "sample_data" / "claims_detail_report.xlsx"
FIRST_RUN_SECONDS = 900


@pytest.fixture(scope="session", autouse=True)
def _entrypoint_runs_every_time():
    """Make AppTest run the entrypoint on every run, as `streamlit run` does.

    AppTest (1.67) resets `PagesManager.uses_pages_directory` before each run; with a `pages/` folder
    next to the entrypoint the flag turns True again, and every run after the first executes the page file
    alone (the legacy MPA v1 path), skipping streamlit_app.py (its loading, sidebar and navigation). The
    server runs the entrypoint each time because `st.navigation` clears the flag for the process.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    patch = pytest.MonkeyPatch()
    patch.setattr(PagesManager, "__init__", init)
    yield
    patch.undo()


@dataclass(frozen=True)
class Expected:
    ingest: IngestResult
    analysis: Analysis

    @property
    def findings(self) -> pd.DataFrame:
        return self.analysis.check.findings

    @property
    def kpis(self) -> metrics.Kpis:
        return metrics.kpis(self.analysis.claims, self.findings, self.analysis.risk)


@pytest.fixture(scope="session")
def expected() -> Expected:
    ingested = ingest(SAMPLE)
    return Expected(ingest=ingested, analysis=analyze(ingested))


def open_sample_app(*, wait_for_model: bool = True) -> AppTest:
    """The dashboard as `bhdash dashboard --sample` opens it (BHDASH_OPEN_SAMPLE=1), on Overview; by default
    after the denial-risk model has finished training in the background (`model_ready`)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("BHDASH_OPEN_SAMPLE", "1")
    try:
        app = AppTest.from_file(str(APP), default_timeout=60)
        app.run(timeout=FIRST_RUN_SECONDS)
    finally:
        patch.undo()
    assert not app.exception, app.exception[0].message
    return model_ready(app) if wait_for_model else app


def model_ready(app: AppTest) -> AppTest:
    """Wait for the session's background model fit and rerun, as the sidebar's poll does in a browser."""
    loaded = app.session_state["_loaded"]
    if loaded is not None and loaded.model is not None and loaded.model.pending:
        loaded.model.future.result(timeout=FIRST_RUN_SECONDS)
        app.run(timeout=FIRST_RUN_SECONDS)
        assert not app.exception, app.exception[0].message
    return app


def background_finished() -> None:
    """Wait until the dashboard's background thread has done the work queued so far: another test's session
    may have left an evaluation there (a one-line upload's blank what-if scenario ran 0.1 s into the next
    test)."""
    background._THREAD.submit(lambda: None).result(timeout=FIRST_RUN_SECONDS)


@pytest.fixture(scope="session")
def sample_app() -> AppTest:
    return open_sample_app()


@pytest.fixture
def open_page(sample_app: AppTest):
    """Switch the session's sample app to a page (sidebar filters cleared) and return it."""

    def switch(path: str) -> AppTest:
        for key in ("filter_payers", "filter_clinicians"):
            sample_app.multiselect(key=key).set_value([])
        sample_app.switch_page(path).run()
        assert not sample_app.exception, sample_app.exception[0].message
        return sample_app

    return switch


def metric_values(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def plotly_figures(app: AppTest) -> list[dict]:
    """The figures on the page as plotly JSON (AppTest has no typed plotly element)."""
    return [json.loads(element.proto.spec) for element in app.get("plotly_chart")]
