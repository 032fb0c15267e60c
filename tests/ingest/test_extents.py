import io
import re
import zipfile

import pytest
import python_calamine
from hypothesis import given, settings
from hypothesis import strategies as st

from bhdash.errors import InputFileError
from bhdash.ingest import extents, ingest
from bhdash.ingest.extents import _greater_than, column_letters, column_number, measure_part
from tests.ingest import hostile_corpus

SHEET_START = '<worksheet><dimension ref="A1:B2"/><sheetData>'
ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c></row>'
    '<row r="2"><c r="B2"><v>2</v></c></row>'
)


def _extent(cells: str, before: str = ""):
    xml = (SHEET_START + before + ROWS + cells + "</sheetData></worksheet>").encode()
    return measure_part(xml, "sheet1.xml")


@pytest.mark.parametrize(
    ("letters", "number"), [("A", 1), ("Z", 26), ("AA", 27), ("KN", 300), ("XFD", 16384)]
)
def test_column_letters_round_trip(letters, number):
    assert column_number(letters) == number
    assert column_letters(number) == letters


@pytest.mark.parametrize("bound", ["T", "KN", "XFD"])
def test_greater_than_letters_matches_exactly_the_later_columns(bound):
    pattern = re.compile(_greater_than(bound, digits=False))
    for number in range(1, 800):
        letters = column_letters(number)
        assert bool(pattern.fullmatch(letters)) == (number > column_number(bound)), letters


@pytest.mark.parametrize("bound", ["9", "100001", "1048576"])
def test_greater_than_digits_matches_exactly_the_larger_numbers(bound):
    pattern = re.compile(_greater_than(bound, digits=True))
    for number in [1, 9, 10, 99, 100000, 100001, 100002, 999999, 1048575, 1048576, 1048577, 20000000]:
        assert bool(pattern.fullmatch(str(number))) == (number > int(bound)), number


def test_plain_sheet_extent_comes_from_its_cells_not_its_dimension():
    extent = _extent("")
    assert (extent.rows, extent.columns) == (2, 2)


