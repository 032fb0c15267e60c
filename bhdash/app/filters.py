"""The sidebar: which data is loaded, and the date, payer and clinician filters every page applies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from bhdash import metrics
from bhdash.app.formatting import plain
from bhdash.app.loading import Loaded
from bhdash.app.session import loaded_key
from bhdash.text import plural

FILTER_DATES = "filter_dates"
FILTER_PAYERS = "filter_payers"
FILTER_CLINICIANS = "filter_clinicians"
FILTERS_FOR = "filters_for"


@dataclass(frozen=True)
class View:
    """The loaded data restricted to the sidebar filters."""

    loaded: Loaded
    filters: metrics.Filters
    claims: pd.DataFrame
    findings: pd.DataFrame
    risk: pd.DataFrame


def _reset_filters(first: dt.date | None, last: dt.date | None) -> None:
    """All dates, payers and clinicians. Values are assigned (not deleted) so the browser's widgets follow."""
    if first is not None:
        st.session_state[FILTER_DATES] = (first, last)
    st.session_state[FILTER_PAYERS] = []
    st.session_state[FILTER_CLINICIANS] = []


def render_sidebar(loaded: Loaded | None) -> metrics.Filters:
    """Data-source status and the global filters; returns the filters every page applies."""
    with st.sidebar:
        if loaded is None:
            st.caption("No data loaded yet. Upload a claims export on **Start**, or explore the sample.")
            return metrics.Filters()
        claims = loaded.analysis.claims
        st.markdown(f"**{plain(loaded.source_label)}**")
        layout = loaded.ingest.source.layout
        st.caption(plural(len(claims), "claim line") + (f" · layout: {plain(layout)}" if layout else ""))
        options = metrics.filter_options(claims)
        first = options["first_date"].date() if options["first_date"] is not None else None
        last = options["last_date"].date() if options["last_date"] is not None else None
        if st.session_state.get(FILTERS_FOR) != loaded_key():
            _reset_filters(first, last)
            st.session_state[FILTERS_FOR] = loaded_key()
        start = end = None
        if first is not None:
            picked = st.date_input(
                "Service dates", min_value=first, max_value=last, key=FILTER_DATES, format="YYYY-MM-DD"
            )
            if isinstance(picked, tuple | list) and len(picked) == 2 and tuple(picked) != (first, last):
                start, end = pd.Timestamp(picked[0]), pd.Timestamp(picked[1])
        payers = st.multiselect("Payers", options["payers"], key=FILTER_PAYERS, placeholder="All payers")
        clinicians = st.multiselect(
            "Clinicians", options["clinicians"], key=FILTER_CLINICIANS, placeholder="All clinicians"
        )
        filters = metrics.Filters(start=start, end=end, payers=tuple(payers), clinicians=tuple(clinicians))
        if filters.active:
            st.button("Clear filters", on_click=_reset_filters, args=(first, last), width="stretch")
        return filters


def view(loaded: Loaded, filters: metrics.Filters) -> View:
    """Claims, findings and per-line risk under the same filters, so a page's numbers agree."""
    analysis = loaded.analysis
    claims = analysis.claims
    return View(
        loaded=loaded,
        filters=filters,
        claims=metrics.filter_claims(claims, filters),
        findings=metrics.filter_findings(analysis.check.findings, claims, filters),
        risk=metrics.filter_lines(analysis.risk, claims, filters),
    )


def filters_key(filters: metrics.Filters) -> tuple[Any, ...]:
    """The filters as a hashable cache key."""
    return (filters.start, filters.end, filters.payers, filters.clinicians)
