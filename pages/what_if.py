"""What-if: change enrollments, licenses, code mix, fixed findings or payer rules and see what it is worth."""

import pandas as pd
import streamlit as st

from bhdash import charts, whatif
from bhdash.app import formatting, model_status, page, scenarios, session
from bhdash.model import FAMILIES, FAMILY_NAMES
from bhdash.text import plural

BASE = "whatif_base"
VERSION = "whatif_version"
SHORT_LABELS = {
    "dollars_at_risk": ("At risk", "$"),
    "expected_revenue": ("Expected revenue", "$"),
    "expected_denials": ("Likely denials", ""),
    "lines_with_findings": ("Lines with findings", ""),
    "services_off_norm": ("Services off norm", ""),
}


def _lever_editor(rows: pd.DataFrame, key: str, column_config: dict[str, object]) -> pd.DataFrame:
    """An editable table of scenario levers: rows can be added and removed, and `key` carries the
    scenario version so loading a preset or a saved file redraws every editor from the new scenario."""
    return st.data_editor(
        rows, key=key, num_rows="dynamic", width="stretch", hide_index=True, column_config=column_config,
        placeholder="—",  # a blank cell (a date that keeps the roster's), not Python's "None"
    )


st.title("What-if")
current = page.current_view()
if current is None:
    st.stop()
loaded = current.loaded
page.fade_only_slow_reruns()
model_status.wait_for_model(loaded)
baseline = scenarios.baseline(loaded)
st.caption(
    "Try a change on the whole practice and compare it with today, side by side. The sidebar filters "
    "do not apply here. Save a scenario as a file to prepare it before a meeting."
)

st.session_state.setdefault(VERSION, 0)
if st.session_state.get(BASE) is None or st.session_state.get("whatif_for") != session.loaded_key():
    st.session_state[BASE] = whatif.Scenario()
    st.session_state["whatif_for"] = session.loaded_key()


def _start_from(scenario: whatif.Scenario) -> None:
    st.session_state[BASE] = scenario
    st.session_state[VERSION] += 1


def _load_scenario() -> None:
    uploaded = st.session_state.get("whatif_upload")
    st.session_state["whatif_load_error"] = None
    if uploaded is None:
        return
    try:
        _start_from(whatif.scenario_from_json(uploaded.getvalue().decode("utf-8", errors="replace")))
    except ValueError as error:
        st.session_state["whatif_load_error"] = str(error)


base: whatif.Scenario = st.session_state[BASE]
version = st.session_state[VERSION]
clinicians = sorted(
    set(baseline.roster.clinicians.get("clinician_name", pd.Series(dtype=str)).dropna())
    | set(baseline.claims["clinician_name"].dropna().unique())
)
billed_payers = sorted(baseline.claims["payer"].dropna().unique()) if "payer" in baseline.claims else []
table_payers = sorted(baseline.payers.payers["payer"])
codes = sorted(baseline.claims["procedure_code"].dropna().unique())

