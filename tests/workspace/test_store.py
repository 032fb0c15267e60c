"""Opening, saving, duplicates, deleting and exporting, and a plain message for every bad workspace file."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from bhdash.workspace.export import practice_workbook
from bhdash.workspace.schema import SCHEMA_VERSION, TABLES, UPLOAD_TABLES
from bhdash.workspace.store import DuplicateUploadError, Workspace, WorkspaceError, default_workspace_path
from tests.workspace.fixtures import PRACTICE, TwoUploads


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_workspace_records_its_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    Workspace.open(path).close()
    with duckdb.connect(str(path), read_only=True) as db:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    assert meta == {"application": "bhdash-workspace", "schema_version": str(SCHEMA_VERSION)}


def test_default_location_is_the_env_override_else_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BHDASH_WORKSPACE", str(tmp_path / "mine.duckdb"))
    assert default_workspace_path() == tmp_path / "mine.duckdb"
    monkeypatch.delenv("BHDASH_WORKSPACE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_workspace_path() == tmp_path / "data" / "bhdash" / "workspace.duckdb"


def test_a_newer_workspace_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "newer.duckdb"
    Workspace.open(path).close()
    with duckdb.connect(str(path)) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    before = _digest(path)
    with pytest.raises(WorkspaceError, match=r"written by a newer bhdash \(workspace version 2, this bhdash "
                                             r"reads up to 1\); upgrade bhdash"):
        Workspace.open(path)
    assert _digest(path) == before


def test_a_workspace_in_use_by_another_process_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "busy.duckdb"
    Workspace.open(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time\ndb = duckdb.connect({str(path)!r})\n"
                               "print('ready', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceError, match="is in use by another program"):
            Workspace.open(path)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(("content", "expected"), [
    (b"not a database at all" * 500, "is damaged or is not a bhdash workspace"),
    (b"", "is damaged or is not a bhdash workspace"),
])
def test_an_unreadable_file_gets_a_message(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "broken.duckdb"
    path.write_bytes(content)
    with pytest.raises(WorkspaceError, match=expected):
        Workspace.open(path)


def test_a_foreign_duckdb_file_is_not_taken_for_a_workspace(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as db:
        db.execute("CREATE TABLE sales (amount INTEGER)")
    with pytest.raises(WorkspaceError, match="is a DuckDB file but not a bhdash workspace"):
        Workspace.open(path)


def test_a_tampered_table_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "tampered.duckdb"
    Workspace.open(path).close()
    with duckdb.connect(str(path)) as db:
        db.execute("ALTER TABLE findings DROP COLUMN message")
    with pytest.raises(WorkspaceError, match="table findings does not have the expected columns"):
        Workspace.open(path)


def test_a_damaged_block_is_reported_not_raised(two_uploads: TwoUploads, tmp_path: Path) -> None:
    path = two_uploads.copy(tmp_path)
    data = bytearray(path.read_bytes())
    data[20_000:60_000] = b"\x55" * 40_000
    path.write_bytes(bytes(data))
    with pytest.raises(WorkspaceError, match=r"workspace '.*' (is damaged|could not be used)"):  # noqa: SIM117
        with Workspace.open(path) as workspace:
            for table in TABLES:
                workspace.table(table)


def test_saving_the_same_file_twice_asks_first(two_uploads: TwoUploads, tmp_path: Path) -> None:
    path = two_uploads.copy(tmp_path)
    with Workspace.open(path) as workspace:
        record = workspace_record(two_uploads)
        with pytest.raises(DuplicateUploadError, match=f"already stored in '{PRACTICE}' as upload "
                                                       f"{two_uploads.after.upload_id}") as refused:
            workspace.save_upload(PRACTICE, record)
        assert refused.value.existing["upload_id"].tolist() == [two_uploads.after.upload_id]
        assert len(workspace.uploads(PRACTICE)) == 2
        # Another practice may hold the same file; the same practice only when forced.
        workspace.save_upload("Another practice", record)
        forced = workspace.save_upload(PRACTICE, record, force=True)
        assert workspace.uploads(PRACTICE)["upload_id"].tolist()[-1] == forced
        assert len(workspace.table("lines", [forced])) == two_uploads.after.analysis.claims.shape[0]


def workspace_record(two_uploads: TwoUploads):
    from bhdash.workspace.record import file_digest, record_analysis

    after = two_uploads.after
    return record_analysis(after.analysis, file_name=after.path.name, digest=file_digest(after.path))


def _row_counts(workspace: Workspace) -> dict[str, pd.Series]:
    return {table: workspace.table(table).groupby("upload_id").size() for table in UPLOAD_TABLES}


def test_deleting_an_upload_removes_its_rows_and_keeps_the_others(
    two_uploads: TwoUploads, tmp_path: Path
) -> None:
    path = two_uploads.copy(tmp_path)
    gone, kept = two_uploads.before.upload_id, two_uploads.after.upload_id
    with Workspace.open(path) as workspace:
        counts = _row_counts(workspace)
        workspace.delete_upload(gone)
    with Workspace.open(path, read_only=True) as workspace:
        assert workspace.uploads(PRACTICE)["upload_id"].tolist() == [kept]
        for table in UPLOAD_TABLES:
            rows = workspace.table(table)
            assert gone not in set(rows["upload_id"]), table
            assert len(rows) == counts[table].get(kept, 0), table
        with pytest.raises(WorkspaceError, match=f"no upload {gone}"):
            workspace.delete_upload(gone)


def test_deleting_a_practice_removes_every_row(two_uploads: TwoUploads, tmp_path: Path) -> None:
    path = two_uploads.copy(tmp_path)
    with Workspace.open(path) as workspace:
        assert workspace.delete_practice(PRACTICE) == 2
    with duckdb.connect(str(path), read_only=True) as db:
        for table in ("practices", "uploads", *UPLOAD_TABLES):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_export_has_one_sheet_per_table_with_every_row(two_uploads: TwoUploads) -> None:
    with Workspace.open(two_uploads.path, read_only=True) as workspace:
        content = practice_workbook(workspace, PRACTICE)
        expected = {table: len(workspace.table(table)) for table in UPLOAD_TABLES}
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == ["practice", "uploads", *UPLOAD_TABLES]
    assert book["uploads"].max_row == 3
    for table, rows in expected.items():
        assert book[table].max_row == rows + 1, table


def test_unknown_practice_names_the_known_ones(two_uploads: TwoUploads) -> None:
    with (Workspace.open(two_uploads.path, read_only=True) as workspace,
          pytest.raises(WorkspaceError, match=f"no practice named 'Nope'.*practices: {PRACTICE}")):
        workspace.uploads("Nope")
