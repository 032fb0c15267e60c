"""Practices: a consultant's overview, one row per saved practice with its latest KPIs and trend arrows."""

import streamlit as st

from bhdash.app import workspace as workspace_ui
from bhdash.workspace.progress import practices_overview, trend_arrow
from bhdash.workspace.store import WorkspaceError

st.title("Practices")
st.caption("Each practice's latest saved upload, and which way it moved since the upload before.")
try:
    workspace_ui.path_setting("practices_workspace_path")
    if not workspace_ui.workspace_path().exists():
        st.info("No practice saved yet: save an upload from the Start page.", icon=":material/info:")
        st.stop()
    with workspace_ui.open_workspace(read_only=True) as workspace:
        overview = practices_overview(workspace)
except WorkspaceError as problem:
    st.error(str(problem), icon=":material/error:")
    st.stop()
if overview.empty:
    st.info("No practice saved yet: save an upload from the Start page.", icon=":material/info:")
    st.stop()
for kpi in ("at_risk", "clean_line_share", "findings"):
    overview[f"{kpi}_trend"] = [trend_arrow(change, kpi) for change in overview.get(f"{kpi}_change", [])]
shown = overview[["practice", "uploads", "latest_period_end", "at_risk", "at_risk_trend", "clean_line_share",
                  "clean_line_share_trend", "findings", "findings_trend", "older_catalogue"]]
st.dataframe(shown, hide_index=True, width="stretch", column_config={
    "practice": "Practice",
    "uploads": st.column_config.NumberColumn("Uploads", format="%d"),
    "latest_period_end": st.column_config.DateColumn("Latest period to", format="YYYY-MM-DD"),
    "at_risk": st.column_config.NumberColumn("Money at risk", format="dollar"),
    "at_risk_trend": "Trend",
    "clean_line_share": st.column_config.NumberColumn("Lines without findings", format="percent"),
    "clean_line_share_trend": "Trend ",
    "findings": st.column_config.NumberColumn("Findings", format="%d"),
    "findings_trend": "Trend  ",
    "older_catalogue": st.column_config.CheckboxColumn("Older rules"),
})
st.page_link("pages/progress.py", label="Open a practice's progress", icon=":material/timeline:")
