"""Report: the consultant's report for the current filters, as PDF and HTML downloads."""

import streamlit as st

from bhdash import reportpack, whatif
from bhdash.app import downloads, formatting, loading, norms_upload, page, session

REPORT_FILES = "report_files"

current = page.analysis_page("Report")
analysis = current.loaded.analysis
st.caption(
    "The document to leave with a client or take to the owners' meeting: cover, executive summary, findings "
    "by family, one report card per clinician, credentialing, denial risk and method, with the same figures "
    "as these pages, for the sidebar's current filters."
)

default_practice = loading.practice_name(current.loaded)
browser = reportpack.find_browser()
with st.form("report_form"):
    left, right = st.columns(2)
    practice = left.text_input("Practice name", value=default_practice)
    prepared_for = right.text_input("Prepared for", placeholder="the practice")
    prepared_by = left.text_input("Prepared by", placeholder="your name or firm")
    logo = right.file_uploader("Logo (PNG)", type=["png"], key="report_logo")
    scenario_file = left.file_uploader(
        "What-if scenario (optional, saved from the What-if page)", type=["json"], key="report_scenario"
    )
    identified = right.toggle(
        "Include patient names in the examples",
        help="Off by default: the report names claims by claim ID, date of service, code and clinician only. "
        "On, the example rows carry patient names and the cover says the report holds PHI.",
    )
    build = st.form_submit_button("Build report", type="primary", icon=":material/description:")

scenario = None
if scenario_file is not None:
    try:
        scenario = whatif.scenario_from_json(scenario_file.getvalue().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        st.error(f"The scenario file could not be used: {error}", icon=":material/error:")
        build = False
logo_bytes = logo.getvalue() if logo is not None else None
if logo_bytes is not None and reportpack.logo_data_uri(logo_bytes) is None:
    st.warning("The logo is not a PNG image; the report is built without it.", icon=":material/warning:")

key = (session.loaded_key(), current.filters)
if build:
    options = reportpack.ReportOptions(
        practice=practice.strip() or default_practice,
        prepared_by=prepared_by.strip() or None,
        prepared_for=prepared_for.strip() or None,
        logo=logo_bytes,
        identified=identified,
        filters=current.filters,
        scenario=scenario,
    )
    with st.status("Building the report…", expanded=True) as status:
        progress = st.progress(0, text="Assembling the figures…")
        report = reportpack.build_report(analysis, options, norms_table=norms_upload.norms_table())
        progress.progress(45, text="Rendering the HTML…")
        html = reportpack.report_html(report)
        pdf = None
        if browser is not None:
            progress.progress(60, text="Printing the PDF…")
            try:
                pdf = reportpack.report_pdf(report)
            except reportpack.BrowserMissing as error:
                st.warning(str(error), icon=":material/warning:")
        progress.progress(100, text="Done.")
        status.update(
            label=f"Report ready: {len(report.clinicians)} clinician report cards",
            state="complete",
            expanded=False,
        )
    st.session_state[REPORT_FILES] = {
        "key": key,
        "name": formatting.slug(options.practice),
        "html": html,
        "pdf": pdf,
        "identified": identified,
    }

files = st.session_state.get(REPORT_FILES)
if files is not None and files["key"] == key:
    if files["identified"]:
        st.warning("This report contains patient names: share it as HIPAA allows.", icon=":material/lock:")
    downloads.report_buttons(files["pdf"], files["html"], f"{files['name']}_report", "Download PDF",
                             "Download HTML (interactive)", primary=True)
elif browser is None:
    st.caption(downloads.NO_BROWSER_FOR_PDF)