with st.container(border=True):
    st.markdown("**Start from**")
    starts = scenarios.presets(loaded, baseline)
    choices = (
        (scenarios.FIX_ENROLLMENT_GAPS, starts[scenarios.FIX_ENROLLMENT_GAPS], ":material/badge:"),
        (scenarios.OUTLIERS_TO_NORM, starts[scenarios.OUTLIERS_TO_NORM], ":material/balance:"),
        ("A blank scenario", whatif.Scenario(), ":material/restart_alt:"),
    )
    for column, (label, scenario, icon) in zip(st.columns(len(choices)), choices, strict=True):
        column.button(label, on_click=_start_from, args=(scenario,), icon=icon, width="stretch")
    with st.expander("Load a saved scenario (JSON)", icon=":material/folder_open:"):
        st.file_uploader(
            "Scenario file",
            type=["json"],
            key="whatif_upload",
            on_change=_load_scenario,
            label_visibility="collapsed",
        )
    if st.session_state.get("whatif_load_error"):
        st.error(
            f"That file is not a bhdash scenario: {formatting.plain(st.session_state['whatif_load_error'])}"
        )
    name = st.text_input("Scenario name", base.name, key=f"whatif_name_{version}")

    enroll_tab, license_tab, mix_tab, fix_tab, payer_tab = st.tabs(
        ["Enrollment dates", "License dates", "Code mix", "Fix findings", "Payer rules and fees"]
    )
    with enroll_tab:
        st.caption(
            "Move an enrollment's effective date, its term date, or both (a blank date keeps the roster's; "
            "a new enrollment is added when none exists)."
        )
        enrollments = _lever_editor(
            pd.DataFrame(
                [vars(change) for change in base.enrollments],
                columns=["clinician", "payer", "effective_date", "term_date"],
            ).assign(
                effective_date=lambda frame: pd.to_datetime(frame["effective_date"]),
                term_date=lambda frame: pd.to_datetime(frame["term_date"].replace(whatif.OPEN_TERM, None)),
            ),
            f"whatif_enrollments_{version}",
            {
                "clinician": st.column_config.SelectboxColumn("Clinician", options=clinicians, required=True),
                "payer": st.column_config.SelectboxColumn(
                    "Payer", options=billed_payers or table_payers, required=True
                ),
                "effective_date": st.column_config.DateColumn("Effective from", format="YYYY-MM-DD"),
                "term_date": st.column_config.DateColumn("Term date", format="YYYY-MM-DD"),
            },
        )
    with license_tab:
        st.caption("The license is valid through this date.")
        licenses = _lever_editor(
            pd.DataFrame(
                [vars(change) for change in base.licenses], columns=["clinician", "expiration_date"]
            ).assign(expiration_date=lambda frame: pd.to_datetime(frame["expiration_date"])),
            f"whatif_licenses_{version}",
            {
                "clinician": st.column_config.SelectboxColumn("Clinician", options=clinicians, required=True),
                "expiration_date": st.column_config.DateColumn(
                    "Valid through", format="YYYY-MM-DD", required=True
                ),
            },
        )
    with mix_tab:
        st.caption(
            "Recode a share of a clinician's lines from one code to another, or just enough to reach the "
            "payer norm (shortest documented sessions first)."
        )
        shifts = _lever_editor(
            pd.DataFrame(
                [vars(shift) for shift in base.mix_shifts],
                columns=["clinician", "from_code", "to_code", "fraction", "to_norm"],
            ),
            f"whatif_mix_{version}",
            {
                "clinician": st.column_config.SelectboxColumn("Clinician", options=clinicians, required=True),
                "from_code": st.column_config.SelectboxColumn("From code", options=codes, default="90837"),
                "to_code": st.column_config.SelectboxColumn("To code", options=codes, default="90834"),
                "fraction": st.column_config.NumberColumn(
                    "Share to move", min_value=0.0, max_value=1.0, step=0.05, format="percent", default=0.0
                ),
                "to_norm": st.column_config.CheckboxColumn("Down to the norm", default=False),
            },
        )
    with fix_tab:
        present = [family for family in FAMILIES if family in set(baseline.findings["family"].unique())]
        fix_families = st.multiselect(
            "Fix every finding of these families",
            present,
            default=[family for family in base.fix_families if family in present],
            key=f"whatif_fix_{version}",
            placeholder="No family fixed",
            format_func=lambda family: FAMILY_NAMES.get(family, family),
        )
    with payer_tab:
        st.caption(
            "Telehealth place of service and modifiers the payer expects (separate with ;), and what it "
            "pays as a percent of today's expected payment."
        )
        payer_edits = _lever_editor(
            pd.DataFrame(
                [
                    {
                        "payer": change.payer,
                        "telehealth_pos": ";".join(change.telehealth_pos)
                        if change.telehealth_pos is not None
                        else None,
                        "telehealth_modifiers": (
                            ";".join(change.telehealth_modifiers)
                            if change.telehealth_modifiers is not None
                            else None
                        ),
                        "fee_percent": change.fee_percent,
                    }
                    for change in base.payer_changes
                ],
                columns=["payer", "telehealth_pos", "telehealth_modifiers", "fee_percent"],
            ),
            f"whatif_payers_{version}",
            {
                "payer": st.column_config.SelectboxColumn("Payer", options=table_payers, required=True),
                "telehealth_pos": st.column_config.TextColumn("Telehealth POS", help="e.g. 02;10"),
                "telehealth_modifiers": st.column_config.TextColumn(
                    "Telehealth modifiers", help="e.g. 95 or GT"
                ),
                "fee_percent": st.column_config.NumberColumn(
                    "Pays (% of today)", min_value=0.0, max_value=300.0, step=1.0, format="%.0f%%"
                ),
            },
        )

