"""The denial-risk model's progress while it trains in the background (`loading.ModelJob`).

The sidebar shows what it is doing and polls it; when it is done the whole app reruns, so every page
switches from the preliminary figures to the complete ones in one step. Pages whose figures all come from
the model wait visibly (`wait_for_model`); Overview and Findings show the rule findings meanwhile.
"""

from __future__ import annotations

import streamlit as st

from bhdash.app.loading import Loaded, ModelJob

POLL_SECONDS = 1.0
PENDING = "Pending"
PENDING_HELP = "Arrives when the denial-risk model has finished learning from your paid and denied lines."


def sidebar_status(loaded: Loaded | None) -> None:
    """While the model trains: its status in the sidebar, polled until it is ready."""
    if loaded is None or loaded.model is None or not loaded.model_pending:
        return
    with st.sidebar:
        _poll(loaded.model)


@st.fragment(run_every=POLL_SECONDS)
def _poll(job: ModelJob) -> None:
    if not job.pending:
        st.rerun(scope="app")
    st.info(job.status(elapsed=True), icon=":material/hourglass_top:")


def wait_for_model(loaded: Loaded) -> None:
    """Stop a page whose figures come from the model, saying so, until the model is ready (the sidebar's
    poll reruns the page then)."""
    if not loaded.model_pending or loaded.model is None:
        return
    with st.container(border=True, key="model_pending"):
        st.markdown(f"**{loaded.model.status()}**")
        st.caption(
            "This page's figures come from the denial-risk model, which learns from your paid and denied "
            "lines. They appear here by themselves when it is done. Meanwhile Overview and Findings show "
            "what the checks found."
        )
        left, right = st.columns(2)
        left.page_link("pages/overview.py", label="Overview", icon=":material/dashboard:")
        right.page_link("pages/findings.py", label="Findings", icon=":material/checklist:")
    st.stop()
