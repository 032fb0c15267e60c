"""Worksheet extents read from the sheet XML before any reader allocates a grid.

Readers built on calamine size a sheet's grid from its farthest cell with a value: one stray
cell at XFD1048576 asks for 17 billion cells and aborts the process (SIGABRT, which Python cannot
catch). The `dimension` element is written by the exporting program and can lie, so the cell
references themselves are scanned. Self-closing cells (formatting only, no value) are ignored as
calamine ignores them, so trailing formatted-but-empty rows and columns cost nothing.

A legitimate export keeps its cells in order, so the farthest cell shows up near the start (the
widest row, usually the header) and the end (the last row). One regex pass then looks for any
cell beyond those bounds. A sheet whose cells carry no reference at all (OOXML allows it when
every cell is written in order; the sample workbooks are written so) is measured with numpy over
the tag positions, giving exactly what the walk would. Only odd files (cells out of order, some
cells with a reference and some without, quoted brackets) pay for an exact walk over every cell.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from posixpath import join, normpath

import defusedxml.ElementTree as SafeElementTree
import numpy as np

_EDGE_BYTES = 256 * 1024
_MAX_LOOKS = 64  # past this many cells beyond the edges' bounds (out of order, empty), walk every cell
_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_ATTRIBUTE_TEXT = rb"(?:[^>\"']|\"[^\"]*\"|'[^']*')"  # '>' may sit inside a quoted attribute value
_OPEN_END = rb"(?<!/)>"  # not self-closing: the cell has content
_REFERENCE = rb"\br=\"([A-Z]{1,7})(\d{1,10})\""
_CELL = re.compile(
    _PREFIX + rb"c\s" + _ATTRIBUTE_TEXT + rb"*?" + _REFERENCE + _ATTRIBUTE_TEXT + rb"*" + _OPEN_END
)
_TAG = re.compile(_PREFIX + rb"(row|c)(?=[\s>/])(" + _ATTRIBUTE_TEXT + rb"*)>")
# XML lets an attribute take either quote and spaces around its '=', and calamine reads them all so.
_NAME_CHARACTER = rb"[\w:.-]"  # one that may end an attribute name, its prefix included
_UNPREFIXED_R = rb"(?<!" + _NAME_CHARACTER + rb")r\s*=\s*[\"']"  # calamine ignores `x:r`
_ROW_NUMBER = re.compile(_UNPREFIXED_R + rb"(\d{1,10})[\"']")
_PLAIN_ROW_NUMBER = re.compile(rb'<row r="(\d{1,10})"')  # the row tag as exporters write it
_CELL_REFERENCE = re.compile(_UNPREFIXED_R + rb"([A-Za-z]{1,7})(\d{1,10})[\"']")  # "h9" is H9 to calamine
_ANY_CELL_REFERENCE = re.compile(rb"r\s*=\s*[\"'][A-Za-z]")  # from its literal 'r': see _has_cell_reference
_UNPLAIN_REFERENCE = re.compile(rb'<c r="[^A-Z]')  # lower case and the like: the walk reads those
# Wider than a prefixed row or cell tag ("<x:c "), and scanned at memchr speed from its literal ':'.
_ENDS_A_NAME = re.compile(_NAME_CHARACTER)
_PREFIXED_TAG = re.compile(rb":(?:row|c)[\s>/]")
_ROW_TAG = re.compile(rb"<row(?=[\s>/])")
_CHUNK_BYTES = 16 * 1024 * 1024  # numpy's position arrays stay small however large the sheet
_TAG_ENDS = b" \t\n\r\x0b\x0c>/"  # what may follow a tag name (`\s` in a bytes regex, `>` or `/`)
_UNPLAIN_TAG = re.compile(rb"<(?:c|row)[" + re.escape(_TAG_ENDS.replace(b" ", b"")) + rb"]")  # not a space
_LONGEST_TAG = 4096  # a row or cell tag longer than this is odd: the walk measures that sheet
_RELATIONSHIPS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_OFFICE_RELATIONSHIPS_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass(frozen=True)
class SheetExtent:
    """How far one worksheet part's cells reach: 1-based rows and columns counted from A1."""

    part: str
    rows: int
    columns: int
    farthest_cell: str
    xml_bytes: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def column_number(letters: bytes | str) -> int:
    text = (letters.decode("ascii") if isinstance(letters, bytes) else letters).upper()
    number = 0
    for letter in text:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _greater_than(text: str, digits: bool) -> str:
    """A regex for letter (A-Z) or digit strings greater than `text`: longer, or as long and larger."""
    unit, first = (r"\d", "1-9") if digits else ("[A-Z]", "A-Z")
    width = len(text)
    options = [f"[{first}]{unit}{{{width},}}"]
    for position, character in enumerate(text):
        top = "9" if digits else "Z"
        if character != top:
            higher = f"[{chr(ord(character) + 1)}-{top}]"
            options.append(re.escape(text[:position]) + higher + f"{unit}{{{width - position - 1}}}")
    return "(?:" + "|".join(options) + ")"


