"""Plain words for the report: what each finding family means, and how figures are printed.

Every figure the report prints goes through `money` or `count`, so a test can print a figure from
`bhdash check --format json` the same way and look for it in the report's text.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from bhdash.text import plural  # noqa: F401  (the templates' "plural", one helper everywhere)

FAMILY_MEANINGS: dict[str, tuple[str, str]] = {
    "DATA": (
        "Missing or unreadable data",
        "Lines missing a field a payer needs (codes, dates, clinician, patient) or holding a value that "
        "cannot be read. Payers reject these before anyone looks at the service.",
    ),
    "CODE": (
        "Invalid or retired codes",
        "Procedure codes that do not exist, were deleted, or are not valid on the date of service.",
    ),
    "TIME": (
        "Session time does not support the code",
        "Psychotherapy and other timed codes need documented minutes in the code's range; the time "
        "recorded on these lines does not fit the code billed.",
    ),
    "ADDON": (
        "Add-on codes without their primary service",
        "Add-on codes (such as interactive complexity or psychotherapy with E/M) billed without, or "
        "with the wrong, primary service on the same day.",
    ),
    "PTP": (
        "Code pairs that may not be billed together",
        "Two services billed for the same patient and day that national correct-coding edits pair off; "
        "one of them is denied unless a modifier and the record support both.",
    ),
    "UNITS": (
        "Too many units",
        "More units of a code on one day than payers allow (medically unlikely edits).",
    ),
    "SCOPE": (
        "Outside the clinician's scope",
        "Services the clinician's license or credential does not allow them to bill.",
    ),
    "CRED": (
        "Licensing and payer enrollment",
        "Services billed while the clinician's license had lapsed or before, after or without an "
        "active enrollment with the payer. These are not payable as billed.",
    ),
    "NPI": (
        "Provider identifiers",
        "Missing, invalid or mismatched rendering NPIs compared with the roster.",
    ),
    "TELE": (
        "Telehealth billing",
        "Place of service and modifiers on telehealth lines that the payer's telehealth rules do not accept.",
    ),
    "DX": (
        "Diagnosis codes",
        "Missing, invalid or non-specific diagnoses, or diagnoses payers do not cover for the service.",
    ),
    "DUP": ("Duplicate lines", "The same service billed twice for the same patient, day and clinician."),
    "TIMELY": ("Filed late", "Claims submitted, or still unsubmitted, past the payer's filing limit."),
    "AUDIT": (
        "Patterns payers audit",
        "Billing patterns that draw payer reviews even when each line is correct (for example many "
        "long sessions in one day).",
    ),
    "NORM": (
        "Code mix against payer norms",
        "A clinician bills a code payers audit (such as 60-minute psychotherapy) far more often than "
        "the payer norm, by more than chance would explain at that volume.",
    ),
}


def family_name(family: str) -> str:
    return FAMILY_MEANINGS.get(family, (family, ""))[0]


def family_meaning(family: str) -> str:
    return FAMILY_MEANINGS.get(family, ("", ""))[1]


def money(value: float | None) -> str:
    """Dollars to the cent, as `bhdash check --format json` rounds them; a dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    rounded = round(float(value), 2)
    return f"-${abs(rounded):,.2f}" if rounded < 0 else f"${rounded:,.2f}"


def count(value: float | int | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{round(value):,}"


def day(value: object) -> str:
    """A date as YYYY-MM-DD (the form the findings and the check JSON use); a dash when missing."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)


def long_day(value: object) -> str:
    """A date for the cover: "October 31, 2026"."""
    if value is None or value is pd.NaT:
        return "—"
    stamp = pd.Timestamp(value)
    return f"{stamp:%B} {stamp.day}, {stamp.year}"


def percent(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}%}"


def first_sentence(text: str | None) -> str:
    """The first sentence of a rule's fix text, for one-line advice."""
    if not text:
        return ""
    text = " ".join(str(text).split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]
