"""The one exception type for unusable input, carrying where in the user's file the problem is."""

from __future__ import annotations


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
