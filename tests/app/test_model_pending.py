"""While the denial-risk model trains in the background, pages show the rule findings and the money that
needs no model, mark every model figure as pending, and fill in the library's figures when it is done."""

from __future__ import annotations

import threading

import pytest

from bhdash import metrics, money
from bhdash.app import formatting, loading
from tests.app.conftest import metric_values, model_ready, open_sample_app

TRAINING = "Denial-risk model: training on 15,707 paid and denied lines…"


@pytest.fixture
def held_model(monkeypatch: pytest.MonkeyPatch):
    """Hold the background fit until the test releases it, on a sample analysis started afresh."""
    release = threading.Event()
    real = loading._complete_or_prior

    def held(checked):
        release.wait(timeout=600)
        return real(checked)

    monkeypatch.setattr(loading, "_complete_or_prior", held)
    loading._shipped_sample_analysis.clear()
    yield release
    release.set()


def _texts(app) -> str:
    return " ".join([*(block.value for block in app.markdown), *(block.value for block in app.info)])


def test_pages_show_the_rule_findings_while_the_model_trains_then_its_figures(held_model, expected):
    app = open_sample_app(wait_for_model=False)
    kpis = expected.kpis
    shown = metric_values(app)
    assert shown["Claim lines"] == "21,767"
    assert shown["Error lines"] == f"{kpis.lines_with_errors:,}" == "669"
    assert shown["Lines with no finding"] == f"{kpis.clean_line_share:.1%}"
    assert shown[money.LABELS["certain"]] == formatting.money_short(kpis.money.certain) == "$62.3K"
    for label in ("at_risk", "likely", "baseline"):
        assert shown[money.LABELS[label]] == "Pending"
    assert TRAINING in _texts(app)  # the sidebar's status and the Fix first note
    assert "Fix first ranks the problems by the money at risk" in _texts(app)

    app.switch_page("pages/findings.py").run()
    shown = metric_values(app)
    assert shown["Findings"] == f"{len(expected.findings):,}"
    assert shown["At risk"] == "Pending"
    table = next(frame.value for frame in app.dataframe if "message" in frame.value.columns)
    assert len(table) == len(expected.findings) and money.FINDING_DOLLARS not in table.columns

    app.switch_page("pages/denial_risk.py").run()
    assert metric_values(app) == {}  # nothing shown from the model before it exists
    assert TRAINING in _texts(app)
    assert app.session_state["_loaded"].model_pending

    held_model.set()
    model_ready(app)
    model = expected.analysis.risk_model
    shown = metric_values(app)
    assert shown["Held-out AUC"] == f"{model['auc']:.3f}"
    assert shown["At risk"] == formatting.money(expected.analysis.risk["amount_at_risk"].sum())
    assert TRAINING not in _texts(app)

    app.switch_page("pages/overview.py").run()
    shown = metric_values(app)
    assert shown[money.LABELS["at_risk"]] == formatting.money_short(kpis.money.at_risk)
    assert shown[money.LABELS["likely"]] == formatting.money_short(kpis.money.likely)
    assert shown[money.LABELS["baseline"]] == formatting.money_short(kpis.money.baseline)
    top = metrics.fix_first(expected.findings, count=6)
    assert f"{formatting.money(top['amount_at_risk'].iloc[0])} at risk" in _texts(app)


def test_the_preliminary_analysis_leaves_model_figures_blank_and_certain_loss_final(expected):
    from bhdash.analysis import MODEL_COLUMNS, check_claims, preliminary

    early = preliminary(check_claims(expected.ingest))
    final = expected.analysis
    assert early.model_pending and not final.model_pending
    assert early.risk["certain_loss"].sum() == pytest.approx(final.risk["certain_loss"].sum())
    assert early.risk["expected_payment"].equals(final.risk["expected_payment"])
    assert early.risk[list(MODEL_COLUMNS)].isna().all().all()
    assert early.check.findings[money.FINDING_DOLLARS].isna().all()
    assert early.risk_model == {"status": "pending", "history_lines": 15_707}


def test_a_fit_that_ends_during_the_page_run_is_not_called_ready_beside_pending_tiles():
    from concurrent.futures import Future

    done: Future = Future()
    done.set_result(None)
    job = loading.ModelJob(future=done, training_lines=15_707)
    assert job.status() == "Denial-risk model: done; its figures appear in a moment."
    assert loading.ModelJob(future=Future(), training_lines=15_707).status() == TRAINING
