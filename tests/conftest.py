"""Suite-wide test settings.

Hypothesis' per-example deadline measures wall time, which a loaded CI machine or a first import (pandas,
the reference tables) stretches well past 200 ms; timing is benchmarked in `bench/`, never asserted, so the
deadline is off for every property test.

Every test runs with its own workspace location, so no test ever writes to the user's data folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

pytest_plugins = ["tests.workspace.fixtures"]

settings.register_profile("bhdash", deadline=None)
settings.load_profile("bhdash")


@pytest.fixture(autouse=True)
def _private_workspace(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path_factory.mktemp("workspace") / "workspace.duckdb"
    monkeypatch.setenv("BHDASH_WORKSPACE", str(path))
    return path
