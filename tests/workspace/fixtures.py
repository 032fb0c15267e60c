"""Two monthly uploads of the demo practice (before and after its fix campaign), analysed once per session.

Kept small (a fraction of the sample's patients) so the session pays for two analyses, not twelve.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from bhdash.analysis import Analysis, analyze
from bhdash.ingest import ingest
from bhdash.sample.generator import SamplePractice
from bhdash.sample.layouts import write_claims_detail
from bhdash.workspace.demo import CAMPAIGN_MONTH, demo_versions, month_export
from bhdash.workspace.record import file_digest, record_analysis
from bhdash.workspace.store import Workspace

PRACTICE = "Lakeview test"
SCALE = 0.15


@dataclass
class StoredUpload:
    number: int
    export: SamplePractice
    path: Path
    analysis: Analysis
    upload_id: int


@dataclass
class TwoUploads:
    path: Path
    before: StoredUpload
    after: StoredUpload

    def copy(self, folder: Path) -> Path:
        """A private copy of the workspace file, for tests that change it."""
        target = folder / "copy.duckdb"
        shutil.copy(self.path, target)
        return target


@pytest.fixture(scope="session")
def two_uploads(tmp_path_factory: pytest.TempPathFactory) -> TwoUploads:
    folder = tmp_path_factory.mktemp("two_uploads")
    versions = demo_versions(months=CAMPAIGN_MONTH, scale=SCALE)
    stored = []
    path = folder / "workspace.duckdb"
    with Workspace.open(path) as workspace:
        for number in (CAMPAIGN_MONTH - 1, CAMPAIGN_MONTH):
            export = month_export(versions, number)
            claims_file = folder / f"claims_{number}.xlsx"
            write_claims_detail(export, claims_file)
            analysis = analyze(ingest(claims_file), as_of=export.as_of)
            record = record_analysis(analysis, file_name=claims_file.name, digest=file_digest(claims_file),
                                     analysed_at=export.as_of + pd.Timedelta(days=2))
            upload_id = workspace.save_upload(PRACTICE, record)
            stored.append(StoredUpload(number, export, claims_file, analysis, upload_id))
    return TwoUploads(path=path, before=stored[0], after=stored[1])
