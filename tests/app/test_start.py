"""Start: the sample practice's reading report, an upload through the file uploader, and bad input."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bhdash.app.formatting import plain
from tests.app.conftest import APP, metric_values

CLAIMS_CSV = (
    "Date of Service,Clinician,CPT Code,Payer,Charge,Start Time,End Time,Client Name\n"
    "01/05/2026,Ana Ruiz LCSW,90837,Aetna,$200.00,9:00 AM,9:45 AM,Client A\n"
    "01/06/2026,Ana Ruiz LCSW,90834,Aetna,$150.00,10:00 AM,10:45 AM,Client B\n"
    "01/07/2026,Ana Ruiz LCSW,90832,Cigna,$100.00,11:00 AM,11:30 AM,Client C\n"
    "Total,,,,$450.00,,,\n"
)


def test_start_reports_layout_mapping_and_rows_for_the_sample(open_page, expected):
    app = open_page("pages/start.py")
    ingested = expected.ingest
    shown = metric_values(app)
    assert shown["Rows read"] == f"{ingested.rows_read:,}"
    assert shown["Claim lines"] == f"{len(ingested.claims):,}"
    assert shown["Rows skipped"] == f"{len(ingested.skipped):,}"
    assert shown["Clinicians"] == f"{len(ingested.roster.clinicians):,}"
    assert shown["Enrollments"] == f"{len(ingested.roster.enrollments):,}"
    assert ingested.rows_read == len(ingested.claims) + len(ingested.skipped)
    assert any(f"{len(ingested.claims):,} claim lines" in block.value for block in app.success)
    text = " ".join(block.value for block in app.markdown)
    assert f"header on row **{ingested.source.header_row}**" in text


@pytest.fixture
def fresh_app() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.run()
    assert not app.exception
    return app


def test_upload_reads_and_checks_a_small_export(fresh_app):
    assert not fresh_app.success  # nothing loaded yet
    fresh_app.file_uploader(key="start_claims_upload").set_value(
        ("claims.csv", CLAIMS_CSV.encode(), "text/csv")
    ).run()
    assert not fresh_app.exception
    shown = metric_values(fresh_app)
    assert shown["Claim lines"] == "3"
    assert shown["Rows skipped"] == "1"  # the Total row
    skipped = next(table.value for table in fresh_app.dataframe if "category" in table.value.columns)
    assert list(skipped["category"]) == ["summary/total"]
    fresh_app.switch_page("pages/overview.py").run()
    assert metric_values(fresh_app)["Claim lines"] == "3"
    assert metric_values(fresh_app)["Charges"] == "$450"


def test_mapping_override_rereads_the_file(fresh_app):
    fresh_app.file_uploader(key="start_claims_upload").set_value(
        ("claims.csv", CLAIMS_CSV.encode(), "text/csv")
    ).run()
    fresh_app.text_input(key="start_extra_column").set_value("Client Name")
    fresh_app.selectbox(key="start_extra_field").set_value("member_id")
    next(button for button in fresh_app.button if button.label == "Apply").click().run()
    assert not fresh_app.exception
    assert fresh_app.session_state["mapping_overrides"] == {"Client Name": "member_id"}
    mapping = next(table.value for table in fresh_app.dataframe if "source_column" in table.value.columns)
    row = mapping[mapping["source_column"] == "Client Name"].iloc[0]
    assert (row["field"], row["method"], row["confidence"]) == ("member_id", "override", 1.0)
    assert metric_values(fresh_app)["Claim lines"] == "3"


def test_unreadable_upload_is_a_message_not_a_traceback(fresh_app):
    fresh_app.file_uploader(key="start_claims_upload").set_value(
        ("claims.xlsx", b"this is not a spreadsheet", "application/octet-stream")
    ).run()
    assert not fresh_app.exception
    assert len(fresh_app.error) == 1
    assert plain("claims.xlsx") in fresh_app.error[0].value  # the file name, escaped for Markdown


def test_pages_without_data_point_to_start(fresh_app):
    fresh_app.switch_page("pages/overview.py").run()
    assert not fresh_app.exception
    assert "No claims loaded yet" in fresh_app.info[0].value
    assert not fresh_app.metric


def test_sample_button_loads_the_sample_practice(fresh_app, expected):
    next(button for button in fresh_app.button if button.label == "Explore the sample practice").click()
    fresh_app.run(timeout=900)
    assert not fresh_app.exception
    assert metric_values(fresh_app)["Claim lines"] == f"{len(expected.ingest.claims):,}"
    assert Path(fresh_app.session_state["claims_file"].name).name == "claims_detail_report.xlsx"


def test_remove_this_data_forgets_the_upload(fresh_app):
    fresh_app.file_uploader(key="start_claims_upload").set_value(
        ("claims.csv", CLAIMS_CSV.encode(), "text/csv")
    ).run()
    assert metric_values(fresh_app)["Claim lines"] == "3"
    next(button for button in fresh_app.button if button.label == "Remove this data").click().run()
    assert fresh_app.session_state["claims_file"] is None
    assert not fresh_app.success
    fresh_app.switch_page("pages/overview.py").run()
    assert "No claims loaded yet" in fresh_app.info[0].value
