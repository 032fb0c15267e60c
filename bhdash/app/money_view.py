"""The money tiles (bhdash.money): at risk, certain, likely and expected ordinary denials, each with how it
is computed in its tooltip. One renderer, so every page that shows them words and rounds them alike."""

from __future__ import annotations

import streamlit as st

from bhdash import money
from bhdash.app import formatting
from bhdash.text import plural


def money_tiles(summary: money.MoneySummary) -> None:
    """Four tiles in a row: the headline at risk (certain + likely), its two parts, and apart from it the
    expected ordinary denials."""
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
