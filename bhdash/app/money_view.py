"""The money tiles (bhdash.money): at risk, certain, likely and expected ordinary denials, each with how it
is computed in its tooltip. One renderer, so every page that shows them words and rounds them alike."""

from __future__ import annotations

import streamlit as st

from bhdash import money
from bhdash.app import formatting
from bhdash.app.model_status import PENDING, PENDING_HELP
from bhdash.text import plural


def money_tiles(summary: money.MoneySummary, *, model_pending: bool = False) -> None:
    """Four tiles in a row: the headline at risk (certain + likely), its two parts, and apart from it the
    expected ordinary denials.

    While the denial-risk model trains only certain loss is known (it needs no model); the three tiles that
    depend on the model say they are pending instead of showing a figure that would change.
    """
    if model_pending:
        _pending_tiles(summary)
        return
    values = {"at_risk": summary.at_risk, "certain": summary.certain, "likely": summary.likely,
              "baseline": summary.baseline}
    notes = {
        "at_risk": f"{formatting.money(summary.certain)} certain + "
                   f"{formatting.money(summary.likely)} likely.",
        "certain": f"On {plural(summary.unpayable_lines, 'line')}.",
        "likely": "",
        "baseline": "Not part of the money at risk.",
    }
    for column, (key, value) in zip(st.columns(4), values.items(), strict=True):
        column.metric(
            money.LABELS[key],
            formatting.money_short(value),
            border=True,
            help=" ".join(part for part in (f"{formatting.money(value)}.", notes[key], money.EXPLAIN[key])
                          if part),
        )


def _pending_tiles(summary: money.MoneySummary) -> None:
    for column, key in zip(st.columns(4), ("at_risk", "certain", "likely", "baseline"), strict=True):
        if key == "certain":
            column.metric(
                money.LABELS[key],
                formatting.money_short(summary.certain),
                border=True,
                help=f"{formatting.money(summary.certain)}. On {plural(summary.unpayable_lines, 'line')}. "
                + money.EXPLAIN[key],
            )
        else:
            column.metric(money.LABELS[key], PENDING, border=True,
                          help=f"{PENDING_HELP} {money.EXPLAIN[key]}")
