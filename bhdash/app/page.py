"""How an analysis page opens: its title, the filtered data, or a message saying how to load some."""

from __future__ import annotations

import streamlit as st

from bhdash.app import loading, model_status
from bhdash.app.filters import View, view
from bhdash.app.formatting import plain
from bhdash.errors import InputFileError
from bhdash.text import plural


def show_input_error(error: InputFileError) -> None:
    """Say what is wrong with a file and where (file, sheet, row, column), so the user can fix it."""
    where = ", ".join(
        part
        for part in (
            f"file **{plain(error.file)}**",
            f"sheet **{plain(error.sheet)}**" if error.sheet else "",
            f"row **{error.row}**" if error.row else "",
            f"column **{plain(error.column)}**" if error.column else "",
        )
        if part
    )
    st.error(f"We could not use this file — {plain(error.reason)}\n\n{where}", icon=":material/error:")


def current_view() -> View | None:
    """The filtered data for a page, or None after telling the user how to load some."""
    loaded = loading.loaded_data()
    if loaded is None:
        error = loading.input_error()
        if error is not None:
            show_input_error(error)
        st.info(
            "No claims loaded yet. Upload an export or open the sample practice to get started.",
            icon=":material/upload_file:",
        )
        st.page_link("pages/start.py", label="Go to Start", icon=":material/arrow_forward:")
        return None
    return view(loaded, loading.published_filters())


def analysis_page(title: str, *, needs_model: bool = True) -> View:
    """Title an analysis page and return its filtered data, so every page opens the same way.

    When nothing is loaded the page stops here after saying how to load data; when sidebar filters are
    active a note says how many lines remain, so a small number is never mistaken for the whole upload.
    A page that `needs_model` waits here, visibly, while the denial-risk model trains; one that does not
    gets the preliminary analysis and must mark its model figures as pending (`View.loaded.model_pending`).
    """
    st.title(title)
    current = current_view()
    if current is None:
        st.stop()
    if needs_model:
        model_status.wait_for_model(current.loaded)
    _filter_note(current)
    return current


def _filter_note(current: View) -> None:
    if current.filters.active:
        st.caption(
            f":material/filter_alt: Filtered: {len(current.claims):,} of "
            f"{plural(len(current.loaded.analysis.claims), 'claim line')}."
        )
