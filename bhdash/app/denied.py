"""The Denials page's table of denied and underpaid lines, kept per data, filters and model state: building
it walks every denied line's findings (0.5 s on a 250,000-line upload), and a page switch should not."""

from __future__ import annotations

from typing import Any

import pandas as pd

from bhdash import denials, metrics
from bhdash.app import background, payer_settings
from bhdash.app.filters import View, filters_key, view
from bhdash.app.loading import Loaded
from bhdash.payers import PayerDirectory


def _denied_lines(claims: pd.DataFrame, findings: pd.DataFrame, expected_payment: pd.Series,
                  ran: set[str], payers: PayerDirectory) -> pd.DataFrame:
    return denials.denied_lines(claims, findings, expected_payment, ran_families=ran, payers=payers)


def _job(current: View) -> tuple[Any, ...]:
    """The job's name (data, filters and model state: `background` keys on the data) and its function
    with the view's arguments, the session's payer settings among them."""
    rules = current.loaded.analysis.check.rules
    ran = set(rules.loc[rules["status"] == "ran", "family"])  # a skipped family proves nothing
    name = ("denied lines", filters_key(current.filters), current.loaded.model_pending)
    return (name, _denied_lines, current.claims, current.findings, current.risk["expected_payment"], ran,
            payer_settings.directory())


def denied_lines(current: View) -> pd.DataFrame:
    """`denials.denied_lines` for the filtered lines, with the session's payer settings (their filing
    limits decide which timely-filing denials are appeal candidates)."""
    return background.result(*_job(current))


def warm_up(loaded: Loaded | None) -> None:
    """Start the whole practice's denied lines in the background (Denials' first view) once the model is
    done."""
    if loaded is not None and not loaded.model_pending:
        background.start(*_job(view(loaded, metrics.Filters())))
