"""The one money model: what each claim line stands to lose, in three parts, and how findings share it.

Every page, the CLI and every export read these figures; nothing else computes dollars at risk.

Per claim line — columns of `Analysis.risk` (indexed like the claims), added by `risk.score_lines`:

=================  ===================================================================================
`expected_payment` What the payer pays if the line is paid: the payer's paid history for the code, else
                   the fee schedule at the credential's percentage, else the charge (`payment_basis`).
`denial_risk`      Probability that the line is denied (the prior table, or the model learned from
                   adjudicated lines); 1.0 on an unpayable line.
`base_rate`        The payer's ordinary denial rate: what any line of this payer is denied at, with no
                   finding on it. Learned from the history's lines without error or warning findings when
                   a model is trained (shrunk towards the prior), else the prior's rate for the payer type.
`unpayable`        True when an error finding makes the line unpayable as billed (not enrolled, license
                   lapsed, invalid or deleted code, past the filing limit…): the rules listed in
                   `bhdash/reference/unpayable.csv`.
`certain_loss`     `expected_payment` on an unpayable line, else 0.
`likely_loss`      On other lines, (denial_risk − base_rate)⁺ × expected_payment: the denial risk that
                   warnings and the learned model add above the payer's ordinary rate.
`baseline_loss`    On other lines, min(denial_risk, base_rate) × expected_payment: ordinary denials the
                   practice cannot fix line by line ("expected ordinary denials"). 0 on unpayable lines.
`amount_at_risk`   certain_loss + likely_loss: the headline "at risk". It never holds baseline.
=================  ===================================================================================

certain_loss + likely_loss + baseline_loss = denial_risk × expected_payment on every line, so each
expected denied dollar is counted once, in exactly one of the three.

Attribution to findings (the `at_risk` column `attribute` gives each finding, used for dollars by family,
by rule and per finding): a line's certain loss is split equally among its unpayable findings; its likely
loss among all its findings in proportion to −log(1 − p), p being the finding's prior P(denial | hit) —
the weights under which the prior's 1 − Π(1 − p) combination is additive. A rule that fires twice on one
line shares one weight. Clinician-level findings carry no dollars. Likely loss on a line without any
finding (a pattern only the learned model sees) stays unattributed (`unattributed`). So dollars by family
or by rule sum to `amount_at_risk` minus the unattributed part, and no line is counted twice.

`summarize` gives the totals every page, the CLI and the exports show; `EXPLAIN` says how each figure
is computed (the dashboard's tooltips).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache

import numpy as np
import pandas as pd

from bhdash.reference import load_table

LINE_MONEY_COLUMNS: tuple[str, ...] = (
    "base_rate", "unpayable", "certain_loss", "likely_loss", "baseline_loss", "amount_at_risk",
)
FINDING_DOLLARS = "at_risk"

LABELS: dict[str, str] = {
    "at_risk": "At risk",
    "certain": "Certain loss",
    "likely": "Likely loss",
    "baseline": "Expected ordinary denials",
    "expected_payment": "Expected payment",
}
EXPLAIN: dict[str, str] = {
    "at_risk": "Certain loss + likely loss: money the findings put at risk, which fixing them can save. "
               "Ordinary denials are not included.",
    "certain": "The expected payment of every line that an error makes unpayable as billed (not enrolled, "
               "license lapsed, invalid code, past the filing limit…): it will not be paid unless fixed.",
    "likely": "On the other lines, the denial probability above the payer's ordinary rate (from warnings "
              "and the learned model) × the line's expected payment.",
    "baseline": "The payer's ordinary denial rate × expected payment: denials any practice sees, which no "
                "single line's fix prevents. Shown apart from the money at risk.",
    "expected_payment": "What the payers would pay if no line were denied: your paid history for the payer "
                        "and code, else the fee schedule at the credential's rate, else the charge.",
}


@cache
def _unpayable_table() -> pd.DataFrame:
    return load_table("unpayable.csv").set_index("rule")


def unpayable_rules() -> frozenset[str]:
    """Rules whose error makes a line unpayable as billed (`bhdash/reference/unpayable.csv`)."""
    return frozenset(_unpayable_table().index)


def unpayable_reason(rule: str) -> str | None:
    """Why a rule's finding makes the line unpayable (with its CARC), or None when it does not."""
    table = _unpayable_table()
    return str(table.loc[rule, "reason"]) if rule in table.index else None


