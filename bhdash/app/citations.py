"""A rule's source as a page shows it: who published it in plain words, the full citations one click away."""

from __future__ import annotations

import streamlit as st

from bhdash.reference import sources


def show_source(text: str) -> None:
    """The source line of a rule detail, with an expander listing each cited source in full."""
    st.markdown(f"**Source.** {sources.in_words(text)}")
    cited = sources.cited(text)
    if cited:
        with st.expander(f"Full citations ({len(cited)})"):
            st.markdown("\n".join(f"- {item}" for item in cited))
