"""The analysis pipeline the CLI and the dashboard share: ingested claims → checks → per-line risk.

    from bhdash.ingest import ingest
    from bhdash.analysis import analyze
    result = analyze(ingest("claims.xlsx"), payers_file="payers.csv")
    result.check.findings, result.risk, result.warnings

One function so `bhdash check` and the dashboard can never disagree about what a file contains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bhdash.ingest import ColumnMapping, IngestResult, IngestSource
from bhdash.model import Roster
from bhdash.norms import load_norms
from bhdash.payers import PayerDirectory, default_directory
from bhdash.risk import RiskModel, score_lines
from bhdash.rules import CheckResult, run_checks
from bhdash.rules.engine import default_as_of


@dataclass
class Analysis:
    """Everything one check run produced, with the ingestion facts it was based on."""

    claims: pd.DataFrame
    roster: Roster
    source: IngestSource
    mapping: list[ColumnMapping]
    skipped: pd.DataFrame
    rows_read: int
    as_of: pd.Timestamp
    check: CheckResult
    risk: pd.DataFrame  # indexed like `claims`: row, denial_risk, expected_payment, amount_at_risk, reasons…
    risk_model: dict[str, Any] = field(default_factory=dict)
    risk_fitted: RiskModel | None = None
    warnings: list[str] = field(default_factory=list)


def analyze(
    ingested: IngestResult,
    *,
    payers_file: bytes | str | Path | None = None,
    payers_filename: str | None = None,
    payers: PayerDirectory | None = None,
    norms_file: bytes | str | Path | None = None,
    norms_filename: str | None = None,
    norms: pd.DataFrame | None = None,
    history: IngestResult | pd.DataFrame | None = None,
    as_of: pd.Timestamp | str | None = None,
    settings: dict[str, Any] | None = None,
) -> Analysis:
    """Run every rule on the ingested claims and score each line's denial risk.

    `payers_file` / `norms_file` are a practice's own CSVs laid over the shipped tables (an
    InputFileError names the bad row); `history` holds adjudicated lines (an ingested export or its
    claims frame) that train the risk model instead of the documented prior.
    """
    claims = ingested.claims
    directory = payers or (PayerDirectory.load(payers_file, payers_filename) if payers_file is not None
                           else default_directory())
    if norms is None and norms_file is not None:
        norms = load_norms(norms_file, norms_filename)
    moment = pd.Timestamp(as_of).normalize() if as_of is not None else default_as_of(claims)
    check = run_checks(claims, ingested.roster, as_of=moment, payers=directory, norms=norms,
                       settings=settings)
    history_claims = history.claims if isinstance(history, IngestResult) else history
    # A practice's own export usually is its history: its findings are the ones just computed.
    history_findings = check.findings if history_claims is claims else None
    scored = score_lines(claims, check.findings, history=history_claims, history_findings=history_findings,
                         roster=ingested.roster, payers=directory, as_of=moment)
    warnings = list(check.warnings)
    if scored.model.get("status") not in (None, "prior", "trained") and scored.model.get("reason"):
        warnings.append(f"Denial-risk model not trained: {scored.model['reason']}; using the prior.")
    return Analysis(
        claims=claims, roster=ingested.roster, source=ingested.source, mapping=ingested.mapping,
        skipped=ingested.skipped, rows_read=ingested.rows_read, as_of=moment, check=check,
        risk=scored.lines, risk_model=scored.model, risk_fitted=scored.fitted, warnings=warnings,
    )
