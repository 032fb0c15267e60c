"""Clinicians: each clinician's code mix against the payer norm, with significance, trend and findings."""

import pandas as pd
import streamlit as st

from bhdash import charts, metrics, money, reportpack
from bhdash.app import downloads, formatting, loading, norms_upload, page, session
from bhdash.norms import code_family_label, mix_verdict
from bhdash.text import plural

_family = code_family_label


def _p_text(value: float) -> str:
    if pd.isna(value):
        return "too few"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _chance_text(value: float) -> str:
    """The adjusted p-value in a practice manager's words (the number itself sits under Statistics)."""
    if pd.isna(value):
        return "too few to tell"
    if value < 0.001:
        return "very unlikely"
    return "unlikely" if value < 0.05 else "possible"


current = page.analysis_page("Clinicians")
analysis = current.loaded.analysis

with st.expander("Norms: where the expected shares come from, and using your own", icon=":material/tune:"):
    st.markdown(
        "Expected shares come from published payer data (CMS utilization files for Medicare, state "
        "Medicaid data and commercial benchmarks), per payer type and credential; each row names its "
        "source. A clinician × code is **flagged only when** an exact binomial test, corrected for the "
        "number of comparisons, is significant **and** the gap is at least 10 percentage points, with "
        "at least 30 services in the family, so small volumes are never called outliers."
    )
    uploaded_norms = st.file_uploader(
        "Your own norms (CSV with payer_type, code_family, code, expected_share; optional credential, "
        "source)",
        type=["csv"],
        key="clinicians_norms_upload",
    )
    if norms_upload.take_norms_upload(uploaded_norms):
        st.rerun()
    if norms_upload.norms_error() is not None:
        page.show_input_error(norms_upload.norms_error())
    if norms_upload.norms_file() is not None:
        st.caption(
            f"Using your norms from **{formatting.plain(norms_upload.norms_file().name)}** for the groups "
            "it covers; the "
            "NORM findings were re-checked with them."
        )
        if st.button("Back to the shipped norms"):
            norms_upload.clear_norms()
            st.rerun()

mix = norms_upload.code_mix(current)
peers = norms_upload.peer_table(current)
if peers.empty:
    st.warning("No clinician names in the current selection.")
    st.stop()
summary = metrics.clinician_summary(peers, mix, current.findings)

st.subheader("Practice at a glance")
st.dataframe(
    summary[
        [
            "clinician",
            "services",
            "patients",
            "share_90837",
            "share_90837_percentile",
            "services_per_patient",
            "families_off_norm",
            "largest_gap_pp",
            "findings",
        ]
    ],
    hide_index=True,
    width="stretch",
    height=36 * (len(summary) + 1) + 4,
    placeholder="—",
    column_config={
        "clinician": st.column_config.TextColumn("Clinician", pinned=True),
        "services": st.column_config.NumberColumn("Services", format="%d"),
        "patients": st.column_config.NumberColumn("Patients", format="%d"),
        "share_90837": st.column_config.ProgressColumn(
            "90837 share of psychotherapy", format="percent", min_value=0, max_value=1
        ),
        "share_90837_percentile": st.column_config.NumberColumn(
            "Percentile", format="%.0f", help="Within the practice; 100 = highest"
        ),
        "services_per_patient": st.column_config.NumberColumn("Services / patient", format="%.1f"),
        "families_off_norm": st.column_config.NumberColumn(
            "Audit outliers",
            format="%d",
            help="Code families (per payer type) billed above the payer norm on a code payers audit",
        ),
        "largest_gap_pp": st.column_config.NumberColumn("Largest gap (pp)", format="%.1f"),
        "findings": st.column_config.NumberColumn("Findings", format="%d"),
    },
)

chosen = st.selectbox("Clinician", list(summary["clinician"]), key="clinicians_chosen")
person = summary[summary["clinician"] == chosen].iloc[0]
own_mix = mix[mix["clinician"] == chosen] if not mix.empty else mix
own_claims = current.claims[current.claims["clinician_name"] == chosen]
own_findings = current.findings[current.findings["clinician"] == chosen]

row = st.columns(6)
row[0].metric("Credential", norms_upload.credential_of(analysis, chosen) or "—", border=True)
row[1].metric("Services", f"{int(person['services']):,}", border=True)
row[2].metric("Patients", f"{int(person['patients']):,}", border=True)
percentile = person["share_90837_percentile"]
row[3].metric(
    "90837 share",
    formatting.percent(person["share_90837"]),
    border=True,
    delta_arrow="off",
    delta=f"percentile {percentile:.0f}" if pd.notna(percentile) else None,
    delta_color="off",
)
row[4].metric("Findings", f"{len(own_findings):,}", border=True)
own_money = money.summarize(current.risk, own_claims.index)
row[5].metric(
    money.LABELS["at_risk"],
    formatting.money(own_money.at_risk),
    border=True,
    help=f"{formatting.money(own_money.certain)} certain + {formatting.money(own_money.likely)} likely on "
    f"{chosen}'s lines; {formatting.money(own_money.baseline)} expected ordinary denials not included. "
    + money.EXPLAIN["at_risk"],
)

