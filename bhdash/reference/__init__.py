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


def _span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    if pd.notna(start) and pd.notna(end):
        return f"{start.date().isoformat()} to {end.date().isoformat()}"
    return f"from {start.date().isoformat()}" if pd.notna(start) else f"until {end.date().isoformat()}"


def dated_facts(name: str) -> str:
    """The dated rows of a reference table in a line, grouped by window: "until 2022-12-31: 99343, …".

    The key of a row is its first column (the code, or "90832+90839" for a pair table). Undated rows
    hold at any date and are not listed. icd10cm_transitions.csv lists its change dates instead.
    """
    table = load_table(name)
    if "changed_on" in table.columns:
        sets = ", ".join(load_table("icd10cm_sets.csv")["fiscal_year"])
        changes = "; ".join(table["code"] + " " + table["changed_on"])
        return f"ICD-10-CM code sets {sets}; dated changes {changes}"
    dated = table[table["effective_from"].notna() | table["effective_to"].notna()]
    if dated.empty:
        return ""
    pair = _PAIR_KEYS.get(name)
    keys = dated[pair[0]] + "+" + dated[pair[1]] if pair else dated.iloc[:, 0].astype(str)
    windows = dated[["effective_from", "effective_to"]].assign(key=keys.to_numpy())
    grouped = windows.groupby(["effective_from", "effective_to"], dropna=False, sort=True)["key"]
    parts = [f"{_span(start, end)}: {_runs(sorted(set(keys)))}" for (start, end), keys in grouped]
    return f"{name}: " + "; ".join(parts)


_PAIR_KEYS = {"ptp_pairs.csv": ("column_1", "column_2"), "addon_primaries.csv": ("addon", "primary"),
              "addon_conflicts.csv": ("addon", "code")}


def _runs(keys: list[str]) -> str:
    """ "98000–98003, 99201" for consecutive numeric codes; other keys as they are."""
    parts: list[list[str]] = []
    for key in keys:
        last = parts[-1][-1] if parts else ""
        if key.isdigit() and last.isdigit() and len(key) == len(last) and int(key) == int(last) + 1:
            parts[-1].append(key)
        else:
            parts.append([key])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in parts)
