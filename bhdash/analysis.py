"""The analysis pipeline the CLI and the dashboard share: ingested claims → checks → per-line risk.

    from bhdash.ingest import ingest
    from bhdash.analysis import analyze
    result = analyze(ingest("claims.xlsx"), payers_file="payers.csv")
    result.check.findings, result.risk, result.warnings, result.money

One function so `bhdash check` and the dashboard can never disagree about what a file contains.

A file that carries its own outcomes (paid or denied lines, e.g. a claims report with status and paid
amounts) is its own history: unless another history is given, the denial-risk model learns from the
file's adjudicated lines and scores every line of it, and expected payments come from its paid lines.
The CLI and the dashboard both get this here, so the same file gives the same findings, risk and dollars.
Pass `learn_from_file=False` to score with the documented prior instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from bhdash.ingest import ColumnMapping, IngestResult, IngestSource
from bhdash.model import Roster
from bhdash.money import FINDING_DOLLARS, MoneySummary, summarize
from bhdash.norms import load_norms
from bhdash.payers import PayerDirectory, default_directory
from bhdash.remit import RemitFile
from bhdash.remit.match import RemitMatch, match_remittances, with_remit_outcomes
from bhdash.risk import RiskModel, adjudicated_mask, score_lines
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
    check: CheckResult  # findings carry `at_risk`: their attributed dollars (bhdash.money)
    risk: pd.DataFrame  # indexed like `claims`: row, denial_risk, expected_payment, the money columns…
    risk_model: dict[str, Any] = field(default_factory=dict)
    risk_fitted: RiskModel | None = None
    warnings: list[str] = field(default_factory=list)
    paid: pd.DataFrame | None = None  # paid history behind expected payments (None: fee schedule/charge)
    learned_from_file: bool = False  # the file's own adjudicated lines trained the model

    @property
    def money(self) -> MoneySummary:
        """Certain, likely and baseline dollars over every line (`money.summarize` for a selection)."""
        return summarize(self.risk)
    remit: RemitMatch | None = None  # remittances matched to the history (or to `claims` when it is its own)


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
    learn_from_file: bool = True,
    remittances: list[RemitFile] | None = None,
    as_of: pd.Timestamp | str | None = None,
    settings: dict[str, Any] | None = None,
) -> Analysis:
    """Run every rule on the ingested claims and score each line's denial risk.

    `payers_file` / `norms_file` are a practice's own CSVs laid over the shipped tables (an
    InputFileError names the bad row); `history` holds adjudicated lines (an ingested export or its
    claims frame) that train the risk model instead of the documented prior; without it the file's own
    adjudicated lines do (see the module docstring) unless `learn_from_file` is False.
    """
    claims = ingested.claims
    history_claims = history.claims if isinstance(history, IngestResult) else history
    own_history = history_claims is None or history_claims is claims
    remit = None
    if remittances:
        # Remittances attach to the history when one is given, otherwise to the claims themselves, which
        # then train the model on their own outcomes; the remittance wins over spreadsheet outcomes.
        target = claims if own_history else history_claims
        remit = match_remittances(target, remittances)
        labeled = with_remit_outcomes(target, remit)
        if own_history:
            claims = labeled
            history_claims = None if history_claims is None else labeled
        else:
            history_claims = labeled
    directory = payers or (PayerDirectory.load(payers_file, payers_filename) if payers_file is not None
                           else default_directory())
    if norms is None and norms_file is not None:
        norms = load_norms(norms_file, norms_filename)
    moment = pd.Timestamp(as_of).normalize() if as_of is not None else default_as_of(claims)
    check = run_checks(claims, ingested.roster, as_of=moment, payers=directory, norms=norms,
                       settings=settings)
    learned_from_file = history_claims is None and learn_from_file and bool(adjudicated_mask(claims).any())
    if learned_from_file:
        history_claims = claims
    # A practice's own export usually is its history: its findings are the ones just computed.
    history_findings = check.findings if history_claims is claims else None
    scored = score_lines(claims, check.findings, history=history_claims, history_findings=history_findings,
                         roster=ingested.roster, payers=directory, as_of=moment)
    warnings = [*ingested.warnings, *check.warnings]
    if remit is not None:
        warnings += [f"Remittance file '{item.file}' not read: {item.error}"
                     for item in remit.files if item.error]
        warnings += [f"Remittance: {warning}" for item in remit.files for warning in item.warnings]
    if scored.model.get("status") not in (None, "prior", "trained") and scored.model.get("reason"):
        warnings.append(f"Denial-risk model not trained: {scored.model['reason']}; using the prior.")
    check = replace(check, findings=check.findings.assign(**{FINDING_DOLLARS: scored.finding_dollars}))
    return Analysis(
        claims=claims, roster=ingested.roster, source=ingested.source, mapping=ingested.mapping,
        skipped=ingested.skipped, rows_read=ingested.rows_read, as_of=moment, check=check,
        risk=scored.lines, risk_model=scored.model, risk_fitted=scored.fitted, warnings=warnings,
        paid=scored.paid, learned_from_file=learned_from_file, remit=remit,
    )
