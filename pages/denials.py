"""Denials: what payers refused or cut, which of it bhdash would have caught, and what to appeal."""

import pandas as pd
import streamlit as st

from bhdash import charts, denials, export
from bhdash.app import formatting, page
from bhdash.app.denied import denied_lines
from bhdash.risk import adjudicated_mask
from bhdash.text import plural


def show(table: pd.DataFrame) -> None:
    """A denials table with readable headings and dollars formatted as dollars."""
    shown = denials.for_people(table)
    money = {label: st.column_config.NumberColumn(label, format="dollar")
             for label in denials.MONEY_LABELS if label in shown.columns}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=money)


current = page.analysis_page("Denials", needs_model=False)
analysis = current.loaded.analysis
claims = current.claims
if not adjudicated_mask(claims).any():
    st.info(
        "**No outcomes yet.** Add your payers' 835 remittance files on **Start** (or upload an export with "
        "claim status, denial reason and paid amount) to see what was denied, why, and which denials "
        "the checks would have prevented.",
        icon=":material/receipt_long:",
    )
    st.page_link("pages/start.py", label="Go to Start", icon=":material/arrow_forward:")
    st.stop()

lines = denied_lines(current)
figures = denials.summary(lines)
source = "835 remittances" if analysis.remit is not None else "the export's status columns"
st.caption(
    f"Outcomes from {source}. A denied line's dollars are its expected payment, what the payer pays on "
    "the line when it is paid (the one money model every page uses); underpaid dollars are the payer's "
    "non-contractual adjustments on paid "
    "lines (835 files only)."
)

row = st.columns(4)
row[0].metric("Denied", formatting.money(figures["denied_dollars"]), border=True,
              delta=plural(figures["denied_lines"], "line"), delta_color="off", delta_arrow="off")
row[1].metric(
    "Preventable",
    formatting.money(figures["preventable_dollars"]),
    border=True,
    delta=f"{formatting.percent(figures['preventable_share'])} of denied dollars",
    delta_color="off",
    delta_arrow="off",
    help="Denials whose line carried a finding of the check family that prevents the payer's reason "
    "(e.g. CO-29 filing limit ↔ TIMELY, CO-97 bundling ↔ PTP/ADDON): bhdash would have caught them "
    "before submission.",
)
row[2].metric("Underpaid", formatting.money(figures["underpaid_dollars"]), border=True)
row[3].metric(
    "Appeal candidates",
    f"{figures['appeal_lines']:,}",
    border=True,
    delta=formatting.money(figures["appeal_dollars"]),
    delta_color="off",
    delta_arrow="off",
    help="Denials whose reason the claim line does not bear out, e.g. a filing-limit denial on a line "
    "submitted inside the payer's window.",
)

tabs = st.tabs(["By reason", "By payer", "By clinician", "By month"])
for tab, (by, title) in zip(
    tabs,
    (("description", "Denied and underpaid dollars by payer reason (CARC)"), ("payer", "By payer"),
     ("clinician", "By clinician"), ("month", "By month of service")),
    strict=True,
):
    with tab:
        table = denials.dollars_by(lines, "reason" if by == "description" else by)
        page.plotly_chart(charts.denied_dollars(table, by, title), width="stretch")
        with st.expander("Table"):
            show(table)

st.subheader("Preventable denials")
preventable = lines[lines["preventable"]]
st.markdown(
    f"**{plural(len(preventable), 'denied line')}**, "
    f"**{formatting.money(figures['preventable_dollars'])}**, carried "
    "a finding that would have stopped them before submission."
)
columns = ["row", "claim_id", "payer", "clinician", "code", "reason", "description", "dollars", "caught_by"]
show(preventable[columns].sort_values("dollars", ascending=False))

st.subheader("Denials no check caught")
st.caption("A to-do for the rule catalogue: reasons payers gave where no finding was on the line.")
show(denials.uncaught(lines))
st.subheader("Candidates for appeal")
appeals = lines[lines["appeal"]]
if appeals.empty:
    st.caption("No denial contradicted by the claim data (filing limit, duplicate, enrollment).")
else:
    show(appeals[["row", "claim_id", "payer", "code", "reason", "dollars", "appeal_why"]])
st.download_button(
    "Download the denied lines (CSV)",
    data=export.to_csv_bytes(denials.for_people(lines)),
    file_name="denials.csv",
    mime="text/csv",
    icon=":material/download:",
)
