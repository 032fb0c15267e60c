"""The one exception type for unusable input, carrying where in the user's file the problem is."""

from __future__ import annotations

import re

_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


class InputFileError(ValueError):
    """Input the user must fix: names the file, and where known the sheet, row and column.

    `row` is the row number as the user's spreadsheet shows it (1-based, header included).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [f"file '{self.file}'"]
        if self.sheet is not None:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.reason}"


def unreadable_csv(error: Exception, *, file: str, what: str) -> InputFileError:
    """One line for a CSV the parser refused (pandas' text spans lines and names no row the user sees)."""
    text = str(error)
    counted = _FIELD_COUNT.search(text)
    if counted:
        expected, line, saw = counted.groups()
        return InputFileError(f"not a readable {what}: this row has {saw} fields where the rows before it "
                              f"have {expected}", file=file, row=int(line))
    if isinstance(error, UnicodeDecodeError):
        return InputFileError(f"not a readable {what}: the text is not UTF-8 (it holds the byte "
                              f"{error.object[error.start]:#04x}); save it as CSV UTF-8", file=file)
    reason = " ".join(text.split()) or type(error).__name__
    return InputFileError(f"not a readable {what} ({reason})", file=file)
