import pandas as pd

from bhdash.ingest.headers import find_header_row, unique_headers
from bhdash.ingest.mapping import column_letter, repeated_header


def _cells(rows):
    width = max(len(row) for row in rows)
    return pd.DataFrame([row + [None] * (width - len(row)) for row in rows], dtype=object)


def test_header_found_below_title_rows():
    cells = _cells(
        [
            ["Appointment Status Report"],
            ["01/01/2024 - 01/31/2024"],
            [],
            ["Date of Service", "Client", "Billing Code", "Units"],
            ["2024-01-05", "Jane Doe", "90837", 1],
        ]
    )
    assert find_header_row(cells) == 3


def test_summary_line_above_snake_case_header():
    cells = _cells(
        [
            ["12 clients", "3 clinicians", "40 appointments"],
            ["client_name", "clinician_name", "date_of_service", "office_name", "status"],
        ]
    )
    assert find_header_row(cells) == 1


def test_unknown_header_names_fall_back_to_the_first_full_text_row():
    cells = _cells([["My export"], ["Visit Day", "Code", "Notes"], ["2024-01-05", "90837", "ok"]])
    assert find_header_row(cells) == 1


def test_override_names_count_as_known():
    cells = _cells([[1, 2], ["Visit Day", "Code"], [3, 4]])
    assert find_header_row(cells, ("Visit Day", "Code")) == 1


def test_no_header_in_numbers_only():
    assert find_header_row(_cells([[1, 2, 3], [4, 5, 6]])) is None


def test_duplicate_and_blank_headers_get_names_a_person_can_read():
    assert unique_headers(["Charge", "Paid", "Charge", "Paid", None, "Charge", 2024.0, " "]) == [
        "Charge",
        "Paid",
        "Charge (2nd column)",
        "Paid (2nd column)",
        "Column E",
        "Charge (3rd column)",
        "2024",
        "Column H",
    ]


def test_a_generated_name_does_not_collide_with_a_real_header():
    assert unique_headers(["Paid", "Paid (2nd column)", "Paid"]) == [
        "Paid", "Paid (2nd column)", "Paid (2nd column) (Column C)"
    ]


def test_column_letters_run_past_z_as_a_spreadsheet_does():
    assert [column_letter(position) for position in (0, 3, 25, 26, 27, 701, 702)] == [
        "A", "D", "Z", "AA", "AB", "ZZ", "AAA"
    ]
    assert [repeated_header("Paid", occurrence) for occurrence in (2, 3, 4, 11, 22)] == [
        "Paid (2nd column)", "Paid (3rd column)", "Paid (4th column)", "Paid (11th column)",
        "Paid (22nd column)",
    ]
