"""Every hostile file through `bhdash check` in a memory-capped subprocess: read right or refused."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ingest import hostile_corpus

# Address space, not resident memory: numpy, DuckDB and the BLAS threads reserve far more than they touch,
# while the grids this guards against (a stray cell at XFD1048576) would need hundreds of gigabytes.
MEMORY_CAP_BYTES = 4 * 1024 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, tuple[hostile_corpus.Case, dict]]:
    folder = tmp_path_factory.mktemp("hostile")
    cases = hostile_corpus.build(folder / "files")
    results = folder / "results.jsonl"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("BHDASH_DEBUG", None)
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.ingest.hostile_driver",
            str(folder / "files"),
            str(results),
            *(case.name for case in cases if case.values),
        ],
        cwd=ROOT,
        env=environment,
        preexec_fn=_cap_memory,
        capture_output=True,
        timeout=300,
    )
    records = {record["name"]: record for record in map(json.loads, results.read_text().splitlines())}
    assert finished.returncode == 0, (
        f"the run died (exit {finished.returncode}) after {len(records)} of {len(cases)} files: "
        f"{finished.stderr.decode(errors='replace')[-2000:]}"
    )
    assert len(records) == len(cases)
    return {case.name: (case, records[case.name]) for case in cases}


def _problems(case: hostile_corpus.Case, record: dict) -> list[str]:
    """What is wrong with one file's outcome (empty when it is right)."""
    if case.error is not None:
        lines = record["stderr"].splitlines()
        if record["code"] != 2 or len(lines) != 1:
            return [f"expected exit 2 and one line, got exit {record['code']}: {record['stderr'][-500:]!r}"]
        if not lines[0].startswith(f"error: file '{case.name}'") or case.error not in lines[0]:
            return [f"expected a message with {case.error!r}, got {lines[0]!r}"]
        return []
    if record["code"] != 0 or record["stderr"]:
        return [f"expected exit 0 and a clean stderr, got exit {record['code']}: {record['stderr'][-500:]!r}"]
    problems = []
    if record["lines"] != case.lines:
        problems.append(f"expected {case.lines} claim lines, got {record['lines']}")
    if case.warning is not None and not any(case.warning in warning for warning in record["warnings"]):
        problems.append(f"expected a warning with {case.warning!r}, got {record['warnings']}")
    if not case.values:
        return problems
    if record["ingest_code"] != 0 or record["ingest_stderr"]:
        problems.append(f"bhdash ingest: exit {record['ingest_code']}, {record['ingest_stderr'][-300:]!r}")
        return problems
    for field, expected in case.values.items():
        found = [line.get(field) for line in record["preview"][: len(expected)]]
        if found != expected:
            problems.append(f"{field}: expected {expected}, got {found}")
    return problems


def test_the_corpus_has_every_class_of_hostile_file(outcomes):
    assert len(outcomes) >= 40
    refused = [name for name, (case, _) in outcomes.items() if case.error]
    assert len(refused) >= 15 and len(outcomes) - len(refused) >= 25


def test_every_file_is_read_right_or_refused_in_one_line(outcomes):
    problems = {
        name: found for name, (case, record) in outcomes.items() if (found := _problems(case, record))
    }
    assert not problems, "\n".join(f"{name}: {'; '.join(found)}" for name, found in problems.items())
