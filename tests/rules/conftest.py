"""Builds canonical frames from the TOML rule fixtures (rows in canonical column names)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from bhdash.model import CLINICIAN_FIELDS, ENROLLMENT_FIELDS, FieldKind, Roster, field_kinds

FIXTURE_DIR = Path(__file__).parent / "fixtures"
_NUMERIC = {FieldKind.MINUTES, FieldKind.UNITS, FieldKind.MONEY}


def load_fixture_files() -> dict[str, dict[str, Any]]:
    return {path.stem: tomllib.loads(path.read_text()) for path in sorted(FIXTURE_DIR.glob("*.toml"))}


def canonical_frame(rows: list[dict[str, Any]], columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A frame typed like ingestion's output from fixture rows (dates, times, numbers, text)."""
    frame = pd.DataFrame(rows)
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    kinds = field_kinds()
    for column in frame.columns:
        kind = kinds.get(column)
        if kind is FieldKind.DATE:
            frame[column] = pd.to_datetime(frame[column])
        elif kind is FieldKind.TIME:
            frame[column] = pd.to_timedelta(frame[column].where(frame[column].isna(), frame[column] + ":00"))
        elif kind in _NUMERIC or column == "source_row":
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        else:
            frame[column] = frame[column].astype("string").astype("str")
    if "source_row" not in frame.columns:
        frame["source_row"] = range(2, len(frame) + 2)
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame


def fixture_roster(case: dict[str, Any]) -> Roster:
    roster = Roster()
    if case.get("clinicians"):
        roster.clinicians = canonical_frame(case["clinicians"], tuple(f.name for f in CLINICIAN_FIELDS))
        roster.clinicians = roster.clinicians.drop(columns="source_row")
    if case.get("enrollments"):
        roster.enrollments = canonical_frame(case["enrollments"], tuple(f.name for f in ENROLLMENT_FIELDS))
        roster.enrollments = roster.enrollments.drop(columns="source_row")
    return roster