def _line_findings(findings: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The findings on a claim line, with `line_index` as int64 and only the columns asked for (copying
    every text column of 300k findings took seconds)."""
    findings = findings[["line_index", *columns]]
    on_line = findings[findings["line_index"].notna()]
    return on_line.assign(line_index=on_line["line_index"].astype("int64"))


def unpayable_lines(findings: pd.DataFrame, index: pd.Index) -> pd.Series:
    """True for the lines of `index` carrying a finding that makes them unpayable as billed."""
    on_line = _line_findings(findings, "rule", "severity")
    hit = on_line.loc[on_line["rule"].isin(unpayable_rules()) & on_line["severity"].eq("error"), "line_index"]
    return pd.Series(index.isin(hit.unique()), index=index)


def split(lines: pd.DataFrame) -> pd.DataFrame:
    """The money columns from `denial_risk`, `expected_payment`, `base_rate` and `unpayable` (see the module
    docstring). An unpayable line's denial risk becomes 1.0. Returns a new frame."""
    result = lines.copy()
    unpayable = result["unpayable"].astype(bool).to_numpy()
    payment = result["expected_payment"].astype("float64").to_numpy()
    risk = np.where(unpayable, 1.0, result["denial_risk"].astype("float64").to_numpy())
    base = np.minimum(result["base_rate"].astype("float64").to_numpy(), risk)
    result["denial_risk"] = risk
    result["certain_loss"] = np.where(unpayable, payment, 0.0)
    result["likely_loss"] = np.where(unpayable, 0.0, (risk - base) * payment)
    result["baseline_loss"] = np.where(unpayable, 0.0, base * payment)
    result["amount_at_risk"] = result["certain_loss"] + result["likely_loss"]
    return result


def attribute(findings: pd.DataFrame, lines: pd.DataFrame, hit_priors: pd.Series) -> pd.Series:
    """Dollars at risk per finding (aligned with `findings`), by the attribution rule of the module
    docstring. `hit_priors` is each finding's prior P(denial | hit) (`risk.hit_priors`)."""
    dollars = pd.Series(0.0, index=findings.index)
    on_line = findings["line_index"].notna() & findings["line_index"].isin(lines.index)
    if not on_line.any():
        return dollars
    hits = findings[["line_index", "rule", "severity"]][on_line].copy()
    hits["line_index"] = hits["line_index"].astype("int64")
    line = hits["line_index"]
    certain = lines["certain_loss"].reindex(line).to_numpy()
    likely = lines["likely_loss"].reindex(line).to_numpy()
    unpayable = (hits["rule"].isin(unpayable_rules()) & hits["severity"].eq("error")).to_numpy()
    unpayable_count = pd.Series(unpayable, index=hits.index).groupby(line).transform("sum").to_numpy()
    certain_share = np.where(unpayable, certain / np.maximum(unpayable_count, 1), 0.0)
    rule_code, _ = pd.factorize(hits["rule"])  # integer keys group faster than Arrow text
    repeats = pd.Series(rule_code, index=hits.index).groupby([line, rule_code]).transform("size").to_numpy()
    prior = hit_priors.reindex(hits.index).fillna(0.0).clip(0.0, 0.999).to_numpy()
    weight = -np.log1p(-prior) / repeats
    total = pd.Series(weight, index=hits.index).groupby(line).transform("sum").to_numpy()
    count = hits.groupby("line_index")["rule"].transform("size").to_numpy()
    share = np.where(total > 0, weight / np.where(total > 0, total, 1.0), 1.0 / count)
    dollars.loc[hits.index] = certain_share + likely * share
    return dollars


def unattributed(lines: pd.DataFrame, findings: pd.DataFrame) -> float:
    """Likely loss on lines that carry no finding: what only the learned model sees."""
    with_findings = _line_findings(findings)["line_index"].unique()
    return float(lines.loc[~lines.index.isin(with_findings), "likely_loss"].sum())


@dataclass(frozen=True)
class MoneySummary:
    """The money figures for a selection of claim lines (the same on every page, the CLI and exports)."""

    lines: int
    expected_payment: float
    certain: float
    likely: float
    baseline: float
    expected_denials: float
    unpayable_lines: int

    @property
    def at_risk(self) -> float:
        """The headline: certain + likely, never baseline."""
        return self.certain + self.likely

    def as_dict(self) -> dict[str, float | int]:
        """Rounded to the cent, for JSON and tables."""
        values = asdict(self) | {"at_risk": self.at_risk}
        return {key: round(value, 2) if isinstance(value, float) else value for key, value in values.items()}


def summarize(lines: pd.DataFrame, index: pd.Index | None = None) -> MoneySummary:
    """Totals over the per-line money frame (restricted to `index`, e.g. filtered claim lines)."""
    chosen = lines if index is None else lines[lines.index.isin(index)]
    return MoneySummary(
        lines=len(chosen),
        expected_payment=float(chosen["expected_payment"].sum()),
        certain=float(chosen["certain_loss"].sum()),
        likely=float(chosen["likely_loss"].sum()),
        baseline=float(chosen["baseline_loss"].sum()),
        expected_denials=float(chosen["denial_risk"].sum()),
        unpayable_lines=int(chosen["unpayable"].sum()),
    )
