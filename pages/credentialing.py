"""Credentialing: who is enrolled with which payer, license status, timelines, and what gaps cost."""

import pandas as pd
import streamlit as st

from bhdash import charts, metrics
from bhdash.app import formatting, page
from bhdash.text import plural

current = page.analysis_page("Credentialing")
analysis = current.loaded.analysis
roster = analysis.roster
as_of = analysis.as_of

if not roster.has_clinicians and not roster.has_enrollments:
    st.warning(
        "No roster was found: add the clinician roster and payer enrollments (as sheets in the claims "
        "workbook or as a separate roster file on **Start**) to check credentialing.",
        icon=":material/badge:",
    )
    st.stop()

filters = current.filters
outside = metrics.outside_enrollment(current.findings, metrics.enrollment_rule_ids())
licenses = metrics.keep_chosen(
    metrics.license_status(roster.clinicians, as_of), {"clinician": filters.clinicians}
)
expired = int((licenses["status"] == "expired").sum())
expiring = int(licenses["status"].str.startswith("≤").sum())
matrix = metrics.keep_chosen(
    metrics.enrollment_matrix(roster, current.claims, as_of, outside=outside),
    {"clinician": filters.clinicians, "payer": filters.payers},
)
billed_without = outside.merge(matrix[["clinician", "payer", "label"]], on=["clinician", "payer"], how="left")

row = st.columns(4)
row[0].metric(
    "Billed outside enrollment",
    formatting.money(outside["at_risk"].sum()),
    border=True,
    help="Money at risk on lines billed before the effective date, after the term date, or with no "
    "enrollment for that payer: their expected payment, since such a line is not payable as billed "
    "(the same dollars as these findings on Overview and Findings).",
)
row[1].metric("Lines affected", f"{int(outside['lines'].sum()):,}", border=True)
row[2].metric("Licenses expired", f"{expired}", border=True)
row[3].metric("Licenses expiring ≤ 90 days", f"{expiring}", border=True)
st.caption(f"Status as of {as_of:%Y-%m-%d}, the latest date of service.")

st.subheader("Enrollment matrix")
st.caption(
    "Each clinician × payer the practice bills or is enrolled with, as of that date. A red dollar "
    "figure is money at risk on lines billed outside a valid enrollment: with none on file, before it "
    "began or after it ended. Hover a cell for its dates and what was billed."
)
shown = page.heatmap_clinicians(
    metrics.clinicians_by_enrollment_gaps(matrix),
    most="the most at stake (billed outside enrollment, then enrollments not active)",
    key="cred_matrix_all",
)
page.plotly_chart(charts.enrollment_matrix(matrix[matrix["clinician"].isin(shown)]), width="stretch")
if not billed_without.empty:
    st.markdown(
        f"**{plural(len(billed_without), 'clinician × payer pair')}** "
        f"{'was' if len(billed_without) == 1 else 'were'} billed outside a valid enrollment:"
    )
    st.dataframe(
        billed_without[["clinician", "payer", "at_risk", "lines", "label", "first_date", "last_date"]],
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={
            "clinician": "Clinician",
            "payer": "Payer",
            "label": st.column_config.TextColumn(f"Enrollment as of {as_of:%Y-%m-%d}"),
            "first_date": st.column_config.DateColumn("First billed outside", format="YYYY-MM-DD"),
            "last_date": st.column_config.DateColumn("Last billed outside", format="YYYY-MM-DD"),
            "lines": st.column_config.NumberColumn("Lines", format="%d", width="small"),
            "at_risk": st.column_config.NumberColumn("At risk", format="dollar", width="small"),
        },
    )

left, right = st.columns([2, 3], gap="large")
with left:
    page.plotly_chart(charts.outside_enrollment(outside), width="stretch")
with right:
    st.markdown("**License status**")
    st.dataframe(
        licenses[["clinician", "credential", "license_expiration", "days_left", "status"]],
        hide_index=True,
        width="stretch",
        height=36 * (len(licenses) + 1) + 4,
        placeholder="—",
        column_config={
            "clinician": "Clinician",
            "credential": "Credential",
            "license_expiration": st.column_config.DateColumn("Expires", format="YYYY-MM-DD"),
            "days_left": st.column_config.NumberColumn("Days left", format="%d"),
            "status": "Status",
        },
    )

st.subheader("Timeline per clinician")
st.caption(
    "License validity and valid enrollment windows in one colour; dots are the weeks billed to each "
    "payer, red where the lines were billed outside a valid enrollment."
)
clinicians = [
    name
    for name in sorted(
        set(roster.clinicians.get("clinician_name", pd.Series(dtype=str)).dropna())
        | set(current.claims.get("clinician_name", pd.Series(dtype=str)).dropna().unique())
    )
    if not filters.clinicians or name in filters.clinicians
]
at_issue = list(
    dict.fromkeys(
        [*outside["clinician"].dropna(), *licenses.loc[licenses["status"] != "valid", "clinician"].dropna()]
    )
)
default = next((name for name in at_issue if name in clinicians), clinicians[0] if clinicians else None)
if default is not None:
    chosen = st.selectbox("Clinician", clinicians, index=clinicians.index(default), key="cred_clinician")
    bars = metrics.credential_timeline(roster, current.claims, chosen, as_of)
    outside_lines = metrics.lines_of_rules(current.findings, metrics.enrollment_rule_ids())
    weeks = metrics.claim_dates_by_payer(current.claims, chosen, outside_lines)
    first = current.claims.get("service_date", pd.Series(dtype="datetime64[ns]")).min()
    start = min(first, as_of) if pd.notna(first) else as_of
    window = (start - pd.Timedelta(days=45), as_of + pd.Timedelta(days=120))
    page.plotly_chart(
        charts.credential_timeline(
            bars,
            weeks,
            as_of,
            f"{chosen}: license, enrollments and billed weeks",
            window=window,
        ),
        width="stretch",
    )
    own = outside[outside["clinician"] == chosen]
    if not own.empty:
        st.markdown(
            f"**{formatting.plain(chosen)}** has **{formatting.money(own['at_risk'].sum())}** at risk on "
            f"{plural(int(own['lines'].sum()), 'line')} billed outside a valid enrollment."
        )
