"""Progress: one practice's saved uploads over time — KPIs, money at risk by family, findings resolved,
new and persisting, each clinician's code mix against the norm, and credentials expiring soon."""

from functools import partial

import streamlit as st

from bhdash.app import formatting, page
from bhdash.app import workspace as workspace_ui
from bhdash.workspace import charts
from bhdash.workspace.progress import progress_figures
from bhdash.workspace.store import WorkspaceError

st.title("Progress")
st.caption("Every upload you saved for a practice, side by side: did last month's fixes work?")
try:
    workspace_ui.path_setting("progress_workspace_path")
    names = workspace_ui.practice_names()
except WorkspaceError as problem:
    st.error(str(problem), icon=":material/error:")
    st.stop()
if not names:
    st.info("No practice saved yet. Load a claims export on the Start page and save it to a practice "
            "(or run `bhdash sample --workspace FILE` for a demo).", icon=":material/info:")
    st.stop()
practice = st.selectbox("Practice", names, key="progress_practice")
try:
    with workspace_ui.open_workspace(read_only=True) as workspace:
        progress = progress_figures(workspace, practice)
except WorkspaceError as problem:
    st.error(str(problem), icon=":material/error:")
    st.stop()
history = progress.history
latest = history.iloc[-1]
previous = history.iloc[-2] if len(history) > 1 else None


def _delta(kpi: str) -> float:
    return float(latest[kpi] - previous[kpi]) if previous is not None else float("nan")


tiles = st.columns(4)
tiles[0].metric("Money at risk (latest)", formatting.money_short(latest["at_risk"]),
                delta=formatting.money_change(_delta("at_risk")), delta_color="inverse", border=True)
tiles[1].metric("Lines without findings", formatting.percent(latest["clean_line_share"]),
                delta=formatting.count_change(_delta("clean_line_share") * 100, 1), border=True)
tiles[2].metric("Findings", f"{int(latest['findings']):,}", delta=formatting.count_change(_delta("findings")),
                delta_color="inverse", border=True)
tiles[3].metric("Uploads saved", f"{len(history):,}", border=True)
if history["older_catalogue"].any():
    st.caption("† analysed under an earlier version of the rules: re-upload that file to compare like with "
               "like.")

page.plotly_chart(charts.money_at_risk_over_time(history, progress.money_by_family), width="stretch")
page.plotly_chart(charts.finding_changes(history, progress.changes), width="stretch")
if not progress.changes.empty:
    shown = progress.changes.rename(columns={"upload_id": "Upload", "previous": "Compared with"})
    st.dataframe(shown, hide_index=True, width="stretch")

st.subheader("Code mix against the norm")
mix = progress.code_mix
if mix.empty:
    st.caption("No code-mix figures in the saved uploads (they need clinicians, codes and payers).")
else:
    left, right = st.columns(2)
    clinician = left.selectbox("Clinician", sorted(mix["clinician"].unique()), key="progress_clinician")
    codes = sorted(mix.loc[mix["clinician"] == clinician, "code"].unique())
    code = right.selectbox("Code", codes, index=codes.index("90837") if "90837" in codes else 0,
                           key="progress_code")
    page.plotly_chart(charts.code_share_over_time(history, mix, clinician, code), width="stretch")

st.subheader("Credentials ending soon")
if progress.expirations.empty:
    st.caption("No license or enrollment ends within 90 days of the latest upload.")
else:
    st.dataframe(progress.expirations, hide_index=True, width="stretch", column_config={
        "ends": st.column_config.DateColumn("Ends", format="YYYY-MM-DD"),
        "days_left": st.column_config.NumberColumn("Days left", format="%d"),
        "upload_id": st.column_config.NumberColumn("From upload", format="%d"),
    })

st.subheader("Uploads")
table = history[["upload_id", "file_name", "period_start", "period_end", "analysed_at", "claim_lines",
                 "at_risk", "clean_line_share", "findings", "rules_skipped", "older_catalogue"]]
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "upload_id": st.column_config.NumberColumn("Upload", format="%d"),
    "file_name": "File",
    "period_start": st.column_config.DateColumn("From", format="YYYY-MM-DD"),
    "period_end": st.column_config.DateColumn("To", format="YYYY-MM-DD"),
    "analysed_at": st.column_config.DatetimeColumn("Analysed", format="YYYY-MM-DD HH:mm"),
    "claim_lines": st.column_config.NumberColumn("Lines", format="%d"),
    "at_risk": st.column_config.NumberColumn("At risk", format="dollar"),
    "clean_line_share": st.column_config.NumberColumn("Lines without findings", format="percent"),
    "findings": st.column_config.NumberColumn("Findings", format="%d"),
    "rules_skipped": st.column_config.NumberColumn("Checks skipped", format="%d"),
    "older_catalogue": st.column_config.CheckboxColumn("Older rules"),
})
left, right = st.columns(2)
left.download_button("Export this practice (xlsx, one sheet per table)",
                     data=partial(workspace_ui.export_workbook, workspace_ui.workspace_path(), practice),
                     file_name=f"bhdash_{formatting.slug(practice)}.xlsx", on_click="ignore",
                     icon=":material/download:")
with right.popover("Delete…", icon=":material/delete:"):
    chosen = st.selectbox("Upload", history["upload_id"].tolist(), key="progress_delete_upload")
    st.caption("Deleting removes the rows from the workspace file; it cannot be undone.")
    try:
        if st.button(f"Delete upload {chosen}", key="progress_delete_one"):
            with workspace_ui.open_workspace() as workspace:
                workspace.delete_upload(int(chosen))
            st.rerun()
        if st.button("Delete the whole practice", key="progress_delete_all", type="primary"):
            with workspace_ui.open_workspace() as workspace:
                workspace.delete_practice(practice)
            st.rerun()
    except WorkspaceError as problem:
        st.error(str(problem), icon=":material/error:")