scenario = scenarios.scenario_from_editors(
    name, base, enrollments, licenses, shifts, fix_families, payer_edits
)
try:
    comparison = scenarios.evaluate_scenario(baseline, scenario)
except ValueError as error:
    st.error(f"This scenario cannot be evaluated: {formatting.plain(error)}")
    st.stop()

table = comparison.metrics
change = table["change"]
st.subheader(f"{formatting.plain(scenario.name)}: baseline vs scenario")
if scenario.description:
    st.caption(formatting.plain(scenario.description))
row = st.columns(5)
row[0].metric(
    "At risk",
    formatting.money_short(table.loc["dollars_at_risk", "scenario"]),
    border=True,
    delta=formatting.money_change(change["dollars_at_risk"]),
    delta_color="inverse",
    help=f"Baseline {formatting.money(table.loc['dollars_at_risk', 'baseline'])}",
)
row[1].metric(
    "Expected revenue",
    formatting.money_short(table.loc["expected_revenue", "scenario"]),
    border=True,
    delta=formatting.money_change(change["expected_revenue"]),
    help=f"Baseline {formatting.money(table.loc['expected_revenue', 'baseline'])}",
)
row[2].metric(
    "Likely denials",
    f"{table.loc['expected_denials', 'scenario']:,.0f}",
    border=True,
    delta=formatting.count_change(change["expected_denials"], 1),
    delta_color="inverse",
)
row[3].metric(
    "Services off norm",
    f"{table.loc['services_off_norm', 'scenario']:,.0f}",
    border=True,
    delta=formatting.count_change(change["services_off_norm"]),
    delta_color="inverse",
    help="How many services would have to change code for every clinician to match the norms: the "
    "audit exposure.",
)
row[4].metric("Lines affected", f"{comparison.lines_affected:,}", border=True)
if comparison.lines_affected == 0 and not scenario.fix_families:
    st.info(
        "Pick a starting point above or add a change in the tabs to see what it is worth.",
        icon=":material/lightbulb:",
    )

chart_frame = pd.DataFrame(
    [
        {
            "metric": label,
            "baseline": table.loc[key, "baseline"],
            "scenario": table.loc[key, "scenario"],
            "unit": unit,
        }
        for key, (label, unit) in SHORT_LABELS.items()
    ]
)
page.plotly_chart(charts.scenario_comparison(chart_frame), width="stretch")
st.dataframe(
    table[["label", "baseline", "scenario", "change"]],
    hide_index=True,
    width="stretch",
    column_config={
        "label": st.column_config.TextColumn("Output", width="large"),
        "baseline": st.column_config.NumberColumn("Baseline", format="%,.0f"),
        "scenario": st.column_config.NumberColumn("Scenario", format="%,.0f"),
        "change": st.column_config.NumberColumn("Change", format="%+,.0f"),
    },
)

save_left, save_right = st.columns([1, 3], vertical_alignment="center")
save_left.download_button(
    "Save scenario (JSON)",
    data=whatif.scenario_to_json(scenario),
    file_name=f"bhdash_scenario_{formatting.slug(scenario.name)}.json",
    mime="application/json",
    icon=":material/save:",
    key="whatif_save",
    on_click="ignore",
)
save_right.caption("Load it again here to replay the same scenario on this practice's data.")

if comparison.lines_affected:
    with st.expander(f"The {plural(comparison.lines_affected, 'line')} this scenario changes"):
        st.dataframe(
            comparison.affected.head(500),
            hide_index=True,
            width="stretch",
            column_config={
                "row": st.column_config.NumberColumn("Row", format="%d"),
                "code_before": "Code before",
                "code_after": "Code after",
                "risk_before": st.column_config.NumberColumn("Risk before", format="percent"),
                "risk_after": st.column_config.NumberColumn("Risk after", format="percent"),
                "payment_before": st.column_config.NumberColumn("Expected payment before", format="dollar"),
                "payment_after": st.column_config.NumberColumn("Expected payment after", format="dollar"),
            },
        )
        if comparison.lines_affected > 500:
            st.caption(f"First 500 of {comparison.lines_affected:,}.")
