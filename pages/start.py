"""Start: upload a claims export (and optionally a roster), or open the sample practice.

After a file is read, this page shows what was recognized: the layout, how each column was mapped
(editable: a change re-reads and re-checks the file) and where every source row went.
"""

from functools import partial

import pandas as pd
import streamlit as st

from bhdash import metrics
from bhdash.app import downloads, formatting, loading, page, session
from bhdash.app import workspace as workspace_ui
from bhdash.ingest.mapping import IGNORE_FIELD, SCOPES
from bhdash.model import CLAIM_FIELDS
from bhdash.text import plural
from bhdash.workspace.store import DuplicateUploadError, WorkspaceError

FIELD_LABELS = {
    **{field.name: f"{field.label} ({field.name})" for field in CLAIM_FIELDS},
    IGNORE_FIELD: "Not used (ignore)",
}
CLAIMS_UPLOAD = "start_claims_upload"
ROSTER_UPLOAD = "start_roster_upload"
REMIT_UPLOAD = "start_remit_upload"


st.title("Check your claims before the payer does")
st.markdown(
    "Upload the claims or billing export from your EHR (SimplePractice, TherapyNotes, TheraNest, Tebra "
    "or any spreadsheet with one row per service line). bhdash finds the lines that will be denied or "
    "audited — time rules, add-ons, same-day pairs, credentialing gaps, telehealth codes, diagnoses, "
    "duplicates, timely filing — and what they are worth. Files stay in this browser session; nothing "
    "is saved unless you choose to keep a de-identified record of an upload (below, once it is read)."
)

upload_column, sample_column = st.columns([3, 2], gap="large")
with upload_column:
    claims_upload = st.file_uploader(
        "Claims export",
        type=session.UPLOAD_TYPES,
        key=CLAIMS_UPLOAD,
        help="xlsx, xlsm, xls or csv, up to 50 MB. Roster and enrollment sheets in the same workbook are "
        "picked up automatically.",
    )
    roster_upload = st.file_uploader(
        "Clinician roster and payer enrollments (optional)",
        type=session.UPLOAD_TYPES,
        key=ROSTER_UPLOAD,
        help="Clinicians with credential, NPI and license expiry; enrollments with payer, effective and term "
        "dates. Needed for the credentialing checks.",
    )
    remit_upload = st.file_uploader(
        "835 remittance files (optional)",
        accept_multiple_files=True,
        key=REMIT_UPLOAD,
        help="The ERA files your clearinghouse lets you download (X12 835), one or many, or a zip of them. "
        "Their paid and denied lines become your outcomes: the Denials page and a denial model learned from "
        "what your payers actually did.",
    )
with sample_column, st.container(border=True):
    st.markdown("**No export at hand?**")
    st.markdown(
        "Explore a 12-clinician sample practice: a year of claims from a messy billing report, with "
        "its roster, enrollments and nine adjudicated months."
    )
    if st.button(
        "Explore the sample practice", type="primary", icon=":material/play_arrow:", width="stretch"
    ):
        session.load_sample()
        st.rerun()
    if st.session_state.get(session.SOURCE_KIND) == "sample" and not session.remittances():
        st.markdown("Its payers' answers also come as 835 remittance files, one per payer and month.")
        if st.button("Add the sample's 835 remittances", icon=":material/receipt_long:", width="stretch"):
            session.load_sample_remittances()
            st.rerun()
claims_changed = session.take_upload(session.CLAIMS_FILE, claims_upload)
remit_changed = session.take_remittances(remit_upload)
if session.take_upload(session.ROSTER_FILE, roster_upload) or claims_changed or remit_changed:
    st.rerun()

error = loading.input_error()
if error is not None:
    page.show_input_error(error)
    st.stop()

loaded = loading.loaded_data()
if loaded is None:
    st.stop()

ingested = loaded.ingest
analysis = loaded.analysis
kpis = metrics.kpis(analysis.claims, analysis.check.findings, analysis.risk)
money_at_risk = (
    "the money at risk follows when the denial-risk model is done"
    if loaded.model_pending
    else f"{formatting.money(kpis.dollars_at_risk)} at risk"
)
st.success(
    f"**{formatting.plain(loaded.source_label)}** is loaded: {plural(kpis.claim_lines, 'claim line')}, "
    f"{plural(len(analysis.check.findings), 'finding')}, {money_at_risk}.",
    icon=":material/check_circle:",
)
links = st.columns([3, 3, 2, 2], vertical_alignment="center")
links[0].page_link("pages/overview.py", label="Overview: where the money leaks", icon=":material/dashboard:")
links[1].page_link(
    "pages/findings.py", label="Findings: what to fix, line by line", icon=":material/checklist:"
)
links[2].page_link("pages/credentialing.py", label="Credentialing gaps", icon=":material/badge:")
if links[3].button(
    "Remove this data",
    icon=":material/delete:",
    type="tertiary",
    help="Forget the files in this browser session (nothing was saved to disk).",
):
    session.clear_data()
    st.rerun()

