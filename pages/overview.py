"""Overview: the headline numbers, what to fix first, and where the money at risk sits."""

import streamlit as st

from bhdash import charts, metrics
from bhdash.app import formatting, page
from bhdash.app.money_view import money_tiles
from bhdash.coverage import coverage
from bhdash.text import plural

current = page.analysis_page("Overview", needs_model=False)
analysis = current.loaded.analysis
checked = coverage(analysis.check.rules, analysis.claims, analysis.roster)
if checked.skipped:
    with st.container(border=True):
        st.warning(
            f"{checked.message}: the share of lines with no finding covers only what was checked.",
            icon=":material/rule:",
        )
        st.page_link(
            "pages/rules.py",
            label="See which checks ran and why others could not",
            icon=":material/menu_book:",
        )

kpis = metrics.kpis(current.claims, current.findings, current.risk)
row = st.columns(4)
row[0].metric("Claim lines", f"{kpis.claim_lines:,}", border=True)
row[1].metric(
    "Charges", formatting.money_short(kpis.charges), help=formatting.money(kpis.charges), border=True
)
row[2].metric(
    "Lines with no finding",
    formatting.percent(kpis.clean_line_share),
    border=True,
    help="Share of claim lines with no error or warning among the checks that could run on this export. "
    "It is not a share of clean claims: a claim has several lines, and skipped checks found nothing.",
)
row[3].metric(
    "Error lines",
    f"{kpis.lines_with_errors:,}",
    border=True,
    help="Lines with at least one error-severity finding: expect a denial or a takeback.",
)
pending = current.loaded.model_pending
money_tiles(kpis.money, model_pending=pending)

st.subheader("Fix first")
if pending:
    st.info(
        f"{current.loaded.model.status()} Fix first ranks the problems by the money at risk, which comes "
        "from it: the list and the charts of dollars appear here when it is done. The findings are ready "
        "now.",
        icon=":material/hourglass_top:",
    )
    st.page_link(
        "pages/findings.py", label="See every finding, line by line", icon=":material/arrow_forward:"
    )
    by_family = metrics.findings_by_family(current.findings).drop(columns="at_risk")
    page.plotly_chart(charts.findings_by_family(by_family), width="stretch")
    st.stop()
st.caption("The problems behind the most money at risk, and what to do about each.")
fixes = metrics.fix_first(current.findings, count=6)
if fixes.empty:
    st.success("No findings in the current selection.", icon=":material/check_circle:")
items = list(fixes.itertuples(index=False))
for first in range(0, len(items), 2):
    for column, item in zip(st.columns(2), items[first : first + 2], strict=False):
        with column, st.container(border=True, height="stretch"):
            scope = (
                plural(item.lines, "line")
                if item.lines
                else plural(item.findings, "clinician finding")
            )
            st.markdown(
                f"**{item.title}**  \n:red[**{formatting.money(item.amount_at_risk)} at risk**] · "
                f":gray[{item.rule} · {item.severity} · {scope}]"
            )
            if item.assumed_findings:
                st.markdown(
                    f":orange[**Assumption** · {item.assumed_findings:,} of these findings rest on a payer "
                    f"default not confirmed for the payer.] {formatting.plain(item.assumption)}"
                )
                st.page_link("pages/payers.py", label="Check or change it on Payers", icon=":material/tune:")
            st.caption(item.fix)
st.page_link("pages/findings.py", label="See every finding, line by line", icon=":material/arrow_forward:")

left, right = st.columns(2)
with left:
    by_family = metrics.findings_by_family(current.findings)
    page.plotly_chart(charts.findings_by_family(by_family), width="stretch")
with right:
    by_payer = metrics.risk_by(current.claims, current.risk, current.findings, "payer")
    page.plotly_chart(charts.amount_by(by_payer, "payer", "Dollars at risk by payer"), width="stretch")
left, right = st.columns(2)
with left:
    by_clinician = metrics.risk_by(current.claims, current.risk, current.findings, "clinician_name")
    page.plotly_chart(
        charts.amount_by(by_clinician, "clinician_name", "Dollars at risk by clinician"), width="stretch"
    )
with right:
    trend = metrics.monthly_trend(current.claims, current.findings, current.risk)
    page.plotly_chart(charts.monthly_trend(trend), width="stretch")