def _beyond(rows: int, columns: int) -> re.Pattern[bytes]:
    """References past `rows` or `columns`. A bare literal prefix keeps this one pass at C speed."""
    columns_past = _greater_than(column_letters(columns), digits=False)
    rows_past = _greater_than(str(rows), digits=True)
    return re.compile(
        f' r="(?=(?:{columns_past}\\d|[A-Z]+0*{rows_past}"))([A-Z]{{1,7}})(\\d{{1,10}})"'.encode()
    )


class _Bounds:
    def __init__(self) -> None:
        self.rows = 0
        self.columns = 0
        self.farthest = "A1"

    def add(self, row: int, column: int) -> bool:
        """Record one cell; True when it moved a bound."""
        grew = row > self.rows or column > self.columns
        self.rows, self.columns = max(self.rows, row), max(self.columns, column)
        if grew:
            self.farthest = f"{column_letters(column)}{row}"
        return grew


def _walk_every_cell(xml: bytes, bounds: _Bounds) -> None:
    """Exact positions the way calamine assigns them: a reference wins, else one past the previous."""
    row, column = 0, 0
    for match in _TAG.finditer(xml):
        kind, attributes = match.group(1), match.group(2)
        if kind == b"row":
            number = _ROW_NUMBER.search(attributes)
            row = int(number.group(1)) if number else row + 1
            column = 0
            continue
        reference = _CELL_REFERENCE.search(attributes)
        if reference:
            column, row_of_cell = column_number(reference.group(1)), int(reference.group(2))
        else:
            column, row_of_cell = column + 1, max(row, 1)
        if not attributes.endswith(b"/"):
            bounds.add(row_of_cell, column)


def _tag_starts(data: np.ndarray, opens: np.ndarray, name: bytes) -> np.ndarray:
    """Positions of the `<name` tags among the `<` positions `opens` (the name followed by space, > or /)."""
    for offset, letter in enumerate(name, start=1):
        opens = opens[data[opens + offset] == letter]
    follower = data[opens + len(name) + 1]
    ended = np.zeros(len(opens), dtype=bool)
    for letter in _TAG_ENDS:
        ended |= follower == letter
    return opens[ended]


def _tag_ends(data: np.ndarray, tags: np.ndarray) -> np.ndarray | None:
    """Each tag's first `>`, scanning all tags forward one byte at a time; None if a tag has a single quote
    or an odd number of double quotes before it (so a `>` may be quoted), or runs past the data."""
    ends = np.empty(len(tags), dtype=np.int64)
    quotes = np.zeros(len(tags), dtype=np.int64)
    pending = np.arange(len(tags))
    offset = 1
    while len(pending):
        at = tags[pending] + offset
        if offset > _LONGEST_TAG or at.max() >= len(data):
            return None
        characters = data[at]
        if (characters == ord("'")).any():
            return None
        quotes[pending] += characters == ord('"')
        closed = characters == ord(">")
        ends[pending[closed]] = at[closed]
        pending = pending[~closed]
        offset += 1
    return None if (quotes % 2).any() else ends


def _has_cell_reference(xml: bytes) -> bool:
    """Whether any attribute named `r` (not `x:r` or `xmlns:r`, which calamine ignores) holds letters:
    wider than the walk's reference, found from the regex's literal 'r' and then checked by hand."""
    for match in _ANY_CELL_REFERENCE.finditer(xml):
        start = match.start()
        if start == 0 or not _ENDS_A_NAME.match(xml, start - 1):
            return True
    return False


