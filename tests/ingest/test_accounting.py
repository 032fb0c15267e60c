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
}
HEADER = "Date of Service,Client,CPT Code,Units,Charge,Diagnosis"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(ROW_KINDS)), min_size=0, max_size=25), st.integers(0, 3))
def test_every_row_is_a_claim_line_or_a_skipped_row(csv_file, kinds, title_rows):
    lines = ["Claims report"] * title_rows + [HEADER] + [ROW_KINDS[kind] for kind in kinds]
    result = ingest(csv_file(lines))
    assert result.rows_read == len(lines) - 1 == len(result.claims) + len(result.skipped)
    assert result.claims["source_row"].tolist() == [
        title_rows + 2 + position for position, kind in enumerate(kinds) if kind == "claim"
    ]
    reasons = dict(zip(result.skipped["row"], result.skipped["reason"], strict=True))
    expected = {
        "blank": "blank",
        "total": "summary/total row",
        "bad_date": "unparseable service_date '2024-02-30'",
        "bad_code": "unparseable procedure_code '9083'",
        "bad_dx": "unparseable dx_1 'NOT-A-CODE'",
        "bad_money": "unparseable charge 'lots'",
        "no_code": "missing procedure_code",
    }
    for position, kind in enumerate(kinds):
        if kind != "claim":
            assert reasons[title_rows + 2 + position] == expected[kind]
    assert sorted(row for row in reasons if row <= title_rows) == list(range(1, title_rows + 1))
    assert result.skipped_counts().get("title", 0) == title_rows


def test_unparseable_phi_values_are_not_echoed(csv_file):
    result = ingest(
        csv_file(
            [
                "Date of Service,Client,Date of Birth,Member ID,CPT Code",
                "2024-01-05,Jane Doe,31/31/1980,M-1,90837",
            ]
        )
    )
    assert result.skipped["reason"].tolist() == ["unparseable patient_dob"]
    assert "31/31/1980" not in " ".join(result.skipped["reason"])


def test_claims_sheet_with_no_readable_code_is_still_read_not_taken_for_a_roster(csv_file):
    result = ingest(csv_file(["Date of Service,CPT Code,Clinician,NPI", ",F411,,"]))
    assert result.rows_read == 1
    assert result.claims.empty
    assert result.skipped["reason"].tolist() == ["unparseable procedure_code 'F411'"]
    assert result.roster.clinicians.empty


def test_skipped_frame_columns_and_categories(csv_file):
    result = ingest(csv_file(["Title", HEADER, ROW_KINDS["claim"], ROW_KINDS["bad_code"]], name="c.csv"))
    assert list(result.skipped.columns) == ["file", "sheet", "row", "reason", "category"]
    assert result.skipped[["file", "row", "category"]].values.tolist() == [
        ["c.csv", 1, "title"],
        ["c.csv", 4, "unparseable"],
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
    assert result.claims["procedure_code"].notna().all()
    assert result.claims["service_date"].notna().all()