with st.container(border=True):
    keep = st.toggle("Keep this upload to track progress (optional)", key="start_keep",
                     help="Saves a de-identified record of this upload in a workspace file on this computer.")
    if keep:
        st.caption(workspace_ui.STORED_STATEMENT)
        try:
            workspace_ui.path_setting("start_workspace_path")
            known = workspace_ui.practice_names()
        except WorkspaceError as problem:
            st.error(str(problem), icon=":material/error:")
            known = None
        if known is not None:
            new_practice = "New practice…"
            # The practice saved to last is preselected, so next month's upload is one click.
            last = st.session_state.get("start_last_practice")
            choice = st.selectbox("Practice", [*known, new_practice],
                                  index=known.index(last) if last in known else 0)
            practice = (st.text_input("Name of the new practice", key="start_new_practice").strip()
                        if choice == new_practice else choice)
            # What happened to this very file (keyed by its digest, so a new upload starts afresh).
            digest = st.session_state[session.CLAIMS_FILE].digest
            outcome = st.session_state.get("start_save_outcome", {}).get(digest, {})

            def save(force: bool) -> None:
                try:
                    upload_id = workspace_ui.save_loaded(loaded, practice, force=force)
                    result = {"saved": upload_id}
                    st.session_state["start_last_practice"] = practice
                except DuplicateUploadError as refused:
                    first = refused.existing.iloc[0]
                    result = {"duplicate": practice, "existing": int(first["upload_id"]),
                              "when": f"{pd.Timestamp(first['analysed_at']):%Y-%m-%d %H:%M}"}
                except WorkspaceError as problem:
                    result = {"error": str(problem)}
                st.session_state["start_save_outcome"] = {digest: result}

            st.button("Save this upload", icon=":material/save:", key="start_save",
                      disabled=not practice or loaded.model_pending, on_click=save, args=(False,),
                      help="Ready when the denial-risk model is done: the record keeps the money at risk."
                      if loaded.model_pending else None)
            if outcome.get("duplicate") == practice:
                st.warning("This very file is already saved in this practice as upload "
                           f"{outcome['existing']} ({outcome['when']}). Save it again as a second upload?",
                           icon=":material/content_copy:")
                st.button("Save a second copy", key="start_save_again", on_click=save, args=(True,))
            if "error" in outcome:
                st.error(outcome["error"], icon=":material/error:")
            if "saved" in outcome:
                st.success(f"Saved as upload {outcome['saved']}.", icon=":material/check_circle:")
                st.page_link("pages/progress.py", label="See this practice's progress",
                             icon=":material/timeline:")
if analysis.remit is not None:
    remit = analysis.remit
    counts = remit.summary()
    unreadable = [item for item in remit.files if item.error is not None]
    st.subheader("Remittances (835)")
    row = st.columns(4)
    row[0].metric("Files read", f"{counts['files']:,} of {len(remit.files):,}", border=True)
    row[1].metric("Remittance lines", f"{counts['remit_lines']:,}", border=True)
    row[2].metric(
        "Claim lines matched",
        f"{counts['claim_lines_matched']:,}",
        border=True,
        help="Matched by claim ID, code and date of service; else by patient name, date and code. When one "
        "line has several remittances (a denial, then a corrected claim) the latest decides.",
    )
    row[3].metric(
        "Remittance lines unmatched",
        f"{counts['remit_lines_unmatched']:,}",
        border=True,
        help="Lines of the 835 files that no claim line in the export matches (reasons below).",
    )
    for item in unreadable:
        st.warning(f"{formatting.plain(item.file)} was not read: {formatting.plain(item.error)}",
                   icon=":material/warning:")
    with st.expander(f"Unmatched lines ({counts['remit_lines_unmatched']:,} remittance, "
                     f"{plural(counts['claim_lines_unmatched'], 'claim line')} without a remittance)"):
        st.markdown("**Remittance lines with no claim line**")
        st.dataframe(remit.unmatched_lines, hide_index=True, width="stretch")
        st.markdown("**Claim lines with no remittance** (lines not yet adjudicated are expected here)")
        st.dataframe(remit.unmatched_claims, hide_index=True, width="stretch")
    st.page_link("pages/denials.py", label="Denials: what payers refused and what you could have caught",
                 icon=":material/money_off:")

