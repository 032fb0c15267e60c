"""The Denials page's table of denied and underpaid lines, kept per data, filters and model state: building
it walks every denied line's findings (0.5 s on a 250,000-line upload), and a page switch should not."""

from __future__ import annotations

import pandas as pd

from bhdash import denials, metrics
from bhdash.analysis import Analysis
from bhdash.app import background, payer_settings
from bhdash.app.filters import View, filters_key
from bhdash.app.loading import Loaded
from bhdash.payers import PayerDirectory


def _denied_lines(claims: pd.DataFrame, findings: pd.DataFrame, expected_payment: pd.Series,
                  ran: set[str], payers: PayerDirectory) -> pd.DataFrame:
    return denials.denied_lines(claims, findings, expected_payment, ran_families=ran, payers=payers)


def _ran_families(analysis: Analysis) -> set[str]:
    """Families with a rule that ran: a skipped family proves nothing about a denial."""
    rules = analysis.check.rules
    return set(rules.loc[rules["status"] == "ran", "family"])


def denied_lines(current: View) -> pd.DataFrame:
    """`denials.denied_lines` for the filtered lines, with the session's payer settings (their filing
    limits decide which timely-filing denials are appeal candidates)."""
    name = ("denied lines", filters_key(current.filters), current.loaded.model_pending)
    return background.result(name, _denied_lines, current.claims, current.findings,
                             current.risk["expected_payment"], _ran_families(current.loaded.analysis),
                             payer_settings.directory())


def warm_up(loaded: Loaded | None) -> None:
    """Start the whole practice's denied lines in the background (Denials' first view) once the model is
    done; an unfiltered view's frames are the analysis' own."""
    if loaded is None or loaded.model_pending:
        return
    analysis = loaded.analysis
    background.start(("denied lines", filters_key(metrics.Filters()), False), _denied_lines, analysis.claims,
                     analysis.check.findings, analysis.risk["expected_payment"], _ran_families(analysis),
                     payer_settings.directory())
