"""A corpus of hostile and malformed input files, built here, each with the outcome bhdash must give.

Every file ends in one of two ways: read, with a known number of claim lines and known values, or
refused with exit code 2 and a one-line message containing a known phrase. Names are fake.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

SHEET = "xl/worksheets/sheet1.xml"
HEADER = ["Date of Service", "Clinician", "CPT Code", "Payer", "Charge"]
ROWS = [
    ["2024-01-05", "Alex Kim", "90837", "Aetna", 150.0],
    ["2024-01-06", "Alex Kim", "90834", "Cigna", 120.0],
    ["2024-01-08", "Jo Park", "90791", "Aetna", 200.0],
]


@dataclass(frozen=True)
class Case:
    name: str  # the file name, extension included
    lines: int | None = None  # claim lines when the file is read
    error: str | None = None  # a phrase of the one-line refusal
    values: dict[str, list] = field(default_factory=dict)  # canonical field -> values of the first lines
    warning: str | None = None  # a phrase one of the check's warnings must hold


def _csv(lines: list[str], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = "".join((line.replace(",", delimiter) if delimiter != "," else line) + "\r\n" for line in lines)
    return text.encode(encoding)


def _plain_lines() -> list[str]:
    return [",".join(HEADER)] + [",".join(str(value) for value in row) for row in ROWS]


def xlsx(sheets: dict[str, list[list]], hidden: tuple[str, ...] = (), dates: bool = False) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = workbook.add_format({"num_format": "mm/dd/yyyy"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for row_index, row in enumerate(rows):
            for column_index, value in enumerate(row):
                if value is None:
                    continue
                if dates and isinstance(value, str) and value[:2] == "20" and value[4:5] == "-":
                    sheet.write_datetime(
                        row_index, column_index, dt.datetime.fromisoformat(value), date_format
                    )
                else:
                    sheet.write(row_index, column_index, value)
        if name in hidden:
            sheet.hide()
    visible = [sheet for sheet in workbook.worksheets() if sheet.name not in hidden]
    if visible:
        visible[0].activate()  # Excel cannot hide the active sheet
    workbook.close()
    return buffer.getvalue()


def _claims_workbook(**options) -> bytes:
    return xlsx({"Claims": [HEADER, *ROWS]}, dates=True, **options)


def rewrite(data: bytes, changes: dict[str, Callable[[bytes], bytes] | bytes | None]) -> bytes:
    """The zip with some parts changed (a function of the old bytes), replaced, added or (None) removed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            change = changes.get(item.filename, ...)
            if change is None:
                continue
            content = source.read(item.filename)
            if callable(change):
                content = change(content)
            elif isinstance(change, bytes):
                content = change
            target.writestr(item.filename, content)
        for name, change in changes.items():
            if name not in source.namelist() and isinstance(change, bytes):
                target.writestr(name, change)
    return buffer.getvalue()


def _append_cells(xml: str) -> Callable[[bytes], bytes]:
    return lambda sheet: sheet.replace(b"</sheetData>", xml.encode() + b"</sheetData>")


def _prepend_cells(xml: str) -> Callable[[bytes], bytes]:
    return lambda sheet: sheet.replace(b"<sheetData>", b"<sheetData>" + xml.encode())


def _shared_string_payload(payload: str) -> Callable[[bytes], bytes]:
    def change(strings: bytes) -> bytes:
        head, _, rest = strings.decode().partition("?>")
        return (
            head + "?>" + payload + rest.replace("Jo Park", "&lol9;" if "lol" in payload else "&xxe;")
        ).encode()

    return change


def _billion_laughs() -> str:
    entities = "".join(
        f'<!ENTITY lol{level} "{("&lol" + str(level - 1) + ";") * 10 if level > 1 else "lol" * 10}">'
        for level in range(1, 10)
    )
    return f"<!DOCTYPE lolz [{entities}]>"


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr(SHEET, " " * (30 * 1024 * 1024))
    return buffer.getvalue()


def _encrypted() -> bytes:
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(_claims_workbook())).encrypt("secret", encrypted)
    return encrypted.getvalue()


