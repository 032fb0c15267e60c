"""Opening, reading and writing the workspace file, with a plain message for every way that can fail.

    with Workspace.open(path) as workspace:
        upload_id = workspace.save_upload("Lakeside Counseling", record)
        workspace.uploads("Lakeside Counseling")

Every DuckDB failure (another program holds the lock, a file that is not a database, a damaged block)
becomes a `WorkspaceError` naming the file, so neither the CLI nor the dashboard ever shows a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import duckdb
import pandas as pd
import platformdirs

from bhdash.workspace.record import UploadRecord
from bhdash.workspace.schema import APPLICATION, SCHEMA_VERSION, TABLES, UPLOAD_TABLES, create_statements

WORKSPACE_ENV = "BHDASH_WORKSPACE"
WORKSPACE_FILE = "workspace.duckdb"


class WorkspaceError(Exception):
    """A workspace problem the user can act on; the message names the file and what to do."""


class DuplicateUploadError(WorkspaceError):
    """The same claims file (by digest) is already stored in this practice."""

    def __init__(self, message: str, existing: pd.DataFrame) -> None:
        super().__init__(message)
        self.existing = existing


def default_workspace_path() -> Path:
    """$BHDASH_WORKSPACE when set, else workspace.duckdb in the user's data folder (XDG on Linux)."""
    override = os.environ.get(WORKSPACE_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path("bhdash", appauthor=False) / WORKSPACE_FILE


def _describe(error: duckdb.Error, path: Path) -> str:
    text = str(error)
    if "could not set lock" in text.lower() or "conflicting lock" in text.lower():
        return (f"workspace '{path}' is in use by another program (another bhdash or dashboard has it open); "
                "close it and try again")
    if "not a valid DuckDB database" in text or "Could not read" in text or "Corrupt" in text:
        return f"workspace '{path}' is damaged or is not a bhdash workspace ({text.splitlines()[0]})"
    return f"workspace '{path}' could not be used: {text.splitlines()[0]}"


class Workspace:
    """One open workspace file. Use as a context manager so the file's lock is released promptly."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path) -> None:
        self._db = connection
        self.path = path

    # --- opening ------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path | None = None, *, read_only: bool = False) -> Workspace:
        """Open (creating when missing and writable) and verify the workspace at `path`."""
        path = Path(path) if path is not None else default_workspace_path()
        if path.is_dir():
            raise WorkspaceError(f"workspace '{path}' is a folder; give the path of a .duckdb file")
        if not path.exists():
            if read_only:
                raise WorkspaceError(f"workspace '{path}' does not exist yet; save an upload first")
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as error:
            raise WorkspaceError(_describe(error, path)) from error
        workspace = cls(connection, path)
        try:
            workspace._prepare(read_only)
        except BaseException:
            connection.close()
            raise
        return workspace

    def _prepare(self, read_only: bool) -> None:
        with self._guard():
            present = {row[0] for row in self._db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
            if not present and not read_only:
                self._create()
                return
            if "meta" not in present:
                raise WorkspaceError(f"workspace '{self.path}' is a DuckDB file but not a bhdash workspace")
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("application") != APPLICATION:
                raise WorkspaceError(f"workspace '{self.path}' is a DuckDB file but not a bhdash workspace")
            stated = meta.get("schema_version", "")
            if not stated.isdigit():
                raise WorkspaceError(f"workspace '{self.path}' has no readable schema version; it may have "
                                     "been edited by hand")
            version = int(stated)
            if version > SCHEMA_VERSION:
                raise WorkspaceError(
                    f"workspace '{self.path}' was written by a newer bhdash (workspace version {version}, "
                    f"this bhdash reads up to {SCHEMA_VERSION}); upgrade bhdash to open it. "
                    "The file was left unchanged.")
            if version < SCHEMA_VERSION:
                raise WorkspaceError(
                    f"workspace '{self.path}' has version {version}, older than this bhdash knows "
                    f"({SCHEMA_VERSION}), and no upgrade path exists; the file was left unchanged.")
            self._verify_columns(present)

    def _create(self) -> None:
        self._db.execute("BEGIN TRANSACTION")
        for statement in create_statements():
            self._db.execute(statement)
        self._db.executemany("INSERT INTO meta VALUES (?, ?)",
                             [("application", APPLICATION), ("schema_version", str(SCHEMA_VERSION))])
        self._db.execute("COMMIT")

    def _verify_columns(self, present: set[str]) -> None:
        missing_tables = sorted(set(TABLES) - present)
        if missing_tables:
            raise WorkspaceError(f"workspace '{self.path}' is missing tables {', '.join(missing_tables)}; "
                                 "it may have been edited by hand")
        actual = self._db.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
        ).fetchall()
        columns: dict[str, list[str]] = {}
        for table, column in actual:
            columns.setdefault(table, []).append(column)
        for table, expected in TABLES.items():
            if [name for name, _ in expected] != columns.get(table):
                raise WorkspaceError(f"workspace '{self.path}': table {table} does not have the expected "
                                     "columns; it may have been edited by hand")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn any DuckDB failure inside the block into a WorkspaceError naming the file."""
        try:
            yield
        except duckdb.Error as error:
            raise WorkspaceError(_describe(error, self.path)) from error

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    # --- practices ----------------------------------------------------------------------------------

    def practices(self) -> pd.DataFrame:
        """One row per practice: id, name, created_at, uploads and the latest upload's analysis time."""
        with self._guard():
            return self._db.execute(
                """SELECT p.practice_id, p.name, p.created_at, count(u.upload_id) AS uploads,
                          max(u.analysed_at) AS latest_analysis
                   FROM practices p LEFT JOIN uploads u USING (practice_id)
                   GROUP BY ALL ORDER BY p.name""").df()

    def practice_id(self, name: str, *, create: bool = False) -> int:
        """The practice's id; with `create`, a new practice when none has this name."""
        name = name.strip()
        if not name:
            raise WorkspaceError("a practice needs a name")
        with self._guard():
            row = self._db.execute("SELECT practice_id FROM practices WHERE name = ?", [name]).fetchone()
            if row is not None:
                return int(row[0])
            if not create:
                known = ", ".join(self.practices()["name"]) or "none yet"
                raise WorkspaceError(f"no practice named '{name}' in workspace '{self.path}' "
                                     f"(practices: {known})")
            next_id = self._db.execute(
                "SELECT coalesce(max(practice_id), 0) + 1 FROM practices").fetchone()[0]
            self._db.execute("INSERT INTO practices VALUES (?, ?, ?)",
                             [next_id, name, pd.Timestamp.now().floor("s").to_pydatetime()])
            return int(next_id)

    def delete_practice(self, name: str) -> int:
        """Remove the practice and every row of its uploads; returns how many uploads went with it."""
        practice = self.practice_id(name)
        uploads = self.uploads(name)["upload_id"].tolist()
        with self._guard():
            self._db.execute("BEGIN TRANSACTION")
            self._delete_rows(uploads)
            self._db.execute("DELETE FROM practices WHERE practice_id = ?", [practice])
            self._db.execute("COMMIT")
            self._db.execute("CHECKPOINT")
        return len(uploads)

    # --- uploads ------------------------------------------------------------------------------------

    def uploads(self, practice: str) -> pd.DataFrame:
        """The practice's uploads, oldest period first (ties by analysis time)."""
        practice_id = self.practice_id(practice)
        with self._guard():
            return self._db.execute(
                "SELECT * FROM uploads WHERE practice_id = ? ORDER BY period_end, analysed_at, upload_id",
                [practice_id]).df()

    def save_upload(self, practice: str, record: UploadRecord, *, force: bool = False) -> int:
        """Store one analysed upload in the practice (created when new); returns the upload id.

        The same file (same digest) already stored in the practice raises DuplicateUploadError unless
        `force` is set, so a second click or a re-run never silently doubles the history.
        """
        practice_id = self.practice_id(practice, create=True)
        with self._guard():
            same = self._db.execute(
                "SELECT upload_id, file_name, analysed_at FROM uploads "
                "WHERE practice_id = ? AND file_digest = ?",
                [practice_id, record.file_digest]).df()
            if not same.empty and not force:
                first = same.iloc[0]
                raise DuplicateUploadError(
                    f"'{record.file_name}' is already stored in '{practice}' as upload {first['upload_id']} "
                    f"(saved {pd.Timestamp(first['analysed_at']):%Y-%m-%d %H:%M}, same file contents)", same)
            upload_id = int(self._db.execute(
                "SELECT coalesce(max(upload_id), 0) + 1 FROM uploads").fetchone()[0])
            self._db.execute("BEGIN TRANSACTION")
            try:
                self._db.execute(
                    "INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [upload_id, practice_id, record.file_name, record.file_digest,
                     _date(record.period_start), _date(record.period_end), _date(record.as_of),
                     pd.Timestamp(record.analysed_at).to_pydatetime(), record.catalogue_version,
                     record.claim_lines])
                for table in UPLOAD_TABLES:
                    self._insert(table, upload_id, record.tables[table])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return upload_id

    def _insert(self, table: str, upload_id: int, frame: pd.DataFrame) -> None:
        columns = [name for name, _ in TABLES[table]]
        staged = frame.assign(upload_id=upload_id).reindex(columns=columns)
        self._db.register("staged", staged)
        try:
            self._db.execute(f"INSERT INTO {table} SELECT {', '.join(columns)} FROM staged")
        finally:
            self._db.unregister("staged")

    def delete_upload(self, upload_id: int) -> None:
        """Remove one upload and all its rows."""
        with self._guard():
            if self._db.execute("SELECT 1 FROM uploads WHERE upload_id = ?", [upload_id]).fetchone() is None:
                raise WorkspaceError(f"no upload {upload_id} in workspace '{self.path}'")
            self._db.execute("BEGIN TRANSACTION")
            self._delete_rows([upload_id])
            self._db.execute("COMMIT")
            self._db.execute("CHECKPOINT")

    def _delete_rows(self, upload_ids: list[int]) -> None:
        if not upload_ids:
            return
        for table in (*UPLOAD_TABLES, "uploads"):
            self._db.execute(f"DELETE FROM {table} WHERE list_contains(?, upload_id)", [upload_ids])

    def upload(self, practice: str, upload_id: int) -> pd.Series:
        """One upload's row, checked to belong to the practice."""
        uploads = self.uploads(practice)
        chosen = uploads[uploads["upload_id"] == upload_id]
        if chosen.empty:
            known = ", ".join(str(value) for value in uploads["upload_id"]) or "none"
            raise WorkspaceError(f"practice '{practice}' has no upload {upload_id} (uploads: {known})")
        return chosen.iloc[0]

    def table(self, name: str, upload_ids: list[int] | None = None,
              columns: tuple[str, ...] | None = None) -> pd.DataFrame:
        """Rows of one workspace table, restricted to some uploads (all rows when None) and columns."""
        known = dict(TABLES.get(name, ()))
        if not known or any(column not in known for column in columns or ()):
            raise ValueError(f"unknown workspace table or column: {name!r} {columns!r}")
        selected = ", ".join(columns) if columns else "*"
        with self._guard():
            if upload_ids is None or "upload_id" not in known:
                return self._db.execute(f"SELECT {selected} FROM {name}").df()
            return self._db.execute(
                f"SELECT {selected} FROM {name} WHERE list_contains(?, upload_id) ORDER BY upload_id",
                [[int(value) for value in upload_ids]]).df()

    def query(self, sql: str, parameters: list | dict | None = None) -> pd.DataFrame:
        """A read-only SQL query's result, so figures over many uploads are computed inside DuckDB
        instead of loading every stored line into pandas."""
        with self._guard():
            return self._db.execute(sql, parameters or []).df()

    def text_values(self) -> Iterator[tuple[str, str, pd.Series]]:
        """Every text column of every table as (table, column, distinct values): for privacy checks."""
        for table, columns in TABLES.items():
            for column, kind in columns:
                if kind == "VARCHAR":
                    with self._guard():
                        values = self._db.execute(
                            f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL").df()[column]
                    yield table, column, values


def _date(value: pd.Timestamp | None) -> object:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()
