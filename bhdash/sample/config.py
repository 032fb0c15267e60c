"""The sample practice's definition, read from `practice.toml` next to this module.

The practice (clinicians, payers, stories, fee schedule) is data, not code, so a consultant-facing
story can be changed without touching the generator.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd

from bhdash.reference import load_table


@cache
def _load() -> dict[str, Any]:
    with files(__package__).joinpath("practice.toml").open("rb") as handle:
        return tomllib.load(handle)


def practice_config() -> dict[str, Any]:
    """The parsed practice definition (shared; callers must not mutate it)."""
    return _load()


def as_timestamp(value: dt.date) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


@cache
def _fees() -> pd.Series:
    from bhdash.risk import load_fee_schedule

    chargemaster = _load()["chargemaster"]
    table = load_fee_schedule()
    table = table[(table["year"] == chargemaster["fee_year"]) & (table["setting"] == "non_facility")]
    fees = table.set_index("code")["amount"]
    extra = pd.Series(chargemaster["extra"], dtype="float64")
    return pd.concat([fees, extra[~extra.index.isin(fees.index)]])


def fee_table() -> pd.Series:
    """National non-facility fee per code for the chargemaster year (reference fee_schedule.csv)."""
    return _fees().copy()


@cache
def _license_modifiers() -> dict[str, str]:
    table = load_table("license_modifiers.csv")
    return dict(zip(table["credential"], table["modifiers"].str.split(";").str[0], strict=True))


def license_modifier(credentials: pd.Series) -> pd.Series:
    """The license-level modifier a payer that pays by level expects (first listed; none for prescribers)."""
    return credentials.map(_license_modifiers())


def medicare_fraction(credentials: pd.Series) -> pd.Series:
    """Share of the fee schedule Medicare pays each credential (reference fee_percentages.csv)."""
    table = load_table("fee_percentages.csv").set_index("credential")["percent_of_fee_schedule"]
    return credentials.map(table.astype("float64") / 100.0).fillna(1.0)