def test_a_far_cell_after_the_data_sets_the_extent():
    extent = _extent('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    assert (extent.rows, extent.columns, extent.farthest_cell) == (1_048_576, 16_384, "XFD1048576")


def test_a_far_cell_before_the_data_is_found_too():
    extent = _extent("", before='<row r="70000"><c r="C70000"><v>1</v></c></row>')
    assert (extent.rows, extent.columns) == (70_000, 3)


def test_formatting_only_cells_do_not_count():
    extent = _extent('<row r="1048576"><c r="XFD1048576" s="3"/></row>')
    assert (extent.rows, extent.columns) == (2, 2)


def test_a_bracket_inside_a_quoted_attribute_does_not_hide_a_cell():
    extent = _extent('<row r="900"><c r="Z900" x="/>"><v>1</v></c></row>')
    assert (extent.rows, extent.columns) == (900, 26)


def test_cells_without_references_are_placed_one_after_another():
    extent = _extent("<row>" + "<c><v>1</v></c>" * 30 + "</row>")
    assert (extent.rows, extent.columns) == (3, 30)


@pytest.mark.parametrize(
    "stray",
    [b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
     b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"],
)
def test_stray_cell_workbook_is_refused_before_reading(stray):
    data = hostile_corpus.rewrite(
        hostile_corpus.xlsx({"Claims": [hostile_corpus.HEADER, *hostile_corpus.ROWS]}),
        {hostile_corpus.SHEET: lambda xml: xml.replace(b"</sheetData>", stray + b"</sheetData>")},
    )
    with pytest.raises(InputFileError) as caught:
        ingest(data, "stray.xlsx")
    assert (caught.value.file, caught.value.sheet) == ("stray.xlsx", "Claims")
    assert "a cell with a value at XFD1048576 stretches the sheet to A1:XFD1048576" in str(caught.value)


def test_a_hidden_sheet_loses_to_the_visible_one_and_the_choice_is_a_warning():
    header, rows = hostile_corpus.HEADER, hostile_corpus.ROWS
    data = hostile_corpus.xlsx({"Old": [header, *rows, rows[0]], "Claims": [header, *rows]}, hidden=("Old",))
    result = ingest(data, "two.xlsx")
    assert result.source.sheet == "Claims"
    assert len(result.claims) == 3
    assert result.warnings[0] == (
        "sheet 'Old' also looks like claims and was not read; sheet 'Claims' was read because it is visible "
        "and 'Old' is hidden. Export one claims sheet per file"
    )


def test_listed_worksheet_parts_are_read_from_the_workbook():
    data = hostile_corpus.xlsx({"One": [["a"]], "Two": [["b"]]}, hidden=("Two",))
    from bhdash.ingest.extents import list_worksheets

    entries = list_worksheets(zipfile.ZipFile(io.BytesIO(data)))
    assert [(entry.name, entry.state) for entry in entries] == [("One", "visible"), ("Two", "hidden")]


def test_stray_cell_in_an_excel_97_workbook_is_refused_before_reading():
    with pytest.raises(InputFileError) as caught:
        ingest(hostile_corpus._stray_cell_xls(), "old.xls")
    assert (caught.value.file, caught.value.sheet) == ("old.xls", "Claims")
    assert (
        "a cell with a value at IV65536 stretches the sheet to A1:IV65536 (65,536 rows x 256 columns)"
        in str(caught.value)
    )


def _walked(xml: bytes) -> tuple[int, int, str]:
    bounds = extents._Bounds()
    extents._walk_every_cell(xml, bounds)
    return bounds.rows, bounds.columns, bounds.farthest


_CELL_TAGS = ['<c t="s"><v>1</v></c>', '<c s="2"/>', "<c><v>7</v></c>", '<c\ts="1" t="n"><v>2</v></c>',
              "<c/>", '<c x="a/>b"><v>1</v></c>', "<c x='1'><v>1</v></c>", '<c x:r="H9"><v>1</v></c>',
              '<c r = "C7"><v>1</v></c>']
_ROW_TAGS = ['<row r="{}">', "<row>", '<row r="{}" spans="1:9">', '<row r="{}"/>', '<row spans="1:9" r="{}">',
             '<row r = "{}">', '<row r="{}x">']


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(st.sampled_from(_ROW_TAGS), st.integers(1, 2_000_000),
                            st.lists(st.sampled_from(_CELL_TAGS), max_size=12)), max_size=12),
    leading=st.lists(st.sampled_from(_CELL_TAGS[:3]), max_size=3),
    chunk=st.sampled_from([40, 200, 16 * 1024 * 1024]),
)
def test_sheets_without_cell_references_measure_as_the_walk_does(rows, leading, chunk):
    """The numpy measure of reference-free sheets (chunked at row tags) equals the exact walk, including
    formatting-only cells, rows without numbers, cells before the first row and the odd tags that send
    the sheet to the walk (a quoted bracket, single quotes)."""
    body = "".join(leading) + "".join(
        row.format(number) + ("" if row.endswith("/>") else "".join(cells) + "</row>")
        for row, number, cells in rows
    )
    xml = (SHEET_START + body + "</sheetData></worksheet>").encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(extents, "_CHUNK_BYTES", chunk)
        extent = measure_part(xml, "sheet1.xml")
    assert (extent.rows, extent.columns, extent.farthest_cell) == _walked(xml)


def test_a_reference_free_sheet_is_measured_without_the_walk(monkeypatch):
    xml = (b'<worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           b'<sheetData><row r="1"><c t="s"><v>0</v></c><c s="1"/><c><v>2</v></c><c s="1"/></row>'
           b'<row><c/><c><v>3</v></c></row><row r="70000"><c><v>4</v></c></row>'
           b"</sheetData></worksheet>")
    monkeypatch.setattr(extents, "_walk_every_cell", None)  # calling it would fail the test
    extent = measure_part(xml, "sheet1.xml")
    assert (extent.rows, extent.columns, extent.farthest_cell) == (70_000, 3, "A70000")


