"""Shared sample practices: generating one takes seconds, so each is built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bhdash.sample import SamplePractice, generate_practice
from bhdash.sample.layouts import write_sample


@pytest.fixture(scope="session")
def practice() -> SamplePractice:
    return generate_practice()


@pytest.fixture(scope="session")
def clean_practice() -> SamplePractice:
    return generate_practice(plant=False)


@pytest.fixture(scope="session")
def written(practice: SamplePractice, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_data")
    write_sample(practice, out)
    return out