class _ReferenceFree:
    """The walk's answer for a sheet whose cells carry no reference, one row-aligned chunk at a time.

    `measure` returns False (and the caller walks) unless every row and cell tag ends at its first `>`
    (an even number of double quotes before it, no single quotes), no tag starts inside another, and
    nothing hides a tag (CDATA, comments, namespace prefixes): then the tag positions alone decide each
    cell's place, as in the walk: a row's own number or one past the previous row, a cell one past the
    previous cell of its row.
    """

    def __init__(self, bounds: _Bounds) -> None:
        self.bounds = bounds
        self.row = 0

    def measure(self, xml: bytes) -> bool:
        if (_has_cell_reference(xml) or b"<![CDATA[" in xml or b"<!--" in xml
                or _PREFIXED_TAG.search(xml)):
            return False
        start = 0
        while start < len(xml):
            boundary = _ROW_TAG.search(xml, start + _CHUNK_BYTES) if start + _CHUNK_BYTES < len(xml) else None
            end = boundary.start() if boundary else len(xml)
            if not self._chunk(xml, start, end):
                return False
            start = end
        return True

    def _chunk(self, xml: bytes, start: int, end: int) -> bool:
        """Add the cells of xml[start:end] (which starts at a row tag, or at 0); False if it is odd."""
        data = np.concatenate([np.frombuffer(xml, np.uint8, count=end - start, offset=start),
                               np.zeros(8, np.uint8)])  # room to look past a `<` at the very end
        opens = np.flatnonzero(data == ord("<"))
        rows, cells = _tag_starts(data, opens, b"row"), _tag_starts(data, opens, b"c")
        tags = np.sort(np.concatenate([rows, cells]))
        ends = _tag_ends(data, tags)
        if ends is None or (ends[:-1] >= tags[1:]).any():
            return False
        if start and len(cells) and (not len(rows) or cells[0] < rows[0]):
            return False
        row_ends = ends[np.searchsorted(tags, rows)]
        row_numbers = np.empty(len(rows), dtype=np.int64)
        # A tag that opens with its plain `r="7"` holds its number there: one pass finds all of those.
        plain = {found.start() - start: int(found.group(1))
                 for found in _PLAIN_ROW_NUMBER.finditer(xml, start, end)}
        for position, (row_start, row_end) in enumerate(zip(rows.tolist(), row_ends.tolist(), strict=True)):
            number = plain.get(row_start)
            if number is None:
                found = _ROW_NUMBER.search(xml, start + row_start, start + row_end)
                number = int(found.group(1)) if found else self.row + 1
            self.row = number
            row_numbers[position] = self.row
        with_content = data[ends[np.searchsorted(tags, cells)] - 1] != ord("/")
        owner = np.searchsorted(rows, cells) - 1  # -1: before the sheet's first row tag
        rows_first_cell = np.concatenate([[0], np.searchsorted(cells, rows)])
        row_of_cell = np.concatenate([[1], row_numbers])
        columns = np.arange(len(cells)) - rows_first_cell[owner + 1] + 1
        self._add(row_of_cell[owner + 1][with_content], columns[with_content])
        return True

    def _add(self, rows: np.ndarray, columns: np.ndarray) -> None:
        """The bounds after adding these cells in order, `farthest` the last cell that moved one."""
        if not len(rows):
            return
        bounds = self.bounds
        rows_before = np.maximum.accumulate(np.concatenate([[bounds.rows], rows]))[:-1]
        columns_before = np.maximum.accumulate(np.concatenate([[bounds.columns], columns]))[:-1]
        grew = np.flatnonzero((rows > rows_before) | (columns > columns_before))
        if len(grew):
            last = grew[-1]
            bounds.farthest = f"{column_letters(int(columns[last]))}{int(rows[last])}"
        bounds.rows = max(bounds.rows, int(rows.max()))
        bounds.columns = max(bounds.columns, int(columns.max()))


def _plainly_referenced(xml: bytes) -> bool:
    """Every row and cell tag opens with its double-quoted reference (`<c r="B7"`, `<row r="7"`), as
    exporters write them.

    Counted with bytes.count at memory speed: a tag with its reference elsewhere, in single quotes or
    with spaces around the '=', or with none, makes the counts disagree. A tag whose name is followed by
    anything but a space, or that has a namespace prefix, escapes the counts, so such a file is never
    plain either.
    """
    # The counts first: they settle a sheet without references (the regex passes cost 3x as much).
    if xml.count(b'<c r="') != xml.count(b"<c ") or xml.count(b'<row r="') != xml.count(b"<row "):
        return False
    return not (_UNPLAIN_TAG.search(xml) or _PREFIXED_TAG.search(xml) or _UNPLAIN_REFERENCE.search(xml))


def _has_content(xml: bytes, reference_at: int) -> bool:
    """Whether the cell whose reference starts at `reference_at` is more than a self-closing tag."""
    start = xml.rfind(b"<", 0, reference_at)
    tag = _TAG.match(xml, start)
    return tag is None or not tag.group(2).endswith(b"/")