CARD_FILES = "report_card_files"
card_key = (session.loaded_key(), current.filters, chosen)
if st.button("Prepare this clinician's report card", icon=":material/description:"):
    with st.spinner(f"Building {chosen}'s report card…"):
        practice = loading.practice_name(current.loaded)
        options = reportpack.ReportOptions(practice=practice, filters=current.filters)
        cards = reportpack.clinician_cards_report(
            analysis, options, [chosen], norms_table=norms_upload.norms_table()
        )
        pdf = None
        if reportpack.find_browser() is not None:
            try:
                pdf = reportpack.cards_pdf(cards)
            except reportpack.BrowserMissing:
                pdf = None
        st.session_state[CARD_FILES] = {"key": card_key, "html": reportpack.cards_html(cards), "pdf": pdf}
card_files = st.session_state.get(CARD_FILES)
if card_files is not None and card_files["key"] == card_key:
    downloads.report_buttons(card_files["pdf"], card_files["html"], f"{formatting.slug(chosen)}_report_card",
                             "Report card (PDF)", "Report card (HTML)")

st.subheader("Code mix against the payer norm")
if own_mix.empty:
    st.caption("No services in a code family with a published norm for this clinician.")
else:
    groups = (
        own_mix.groupby(["payer_type", "code_family"])
        .agg(volume=("volume", "first"), outlier=("audit_flag", "any"), off_norm=("flagged", "any"))
        .reset_index()
        .sort_values(["outlier", "off_norm", "volume"], ascending=False)
    )
    columns = st.columns(2)
    for position, group in enumerate(groups.itertuples(index=False)):
        part = own_mix[
            (own_mix["payer_type"] == group.payer_type) & (own_mix["code_family"] == group.code_family)
        ]
        comparison = part.rename(columns={"count": "lines"})[
            ["code", "observed_share", "expected_share", "lines"]
        ]
        with columns[position % 2], st.container(border=True):
            badge = (
                ":red-badge[Audit outlier]"
                if group.outlier
                else ":orange-badge[Off norm]"
                if group.off_norm
                else ":green-badge[Within norm]"
            )
            st.markdown(
                f"**{_family(group.code_family)}** {badge}  \n"
                f":gray[{group.payer_type.replace('_', ' ').capitalize()} · "
                f"{plural(group.volume, 'service')}]"
            )
            page.plotly_chart(
                charts.code_mix_vs_norm(comparison, _family(group.code_family)),
                width="stretch",
                key=f"mix_{group.payer_type}_{group.code_family}",
            )
            table = part.assign(chance=part["p_adjusted"].map(_chance_text))[
                [
                    "code",
                    "count",
                    "observed_share",
                    "expected_share",
                    "difference_pp",
                    "chance",
                    "flagged",
                    "audit_flag",
                ]
            ]
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                placeholder="—",
                column_config={
                    "code": "Code",
                    "count": st.column_config.NumberColumn("Services", format="%d"),
                    "observed_share": st.column_config.NumberColumn("Observed", format="percent"),
                    "expected_share": st.column_config.NumberColumn("Norm", format="percent"),
                    "difference_pp": st.column_config.NumberColumn("Gap (pp)", format="%+.1f"),
                    "chance": st.column_config.TextColumn(
                        "Gap by chance", help="Could a gap this size arise by chance at this volume?"
                    ),
                    "flagged": st.column_config.CheckboxColumn(
                        "Off norm", help="Significant and material gap"
                    ),
                    "audit_flag": st.column_config.CheckboxColumn(
                        "Audit outlier", help="Above the norm on a code payers audit (90837, E/M level 4/5)"
                    ),
                },
            )
            with st.expander("Statistics"):
                st.dataframe(
                    part.assign(p_value_text=part["p_value"].map(_p_text),
                                p_text=part["p_adjusted"].map(_p_text))[["code", "p_value_text", "p_text"]],
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "code": "Code",
                        "p_value_text": st.column_config.TextColumn("p (binomial test)"),
                        "p_text": st.column_config.TextColumn(
                            "p (adjusted)", help="Adjusted for testing many codes at once"
                        ),
                    },
                )
            verdict = mix_verdict(bool(group.outlier), bool(group.off_norm))
            st.caption(f"{verdict} Norm basis: {', '.join(sorted(part['basis'].dropna().unique()))}.")

st.subheader("Trend by month")
families = metrics.code_families_present(own_claims)
if families:
    family = st.selectbox("Code family", families, format_func=_family, key="clinicians_trend_family")
    trend = metrics.code_mix_by_month(own_claims, metrics.codes_in_family(family))
    page.plotly_chart(
        charts.share_trend(
            trend, f"{chosen}: {_family(family)}, share of each code by month"
        ),
        width="stretch",
    )

st.subheader(f"Findings for {formatting.plain(chosen)}")
if own_findings.empty:
    st.caption("No findings for this clinician in the current selection.")
else:
    st.dataframe(
        own_findings[
            ["severity", "rule", "row", "service_date", "payer", "code", "at_risk", "message", "fix"]
        ],
        hide_index=True,
        width="stretch",
        height=320,
        placeholder="—",
        column_config=formatting.FINDING_TABLE_CONFIG,
    )
