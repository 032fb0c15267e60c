"""Payers: what bhdash assumes about each payer of the upload, where each setting comes from, and the
practice's own settings (edit here, or download and upload the payer file `bhdash check --payers` reads).
"""

import streamlit as st

from bhdash.app import downloads, page, payer_settings
from bhdash.app.formatting import plain, slug
from bhdash.model import PAYER_TYPES
from bhdash.payers import ASSUMED, ASSUMED_COLUMN, NONE, PAYER_FILE_COLUMNS

st.title("Payers")
st.caption(
    "What each payer requires decides several checks: the filing limit, the telehealth place of service "
    "and modifier, license-level modifiers. Settings marked **shipped assumption** are bhdash's defaults, "
    "not confirmed for that payer: findings that rest on them say so. Change any setting and every page "
    "recomputes; download the table to keep it, or upload it next time (it is also the file "
    "`bhdash check --payers` reads)."
)

uploaded = st.file_uploader("Your payer file (CSV)", type=["csv"], key="payers_upload")
if payer_settings.take_payers_upload(uploaded):
    st.rerun()
if payer_settings.payers_error() is not None:
    page.show_input_error(payer_settings.payers_error())

current = page.current_view()
if current is None:
    st.stop()

table = payer_settings.seen_payers(current.loaded.analysis.claims)
if table.empty:
    st.info("This export has no payer column, so no payer settings apply.", icon=":material/info:")
    st.stop()

assumed = payer_settings.assumed_labels(table)
count = int((assumed != "").sum())
if count:
    st.warning(
        f"{count} of {len(table)} payers have settings taken on trust from a shipped default: "
        "check them against the payer's billing manual or your contract.",
        icon=":material/help:",
    )
else:
    st.success("Every setting is either confirmed or your own.", icon=":material/check_circle:")

source = payer_settings.payers_file()
version = source.digest[:12] if source else "shipped"
shown = table[list(PAYER_FILE_COLUMNS)].drop(columns=["aliases", ASSUMED_COLUMN]).assign(unconfirmed=assumed)
st.dataframe(
    shown,
    key="payers_table",
    hide_index=True,
    width="stretch",
    column_config={
        "payer": st.column_config.TextColumn("Payer", pinned=True),
        "payer_type": st.column_config.TextColumn("Type"),
        "timely_filing_days": st.column_config.NumberColumn("Filing limit (days)", format="%d"),
        "telehealth_pos": st.column_config.TextColumn("Telehealth POS"),
        "telehealth_modifiers": st.column_config.TextColumn("Telehealth modifier"),
        "credential_modifiers": st.column_config.TextColumn("License-level modifiers"),
        "dx_cognitive_exclusion": st.column_config.TextColumn("Limits dementia/ID psychotherapy"),
        "out_of_network": st.column_config.TextColumn("Out of network"),
        "unconfirmed": st.column_config.TextColumn("Still assumed", width="large"),
    },
)

with st.container(border=True):
    st.markdown("**Change a payer's settings**")
    chosen = st.selectbox("Payer", list(table["payer"]), key="payers_chosen")
    row = table.set_index("payer").loc[chosen]
    key = f"{version}_{slug(chosen)}"
    left, middle, right = st.columns(3)
    payer_type = left.selectbox(
        "Payer type", list(PAYER_TYPES), index=list(PAYER_TYPES).index(row["payer_type"]), key=f"type_{key}"
    )
    filing_days = middle.number_input(
        "Filing limit (days)",
        min_value=1,
        max_value=3650,
        value=int(row["timely_filing_days"]),
        step=1,
        key=f"filing_{key}",
    )
    telehealth_pos = right.text_input(
        "Telehealth POS",
        value=row["telehealth_pos"],
        key=f"pos_{key}",
        help=f"Places of service the payer wants for telehealth, separated by ';' ({NONE}: no requirement).",
    )
    telehealth_modifiers = left.text_input(
        "Telehealth modifier",
        value=row["telehealth_modifiers"],
        key=f"modifiers_{key}",
        help=f"Modifiers the payer requires on telehealth, separated by ';' ({NONE}: no requirement).",
    )
    credential_modifiers = middle.checkbox(
        "Requires license-level modifiers (HO/HN/HP/AH/AJ…)",
        value=row["credential_modifiers"] == "yes",
        key=f"license_{key}",
    )
    cognitive = middle.checkbox(
        "Limits psychotherapy for dementia / intellectual disability",
        value=row["dx_cognitive_exclusion"] == "yes",
        key=f"cognitive_{key}",
    )
    out_of_network = right.checkbox(
        "Billed out of network (no enrollment findings)",
        value=row["out_of_network"] == "yes",
        key=f"network_{key}",
    )
    confirmed = right.checkbox(
        "I have checked these settings with the payer",
        value=not row[ASSUMED_COLUMN],
        key=f"confirmed_{key}",
        help="Ticked, none of this payer's settings is an assumption any more.",
    )
    if st.button("Save and recompute", type="primary", icon=":material/refresh:", key=f"save_{key}"):
        before = table[list(PAYER_FILE_COLUMNS)]
        after = before.copy()
        at = after.index[after["payer"] == chosen][0]
        values = {
            "payer_type": payer_type,
            "timely_filing_days": int(filing_days),
            "telehealth_pos": telehealth_pos.strip() or NONE,
            "telehealth_modifiers": telehealth_modifiers.strip() or NONE,
            "credential_modifiers": "yes" if credential_modifiers else "no",
            "dx_cognitive_exclusion": "yes" if cognitive else "no",
            "out_of_network": "yes" if out_of_network else "no",
        }
        for name, value in values.items():
            after.loc[at, name] = value
        data = payer_settings.edited_file(before, after, after["payer"].eq(chosen) & confirmed)
        error = payer_settings.use_payer_file(payer_settings.PAYERS_FILE_NAME, data)
        if error is not None:
            page.show_input_error(error)
        else:
            st.rerun()

left, middle, right = st.columns(3)
left.download_button(
    "Download the payer file",
    data=downloads.safe_csv(table[list(PAYER_FILE_COLUMNS)]),
    file_name=payer_settings.PAYERS_FILE_NAME,
    mime="text/csv",
    icon=":material/download:",
    width="stretch",
)
if source is not None and middle.button("Back to the shipped defaults", width="stretch"):
    payer_settings.reset_payers()
    st.rerun()
if source is not None:
    right.caption(f"Using your settings from **{plain(source.name)}**.")

with st.expander("Where each setting comes from"):
    long = payer_settings.origins_long(table)
    st.dataframe(
        long.style.apply(
            lambda row: ["color: #b45309" if row["origin"] == ASSUMED else "" for _ in row], axis=1
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "payer": "Payer",
            "setting": "Setting",
            "value": "Value",
            "origin": st.column_config.TextColumn(
                "Origin",
                help="shipped confirmed: checked against the payer's published policy; shipped assumption: "
                "bhdash's default, not confirmed for this payer; yours: from your payer file or this page.",
            ),
        },
    )
