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

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bhdash.ingest import ColumnMapping, IngestResult, IngestSource
from bhdash.model import Roster
from bhdash.money import FINDING_DOLLARS, MoneySummary, summarize
from bhdash.norms import load_norms
from bhdash.payers import PayerDirectory, default_directory
from bhdash.reference import icd10cm
from bhdash.remit import RemitFile
from bhdash.remit.match import RemitMatch, match_remittances, with_remit_outcomes
from bhdash.risk import (
    RiskModel,
    RiskResult,
    adjudicated_mask,
    import_learner,
    paid_history,
    score_lines,
)
from bhdash.rules import CheckResult, run_checks
from bhdash.rules.engine import default_as_of

# Per-line columns of `Analysis.risk` that depend on the risk model (pending in a `preliminary` analysis).
MODEL_COLUMNS = ("denial_risk", "base_rate", "likely_loss", "baseline_loss", "amount_at_risk", "reasons")


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
    remit: RemitMatch | None = None  # remittances matched to the history (or to `claims` when it is its own)
    model_pending: bool = False  # `preliminary`: the model's figures (MODEL_COLUMNS, finding dollars) are NaN

    @property
    def money(self) -> MoneySummary:
        """Certain, likely and baseline dollars over every line (`money.summarize` for a selection)."""
        return summarize(self.risk)


def prepare_analysis() -> None:
    """Load what an analysis needs besides the claims: scikit-learn (about a second to import) and the
    ICD-10-CM table. `bhdash check` runs this in a thread while calamine parses the workbook, which it
    does without holding the GIL, so the loading costs no wall time."""
    icd10cm.preload()
    import_learner()


def analyze(ingested: IngestResult, **options: Any) -> Analysis:
    """Run every rule on the ingested claims and score each line's denial risk: `check_claims` (whose
    keyword options it takes) and `complete` in a row."""
    return complete(check_claims(ingested, **options))


@dataclass(frozen=True)
class Checked:
    """The rules' half of an analysis (`check_claims`): enough to show findings at once, while `complete`
    fits the risk model and computes the money. `analyze` is the two in a row."""

    ingested: IngestResult
    claims: pd.DataFrame  # with remittance outcomes when the claims are their own history
    payers: PayerDirectory
    as_of: pd.Timestamp
    check: CheckResult
    history: pd.DataFrame | None  # adjudicated lines the model learns from (None: the prior)
    learned_from_file: bool
    remit: RemitMatch | None

    @property
    def training_lines(self) -> int:
        """Adjudicated (paid or denied) lines the model trains on; 0 when the prior is used."""
        return 0 if self.history is None else int(adjudicated_mask(self.history).sum())


def check_claims(
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
    checker: Callable[..., CheckResult] = run_checks,
) -> Checked:
    """The rules run on the claims, and the history the risk model will learn from.

    `payers_file` / `norms_file` are a practice's own CSVs laid over the shipped tables (an
    InputFileError names the bad row); `history` holds adjudicated lines (an ingested export or its
    claims frame) that train the risk model instead of the documented prior; without it the file's own
    adjudicated lines do (see the module docstring) unless `learn_from_file` is False. `checker` runs the
    rules: `run_checks`, or the dashboard's `AnalysisWorker.run_checks`, which gives the same result.
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
    check = checker(claims, ingested.roster, as_of=moment, payers=directory, norms=norms,
                       settings=settings)
    learned_from_file = history_claims is None and learn_from_file and bool(adjudicated_mask(claims).any())
    if learned_from_file:
        history_claims = claims
    return Checked(ingested=ingested, claims=claims, payers=directory, as_of=moment, check=check,
                   history=history_claims, learned_from_file=learned_from_file, remit=remit)


def _warnings(checked: Checked) -> list[str]:
    warnings = [*checked.ingested.warnings, *checked.check.warnings]
    if checked.remit is not None:
        warnings += [f"Remittance file '{item.file}' not read: {item.error}"
                     for item in checked.remit.files if item.error]
        warnings += [f"Remittance: {warning}" for item in checked.remit.files for warning in item.warnings]
    return warnings


def score_checked(checked: Checked) -> RiskResult:
    """The risk model's share of `complete`: fit it on the history (if any), score every line and attribute
    the money. It reads only `checked`, so the dashboard runs it in a worker process."""
    # A practice's own export usually is its history: its findings are the ones just computed.
    history_findings = checked.check.findings if checked.history is checked.claims else None
    return score_lines(checked.claims, checked.check.findings, history=checked.history,
                       history_findings=history_findings, roster=checked.ingested.roster,
                       payers=checked.payers, as_of=checked.as_of)


def complete(checked: Checked, scored: RiskResult | None = None) -> Analysis:
    """Fit the risk model on the history (if any), score every line and attribute the money; `scored` is
    `score_checked(checked)` when it was computed elsewhere."""
    claims, ingested = checked.claims, checked.ingested
    scored = scored if scored is not None else score_checked(checked)
    warnings = _warnings(checked)
    if scored.model.get("status") not in (None, "prior", "trained") and scored.model.get("reason"):
        warnings.append(f"Denial-risk model not trained: {scored.model['reason']}; using the prior.")
    check = replace(checked.check,
                    findings=checked.check.findings.assign(**{FINDING_DOLLARS: scored.finding_dollars}))
    return Analysis(
        claims=claims, roster=ingested.roster, source=ingested.source, mapping=ingested.mapping,
        skipped=ingested.skipped, rows_read=ingested.rows_read, as_of=checked.as_of, check=check,
        risk=scored.lines, risk_model=scored.model, risk_fitted=scored.fitted, warnings=warnings,
        paid=scored.paid, learned_from_file=checked.learned_from_file, remit=checked.remit,
    )


def preliminary(checked: Checked) -> Analysis:
    """The analysis as far as it goes without the risk model, for showing findings while `complete` fits it.

    Expected payments, unpayable lines and certain loss are final (they need no model). Every figure the
    model decides (denial risk, the payer's ordinary rate, likely loss, expected ordinary denials, at risk
    per line and per finding) is NaN, and `model_pending` is True: a page must say these are pending.
    """
    claims = checked.claims
    paid = paid_history(checked.history, checked.payers) if checked.history is not None else None
    scored = score_lines(claims, checked.check.findings, paid=paid, roster=checked.ingested.roster,
                         payers=checked.payers, as_of=checked.as_of, explain=False)
    risk = scored.lines.assign(**{column: np.nan for column in MODEL_COLUMNS})
    check = replace(checked.check, findings=checked.check.findings.assign(**{FINDING_DOLLARS: np.nan}))
    ingested = checked.ingested
    return Analysis(
        claims=claims, roster=ingested.roster, source=ingested.source, mapping=ingested.mapping,
        skipped=ingested.skipped, rows_read=ingested.rows_read, as_of=checked.as_of, check=check,
        risk=risk, risk_model={"status": "pending", "history_lines": checked.training_lines},
        warnings=_warnings(checked), paid=paid, learned_from_file=checked.learned_from_file,
        remit=checked.remit, model_pending=True,
    )