def measure_part(xml: bytes, part: str) -> SheetExtent:
    """The extent of one worksheet's cells with content."""
    bounds = _Bounds()
    if not _plainly_referenced(xml):
        if not _ReferenceFree(bounds).measure(xml):
            bounds = _Bounds()
            _walk_every_cell(xml, bounds)
        return SheetExtent(part, bounds.rows, bounds.columns, bounds.farthest, len(xml))
    for edge in (xml[:_EDGE_BYTES], xml[-_EDGE_BYTES:]):
        for match in _CELL.finditer(edge):
            bounds.add(int(match.group(2)), column_number(match.group(1)))
    position, looks = 0, 0
    pattern = _beyond(bounds.rows, bounds.columns)
    while (found := pattern.search(xml, position)) is not None:
        position, looks = found.end(), looks + 1
        if looks > _MAX_LOOKS:
            _walk_every_cell(xml, bounds)
            break
        if _has_content(xml, found.start()) and bounds.add(
            int(found.group(2)), column_number(found.group(1))
        ):
            pattern = _beyond(bounds.rows, bounds.columns)
    return SheetExtent(part, bounds.rows, bounds.columns, bounds.farthest, len(xml))


@dataclass(frozen=True)
class WorksheetEntry:
    """One sheet as the workbook lists it: name, visibility ("visible", "hidden", "veryHidden"), XML part."""

    name: str
    state: str
    part: str | None


def _xml_root(archive: zipfile.ZipFile, part: str):
    """The parsed part, or None when it is missing or malformed (the reader then reports the damage).

    defusedxml refuses entity declarations, so a billion-laughs part cannot inflate here.
    """
    try:
        return SafeElementTree.fromstring(archive.read(part))
    except Exception:  # KeyError, ParseError, defusedxml's EntitiesForbidden …
        return None


def list_worksheets(archive: zipfile.ZipFile) -> list[WorksheetEntry]:
    """The workbook's sheets in order, each with its visibility and the part that holds its cells."""
    names = set(archive.namelist())
    targets: dict[str, str] = {}
    relationships = _xml_root(archive, "xl/_rels/workbook.xml.rels")
    listed = relationships.iter(f"{_RELATIONSHIPS_NS}Relationship") if relationships is not None else ()
    for relation in listed:
        target = relation.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        targets[relation.get("Id", "")] = path
    workbook = _xml_root(archive, "xl/workbook.xml")
    entries = []
    for sheet in workbook.iter(f"{_MAIN_NS}sheet") if workbook is not None else ():
        part = targets.get(sheet.get(f"{_OFFICE_RELATIONSHIPS_NS}id", ""))
        entries.append(
            WorksheetEntry(
                sheet.get("name", ""), sheet.get("state", "visible"), part if part in names else None
            )
        )
    return entries


def worksheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """Every part that may hold cells: those the workbook lists, plus anything under xl/worksheets/."""
    listed = {entry.part for entry in list_worksheets(archive) if entry.part}
    loose = {
        name for name in archive.namelist() if name.startswith("xl/worksheets/") and name.endswith(".xml")
    }
    return sorted(listed | loose)


# --- Excel 97-2003 (.xls): BIFF records inside an OLE container -------------------------------------

_BIFF_BOF, _BIFF_BOUNDSHEET = 0x0809, 0x0085
_BIFF_CELLS = {0x0203, 0x00FD, 0x027E, 0x0205, 0x0006, 0x0204, 0x00D6}  # NUMBER, LABELSST, RK, BOOLERR …
_BIFF_MULRK = 0x00BD  # several RK values in one row: first column at 2, last column in the last 2 bytes


def measure_biff(stream: bytes) -> list[tuple[str, SheetExtent]]:
    """Each worksheet's extent in a BIFF5/8 workbook stream, from its cell records (blanks ignored).

    Sheets are named from their BOUNDSHEET records, matched on the stream offset of their BOF record.
    """
    names: dict[int, str] = {}
    extents: list[tuple[int, _Bounds]] = []
    position, size = 0, len(stream)
    while position + 4 <= size:
        kind, length = struct.unpack_from("<HH", stream, position)
        body = position + 4
        if kind in _BIFF_CELLS and length >= 4:
            row, column = struct.unpack_from("<HH", stream, body)
            if extents:
                extents[-1][1].add(row + 1, column + 1)
        elif kind == _BIFF_MULRK and length >= 6 and extents:
            row, = struct.unpack_from("<H", stream, body)
            last_column, = struct.unpack_from("<H", stream, body + length - 2)
            extents[-1][1].add(row + 1, last_column + 1)
        elif kind == _BIFF_BOF:
            extents.append((position, _Bounds()))
        elif kind == _BIFF_BOUNDSHEET and length >= 8:
            offset, = struct.unpack_from("<I", stream, body)
            count, flags = stream[body + 6], stream[body + 7] if length > 7 else 0
            raw = stream[body + 8 : body + 8 + count * (2 if flags & 1 else 1)]
            names[offset] = raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace")
        position = body + length
    measured = []
    for offset, bounds in extents:
        if offset in names:
            measured.append((names[offset], SheetExtent(names[offset], bounds.rows, bounds.columns,
                                                        bounds.farthest, size)))
    return measured
