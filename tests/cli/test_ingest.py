import json

from typer.testing import CliRunner

from bhdash.cli import app

RUNNER = CliRunner()
HEADER = "Date of Service,Client,Date of Birth,Member ID,Clinician,CPT Code,Units,Charge"


def _claims(tmp_path, lines=None):
    path = tmp_path / "claims.csv"
    path.write_text(
        "\n".join(
            lines
            or [
                "Practice claims",
                HEADER,
                '01/05/2024,Zelda Quartz,03/04/1981,MBR-991,"KIM, ALEX LCSW",90837-95,1,$150.00',
                "01/06/2024,Zelda Quartz,03/04/1981,MBR-991,Alex Kim,9083,1,$120.00",
                "Total,,,,,,,$270.00",
            ]
        )
        + "\n"
    )
    return path


def test_table_output_shows_layout_mapping_accounting_and_preview_without_phi(tmp_path):
    result = RUNNER.invoke(app, ["ingest", str(_claims(tmp_path))])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "File: claims.csv  header row 2" in out
    assert "Layout: not a known vendor layout" in out
    assert "Date of Service   service_date       0.95 synonym" in out
    assert "Rows: 4 read = 2 claim lines + 2 skipped (title 1, summary/total 1)" in out
    assert "90837" in out and "Alex Kim" in out
    for phi in ("Zelda", "Quartz", "MBR-991", "1981"):
        assert phi not in out


def test_json_output(tmp_path):
    result = RUNNER.invoke(app, ["ingest", str(_claims(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["source"] == {
        "file": "claims.csv",
        "sheet": None,
        "header_row": 2,
        "layout": None,
        "vendor": None,
        "report": None,
        "roster_file": None,
        "roster_sheets": [],
    }
    assert data["rows"] == {
        "read": 4,
        "claim_lines": 2,
        "skipped": 2,
        "skipped_by_category": {"title": 1, "summary/total": 1},
    }
    assert {
        "source_column": "CPT Code",
        "field": "procedure_code",
        "confidence": 0.95,
        "method": "synonym",
    } in data["mapping"]
    assert data["preview"] == [
        {
            "source_row": 3,
            "service_date": "2024-01-05",
            "clinician_name": "Alex Kim",
            "clinician_credential": "LCSW",
            "procedure_code": "90837",
            "modifier_1": "95",
            "units": 1.0,
            "charge": 150.0,
            "procedure_code_raw": None,
        },
        {
            "source_row": 4,
            "service_date": "2024-01-06",
            "clinician_name": "Alex Kim",
            "clinician_credential": None,
            "procedure_code": None,
            "modifier_1": None,
            "units": 1.0,
            "charge": 120.0,
            "procedure_code_raw": "9083",
        },
    ]
    assert "Zelda" not in result.output and "MBR-991" not in result.output


def test_map_option_overrides_a_column(tmp_path):
    path = _claims(
        tmp_path, ["Visit Day,Code,Session Start,Session Stop", "2024-01-05,90837,2:00 PM,2:55 PM"]
    )
    result = RUNNER.invoke(
        app,
        [
            "ingest",
            str(path),
            "--format",
            "json",
            "--map",
            "Visit Day=service_date",
            "--map",
            "Code=procedure_code",
            "--map",
            "Session Stop=end_time",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    methods = {entry["field"]: (entry["source_column"], entry["method"]) for entry in data["mapping"]}
    assert methods["service_date"] == ("Visit Day", "override")
    assert methods["end_time"] == ("Session Stop", "override")
    assert methods["minutes"][1] == "derived"
    assert data["preview"][0]["minutes"] == 55.0
    assert data["preview"][0]["start_time"] == "14:00"


def test_bad_map_syntax_is_a_usage_error(tmp_path):
    result = RUNNER.invoke(app, ["ingest", str(_claims(tmp_path)), "--map", "no equals sign"])
    assert result.exit_code == 2
    assert "Source Column=field" in result.output


def test_input_error_exits_2_with_the_location(tmp_path):
    path = _claims(tmp_path, ["Client,Clinician", "Jane Doe,Alex Kim"])
    result = RUNNER.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 2
    assert "error: file 'claims.csv', row 1: no recognizable claim columns" in result.output



def test_text_file_renamed_to_xlsx_is_explained(tmp_path):
    path = tmp_path / "claims.xlsx"
    path.write_text("Session notes, January\nnothing tabular here\n")
    result = RUNNER.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: file 'claims.xlsx': not an Excel workbook: the name ends in .xlsx but it holds plain text; "
        "was it renamed? Export it again as .xlsx or .csv"
    )

def test_roster_option(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,Credential,NPI\nAlex Kim,LCSW,1234567893\n")
    result = RUNNER.invoke(
        app, ["ingest", str(_claims(tmp_path)), "--roster", str(roster), "--format", "json"]
    )
    data = json.loads(result.output)
    assert data["roster"] == {"clinicians": 1, "enrollments": 0}
    assert data["source"]["roster_file"] == "roster.csv"
    assert data["preview"][0]["clinician_npi"] == "1234567893"
