"""The entry points' Arrow memory pool: jemalloc, unless the user's ARROW_DEFAULT_MEMORY_POOL decides."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

_PROBE = ("import pyarrow as pa; from bhdash.arrow_memory import use_jemalloc; use_jemalloc(); "
          "print(pa.default_memory_pool().backend_name)")


def _pool_after_use_jemalloc(**environment: str) -> str:
    env = {key: value for key, value in os.environ.items() if key != "ARROW_DEFAULT_MEMORY_POOL"}
    completed = subprocess.run([sys.executable, "-c", _PROBE], env=env | environment, capture_output=True,
                               text=True, check=True)
    return completed.stdout.strip()


def _has_jemalloc() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        return False
    return True


@pytest.mark.skipif(not _has_jemalloc(), reason="this pyarrow build has no jemalloc")
def test_the_entry_points_allocate_arrow_buffers_from_jemalloc() -> None:
    assert _pool_after_use_jemalloc() == "jemalloc"


def test_the_users_arrow_pool_setting_is_kept() -> None:
    assert _pool_after_use_jemalloc(ARROW_DEFAULT_MEMORY_POOL="system") == "system"
