"""Versioned reference tables shipped inside the package (CSV/TOML), each row with its source.

Tables are read once per process and must not be mutated by callers (they get a copy).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd

_DATE_COLUMNS = ("effective_from", "effective_to")


def table_path(name: str):
    """Path-like handle of a packaged reference file, e.g. table_path("payers.csv")."""
    return files(__name__).joinpath(name)


@cache
def _read_csv(name: str) -> pd.DataFrame:
    frame = pd.read_csv(table_path(name), dtype=str, keep_default_na=False, na_values=[""])
    for column in _DATE_COLUMNS:
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def load_table(name: str) -> pd.DataFrame:
    """A packaged CSV table as strings (dates parsed for effective_from/effective_to)."""
    return _read_csv(name).copy()


@cache
def _read_toml(name: str) -> dict[str, Any]:
    with table_path(name).open("rb") as handle:
        return tomllib.load(handle)


def load_toml(name: str) -> dict[str, Any]:
    return _read_toml(name)


def in_effect(table: pd.DataFrame, on: pd.Timestamp) -> pd.DataFrame:
    """Rows of a versioned table whose effective_from..effective_to window covers `on`."""
    starts, ends = table["effective_from"], table["effective_to"]
    return table[(starts.isna() | (starts <= on)) & (ends.isna() | (on <= ends))]
