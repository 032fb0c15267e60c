"""Rules: the catalogue, and whether each rule ran on the current data (and why not when skipped)."""

import streamlit as st

from bhdash import metrics
from bhdash.app import citations, loading
from bhdash.model import FAMILY_NAMES
from bhdash.reference import sources

st.title("Rules")
st.caption(
    "Every check bhdash runs, why it matters and where the rule comes from. A skipped rule is never "
    "counted as passed: it needs data your export does not carry."
)

loaded = loading.loaded_data()
catalogue = metrics.rule_catalogue(loaded.analysis.check.rules if loaded is not None else None)
if loaded is not None:
    ran = int((catalogue["status"] == "ran").sum())
    skipped = int((catalogue["status"] == "skipped").sum())
    row = st.columns(4)
    row[0].metric("Rules in the catalogue", f"{len(catalogue):,}", border=True)
    row[1].metric("Ran on this data", f"{ran:,}", border=True)
    row[2].metric("Skipped", f"{skipped:,}", help="The data these rules need is missing.", border=True)
    row[3].metric("Rules with findings", f"{int((catalogue['findings'] > 0).sum()):,}", border=True)
else:
    st.info("Load claims on **Start** to see which rules run on your data.", icon=":material/info:")

left, middle, right = st.columns([2, 2, 3])
families = left.multiselect(
    "Family",
    sorted(catalogue["family"].unique()),
    key="rules_family",
    placeholder="All families",
    format_func=lambda family: FAMILY_NAMES.get(family, family),
)
statuses = middle.multiselect(
    "Status", sorted(catalogue["status"].unique()), key="rules_status", placeholder="Ran and skipped"
)
search = right.text_input("Search", key="rules_search", placeholder="id, title or rationale")
shown = metrics.keep_chosen(catalogue, {"family": families, "status": statuses})
if search:
    text = shown["id"] + " " + shown["title"] + " " + shown["rationale"]
    shown = shown[text.str.contains(search, case=False, regex=False)]

shown = shown.reset_index(drop=True).assign(
    family=lambda table: table["family"].map(FAMILY_NAMES),
    source_in_words=lambda table: table["source"].map(sources.in_words),
)
selection = st.dataframe(
    shown[
        ["id", "family", "severity", "title", "status", "findings", "reason", "effective", "source_in_words"]
    ],
    hide_index=True,
    width="stretch",
    height=min(36 * len(shown) + 40, 560),
    placeholder="—",
    on_select="rerun",
    selection_mode="single-row",
    key="rules_table",
    column_config={
        "id": st.column_config.TextColumn("Rule", pinned=True, width="small"),
        "family": st.column_config.TextColumn("Family", width="medium"),
        "severity": st.column_config.TextColumn("Severity", width="small"),
        "title": st.column_config.TextColumn("Title", width="medium"),
        "status": st.column_config.TextColumn("Status", width="small"),
        "reason": st.column_config.TextColumn("Why skipped", width="medium"),
        "findings": st.column_config.NumberColumn("Findings", format="%d", width="small"),
        "effective": st.column_config.TextColumn("In effect", width="small"),
        "source_in_words": st.column_config.TextColumn(
            "Source", width="medium", help="Who published it; select the rule for the full citations"
        ),
    },
)
st.caption(f"{len(shown):,} of {len(catalogue):,} rules shown. Select a rule to read why it matters.")
picked = selection.selection.rows if selection is not None else []
if picked and picked[0] < len(shown):
    chosen = shown.iloc[picked[0]]
    with st.container(border=True):
        st.markdown(f"#### {chosen['id']} · {chosen['title']}")
        status = chosen["status"] + (f" — {chosen['reason']}" if isinstance(chosen["reason"], str) else "")
        st.markdown(
            f"**Family** {chosen['family']} · **Severity** {chosen['severity']} · **In effect** "
            f"{chosen['effective']} · **Status** {status}"
        )
        st.markdown(f"**Why it matters.** {chosen['rationale']}")
        st.markdown(f"**How to fix.** {chosen['fix']}")
        citations.show_source(chosen["source"])
        if chosen["dated_facts"]:
            st.markdown(f"**Dated facts, applied on each line's date of service.** {chosen['dated_facts']}")
        if loaded is not None:
            findings = loaded.analysis.check.findings
            assumed = findings.loc[findings["rule"] == chosen["id"], "assumption"].dropna()
            if not assumed.empty:
                st.markdown(
                    f":orange[**{len(assumed):,} of its findings on this data rest on an assumption**: "
                    "a shipped payer default not confirmed for the payer.]"
                )
                st.page_link("pages/payers.py", label="Check or change it on Payers", icon=":material/tune:")
        st.caption(f"Needs: {chosen['needs']}")
