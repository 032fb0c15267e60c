"""How pages write money, counts, shares and finding tables, so every page writes them the same way."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st


def money(value: float) -> str:
    """Whole dollars; a dash for a missing amount rather than "$nan"."""
    return "—" if pd.isna(value) else f"${value:,.0f}"


def money_short(value: float) -> str:
    """Dollars that fit a KPI tile (six characters): $3.85M, $180K, $17.9K, $9,400."""
    if pd.isna(value):
        return "—"
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.2f}M"
    if abs(value) >= 1e5:
        return f"${value / 1e3:,.0f}K"
    if abs(value) >= 1e4:
        return f"${value / 1e3:,.1f}K"
    return f"${value:,.0f}"


def money_change(value: float) -> str | None:
    """A signed dollar change for a metric delta; None (no delta shown) when nothing changed.

    The sign is an ASCII hyphen-minus: st.metric reads it to choose the arrow and the colour.
    """
    if pd.isna(value) or abs(value) < 0.5:
        return None
    return f"{'+' if value > 0 else '-'}${abs(value):,.0f}"


def count_change(value: float, digits: int = 0) -> str | None:
    """A signed count change for a metric delta; None (no delta shown) when it rounds to nothing."""
    if pd.isna(value) or abs(value) < 0.5 * 10**-digits:
        return None
    return f"{value:+,.{digits}f}"


def percent(value: float, digits: int = 1) -> str:
    """A share as a percent; a dash when it is undefined (e.g. no lines)."""
    return "—" if pd.isna(value) else f"{value:.{digits}%}"


def slug(text: str) -> str:
    """Text reduced to letters, digits and underscores, safe in download file names and widget keys."""
    cleaned = "".join(character.lower() if character.isalnum() else "_" for character in text).strip("_")
    return cleaned or "scenario"


FINDING_TABLE_CONFIG: dict[str, Any] = {
    "severity": st.column_config.TextColumn("Severity", width="small"),
    "rule": st.column_config.TextColumn("Rule", width="small"),
    "family": st.column_config.TextColumn("Family", width="small"),
    "row": st.column_config.NumberColumn("Row", format="%d", help="Row number as your spreadsheet shows it"),
    "service_date": st.column_config.DateColumn("Service date", format="YYYY-MM-DD"),
    "clinician": st.column_config.TextColumn("Clinician"),
    "payer": st.column_config.TextColumn("Payer"),
    "code": st.column_config.TextColumn("Code", width="small"),
    "amount": st.column_config.NumberColumn("Charge", format="dollar"),
    "at_risk": st.column_config.NumberColumn(
        "At risk", format="dollar", help="This finding's share of its line's money at risk"
    ),
    "message": st.column_config.TextColumn("What we found", width="large"),
    "assumption": st.column_config.TextColumn(
        "Assumption",
        width="medium",
        help="The shipped payer default, not confirmed for this payer, that the finding rests on "
        "(change it on Payers).",
    ),
    "fix": st.column_config.TextColumn("How to fix", width="large"),
    "claim_id": st.column_config.TextColumn("Claim"),
}


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: object) -> str:
    """User-supplied text (sheet names, column headers, payer names) made inert for Markdown: every
    Markdown, HTML, entity (&), LaTeX ($) and emoji-shortcode (:) character backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
