"""Findings: every problem found, filterable, with the row in your file, what is wrong and how to fix it."""

from functools import partial

import pandas as pd
import streamlit as st

from bhdash import metrics, money
from bhdash.app import citations, downloads, formatting, model_status, page
from bhdash.model import FAMILY_NAMES, SEVERITIES
from bhdash.rules.registry import REGISTRY

current = page.analysis_page("Findings", needs_model=False)
findings = current.findings
# While the denial-risk model trains, each finding's dollars are pending (they depend on it): no dollar
# column, and the totals say so.
pending = current.loaded.model_pending
dollars = [] if pending else [money.FINDING_DOLLARS]
st.caption("Clinician, payer and service-date filters are in the sidebar; narrow further here.")

left, middle, right = st.columns(3)
severities = left.multiselect(
    "Severity",
    [s for s in SEVERITIES if s in set(findings["severity"])],
    key="findings_severity",
    placeholder="All severities",
)
families = middle.multiselect(
    "Family",
    sorted(findings["family"].dropna().unique()),
    key="findings_family",
    placeholder="All families",
    format_func=lambda family: FAMILY_NAMES.get(family, family),
)
rule_pool = findings if not families else findings[findings["family"].isin(families)]
rules = right.multiselect(
    "Rule", sorted(rule_pool["rule"].dropna().unique()), key="findings_rule", placeholder="All rules"
)
search = st.text_input(
    "Search messages", key="findings_search", placeholder="e.g. 90837, modifier 95, enrollment"
)
shown = metrics.keep_chosen(findings, {"severity": severities, "family": families, "rule": rules})
if search:
    shown = shown[shown["message"].astype("string").str.contains(search, case=False, regex=False, na=False)]

lines = shown["line_index"].dropna().nunique()
row = st.columns(4)
row[0].metric("Findings", f"{len(shown):,}", border=True)
row[1].metric("Claim lines involved", f"{lines:,}", border=True)
row[2].metric("Errors", f"{int((shown['severity'] == 'error').sum()):,}", border=True)
row[3].metric(
    "At risk",
    model_status.PENDING if pending else formatting.money(shown[money.FINDING_DOLLARS].sum()),
    border=True,
    help=(model_status.PENDING_HELP + " " if pending else "")
    + "The dollars at risk these findings carry. A line with several findings shares its money among "
    "them, so no line is counted twice. " + money.EXPLAIN["at_risk"],
)
unattributed = 0.0 if pending else money.unattributed(current.risk, findings)
if unattributed >= 0.5:
    st.caption(
        f"Overview's money at risk also counts {formatting.money(unattributed)} on lines without any "
        "finding: denial patterns the learned model sees in your history (a payer and code, a place of "
        "service…)."
    )

columns = [
    "severity",
    "rule",
    "row",
    "service_date",
    "clinician",
    "payer",
    "code",
    *dollars,
    "message",
    "assumption",
    "fix",
    "claim_id",
    "family",
]
table = shown[columns].reset_index(drop=True)
table["family"] = table["family"].map(FAMILY_NAMES).fillna(table["family"])
selection = st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=440,
    placeholder="—",
    column_config=formatting.FINDING_TABLE_CONFIG,
    on_select="rerun",
    selection_mode="single-row",
    key="findings_table",
)
st.caption(
    f"{len(shown):,} of {len(findings):,} findings. Row = the row number your spreadsheet shows; "
    "clinician-level findings have no row. Select a finding to read it in full."
)
picked = selection.selection.rows if selection is not None else []
if picked and picked[0] < len(table):
    finding = table.iloc[picked[0]]
    where = f"row {int(finding['row'])}" if pd.notna(finding["row"]) else "clinician-level"
    with st.container(border=True):
        st.markdown(
            f"**{finding['rule']}** · {finding['severity']} · {where}"
            + (f" · {formatting.plain(finding['clinician'])}" if pd.notna(finding["clinician"]) else "")
        )
        st.markdown(f"**What we found.** {formatting.plain(finding['message'])}")
        if pd.notna(finding["assumption"]):
            st.markdown(f":orange[**Assumption.**] {formatting.plain(finding['assumption'])}")
            st.page_link("pages/payers.py", label="Check or change it on Payers", icon=":material/tune:")
        st.markdown(f"**How to fix.** {finding['fix']}")
    # The rule detail below follows the finding just selected (and stays free to change afterwards).
    selected = (finding["rule"], finding["row"], finding["message"])
    if st.session_state.get("findings_detail_for") != selected:
        st.session_state["findings_detail_for"] = selected
        st.session_state["findings_rule_detail"] = finding["rule"]

export_left, export_right = st.columns([1, 3], vertical_alignment="center")
export_left.download_button(
    "Export these findings (Excel)",
    data=partial(downloads.findings_workbook, current.loaded, shown),
    file_name="bhdash_findings.xlsx",
    on_click="ignore",
    icon=":material/download:",
    type="primary",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="findings_export",
    disabled=pending,
)
export_right.caption(
    "A formatted workbook (filters, frozen header) of the findings shown above. Cells are "
    "written as text, so the file cannot carry formulas."
    + (" It can be exported when the denial-risk model is done: it lists each finding's dollars at risk."
       if pending else "")
)

st.subheader("Rule detail")
by_rule = metrics.findings_by_rule(shown)
if by_rule.empty:
    st.caption("No findings match the filters.")
    st.stop()
choices = list(by_rule["rule"])
labels = {
    rule: f"{rule} · {title} ({count:,})"
    for rule, title, count in zip(by_rule["rule"], by_rule["title"], by_rule["findings"], strict=True)
}
chosen = st.selectbox("Rule", choices, format_func=labels.get, key="findings_rule_detail")
detail = REGISTRY.get(chosen)
if detail is not None:
    with st.container(border=True):
        st.markdown(f"#### {detail.id} · {detail.title}")
        st.markdown(
            f"**Family** {FAMILY_NAMES.get(detail.family, detail.family)} · **Severity** {detail.severity} · "
            f"**In effect** {detail.effective}"
        )
        st.markdown(f"**Why it matters.** {detail.rationale}")
        st.markdown(f"**How to fix.** {detail.fix}")
        citations.show_source(detail.source)
        assumed = shown.loc[shown["rule"] == chosen, "assumption"].dropna()
        if not assumed.empty:
            notes = assumed.value_counts()
            st.markdown(
                f":orange[**{len(assumed):,} of these findings rest on an assumption**, a shipped payer "
                "default not confirmed for the payer:]\n"
                + "\n".join(
                    f"- {formatting.plain(note)} ({count:,})" for note, count in notes.head(5).items()
                )
            )
            st.page_link("pages/payers.py", label="Check or change it on Payers", icon=":material/tune:")
    examples = shown[shown["rule"] == chosen].head(10)
    st.dataframe(
        examples[["row", "service_date", "clinician", "payer", "code", *dollars, "message"]],
        hide_index=True,
        width="stretch",
        column_config=formatting.FINDING_TABLE_CONFIG,
    )
    count = int((shown["rule"] == chosen).sum())
    if count > len(examples):
        st.caption(f"First {len(examples)} of {count:,}; filter by this rule above to see all.")
