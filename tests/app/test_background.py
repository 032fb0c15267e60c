"""The server's background work: the garbage collector is settled once, after a complete analysis."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bhdash.app import background


def test_the_collector_is_settled_once_a_complete_analysis_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, bool]] = []
    monkeypatch.setattr(background.collector, "settle", lambda **options: calls.append(options))
    monkeypatch.setattr(background, "_SETTLING", [])

    background.settle_memory(None)  # nothing loaded yet
    background.settle_memory(SimpleNamespace(model_pending=True))  # the model still training
    assert background._SETTLING == []

    background.settle_memory(SimpleNamespace(model_pending=False))
    background.settle_memory(SimpleNamespace(model_pending=False))
    background._SETTLING[0].result(timeout=30)
    assert calls == [{"collect": True}]
    assert len(background._SETTLING) == 1
