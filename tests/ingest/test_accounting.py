import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bhdash.ingest import ingest
from bhdash.ingest.accounting import SUMMARY_PATTERN, blank_rows

ROW_KINDS = {
    "claim": "2024-01-05,Doe; Jane,90837,1,$150.00,F411",
    "blank": ",,,,,",
    "total": "Total,,,,$300.00,",
    "bad_date": "2024-02-30,Doe; Jane,90837,1,$150.00,F411",
    "bad_code": "2024-01-05,Doe; Jane,9083,1,$150.00,F411",
    "bad_dx": "2024-01-05,Doe; Jane,90837,1,$150.00,NOT-A-CODE",
    "bad_money": "2024-01-05,Doe; Jane,90837,1,lots,F411",
    "no_code": "2024-01-05,Doe; Jane,,1,$150.00,F411",
    "no_date_or_code": ",Doe; Jane,,1,$150.00,F411",
    "repeated_header": "Date of Service,Client,CPT Code,Units,Charge,Diagnosis",
}
# Service lines, kept whatever their values; the raw text of a cell that did not read is kept with them.
SERVICE_KINDS = {"claim": {}, "bad_date": {"service_date_raw": "2024-02-30"},
                 "bad_code": {"procedure_code_raw": "9083"}, "bad_dx": {"dx_1_raw": "NOT-A-CODE"},
                 "bad_money": {"charge_raw": "lots"}, "no_code": {}}
HEADER = "Date of Service,Client,CPT Code,Units,Charge,Diagnosis"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(ROW_KINDS)), min_size=0, max_size=25), st.integers(0, 3))
def test_every_row_is_a_claim_line_or_a_skipped_row(csv_file, kinds, title_rows):
    lines = ["Claims report"] * title_rows + [HEADER] + [ROW_KINDS[kind] for kind in kinds]
    result = ingest(csv_file(lines))
    assert result.rows_read == len(lines) - 1 == len(result.claims) + len(result.skipped)
    service = [
        (title_rows + 2 + position, kind) for position, kind in enumerate(kinds) if kind in SERVICE_KINDS
    ]
    assert result.claims["source_row"].tolist() == [row for row, _ in service]
    for line, (_, kind) in enumerate(service):
        for column, value in SERVICE_KINDS[kind].items():
            assert result.claims.loc[line, column] == value
    assert result.claims["charge"].sum() == 150.0 * sum(kind != "bad_money" for _, kind in service)
    reasons = dict(zip(result.skipped["row"], result.skipped["reason"], strict=True))
    expected = {
        "blank": "blank",
        "total": "summary/total row",
        "no_date_or_code": "non-service row (no date of service or procedure code)",
        "repeated_header": "title (repeated header)",
    }
    for position, kind in enumerate(kinds):
        if kind not in SERVICE_KINDS:
            assert reasons[title_rows + 2 + position] == expected[kind]
    assert sorted(row for row in reasons if row <= title_rows) == list(range(1, title_rows + 1))
    assert result.skipped_counts().get("title", 0) == title_rows + kinds.count("repeated_header")


def test_unparseable_phi_values_are_kept_as_a_placeholder_not_echoed(csv_file):
    result = ingest(
        csv_file(
            [
                "Date of Service,Client,Date of Birth,Member ID,CPT Code",
                "2024-01-05,Jane Doe,31/31/1980,M-1,90837",
            ]
        )
    )
    assert result.skipped.empty
    assert result.claims.loc[0, "patient_dob_raw"] == "(unreadable)"
    assert "31/31/1980" not in result.claims.astype(str).to_string()


def test_claims_sheet_with_no_readable_code_is_still_read_not_taken_for_a_roster(csv_file):
    result = ingest(csv_file(["Date of Service,CPT Code,Clinician,NPI", ",F411,,"]))
    assert result.rows_read == 1
    assert result.claims["procedure_code"].isna().all()
    assert result.claims["procedure_code_raw"].tolist() == ["F411"]
    assert result.skipped.empty
    assert result.roster.clinicians.empty


def test_skipped_frame_columns_and_categories(csv_file):
    result = ingest(csv_file(["Title", HEADER, ROW_KINDS["claim"], ROW_KINDS["total"]], name="c.csv"))
    assert list(result.skipped.columns) == ["file", "sheet", "row", "reason", "category"]
    assert result.skipped[["file", "row", "category"]].values.tolist() == [
        ["c.csv", 1, "title"],
        ["c.csv", 4, "summary/total"],
    ]
    assert result.skipped["sheet"].isna().all()


def test_summary_pattern_variants():
    for text in ("Total", "Grand Total:", "Subtotal", "SUMMARY", "12 clients", "3 appointments"):
        assert SUMMARY_PATTERN.search(text), text
    for text in ("Totally Fine Therapy", "Client", "90837"):
        assert not SUMMARY_PATTERN.search(text), text


def test_blank_rows_treat_whitespace_as_empty():
    cells = pd.DataFrame([[None, "  "], ["x", None], [None, None]], dtype=object)
    assert blank_rows(cells).tolist() == [True, False, True]


HEADERS = [
    "Date of Service",
    "CPT Code",
    "Client",
    "DOB",
    "Clinician",
    "NPI",
    "Modifier",
    "Diagnosis",
    "Charge",
    "Start Time",
    "End Time",
    "Minutes",
    "POS",
    "Units",
    "Payer",
    "Notes",
]
CELL_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            "Total",
            "90837-95",
            "F411",
            "2024-01-05",
            "45292",
            "$1.00",
            "(2.00)",
            "2:00 PM",
            "KIM, ALEX LCSW",
            "1234567893",
            "02",
            "95",
            "Aetna",
            "n/a",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(HEADERS), min_size=2, max_size=8, unique=True),
    st.lists(st.lists(CELL_TEXT, min_size=8, max_size=8), max_size=15),
)
def test_arbitrary_cells_never_break_the_accounting(tmp_path_factory, headers, rows):
    import csv
    import io

    headers = [
        "Date of Service",
        "CPT Code",
        *[name for name in headers if name not in ("Date of Service", "CPT Code")],
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(row[: len(headers)] for row in rows)
    path = tmp_path_factory.mktemp("fuzz") / "claims.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    result = ingest(path)
    assert result.rows_read == len(rows) == len(result.claims) + len(result.skipped)
    assert set(result.skipped["category"]) <= {"blank", "title", "summary/total", "non-service"}
    read = result.claims[["procedure_code", "service_date"]].notna().any(axis=1)
    unread = result.claims.filter(["procedure_code_raw", "service_date_raw"]).notna().any(axis=1)
    has_date_or_code = read | unread
    assert has_date_or_code.all()
