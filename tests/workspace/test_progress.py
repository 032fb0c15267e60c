"""The Progress page's finding changes, counted in DuckDB, against the rows counted by hand."""

from __future__ import annotations

from bhdash.workspace.progress import finding_changes
from bhdash.workspace.store import Workspace
from tests.workspace.fixtures import TwoUploads
from tests.workspace.test_compare import expected_counts


def test_finding_changes_match_the_rows_by_hand(two_uploads: TwoUploads) -> None:
    ids = [two_uploads.before.upload_id, two_uploads.after.upload_id]
    with Workspace.open(two_uploads.path, read_only=True) as workspace:
        changes = finding_changes(workspace, ids)
        alone = finding_changes(workspace, ids[:1])
    assert changes[["upload_id", "previous"]].values.tolist() == [[ids[1], ids[0]]]
    assert changes.drop(columns=["upload_id", "previous"]).iloc[0].to_dict() == expected_counts(two_uploads)
    assert alone.empty
