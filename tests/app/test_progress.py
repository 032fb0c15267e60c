"""Progress and Practices pages on a workspace with two saved uploads (before and after a fix campaign)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, metric_values, plotly_figures
from tests.workspace.fixtures import PRACTICE, TwoUploads
from tests.workspace.test_compare import expected_counts


@pytest.fixture
def workspace_app(two_uploads: TwoUploads, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("BHDASH_WORKSPACE", str(two_uploads.copy(tmp_path)))
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.run()
    assert not app.exception, app.exception[0].message
    return app


def test_progress_shows_the_trend_and_the_comparison(workspace_app: AppTest, two_uploads: TwoUploads) -> None:
    app = workspace_app.switch_page("pages/progress.py").run()
    assert not app.exception, app.exception[0].message
    assert app.selectbox(key="progress_practice").value == PRACTICE
    shown = metric_values(app)
    after = two_uploads.after.analysis.check.findings
    assert shown["Uploads saved"] == "2"
    assert shown["Findings"] == f"{len(after):,}"
    changes = app.dataframe[0].value.iloc[0]
    expected = expected_counts(two_uploads)
    assert (changes["resolved"], changes["new"], changes["persisting"]) == (
        expected["resolved"], expected["new"], expected["persisting"])
    titles = [figure["layout"]["title"]["text"] for figure in plotly_figures(app)]
    assert titles[:2] == ["Money at risk by finding family", "Findings since the previous upload"]


def test_practices_lists_one_row_per_practice(workspace_app: AppTest, two_uploads: TwoUploads) -> None:
    app = workspace_app.switch_page("pages/practices.py").run()
    assert not app.exception, app.exception[0].message
    table = app.dataframe[0].value
    assert table["practice"].tolist() == [PRACTICE]
    assert table["uploads"].tolist() == [2]
    assert table["findings"].tolist() == [len(two_uploads.after.analysis.check.findings)]
