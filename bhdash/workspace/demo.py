"""A demo workspace: the sample practice's months saved as monthly uploads, with a fix campaign in month 4.

Each month the practice exports its last three months of claims (the first upload already covers three
months of service) (a Claims Detail Report workbook with
its roster sheets) and saves it. Before the campaign every planted problem is in the export as planted.
From month 4 on, the backlog is corrected (earlier months' problem lines re-exported as their clean
originals, the payer enrollments completed) and only one new problem in three still slips through, so the
money at risk drops and the Progress page shows findings resolved. Everything is derived from the seed:
the same seed gives the same workspace, analysis times included.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bhdash.analysis import analyze
from bhdash.ingest import ingest
from bhdash.model import OUTCOME_COLUMNS
from bhdash.sample import DEFAULT_SEED
from bhdash.sample.generator import SamplePractice, draft_practice, finish
from bhdash.sample.layouts import write_claims_detail
from bhdash.sample.outcomes import adjudicate
from bhdash.sample.problems import manifest_frame, plant_problems
from bhdash.workspace.campaign import (
    CAMPAIGN_MONTH,
    DEMO_MONTHS,
    DEMO_PRACTICE,
    MAX_DEMO_MONTHS,
    STILL_SLIPPING,
    WINDOW_MONTHS,
)
from bhdash.workspace.record import file_digest, record_analysis
from bhdash.workspace.store import Workspace

_IGNORED = {"source_row", "claim_id", "line_no", *OUTCOME_COLUMNS}


@dataclasses.dataclass
class _Versions:
    planted: SamplePractice
    clean: SamplePractice
    month: pd.Series  # service month number (1 = first) per line uid
    changed: pd.Index  # uids whose planted line differs from its clean original (or has none)


def _versions(seed: int, months: int, scale: float) -> _Versions:
    draft = draft_practice(seed=seed, months=months, scale=scale)
    clean_draft = dataclasses.replace(
        draft, lines=draft.lines.copy(), clinicians=draft.clinicians.copy(),
        enrollments=draft.enrollments.copy(), rng=np.random.default_rng(seed + 1))
    manifest = plant_problems(draft)
    adjudicate(draft, manifest)
    empty = manifest_frame([])
    adjudicate(clean_draft, empty)
    planted, clean = finish(draft, manifest, seed), finish(clean_draft, empty, seed)
    start = draft.period_start.to_period("M")
    true_dates = pd.to_datetime(draft.lines.set_index("line_uid")["true_date"])
    month = (true_dates.dt.to_period("M") - start).map(lambda offset: offset.n + 1).astype("int64")
    planted_rows = planted.claims.set_index(planted.line_uids.to_numpy())
    clean_rows = clean.claims.set_index(clean.line_uids.to_numpy())
    compared = [column for column in planted.claims.columns if column not in _IGNORED]
    shared = planted_rows.index.intersection(clean_rows.index)
    left, right = planted_rows.loc[shared, compared], clean_rows.loc[shared, compared]
    differs = ~((left == right) | (left.isna() & right.isna())).all(axis=1)
    changed = shared[differs.to_numpy()].union(planted_rows.index.difference(clean_rows.index))
    return _Versions(planted=planted, clean=clean, month=month, changed=changed)


def _data_month(upload: int) -> int:
    """The last service month (1 = the generated data's first) exported in upload number `upload`."""
    return upload + WINDOW_MONTHS - 1


def _fixed(versions: _Versions, upload: int) -> pd.Index:
    """Uids whose clean original is exported in this upload's file (nothing before the campaign)."""
    if upload < CAMPAIGN_MONTH:
        return pd.Index([], dtype="int64")
    changed = versions.changed
    backlog = versions.month.reindex(changed).to_numpy() < _data_month(CAMPAIGN_MONTH)
    return changed[backlog | (changed.to_numpy() % STILL_SLIPPING != 0)]


def month_export(versions: _Versions, upload: int) -> SamplePractice:
    """The practice as exported for upload number `upload` (1 = first): its last WINDOW_MONTHS months."""
    planted, clean = versions.planted, versions.clean
    uids = planted.line_uids
    last_month = _data_month(upload)
    in_window = versions.month.reindex(uids.to_numpy()).between(
        last_month - WINDOW_MONTHS + 1, last_month).to_numpy()
    fixed = _fixed(versions, upload)
    keep_planted = in_window & ~uids.isin(fixed).to_numpy()
    clean_position = pd.Series(np.arange(len(clean.line_uids)), index=clean.line_uids.to_numpy())
    restored_uids = uids[in_window & uids.isin(fixed).to_numpy() & uids.isin(clean_position.index).to_numpy()]
    restored = clean.claims.iloc[clean_position.loc[restored_uids.to_numpy()].to_numpy()].copy()
    # A corrected line keeps the claim it was billed on.
    restored["claim_id"] = planted.claims.loc[restored_uids.index, "claim_id"].to_numpy()
    claims = pd.concat([planted.claims[keep_planted], restored])
    line_uid = np.concatenate([uids[keep_planted].to_numpy(), restored_uids.to_numpy()])
    order = np.lexsort((claims["line_no"].to_numpy(), claims["claim_id"].to_numpy(),
                        claims["service_date"].to_numpy()))
    claims, line_uid = claims.iloc[order].reset_index(drop=True), line_uid[order]
    claims["source_row"] = np.arange(len(claims)) + 2
    period_end = (planted.period_start.to_period("M") + last_month - 1).to_timestamp(how="end").normalize()
    period_start = (period_end.to_period("M") - (WINDOW_MONTHS - 1)).to_timestamp()
    campaign = upload >= CAMPAIGN_MONTH
    # The unparseable dates planted on lines still exported as planted, at their row in this file.
    bad_dates = planted.manifest[planted.manifest["problem"] == "unparseable_date"]
    planted_uid = uids.to_numpy()[(bad_dates["source_row"] - 2).astype(int).to_numpy()]
    row_of = pd.Series(claims["source_row"].to_numpy(), index=line_uid)
    row_of = row_of[~row_of.index.isin(fixed)]
    bad_dates = bad_dates.assign(source_row=row_of.reindex(planted_uid).to_numpy()).dropna(
        subset=["source_row"])
    return dataclasses.replace(
        planted, claims=claims, manifest=bad_dates, as_of=period_end, period_start=period_start,
        period_end=period_end, roster=clean.roster if campaign else planted.roster,
        clinicians=clean.clinicians if campaign else planted.clinicians,
        line_uids=pd.Series(dtype="int64"))


def seed_demo(
    workspace: Workspace,
    *,
    practice: str = DEMO_PRACTICE,
    seed: int = DEFAULT_SEED,
    months: int = DEMO_MONTHS,
    scale: float = 1.0,
    force: bool = False,
) -> list[int]:
    """Analyse and save `months` monthly uploads into `practice`; returns the upload ids, oldest first."""
    versions = demo_versions(seed, months, scale)
    with tempfile.TemporaryDirectory(prefix="bhdash-demo-") as folder:
        return [save_export(workspace, practice, month_export(versions, upload), Path(folder), force=force)
                for upload in range(1, months + 1)]


def demo_versions(seed: int = DEFAULT_SEED, months: int = DEMO_MONTHS, scale: float = 1.0) -> _Versions:
    """The planted and clean sample practice covering `months` uploads (plus the first window's months)."""
    if not 1 <= months <= MAX_DEMO_MONTHS:
        raise ValueError(f"the demo has 1 to {MAX_DEMO_MONTHS} monthly uploads, not {months}")
    return _versions(seed, _data_month(months), scale)


def demo_scale(lines: int, *, seed: int = DEFAULT_SEED, months: int = DEMO_MONTHS) -> float:
    """The scale that gives about `lines` claim lines over all the demo's months of service."""
    return lines / len(draft_practice(seed=seed, months=_data_month(months)).lines)


def save_export(workspace: Workspace, practice: str, export: SamplePractice, folder: Path, *,
                force: bool = False) -> int:
    """Write one month's export as a Claims Detail workbook, check it as a user would, and save it."""
    path = folder / f"claims_detail_{export.period_end:%Y_%m}.xlsx"
    write_claims_detail(export, path)
    try:
        analysis = analyze(ingest(path), as_of=export.as_of)
        record = record_analysis(analysis, file_name=path.name, digest=file_digest(path),
                                 analysed_at=export.as_of + pd.Timedelta(days=2, hours=9))
    finally:
        path.unlink()
    return workspace.save_upload(practice, record, force=force)
