"""Denial risk: how likely each line is to be denied, where the risk concentrates, and why."""

import pandas as pd
import streamlit as st

from bhdash import charts, metrics
from bhdash import money as money_model
from bhdash.app import formatting, page
from bhdash.text import plural

current = page.analysis_page("Denial risk")
model = current.loaded.analysis.risk_model
trained = model.get("status") == "trained"
risk = current.risk

if trained:
    st.caption(
        f"Risk from a model learned on {plural(model['history_lines'], 'adjudicated line')} of your history "
        f"({model['denial_rate']:.1%} denied), using only what is known before submission: rule hits, "
        "payer, code, credential, place of service, modifiers and days to submission."
    )
else:
    st.info(
        "**Rule-based risk.** No model was trained "
        f"({model.get('reason', 'no adjudicated history')}), so each line's risk is its payer type's base "
        "denial rate combined with the denial odds of the rules it breaks. Upload claims with status, "
        "denial reason and paid amount to learn your payers' own patterns.",
        icon=":material/rule:",
    )

if risk.empty:
    st.warning("No claim lines in the current selection.")
    st.stop()

kpis = metrics.kpis(current.claims, current.findings, risk)
high = risk["denial_risk"] >= 0.5
row = st.columns(4)
row[0].metric(
    "Likely denials",
    f"{kpis.expected_denials:,.0f}",
    border=True,
    help="Expected number of denied lines: the sum of the lines' denial probabilities.",
)
row[1].metric(
    money_model.LABELS["at_risk"],
    formatting.money(kpis.dollars_at_risk),
    border=True,
    help=f"{money_model.EXPLAIN['at_risk']} Expected ordinary denials: "
    f"{formatting.money(kpis.money.baseline)}.",
)
row[2].metric("Mean denial risk", formatting.percent(risk["denial_risk"].mean()), border=True)
row[3].metric(
    "Lines at ≥ 50% risk",
    f"{int(high.sum()):,}",
    border=True,
    delta_arrow="off",
    delta_color="off",
    delta=f"{formatting.money(risk.loc[high, 'amount_at_risk'].sum())} at risk",
)

left, right = st.columns(2, gap="large")
with left:
    page.plotly_chart(
        charts.risk_histogram(metrics.risk_histogram(risk), rule_based=not trained), width="stretch"
    )
with right:
    measure = (
        st.segmented_control(
            "Heatmap shows",
            ["Mean risk", "Dollars at risk"],
            default="Mean risk",
            key="risk_heatmap_measure",
            label_visibility="collapsed",
        )
        or "Mean risk"
    )
    money = measure == "Dollars at risk"
    grid = metrics.risk_matrix(current.claims, risk, value="amount_at_risk" if money else "mean_risk")
    shown = page.heatmap_clinicians(
        metrics.clinicians_by_risk_dollars(current.claims, risk),
        most="the most dollars at risk",
        key="risk_heatmap_all",
    )
    grid = grid[grid.index.isin(shown)]
    page.plotly_chart(
        charts.risk_heatmap(grid, f"{measure} by clinician × payer", money=money), width="stretch"
    )

st.subheader("Top lines by money at risk")
st.caption(
    "Work these first: lines an error makes unpayable (their whole expected payment) and lines whose "
    "denial risk is furthest above the payer's ordinary rate, largest dollars first."
)
count = st.slider("Lines to show", 10, 200, 25, step=5, key="risk_top_count")
top = metrics.top_lines(current.claims, risk, count=count)
order = (
    "source_row",
    "service_date",
    "clinician_name",
    "payer",
    "procedure_code",
    "denial_risk",
    "amount_at_risk",
    "expected_payment",
    "reasons",
)
st.dataframe(
    top,
    hide_index=True,
    width="stretch",
    placeholder="—",
    column_order=[column for column in order if column in top.columns],
    column_config={
        "source_row": st.column_config.NumberColumn("Row", format="%d", help="Row in your spreadsheet"),
        "service_date": st.column_config.DateColumn("Service date", format="YYYY-MM-DD"),
        "clinician_name": "Clinician",
        "payer": "Payer",
        "procedure_code": "Code",
        "denial_risk": st.column_config.ProgressColumn(
            "Denial risk", format="percent", min_value=0, max_value=1
        ),
        "amount_at_risk": st.column_config.NumberColumn(
            "At risk", format="dollar", help=money_model.EXPLAIN["at_risk"]
        ),
        "expected_payment": st.column_config.NumberColumn("Expected payment", format="dollar"),
        "reasons": st.column_config.TextColumn("Why", width="large"),
    },
)

with st.expander("How well does the risk predict denials? (model statistics)"):
    if trained:
        row = st.columns(4)
        row[0].metric(
            "Held-out AUC",
            f"{model['auc']:.3f}",
            border=True,
            help="On patients the model never saw (patient-grouped split). 0.5 is a coin flip.",
        )
        row[1].metric(
            "Rule-based prior AUC",
            f"{model['prior_auc']:.3f}",
            border=True,
            help="The same held-out lines scored by the rule-based prior, for comparison.",
        )
        row[2].metric(
            "Brier score",
            f"{model['brier']:.3f}",
            border=True,
            help="Mean squared error of the probabilities (lower is better).",
        )
        row[3].metric(
            "Held-out lines",
            f"{model['test_lines']:,}",
            f"{model['test_denials']:,} denied",
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
        calibration = pd.DataFrame(model.get("calibration", []))
        left, right = st.columns([3, 2], gap="large")
        with left:
            page.plotly_chart(charts.calibration(calibration), width="stretch")
        with right:
            st.dataframe(
                calibration[["bin", "lines", "mean_predicted", "observed_rate"]],
                hide_index=True,
                width="stretch",
                column_config={
                    "bin": "Risk bin",
                    "lines": st.column_config.NumberColumn("Lines", format="%d"),
                    "mean_predicted": st.column_config.NumberColumn("Predicted", format="percent"),
                    "observed_rate": st.column_config.NumberColumn("Observed", format="percent"),
                },
            )
            st.caption(f"{model.get('split', '')}. Features: {model.get('features', '')}.")
    else:
        st.caption(
            "The held-out AUC and calibration appear here once adjudicated history is available. "
            f"Prior: {model.get('source', 'bhdash/reference/denial_priors.csv')}."
        )