def _bad_date_workbook(with_styles: bool = True) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Claims")
    date_format = workbook.add_format({"num_format": "mm/dd/yyyy"})
    sheet.write_row(0, 0, HEADER)
    for row_index, row in enumerate(ROWS, start=1):
        sheet.write_datetime(row_index, 0, dt.datetime.fromisoformat(row[0]), date_format)
        sheet.write_row(row_index, 1, row[1:])
    sheet.write_number(2, 0, -1e20, date_format)  # row 3: a date cell no calendar holds
    workbook.close()
    data = buffer.getvalue()
    if not with_styles:
        data = rewrite(data, {"xl/styles.xml": _minimal_styles()})
    return data


def _minimal_styles() -> bytes:
    """A styles part with a date format but no cellStyleXfs: openpyxl warns "no default style"."""
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<numFmts count="1"><numFmt numFmtId="164" formatCode="mm/dd/yyyy"/></numFmts>'
        b'<fonts count="1"><font/></fonts>'
        b'<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        b'<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs>'
        b"</styleSheet>"
    )


def _xls(rows: list[list]) -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Claims")
    for row_index, row in enumerate(rows):
        for column_index, value in enumerate(row):
            sheet.write(row_index, column_index, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _stray_cell_xls() -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Claims")
    for row_index, row in enumerate([HEADER, *ROWS]):
        for column_index, value in enumerate(row):
            sheet.write(row_index, column_index, value)
    sheet.write(65535, 255, 1)  # IV65536, the last cell of an Excel 97-2003 sheet
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _many_rows(count: int) -> bytes:
    lines = [",".join(HEADER)]
    lines += [f"2024-02-{day % 28 + 1:02d},Alex Kim,90834,Aetna,120.00" for day in range(count)]
    return _csv(lines)


def _wide_workbook(columns: int) -> bytes:
    header = HEADER + [f"Extra {index}" for index in range(columns - len(HEADER))]
    row = list(ROWS[0]) + ["x"] * (columns - len(HEADER))
    return xlsx({"Claims": [header, row]})


STANDARD_VALUES = {"procedure_code": ["90837", "90834", "90791"], "charge": [150.0, 120.0, 200.0]}


def build(folder: Path) -> list[Case]:
    """Write every case's file into `folder` and return the cases."""
    plain = _plain_lines()
    files: list[tuple[Case, bytes]] = []

    def add(case: Case, data: bytes) -> None:
        files.append((case, data))

    # --- CSV encodings, dialects and decimal conventions
    add(Case("plain.csv", 3, values=STANDARD_VALUES), _csv(plain))
    add(Case("utf8-bom.csv", 3, values=STANDARD_VALUES), _csv(plain, "utf-8-sig"))
    add(Case("utf16le-bom.txt", 3, values=STANDARD_VALUES, warning="UTF-16"), _csv(plain, "utf-16", "\t"))
    add(
        Case("utf16be-bom.txt", 3, values=STANDARD_VALUES, warning="UTF-16"),
        b"\xfe\xff" + _csv(plain, "utf-16-be", "\t"),
    )
    accented = [plain[0], "2024-01-05,Renée Müller,90837,Aetna,150.00"]
    add(Case("cp1252.csv", 1, values={"clinician_name": ["Renée Müller"]}), _csv(accented, "cp1252"))
    add(Case("latin1.csv", 1, values={"clinician_name": ["Renée Müller"]}), _csv(accented, "latin-1"))
    add(Case("tab.tsv", 3, values=STANDARD_VALUES), _csv(plain, delimiter="\t"))
    add(Case("semicolon.csv", 3, values=STANDARD_VALUES), _csv(plain, delimiter=";"))
    european = [
        "Date of Service;Clinician;CPT Code;Payer;Charge",
        "2024-01-05;Alex Kim;90837;Aetna;247,50",
        "2024-01-06;Alex Kim;90834;Cigna;1.234,56",
        "2024-01-08;Jo Park;90791;Aetna;1.234",
    ]
    add(
        Case("decimal-comma.csv", 3, values={"charge": [247.5, 1234.56, 1234.0]}, warning="decimal commas"),
        _csv(european),
    )
    spaced = [line.replace("1.234,56", "1 234,56") for line in european]
    add(Case("decimal-comma-spaces.csv", 3, values={"charge": [247.5, 1234.56, 1234.0]}), _csv(spaced))
    american = [
        plain[0],
        '2024-01-05,Alex Kim,90837,Aetna,"1,234.50"',
        "2024-01-06,Alex Kim,90834,Cigna,1.234",
        "2024-01-08,Jo Park,90791,Aetna,12.50",
    ]
    add(Case("thousands-comma.csv", 3, values={"charge": [1234.5, 1.234, 12.5]}), _csv(american))
    ambiguous = [
        "Date of Service;CPT Code;Charge;Paid",
        "2024-01-05;90837;1.234;12,50",
        "2024-01-06;90834;2.500;3,75",
    ]
    add(Case("ambiguous-by-file.csv", 2, values={"charge": [1234.0, 2500.0]}), _csv(ambiguous))
    add(
        Case("nul-early.csv", 3, values=STANDARD_VALUES, warning="NUL"),
        _csv(plain).replace(b"Date of", b"Date\x00 of", 1),
    )
    add(
        Case("nul-late.csv", 3, values={"payer": ["Aetna", "Cigna", "Aetna"]}, warning="NUL"),
        _csv(plain).replace(b"Cigna", b"Cig\x00na"),
    )
    long_notes = [
        plain[0] + ",Notes",
        plain[1] + ',"' + "x" * 200_000 + '"',
        plain[2] + ",ok",
        plain[3] + ",ok",
    ]
    add(Case("long-cell.csv", 3, values=STANDARD_VALUES), _csv(long_notes))
    add(Case("ragged.csv", 4), _csv([*plain, "2024-01-09,Jo Park,90834,Aetna,120.00,extra,cells"]))
    add(Case("giant-rows.csv", 10_000), _many_rows(10_000))
    add(Case("title-rows.csv", 3, values=STANDARD_VALUES), _csv(["Clinic report,,,,", ",,,,", *plain]))
    formulas = [
        plain[0],
        '2024-01-05,"=HYPERLINK(""http://x"",""y"")",90837,+cmd|calc,150.00',
        "2024-01-06,@SUM(A1),90834,-2+3,120.00",
    ]
    add(Case("formula-payload.csv", 2, values={"payer": ["+cmd|calc", "-2+3"]}), _csv(formulas))
    markdown = [plain[0], '2024-01-05,"**Bold** [x](javascript:alert(1))",90837,<script>x</script>,150.00']
    add(Case("markdown-payload.csv", 1, values={"payer": ["<script>x</script>"]}), _csv(markdown))
    add(Case("empty.csv", error="empty"), b"")
    add(Case("blank-lines.csv", error="empty"), b"\r\n\r\n  \r\n")
    add(Case("prose.csv", error="no recognizable claim columns"), b"Visit notes for January\nnothing here\n")
    add(Case("binary.csv", error="not a spreadsheet"), bytes(range(256)) * 16)
    add(Case("image.xlsx", error="PNG image"), b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    add(Case("document.csv", error="PDF document"), b"%PDF-1.7\n" + bytes(range(256)) * 4)
    add(Case("csv-renamed.xlsx", 3, values=STANDARD_VALUES), _csv(plain))
    add(Case("text-renamed.xlsx", error="was it renamed"), b"Visit notes for January\nnothing tabular\n")
    add(
        Case("html-renamed.xls", error="HTML text"),
        b"<html><body><table><tr><td>x</td></tr></table></body></html>",
    )

    # --- workbooks: size guard, panics, sheet choice
    add(Case("plain.xlsx", 3, values=STANDARD_VALUES), _claims_workbook())
    add(Case("plain.xls", 3, values=STANDARD_VALUES), _xls([HEADER, *ROWS]))
    add(Case("stray-iv65536.xls", error="too large"), _stray_cell_xls())
    add(
        Case("stray-xfd1048576.xlsx", error="too large"),
        rewrite(
            _claims_workbook(),
            {SHEET: _append_cells('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')},
        ),
    )
    add(
        Case("stray-a1048576.xlsx", error="too large"),
        rewrite(
            _claims_workbook(), {SHEET: _append_cells('<row r="1048576"><c r="A1048576"><v>1</v></c></row>')}
        ),
    )
    add(
        Case("stray-beyond-excel.xlsx", error="too large"),
        rewrite(
            _claims_workbook(),
            {SHEET: _append_cells('<row r="9000000"><c r="ZZZ9000000"><v>1</v></c></row>')},
        ),
    )
    add(
        Case("stray-first.xlsx", error="too large"),
        rewrite(
            _claims_workbook(), {SHEET: _prepend_cells('<row r="900000"><c r="KZ900000"><v>1</v></c></row>')}
        ),
    )
    add(
        Case("stray-quoted-bracket.xlsx", error="too large"),
        rewrite(
            _claims_workbook(),
            {SHEET: _append_cells('<row r="1048576"><c r="XFD1048576" x="/>"><v>1</v></c></row>')},
        ),
    )
    unreferenced = "<row>" + "<c/>" * 400 + "<c><v>1</v></c></row>"
    add(
        Case("wide-without-references.xlsx", error="too large"),
        rewrite(_claims_workbook(), {SHEET: _append_cells(unreferenced)}),
    )
    add(
        Case("formatted-empty-far.xlsx", 3, values=STANDARD_VALUES),
        rewrite(
            _claims_workbook(), {SHEET: _append_cells('<row r="1048576"><c r="XFD1048576" s="0"/></row>')}
        ),
    )
    add(
        Case("lying-dimension.xlsx", 3, values=STANDARD_VALUES),
        rewrite(
            _claims_workbook(),
            {
                SHEET: lambda xml: xml.replace(
                    b'<dimension ref="A1:E4"/>', b'<dimension ref="A1:XFD1048576"/>'
                )
            },
        ),
    )
    add(Case("wide-350-columns.xlsx", error="too large"), _wide_workbook(350))
    add(Case("giant-rows.xlsx", 3_000), xlsx({"Claims": [HEADER] + [ROWS[1]] * 3_000}))
    add(
        Case("bad-date-cell.xlsx", 3, values={"procedure_code": ["90837", "90834", "90791"]}),
        _bad_date_workbook(),
    )
    add(
        Case("bad-date-no-default-style.xlsx", 3, values={"charge": [150.0, 120.0, 200.0]}),
        _bad_date_workbook(False),
    )
    hidden_claims = [HEADER, *ROWS, ["2024-01-09", "Jo Park", "90834", "Aetna", 99.0]]
    add(
        Case("hidden-sheet-wins-not.xlsx", 3, values=STANDARD_VALUES, warning="is hidden"),
        xlsx({"Old": hidden_claims, "Claims": [HEADER, *ROWS]}, hidden=("Old",), dates=True),
    )
    add(
        Case("two-claims-sheets.xlsx", 3, values=STANDARD_VALUES, warning="also looks like claims"),
        xlsx({"Claims": [HEADER, *ROWS], "Copy": [HEADER, *ROWS[:2]]}, dates=True),
    )
    add(Case("empty-sheet.xlsx", error="empty"), xlsx({"Sheet1": []}))
    formula_cells = rewrite(
        _claims_workbook(),
        {
            SHEET: _append_cells(
                '<row r="5"><c r="A5"><f>1+1</f><v>2</v></c>'
                '<c r="C5" t="str"><f>"9"&amp;"0834"</f><v>90834</v></c></row>'
            )
        },
    )
    add(Case("formula-cells.xlsx", 4), formula_cells)
    add(
        Case("markdown-payload.xlsx", 1, values={"payer": ["[click](javascript:alert(1)) **x**"]}),
        xlsx(
            {
                "Claims": [
                    HEADER,
                    ["2024-01-05", "Alex Kim", "90837", "[click](javascript:alert(1)) **x**", 1.0],
                ]
            }
        ),
    )

    # --- archives and XML attacks
    add(Case("zip-bomb.xlsx", error="zip bomb"), _zip_bomb())
    add(
        Case("billion-laughs.xlsx", error="corrupted workbook"),
        rewrite(_claims_workbook(), {"xl/sharedStrings.xml": _shared_string_payload(_billion_laughs())}),
    )
    xxe = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    add(
        Case("xxe.xlsx", error="corrupted workbook"),
        rewrite(_claims_workbook(), {"xl/sharedStrings.xml": _shared_string_payload(xxe)}),
    )
    add(Case("encrypted.xlsx", error="password-protected"), _encrypted())
    add(Case("truncated.xlsx", error="corrupted zip"), _claims_workbook()[:600])
    add(Case("no-workbook-part.xlsx", error="lacks"), rewrite(_claims_workbook(), {"xl/workbook.xml": None}))
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    add(Case("sheet.ods", error="OpenDocument"), ods.getvalue())
    add(
        Case("garbled-sheet.xlsx", error="corrupted workbook"),
        rewrite(_claims_workbook(), {SHEET: b"<worksheet><sheetData><row"}),
    )

    folder.mkdir(parents=True, exist_ok=True)
    for case, data in files:
        (folder / case.name).write_bytes(data)
    return [case for case, _ in files]