@pytest.mark.parametrize("tag", ["<c\tt='s'>", '<c\nt="s">', '<x:c t="s">', "<c>"])
def test_a_far_row_of_cells_without_plain_tags_is_found(tag):
    """Cells whose tag name is not followed by a plain space (or is prefixed) escape the plain counts;
    a far row of them must still set the extent."""
    extent = _extent(f'<row r="1048576">{tag}<v>0</v></c></row>')
    assert (extent.rows, extent.columns) == (1_048_576, 2)


@pytest.mark.parametrize(
    "far",
    [
        "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",
        '<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row>',
        '<row r="1048576"><c t="s" r=\'XFD1048576\'><v>1</v></c></row>',
        # A stray reference elsewhere must not balance the plain counts for a cell written otherwise.
        '<row r="1048576"><c r = "XFD1048576"><v>1</v></c></row><x r="A1"/>',
        '<row r="1048576"><c t="s"><v>1</v></c></row><x r="A1"/>',
        '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',  # calamine reads lower case too
    ],
)
def test_references_in_any_quoting_are_read_as_calamine_reads_them(far):
    """XML allows single quotes and spaces around '=', and calamine places the cell there: so must the
    guard, or a far cell so written reaches the reader."""
    extent = _extent(far)
    assert extent.rows == 1_048_576
    assert extent.columns == (16_384 if "xfd" in far.lower() else 2)


_REFERENCE_FORMS = {
    "none": "", "plain": ' r="{}"', "single": " r='{}'", "spaced": ' r = "{}"', "lower": ' r="{}"',
    "prefixed": ' x:r="{}"', "tab": '\tr="{}"', "last": ' s="1" r="{}"',
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(
    st.sampled_from(["none", "plain", "single", "spaced", "prefixed", "tab"]),
    st.sampled_from([1, 2, 50, 700]),
    st.lists(st.tuples(st.sampled_from(sorted(_REFERENCE_FORMS)), st.sampled_from([1, 3, 30]),
                       st.sampled_from(["c", "x:c"]), st.booleans()), max_size=4),
), max_size=5))
def test_the_guard_measures_every_sheet_as_calamine_reads_it(rows):
    """Differential: however rows and cells write (or omit) their references, the guard's extent is the
    grid calamine itself builds from the same sheet (a smaller one would let a far cell through)."""
    written, row = [], 2
    for row_form, row_step, cells in rows:
        row += row_step
        column, tags = 0, []
        for cell_form, column_step, tag, formatting_only in cells:
            column += column_step
            reference = f"{column_letters(column)}{row}"
            attributes = _REFERENCE_FORMS[cell_form].format(
                reference.lower() if cell_form == "lower" else reference)
            content = "/>" if formatting_only else f"><v>1</v></{tag}>"
            tags.append(f"<{tag}{attributes}{content}")
        row_attributes = _REFERENCE_FORMS[row_form].format(row)
        written.append(f"<row{row_attributes}>{''.join(tags)}</row>")

    def change(xml: bytes) -> bytes:
        xml = xml.replace(b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/'
                          b'spreadsheetml/2006/main" ', 1)
        return xml.replace(b"</sheetData>", "".join(written).encode() + b"</sheetData>")

    data = hostile_corpus.rewrite(hostile_corpus.xlsx({"Claims": [["a", "b"], ["c", "d"]]}),
                                  {hostile_corpus.SHEET: change})
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    extent = measure_part(zipfile.ZipFile(io.BytesIO(data)).read(hostile_corpus.SHEET), "sheet1.xml")
    assert (extent.rows, extent.columns) == (sheet.height, sheet.width)
