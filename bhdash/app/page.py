"""How an analysis page opens: its title, the filtered data, or a message saying how to load some."""

from __future__ import annotations

from time import sleep
from typing import Any

import streamlit as st

from bhdash.app import loading, model_status, session
from bhdash.app.filters import View, view
from bhdash.app.formatting import plain
from bhdash.errors import InputFileError
from bhdash.metrics import HEATMAP_ROWS
from bhdash.text import plural

# The browser loads Streamlit's chart library (a 4.7 MB script that keeps its main thread busy for 1 to 1.7 s
# on a two-core machine) when the first chart of a page load arrives, and numbers that arrive a moment
# before it are put on screen only after it. Seen in Chromium: Overview's tiles painted 3.7 to 4.3 s after
# the page was opened, 1.8 to 2 s when its charts came 1.5 s after them.
FIRST_CHART_PAUSE_SECONDS = 0.8


def plotly_chart(figure: Any, **options: Any) -> None:
    """`st.plotly_chart`, except that the first chart of a browser session is sent after a short pause, so
    the numbers above it are on screen while the browser loads the chart library. A run with no browser
    to paint (see `browser_connected`) does not pause."""
    if not st.session_state.get(session.CHARTS_SENT):
        st.session_state[session.CHARTS_SENT] = True
        if browser_connected():
            sleep(FIRST_CHART_PAUSE_SECONDS)
    st.plotly_chart(figure, **options)


# Streamlit dims a stale element after 0.5 s of a rerun. A what-if edit answers in about a second, so each
# edit dimmed the results for a moment, and Chromium drew the fade frame by frame on a two-core machine
# where the server and the analysis worker needed the CPU (every animation off saved it ~0.15 s an edit).
QUICK_RERUN_SECONDS = 1.5


def fade_only_slow_reruns() -> None:
    """Leave this page's elements at full strength through a rerun shorter than `QUICK_RERUN_SECONDS`
    (a longer one fades them as usual); the style takes no room on the page."""
    st.html(f'<style>[data-stale="true"] {{ transition-delay: {QUICK_RERUN_SECONDS}s !important; }}</style>')


def heatmap_clinicians(ranked: list[str], *, most: str, key: str) -> list[str]:
    """The clinicians a heatmap shows: all of `ranked` up to `HEATMAP_ROWS`; past that, its first
    `HEATMAP_ROWS` (`ranked` puts the most at stake first) unless the user turns on "Show all", with a note
    saying how many are shown and which: `most` ends "those with …"."""
    if len(ranked) <= HEATMAP_ROWS:
        return ranked
    if st.toggle(f"Show all {len(ranked):,} clinicians", key=key):
        return ranked
    st.caption(
        f"Showing {HEATMAP_ROWS} of {len(ranked):,} clinicians: those with {most}. Choose clinicians in the "
        "sidebar to see particular ones."
    )
    return ranked[:HEATMAP_ROWS]


def browser_connected() -> bool:
    """Whether a browser is there to paint the run: it sends a User-Agent header; a script driven
    in-process (AppTest) has no headers."""
    return bool(st.context.headers.get("User-Agent"))


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
