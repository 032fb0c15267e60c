"""bhdash dashboard entrypoint: page config, session state, sidebar status and filters, navigation.

Run with `streamlit run streamlit_app.py` (or `bhdash dashboard [--sample]`). Pages live in `pages/`
and are listed explicitly below; Streamlit's automatic page discovery is not used.
"""

import streamlit as st

from bhdash.app import background, denied, filters, loading, model_status, norms_upload, scenarios, session
from bhdash.arrow_memory import use_jemalloc

use_jemalloc()

st.set_page_config(
    page_title="bhdash · claims and credentialing checks",
    page_icon=":material/health_and_safety:",
    layout="wide",
    initial_sidebar_state="expanded",
)
session.init_session()

opens_on_data = session.opens_on_sample()
navigation = st.navigation(
    {
        "Data": [
            st.Page(
                "pages/start.py", title="Start", icon=":material/upload_file:", default=not opens_on_data
            ),
            st.Page("pages/payers.py", title="Payers", icon=":material/account_balance:"),
        ],
        "Analysis": [
            st.Page(
                "pages/overview.py", title="Overview", icon=":material/dashboard:", default=opens_on_data
            ),
            st.Page("pages/findings.py", title="Findings", icon=":material/checklist:"),
            st.Page("pages/clinicians.py", title="Clinicians", icon=":material/groups:"),
            st.Page("pages/credentialing.py", title="Credentialing", icon=":material/badge:"),
            st.Page("pages/denial_risk.py", title="Denial risk", icon=":material/trending_down:"),
            st.Page("pages/denials.py", title="Denials", icon=":material/money_off:"),
            st.Page("pages/what_if.py", title="What-if", icon=":material/tune:"),
            st.Page("pages/report.py", title="Report", icon=":material/description:"),
        ],
        "Over time": [
            st.Page("pages/progress.py", title="Progress", icon=":material/timeline:"),
            st.Page("pages/practices.py", title="Practices", icon=":material/domain:"),
        ],
        "Reference": [
            st.Page("pages/rules.py", title="Rules", icon=":material/menu_book:"),
        ],
    },
    expanded=True,  # every page listed: Rules, Progress and Practices are not hidden under 'View more'
)

loaded, input_error = loading.load_or_error()
filters = filters.render_sidebar(loaded)
model_status.sidebar_status(loaded)
loading.publish(loaded, filters, input_error)
navigation.run()
norms_upload.warm_up(loaded)  # Clinicians' first view, before the What-if presets
scenarios.warm_up(loaded)
denied.warm_up(loaded)  # Denials' first view, after the presets
background.settle_memory(loaded)  # once per server, when everything is imported
