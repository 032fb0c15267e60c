"""The check report: the JSON contract of issue 3 §5, the terminal table and the findings exports."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from bhdash.analysis import analyze
from bhdash.ingest import ingest
from bhdash.model import FAMILIES, SEVERITIES
from bhdash.reference import sources
from bhdash.report import (
    findings_csv,
    findings_json,
    findings_xlsx,
    render_table,
    report_document,
    summary_table,
)
from bhdash.report_schema import report_problems

CSV = """Date of Service,Clinician,NPI,Payer,POS,CPT Code,Minutes,Diagnosis 1,Charge,Claim ID,Client,DOB
03/02/2026,Sam Lee,1234567893,Aetna,11,90834,45,F41.1,150.00,C1,Avery Stone,04/01/1990
03/03/2026,Sam Lee,1234567890,Aetna,11,90834,45,F41.1,150.00,C2,Avery Stone,04/01/1990
03/04/2026,Sam Lee,1234567893,Aetna,11,90834,45,Z63.0,150.00,"=HYPERLINK(""x"")",Avery Stone,04/01/1990
,,,,,,,,,,,
03/05/2026,Sam Lee,1234567893,=cmd|' /C calc'!A0,11,90834,45,F32,150.00,C4,Avery Stone,04/01/1990
"""


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("report") / "claims.csv"
    path.write_text(CSV)
    return analyze(ingest(path), as_of="2026-03-31")


def test_json_document_has_the_documented_shape(analysis) -> None:
    document = json.loads(json.dumps(report_document(analysis)))
    assert {"source", "summary", "skipped_rows", "rules", "findings", "lines"} <= set(document)
    assert document["source"] | {} == {**document["source"], "file": "claims.csv", "sheet": None,
                                       "header_row": 1}
    assert "layout" in document["source"]
    summary = document["summary"]
    assert summary["rows_read"] == 5 and summary["claim_lines"] == 4 and summary["rows_skipped"] == 1
    assert list(summary["findings_by_family"]) == list(FAMILIES)
    assert list(summary["findings_by_severity"]) == list(SEVERITIES)
    assert sum(summary["findings_by_family"].values()) == len(document["findings"])
    assert document["skipped_rows"] == [{"row": 5, "reason": "blank", "sheet": None}]
    assert report_problems(document) == []
    assert set(document["rules"][0]) == {"id", "family", "severity", "title", "status", "reason", "findings",
                                         "fix", "source"}
    finding_keys = {"row", "rule", "message", "claim_id", "clinician", "payer", "code", "service_date",
                    "amount", "at_risk"}
    assert all(set(finding) == finding_keys for finding in document["findings"])
    assert [line["row"] for line in document["lines"]] == [2, 3, 4, 6]
    assert all(set(line) >= {"row", "denial_risk", "amount_at_risk"} for line in document["lines"])


def test_rule_metadata_is_stated_once_and_findings_name_their_rule(analysis) -> None:
    document = json.loads(findings_json(analysis))
    rules = {rule["id"]: rule for rule in document["rules"]}
    npi = next(finding for finding in document["findings"] if finding["rule"] == "NPI-001")
    assert rules["NPI-001"]["severity"] == "error" and rules["NPI-001"]["family"] == "NPI"
    assert rules["NPI-001"]["fix"] and rules["NPI-001"]["source"]
    assert not {"fix", "source", "title", "family", "severity"} & set(npi)
    assert npi["service_date"] == "2026-03-03" and npi["clinician"] == "Sam Lee"
    assert findings_json(analysis).count(rules["NPI-001"]["fix"].encode()) == 1


def test_schema_names_what_departs_from_it(analysis) -> None:
    document = json.loads(findings_json(analysis))
    document["findings"][0]["fix"] = "repeated rule text"
    document["lines"][0]["row"] = "two"
    del document["rules"][0]["severity"]
    problems = report_problems(document)
    assert len(problems) == 3
    assert any(problem.startswith("findings/0:") and "'fix' was unexpected" in problem
               for problem in problems)
    assert any(problem.startswith("lines/0/row:") for problem in problems)
    assert any(problem.startswith("rules/0:") and "'severity' is a required property" in problem
               for problem in problems)


def test_findings_point_at_spreadsheet_rows_with_values(analysis) -> None:
    findings = report_document(analysis)["findings"]
    npi = [finding for finding in findings if finding["rule"] == "NPI-001"]
    assert [(finding["row"], finding["claim_id"], finding["amount"]) for finding in npi] == [(3, "C2", 150.0)]
    dx = [finding for finding in findings if finding["rule"] == "DX-002"]
    assert [(finding["row"], finding["claim_id"]) for finding in dx] == [(4, '=HYPERLINK("x")')]
    invalid = [finding for finding in findings if finding["rule"] == "DX-001"]
    assert [(finding["row"], finding["payer"]) for finding in invalid] == [(6, "=cmd|' /C calc'!A0")]
    skipped_rules = [rule for rule in report_document(analysis)["rules"] if rule["status"] == "skipped"]
    assert {"id": "CRED-003", "reason": "no payer enrollments"}.items() <= next(
        rule for rule in skipped_rules if rule["id"] == "CRED-003").items()


def test_table_lists_counts_skipped_rules_and_top_findings(analysis) -> None:
    text = render_table(analysis)
    assert "claims.csv" in text and "As of 2026-03-31" in text
    assert "Findings by family and severity" in text
    assert "Rules skipped" in text and "CRED-003" in text and "no payer enrollments" in text
    assert "row 3: Rendering NPI 1234567890 fails the check digit" in text


def test_summary_table_counts_lines_and_dollars(analysis) -> None:
    table = summary_table(analysis).set_index(["family", "severity"])
    assert table.loc[("NPI", "error"), "findings"] == 1
    assert table.loc[("NPI", "error"), "lines"] == 1
    # NPI-001 makes row 3 unpayable: the finding carries the line's whole expected payment
    line = analysis.risk[analysis.risk["row"] == 3].iloc[0]
    assert bool(line["unpayable"])
    assert table.loc[("NPI", "error"), "at_risk"] == round(line["expected_payment"], 2)


def test_csv_and_xlsx_exports_are_neutralized(analysis) -> None:
    text = findings_csv(analysis).decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns[:4]) == ["Row in your file", "Claim ID", "Patient", "Date of service"]
    assert "'=cmd|' /C calc'!A0" in set(frame["Payer"].dropna())
    assert "'=HYPERLINK(\"x\")" in set(frame["Claim ID"].dropna())
    book = openpyxl.load_workbook(io.BytesIO(findings_xlsx(analysis)))
    assert book.sheetnames == ["Findings", "Money", "Summary", "Rules"]
    values = [cell.value for row in book["Findings"].iter_rows() for cell in row]
    assert "'=cmd|' /C calc'!A0" in values and "'=HYPERLINK(\"x\")" in values
    assert not any(cell.data_type == "f" for row in book["Findings"].iter_rows() for cell in row)


def test_no_patient_data_in_the_report_and_no_birth_date_in_the_export(analysis) -> None:
    assert analysis.claims["patient_name"].notna().all()
    outputs = [json.dumps(report_document(analysis)), render_table(analysis)]
    assert not any("Avery" in output or "1990" in output for output in outputs)
    assert "1990" not in findings_csv(analysis).decode()


def test_findings_workbook_is_one_a_biller_can_work_from(analysis) -> None:
    book = openpyxl.load_workbook(io.BytesIO(findings_xlsx(analysis)))
    for sheet in book.worksheets:
        headers = [cell.value for cell in sheet[1]]
        assert not any("_" in header for header in headers), (sheet.title, headers)
    rules = [cell.value for cell in book["Rules"][1]]
    assert not {"seconds", "Seconds"} & set(rules)


def test_findings_workbook_cites_sources_in_full_and_never_by_bare_id(analysis) -> None:
    book = openpyxl.load_workbook(io.BytesIO(findings_xlsx(analysis)))
    rules, findings = (
        pd.DataFrame(list(book[name].values)[1:], columns=[cell.value for cell in book[name][1]])
        for name in ("Rules", "Findings")
    )
    for column in (rules["Source"], rules["Full citations"], findings["Source"]):
        assert not column.dropna().str.contains(sources.SOURCE_ID).any()
    oceanside = rules.loc[rules["Source"].str.contains("HHS Office of Inspector General"), "Full citations"]
    assert oceanside.str.contains(str(sources.citation("S18")), regex=False).any()
    findings = pd.DataFrame(book["Findings"].values)
    findings = findings.iloc[1:].set_axis(list(findings.iloc[0]), axis=1)
    npi = findings[findings["Rule"] == "NPI-001"].iloc[0]
    assert (npi["Row in your file"], npi["Claim ID"], npi["Patient"]) == (3, "C2", "Avery Stone")
    assert npi["Date of service"].date().isoformat() == "2026-03-03"
    line = analysis.risk[analysis.risk["row"] == 3].iloc[0]
    assert npi["At risk"] == round(line["expected_payment"], 2) and npi["Charge"] == 150.0
    money = pd.DataFrame(book["Money"].values).iloc[1:]
    assert money.iloc[0, 1] == round(analysis.money.at_risk, 2)


def test_findings_workbook_of_a_selection_covers_only_it(analysis) -> None:
    chosen = analysis.check.findings[analysis.check.findings["rule"] == "NPI-001"]
    book = openpyxl.load_workbook(io.BytesIO(findings_xlsx(analysis, chosen)))
    assert book["Findings"].max_row == 2
    line = analysis.risk[analysis.risk["row"] == 3].iloc[0]
    assert pd.DataFrame(book["Money"].values).iloc[1, 1] == round(line["amount_at_risk"], 2)