source = ingested.source
st.subheader("What we read")
row = st.columns(5)
row[0].metric("Rows read", f"{ingested.rows_read:,}", border=True)
row[1].metric("Claim lines", f"{len(ingested.claims):,}", border=True)
row[2].metric(
    "Rows skipped",
    f"{len(ingested.skipped):,}",
    border=True,
    help="Blank, title, total and payment rows, and rows we could not use (reasons below).",
)
row[3].metric(
    "Clinicians",
    f"{len(ingested.roster.clinicians):,}",
    border=True,
    help="Clinicians on the roster (sheets in the workbook or the roster file).",
)
row[4].metric(
    "Enrollments",
    f"{len(ingested.roster.enrollments):,}",
    border=True,
    help="Clinician × payer enrollments with their dates.",
)
layout = (f"{source.vendor} — {source.report}" if source.vendor else source.layout) or (
    "none (columns matched by their names)"
)
where = f"sheet **{formatting.plain(source.sheet)}**, " if source.sheet else ""
st.markdown(
    f"File **{formatting.plain(source.file)}**: {where}header on row **{source.header_row}**. "
    f"Recognized layout: **{formatting.plain(layout)}**."
)
if source.roster_sheets or source.roster_file:
    parts = [
        f"sheets {formatting.plain(', '.join(source.roster_sheets))}" if source.roster_sheets else "",
        f"file {formatting.plain(source.roster_file)}" if source.roster_file else "",
    ]
    st.caption("Roster read from " + " and ".join(part for part in parts if part) + ".")
for warning in analysis.warnings:  # the ingestion warnings come first in it
    st.warning(formatting.plain(warning), icon=":material/warning:")

mapping_tab, rows_tab = st.tabs(["Column mapping", "Row accounting"])
with mapping_tab:
    st.caption(
        "How each column of your file was understood. If a guess is wrong, pick the right field "
        f"(or `{IGNORE_FIELD}`); the file is re-read and re-checked at once."
    )
    mapping = pd.DataFrame(
        [vars(item) for item in ingested.mapping], columns=["source_column", "field", "confidence", "method"]
    )
    editable = mapping[mapping["method"] != "derived"].reset_index(drop=True)
    derived = mapping[mapping["method"] == "derived"]
    fields = [*SCOPES["claims"], IGNORE_FIELD]
    edited = st.data_editor(
        editable,
        key=f"start_mapping_{formatting.slug(repr(sorted(session.overrides().items())))}",
        hide_index=True,
        width="stretch",
        height=36 * (len(editable) + 1) + 4,
        num_rows="fixed",
        disabled=["source_column", "confidence", "method"],
        column_config={
            "source_column": st.column_config.TextColumn("Your column"),
            "field": st.column_config.SelectboxColumn(
                "Read as", options=fields, required=True, format_func=FIELD_LABELS.get
            ),
            "confidence": st.column_config.ProgressColumn(
                "Confidence", format="percent", min_value=0, max_value=1
            ),
            "method": st.column_config.TextColumn(
                "How", help="exact name, known synonym, fuzzy match, or your override"
            ),
        },
    )
    changed = edited[edited["field"] != editable["field"]]
    if not changed.empty:
        session.set_overrides(
            {**session.overrides(), **dict(zip(changed["source_column"], changed["field"], strict=True))}
        )
        st.rerun()
    if not derived.empty:
        st.caption(
            "Derived: "
            + ", ".join(
                f"{row.field} from {formatting.plain(row.source_column)}" for row in derived.itertuples()
            )
            + "."
        )
    with st.form("start_map_more", border=False):
        st.markdown("**Map a column we did not use**")
        left, right, button = st.columns([3, 3, 1], vertical_alignment="bottom")
        column = left.text_input("Column name as in your file", key="start_extra_column")
        field = right.selectbox(
            "Read as", SCOPES["claims"], key="start_extra_field", format_func=FIELD_LABELS.get
        )
        if button.form_submit_button("Apply") and column.strip():
            session.set_overrides({**session.overrides(), column.strip(): field})
            st.rerun()
    if session.overrides() and st.button("Undo my mapping changes"):
        session.set_overrides({})
        st.rerun()
with rows_tab:
    skipped = ingested.skipped
    counts = pd.DataFrame(sorted(ingested.skipped_counts().items()), columns=["reason", "rows"])
    accounting = pd.concat(
        [pd.DataFrame({"reason": ["claim line"], "rows": [len(ingested.claims)]}), counts], ignore_index=True
    )
    st.caption(
        f"Every one of the {ingested.rows_read:,} rows read is a claim line or a skipped row with a "
        "reason; nothing is dropped silently."
    )
    left, right = st.columns([1, 2])
    left.dataframe(
        accounting,
        hide_index=True,
        width="stretch",
        column_config={"reason": "Row became", "rows": st.column_config.NumberColumn("Rows")},
    )
    right.dataframe(
        skipped[["sheet", "row", "category", "reason"]],
        hide_index=True,
        width="stretch",
        height=300,
        column_config={
            "sheet": "Sheet",
            "row": st.column_config.NumberColumn("Row", format="%d"),
            "category": "Category",
            "reason": st.column_config.TextColumn("Reason", width="large"),
        },
    )
    right.download_button(
        "Download skipped rows (CSV)",
        data=partial(downloads.safe_csv, skipped),
        file_name="bhdash_skipped_rows.csv",
        on_click="ignore",
        mime="text/csv",
        icon=":material/download:",
    )
