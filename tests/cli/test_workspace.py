"""`bhdash check --save`, `history`, `compare` and `workspace practices|export|delete` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from bhdash.cli import app
from tests.workspace.fixtures import PRACTICE, TwoUploads
from tests.workspace.test_compare import expected_counts

RUNNER = CliRunner()


def run(*arguments: str):
    return RUNNER.invoke(app, [str(argument) for argument in arguments])


def test_check_save_stores_a_run_and_refuses_the_same_file_twice(
    two_uploads: TwoUploads, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws.duckdb"
    claims = two_uploads.before.path
    as_of = f"{two_uploads.before.export.as_of:%Y-%m-%d}"
    first = run("check", claims, "--as-of", as_of, "--save", "Clinic A", "--workspace", workspace)
    assert first.exit_code == 0, first.output
    assert f"saved as upload 1 of 'Clinic A' in {workspace}" in first.output
    again = run("check", claims, "--save", "Clinic A", "--workspace", workspace)
    assert again.exit_code == 1
    assert "is already stored in 'Clinic A' as upload 1" in again.output
    assert "use --force" in again.output
    forced = run("check", claims, "--save", "Clinic A", "--workspace", workspace, "--force")
    assert forced.exit_code == 0, forced.output
    assert "saved as upload 2 of 'Clinic A'" in forced.output
    history = run("history", "Clinic A", "--workspace", workspace, "--format", "json")
    document = json.loads(history.stdout)
    assert [upload["upload_id"] for upload in document["uploads"]] == [1, 2]
    assert document["uploads"][0]["claim_lines"] == len(two_uploads.before.analysis.claims)
    assert document["uploads"][0]["file_name"] == claims.name


def test_history_lists_uploads_with_kpis(two_uploads: TwoUploads) -> None:
    result = run("history", PRACTICE, "--workspace", two_uploads.path)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{PRACTICE}: 2 uploads")
    lines = result.output.splitlines()
    before, after = two_uploads.before, two_uploads.after
    assert f"{len(before.analysis.claims):,}" in lines[2] and before.path.name in lines[2]
    assert f"{len(after.analysis.claims):,}" in lines[3] and after.path.name in lines[3]


def test_compare_prints_the_counts_checked_by_hand(two_uploads: TwoUploads) -> None:
    expected = expected_counts(two_uploads)
    result = run("compare", PRACTICE, "--workspace", two_uploads.path)
    assert result.exit_code == 0, result.output
    assert f"upload {two_uploads.before.upload_id} → upload {two_uploads.after.upload_id}" in result.output
    assert ", ".join(f"{count} {change}" for change, count in expected.items()) in result.output
    assert "Money at risk by family:" in result.output and "Money at risk by clinician:" in result.output
    as_json = json.loads(run("compare", PRACTICE, "--workspace", two_uploads.path, "--from",
                             two_uploads.before.upload_id, "--to", two_uploads.after.upload_id,
                             "--format", "json").stdout)
    assert as_json["counts"] == expected
    assert len(as_json["findings"]) == sum(expected.values())


def test_export_and_delete(two_uploads: TwoUploads, tmp_path: Path) -> None:
    workspace = two_uploads.copy(tmp_path)
    out = tmp_path / "export.xlsx"
    exported = run("workspace", "export", PRACTICE, "--out", out, "--workspace", workspace)
    assert exported.exit_code == 0, exported.output
    assert openpyxl.load_workbook(out, read_only=True).sheetnames[:2] == ["practice", "uploads"]
    deleted = run("workspace", "delete", PRACTICE, "--upload", two_uploads.before.upload_id, "--yes",
                  "--workspace", workspace)
    assert deleted.exit_code == 0, deleted.output
    history = json.loads(run("history", PRACTICE, "--workspace", workspace, "--format", "json").stdout)
    assert [upload["upload_id"] for upload in history["uploads"]] == [two_uploads.after.upload_id]
    gone = run("workspace", "delete", PRACTICE, "--yes", "--workspace", workspace)
    assert gone.exit_code == 0, gone.output
    listing = run("workspace", "practices", "--workspace", workspace)
    assert "no practices yet" in listing.output


def test_a_bad_workspace_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"garbage" * 1000)
    result = run("history", PRACTICE, "--workspace", broken)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: workspace '{broken}' is damaged or is not a bhdash workspace (IO Error: The file "
        f"\"{broken}\" exists, but it is not a valid DuckDB database file!)"]
    missing = run("compare", "Nobody", "--workspace", tmp_path / "absent.duckdb")
    assert missing.exit_code == 2
    assert "does not exist yet" in missing.output


def test_sample_seeds_a_deterministic_demo_workspace(tmp_path: Path) -> None:
    tables = []
    for name in ("one", "two"):
        path = tmp_path / f"{name}.duckdb"
        result = run("sample", "--workspace", path, "--uploads", 2, "--lines", 600)
        assert result.exit_code == 0, result.output
        assert "saved 2 monthly uploads of 'Lakeview Behavioral Health (demo)'" in result.output
        tables.append(json.loads(run("history", "Lakeview Behavioral Health (demo)", "--workspace", path,
                                     "--format", "json").stdout)["uploads"])
    assert tables[0] == tables[1]
    assert [upload["analysed_at"][:10] for upload in tables[0]] == ["2026-10-02", "2026-11-02"]
