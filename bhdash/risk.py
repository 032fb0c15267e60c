"""Denial risk per claim line, expected payment and dollars at risk.

Without history the risk is a transparent prior (`reference/denial_priors.csv`): a base rate per payer
type combined with P(denial | rule hit) per family × severity (× payer type) as 1 − Π(1 − p). With an
adjudicated history it is a logistic regression on pre-submission fields only, evaluated on a
patient-grouped split so that a patient's lines never sit on both sides. Outcome columns (status,
denial_reason, paid_amount) are labels and never features: using them would be leakage.

Training is separate from scoring (`fit_risk_model` once, `score_lines` many times) so a what-if can
rescore ~25k lines well under a second.
"""

from __future__ import annotations

import importlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from bhdash import money
from bhdash.distinct import distinct_ids, per_distinct
from bhdash.model import FAMILY_NAMES, MODIFIER_COLUMNS, OUTCOME_COLUMNS, PAYER_TYPE_NAMES, Roster
from bhdash.norms import line_payer_types
from bhdash.payers import PayerDirectory, default_directory
from bhdash.reference import load_table
from bhdash.rules import run_checks

if TYPE_CHECKING:  # scikit-learn loads only when a model is trained (an export without outcomes never is)
    from sklearn.linear_model import LogisticRegression

# What a fit imports: scikit-learn takes about a second to import, so a caller that will fit may start
# `import_learner` early (`bhdash.analysis.prepare_analysis`).
LEARNER_MODULES = ("sklearn.linear_model", "sklearn.metrics", "sklearn.model_selection", "threadpoolctl")


def import_learner() -> None:
    """Import what a fit needs now; a missing package is left for the fit to report."""
    for name in LEARNER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            return


DENIAL_LABEL = (
    "denied = the status mentions a denial or rejection (e.g. 'Denied', 'Rejected') or a denial reason "
    "is present; a line counts as adjudicated when it is denied, carries a paid amount, or its status "
    "says paid/processed/closed; pending lines ('Submitted', 'Not billed', blank) are ignored"
)
_DENIED_STATUS = r"den(?:y|ied|ial)|reject"
_FINAL_STATUS = r"\bpaid\b|processed|adjudicated|closed|settled"
MIN_HISTORY_LINES = 200
MIN_DENIALS = 20
RANDOM_STATE = 0
_CATEGORICAL = ("payer", "payer_type", "code", "credential", "pos", "payer_code", "submission_lag")
# Days from service to submission, binned around common filing windows (bh_coding_rules.md §9: 90, 180,
# 365 days) so that a very late line cannot extrapolate a linear effect to certainty.
_LAG_EDGES = (-1, 30, 60, 90, 180, 365, 10_000)
_LAG_LABELS = ("0-30 days", "31-60 days", "61-90 days", "91-180 days", "181-365 days", "over 365 days")
_REASON_COUNT = 3
MIN_CATEGORY_LINES = 10  # a payer, code… value seen on fewer history lines shares the "(rare)" column
ORDINARY_PSEUDO_LINES = 50.0  # prior weight, in lines, of a payer's ordinary denial rate (see RiskModel)
_MIN_REASON_LOGIT = 0.05  # a learned effect must add at least this much log-odds to be named
RISK_COLUMNS: tuple[str, ...] = (
    "row", "denial_risk", "expected_payment", "payment_basis", *money.LINE_MONEY_COLUMNS, "reasons",
    "risk_source",
)


# --- labels -------------------------------------------------------------------------------------------


def adjudicated_mask(history: pd.DataFrame) -> pd.Series:
    """Lines whose outcome is known: denied, paid (an amount, or a final status); not pending ones."""
    known = denial_label(history)
    if "paid_amount" in history.columns:
        known |= history["paid_amount"].notna()
    if "status" in history.columns:
        known |= history["status"].astype("string").str.contains(_FINAL_STATUS, case=False, regex=True,
                                                                 na=False)
    return known


def denial_label(history: pd.DataFrame) -> pd.Series:
    """True where the line was denied (see DENIAL_LABEL)."""
    denied = pd.Series(False, index=history.index)
    if "status" in history.columns:
        denied |= history["status"].astype("string").str.contains(_DENIED_STATUS, case=False, regex=True,
                                                                   na=False)
    if "denial_reason" in history.columns:
        reason = history["denial_reason"].astype("string").str.strip()
        denied |= reason.notna() & (reason != "")
    return denied


# --- expected payment ---------------------------------------------------------------------------------


def load_fee_schedule() -> pd.DataFrame:
    """National PFS amounts by code × year × setting (payer_norms.md §5), amounts as floats."""
    table = load_table("fee_schedule.csv")
    table["amount"] = table["amount"].astype("float64")
    table["year"] = table["year"].astype("int64")
    return table


def _fee_setting(claims: pd.DataFrame) -> pd.Series:
    settings = load_table("pos_fee_setting.csv")
    setting = pd.Series("non_facility", index=claims.index, dtype="string")
    if "pos" not in claims.columns:
        return setting
    dates = (claims["service_date"] if "service_date" in claims.columns
             else pd.Series(pd.NaT, index=claims.index))
    for row in settings.itertuples(index=False):
        starts = row.effective_from if pd.notna(row.effective_from) else pd.Timestamp.min
        in_window = dates.isna() | (dates >= starts)
        if pd.notna(row.effective_to):
            in_window &= dates.isna() | (dates <= row.effective_to)
        setting = setting.mask(claims["pos"].eq(row.pos) & in_window, row.setting)
    return setting


def fee_schedule_amount(
    claims: pd.DataFrame, fee_schedule: pd.DataFrame | None = None, credentials: pd.Series | None = None,
) -> pd.Series:
    """Fee-schedule payment per line: the amount for the code, the service year (nearest year on file)
    and the POS setting (non-facility when that setting has no amount), times the credential's
    percentage (fee_percentages.csv; 100% when the credential is unknown). NaN for codes not on file."""
    fees = load_fee_schedule() if fee_schedule is None else fee_schedule
    year = (claims["service_date"].dt.year if "service_date" in claims.columns
            else pd.Series(np.nan, index=claims.index)).fillna(fees["year"].max()).astype("int64")
    lines = pd.DataFrame({"code": claims["procedure_code"].astype("string"), "year": year,
                          "setting": _fee_setting(claims), "position": np.arange(len(claims))})
    amount = pd.Series(np.nan, index=range(len(claims)))
    for setting_choice in ("line", "non_facility"):
        wanted = lines if setting_choice == "line" else lines.assign(setting="non_facility")
        wanted = wanted[amount.isna().to_numpy()]
        if wanted.empty:
            break
        keyed = wanted.assign(key=(wanted["code"] + "|" + wanted["setting"]).astype("string"))
        keyed = keyed.dropna(subset=["key"])
        table = fees.assign(key=(fees["code"] + "|" + fees["setting"]).astype("string"))
        table = table[["key", "year", "amount"]]
        matched = pd.merge_asof(keyed.sort_values("year"), table.sort_values("year"), on="year", by="key",
                                direction="nearest")
        amount.loc[matched["position"].to_numpy()] = matched["amount"].to_numpy()
    percentages = load_table("fee_percentages.csv").set_index("credential")["percent_of_fee_schedule"]
    credentials = credentials if credentials is not None else Roster().credentials_for(claims)
    percent = credentials.reindex(claims.index).map(percentages.astype("float64")).fillna(100.0)
    return pd.Series(amount.to_numpy() * percent.to_numpy() / 100.0, index=claims.index)


def paid_history(history: pd.DataFrame, payers: PayerDirectory | None = None,
                 min_lines: int = 3) -> pd.DataFrame:
    """Median paid amount per payer × code over paid (not denied, paid > 0) lines, with ≥ min_lines."""
    payers = payers or default_directory()
    if "paid_amount" not in history.columns or "procedure_code" not in history.columns:
        return pd.DataFrame(columns=["payer_key", "code", "paid_median", "paid_lines"])
    paid = history[~denial_label(history) & (pd.to_numeric(history["paid_amount"], errors="coerce") > 0)]
    frame = pd.DataFrame({"payer_key": _payer_key(paid, payers), "code": paid["procedure_code"],
                          "paid": paid["paid_amount"].astype("float64")})
    stats = frame.groupby(["payer_key", "code"])["paid"].agg(["median", "size"]).reset_index()
    return stats[stats["size"] >= min_lines].rename(columns={"median": "paid_median", "size": "paid_lines"})


# Resolved payer names per directory (alias matching is a regex scan; a practice has a handful of payer
# names over thousands of lines and rescoring asks for the same names again and again).
_RESOLVED: dict[int, tuple[weakref.ref, dict[str, str]]] = {}


def payer_keys(names: pd.Series, payers: PayerDirectory | None = None) -> pd.Series:
    """Canonical payer per name (the name itself when the table does not know it), each distinct name
    resolved once per payer directory."""
    payers = payers or default_directory()
    entry = _RESOLVED.get(id(payers))
    if entry is None or entry[0]() is not payers:
        for key in [key for key, (ref, _) in _RESOLVED.items() if ref() is None]:
            del _RESOLVED[key]
        entry = (weakref.ref(payers), {})
        _RESOLVED[id(payers)] = entry
    known = entry[1]
    new = pd.Series([name for name in names.dropna().unique() if name not in known], dtype="string")
    if len(new):
        known.update(zip(new, payers.canonical_payer(new).fillna(new), strict=True))
    return names.map(known).astype("string")


def _payer_key(claims: pd.DataFrame, payers: PayerDirectory) -> pd.Series:
    if "payer" not in claims.columns:
        return pd.Series(pd.NA, index=claims.index, dtype="string")
    return payer_keys(claims["payer"], payers)


def expected_payment(
    claims: pd.DataFrame,
    *,
    paid: pd.DataFrame | None = None,
    fee_schedule: pd.DataFrame | None = None,
    credentials: pd.Series | None = None,
    payers: PayerDirectory | None = None,
    line_payer_keys: pd.Series | None = None,
) -> pd.DataFrame:
    """Expected payment per line and its basis: the payer's paid history for the code (`paid_history`),
    else the fee schedule at the credential's percentage, else the charge. `line_payer_keys`: the lines'
    payer keys when the caller has them (`score_lines`)."""
    payers = payers or default_directory()
    result = pd.DataFrame(index=claims.index)
    result["expected_payment"] = np.nan
    result["payment_basis"] = pd.Series(pd.NA, index=claims.index, dtype="string")
    if paid is not None and not paid.empty:
        key = line_payer_keys if line_payer_keys is not None else _payer_key(claims, payers)
        keys = pd.DataFrame({"payer_key": key, "code": claims["procedure_code"]})
        from_history = keys.merge(paid, how="left", on=["payer_key", "code"])["paid_median"].to_numpy()
        result["expected_payment"] = from_history
        result.loc[result["expected_payment"].notna(), "payment_basis"] = "paid history"
    missing = result["expected_payment"].isna()
    if missing.any():
        fees = fee_schedule_amount(claims[missing], fee_schedule,
                                   None if credentials is None else credentials[missing])
        result.loc[missing, "expected_payment"] = fees
        result.loc[missing & result["expected_payment"].notna(), "payment_basis"] = "fee schedule"
    missing = result["expected_payment"].isna()
    if missing.any() and "charge" in claims.columns:
        result.loc[missing, "expected_payment"] = claims.loc[missing, "charge"].astype("float64")
        result.loc[missing & result["expected_payment"].notna(), "payment_basis"] = "charge"
    result["expected_payment"] = result["expected_payment"].fillna(0.0)
    result["payment_basis"] = result["payment_basis"].fillna("unknown")
    return result


# --- the prior ----------------------------------------------------------------------------------------


def load_priors() -> pd.DataFrame:
    table = load_table("denial_priors.csv")
    table["p_denial"] = table["p_denial"].astype("float64")
    return table


def _line_hits(findings: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Line-level findings on these lines, one per line × rule (clinician-level findings excluded)."""
    hits = findings[["line_index", "rule", "family", "severity"]]  # columns first: rows copy only these
    on_line = hits[hits["line_index"].notna()]
    on_line = on_line.assign(line_index=on_line["line_index"].astype("int64"))
    on_line = on_line[on_line["line_index"].isin(index)]
    return on_line.drop_duplicates(["line_index", "rule"])


def _hit_probability(hits: pd.DataFrame, priors: pd.DataFrame | None = None) -> pd.Series:
    """P(denial | hit) per hit (rule, family, severity, payer_type), from the most specific prior row: the
    rule's own, else family × severity × payer type, else family × severity, else severity. Looked up once
    per distinct (rule, family, severity, payer type): 100k lines hold 300k hits of a few hundred kinds.
    Without `priors`, the shipped table's levels are built once per process (a what-if rescore of a few
    hundred lines asks for them on every edit)."""
    levels = _shipped_hit_levels() if priors is None else _hit_levels(priors)
    keys = hits[["rule", "family", "severity", "payer_type"]]
    return per_distinct(keys, lambda distinct: _hit_lookup(distinct, levels))


_HitLevels = list[tuple[tuple[str, ...], dict[tuple[Any, ...], float]]]


def _hit_levels(priors: pd.DataFrame) -> _HitLevels:
    """The prior's hit rows by level, most specific first, each level a dictionary from its key columns."""
    table = priors[priors["kind"] == "hit"].fillna({"payer_type": "", "family": "", "rule": ""})
    table = table[table["p_denial"].notna()]
    general, by_type, by_family = table["rule"] == "", table["payer_type"] != "", table["family"] != ""
    levels = []
    for keys, rows in (
        (("rule",), ~general),
        (("family", "severity", "payer_type"), general & by_type & by_family),
        (("family", "severity"), general & ~by_type & by_family),
        (("severity",), general & ~by_type & ~by_family),
    ):
        level = table[rows]
        named = level[list(keys)].itertuples(index=False, name=None)
        levels.append((keys, dict(zip(named, level["p_denial"], strict=True))))
    return levels


@cache
def _shipped_hit_levels() -> _HitLevels:
    return _hit_levels(load_priors())


def _hit_lookup(hits: pd.DataFrame, levels: _HitLevels) -> pd.Series:
    """Each (distinct) hit's probability from its most specific level."""

    def probability(hit: dict[str, Any]) -> float:
        for keys, level in levels:
            key = tuple(hit[column] for column in keys)
            if key in level:
                return level[key]
        return 0.0

    distinct = hits[["rule", "family", "severity", "payer_type"]].to_dict("records")
    return pd.Series([probability(hit) for hit in distinct], index=hits.index, dtype="float64")


def _payer_types(claims: pd.DataFrame, known: pd.Series | None = None) -> pd.Series:
    """Each line's payer type, commercial when unknown; `known`: its `line_payer_types`, when worked out."""
    return (known if known is not None else line_payer_types(claims)).fillna("commercial")


def prior_base_rates(claims: pd.DataFrame, *, payer_types: pd.Series | None = None,
                     priors: pd.DataFrame | None = None) -> pd.Series:
    """The prior's ordinary denial rate per line: the base rate of the line's payer type
    (`denial_priors.csv`; commercial when the type is unknown)."""
    priors = load_priors() if priors is None else priors
    types = payer_types if payer_types is not None else _payer_types(claims)
    base_rates = priors[priors["kind"] == "base"].set_index("payer_type")["p_denial"]
    return types.map(base_rates).fillna(base_rates.mean()).astype("float64")


def hit_priors(claims: pd.DataFrame, findings: pd.DataFrame, *,
               payer_types: pd.Series | None = None) -> pd.Series:
    """Each line finding's prior P(denial | hit), aligned with `findings` (NaN for clinician-level ones):
    the weights `money.attribute` shares a line's likely loss by. `payer_types`: `line_payer_types`."""
    on_line = findings["line_index"].notna() & findings["line_index"].isin(claims.index)
    hits = findings[["line_index", "rule", "family", "severity"]][on_line]
    types = _payer_types(claims, payer_types)
    hits = hits.assign(payer_type=types.reindex(hits["line_index"].astype("int64")).to_numpy())
    return _hit_probability(hits).reindex(findings.index)


def prior_risk(
    claims: pd.DataFrame, findings: pd.DataFrame, *, payer_types: pd.Series | None = None,
    priors: pd.DataFrame | None = None, explain: bool = True,
) -> tuple[pd.Series, pd.Series | None]:
    """P(denial) per line from the prior table, and (when explain) the top reasons per line.

    A hit's probability comes from the most specific row (`_hit_probability`). Several hits on a line
    combine as 1 − Π(1 − p) with the payer type's base rate; a rule firing twice on one line counts once.
    """
    types = _payer_types(claims, payer_types)
    base = prior_base_rates(claims, payer_types=types, priors=priors)
    hits = _line_hits(findings, claims.index)
    hits = hits.assign(payer_type=types.reindex(hits["line_index"]).to_numpy())
    p = _hit_probability(hits, priors)
    hits = hits.assign(p=p.fillna(0.0))
    survival = np.log1p(-hits["p"].clip(upper=0.999)).groupby(hits["line_index"]).sum()
    log_keep = np.log1p(-base) + survival.reindex(claims.index).fillna(0.0)
    risk = 1.0 - np.exp(log_keep)
    if not explain:
        return risk, None
    # Each line's hits by falling P(denial), ties in their order (a stable sort), the first few kept.
    ranked = hits.iloc[np.lexsort((-hits["p"].to_numpy(), hits["line_index"].to_numpy()))]
    line = ranked["line_index"].to_numpy()
    position = np.arange(len(line))
    first_of_line = np.maximum.accumulate(np.where(np.r_[True, line[1:] != line[:-1]], position, 0))
    ranked = ranked[position - first_of_line < _REASON_COUNT]
    found = _lists_by_line(ranked["line_index"].to_numpy(),
                           _shared_texts(ranked[["rule", "severity", "p"]], _hit_reason))
    base_text = _shared_texts(pd.DataFrame({"type": types.astype(str), "base": base}), _base_reason)
    reasons = pd.Series([found.get(line, [plain]) for line, plain
                         in zip(claims.index.tolist(), base_text.tolist(), strict=True)], index=claims.index)
    return risk, reasons


def _shared_texts(keys: pd.DataFrame, text: Callable[[pd.DataFrame], pd.Series]) -> np.ndarray:
    """`text(keys)` as Python strings, formatted once per distinct row of `keys` and shared by the rows
    that repeat it (100k lines' reasons hold a few hundred distinct texts, not 400k string objects)."""
    ids, first = distinct_ids(keys)
    return text(keys.iloc[first]).to_numpy(dtype=object)[ids]


def _hit_reason(hits: pd.DataFrame) -> pd.Series:
    return (hits["rule"] + " (" + hits["severity"] + ", P(denial) "
            + (hits["p"] * 100).round(0).astype(int).astype(str) + "%)")


def _base_reason(lines: pd.DataFrame) -> pd.Series:
    return "base rate " + lines["type"] + " " + (lines["base"] * 100).round(1).astype(str) + "%"


def _lists_by_line(lines: np.ndarray, texts: np.ndarray) -> dict[Any, list[str]]:
    """{line: [text, …]} for texts already sorted by line: cut at the line changes (a groupby-agg(list)
    called Python once per line, seconds on 100k lines)."""
    if not len(lines):
        return {}
    starts = np.flatnonzero(np.r_[True, lines[1:] != lines[:-1]])
    ends = np.r_[starts[1:], len(lines)]
    values = texts.tolist()
    return {line: values[start:end]
            for line, start, end in zip(lines[starts].tolist(), starts.tolist(), ends.tolist(), strict=True)}


# --- features and the learned model -------------------------------------------------------------------


def _indicators(rows: pd.Index | pd.Series, labels: np.ndarray) -> pd.DataFrame:
    """0/1 frame: one row per distinct row key, one column per label seen with it."""
    frame = pd.DataFrame({"row": np.asarray(rows), "label": labels, "one": 1.0})
    frame = frame.drop_duplicates(["row", "label"])
    return frame.pivot(index="row", columns="label", values="one").fillna(0.0)


def _modifiers(claims: pd.DataFrame) -> pd.DataFrame:
    present = [column for column in MODIFIER_COLUMNS if column in claims.columns]
    if not present:
        return pd.DataFrame(index=claims.index)
    stacked = claims[present].stack().astype(str)
    flags = _indicators(stacked.index.get_level_values(0), stacked.to_numpy())
    flags = flags.reindex(claims.index, fill_value=0)
    flags.columns = [f"modifier {name}" for name in flags.columns]
    return flags.astype("float64")


def _hit_features(claims: pd.DataFrame, findings: pd.DataFrame, payer_types: pd.Series) -> pd.DataFrame:
    hits = _line_hits(findings, claims.index)
    by_rule = _indicators(hits["line_index"], ("rule " + hits["rule"]).to_numpy())
    line_type = payer_types.reindex(hits["line_index"]).fillna("unknown").to_numpy()
    family_payer = (hits["family"] + " " + hits["severity"] + _FAMILY_HIT + line_type).to_numpy()
    by_family_payer = _indicators(hits["line_index"], family_payer)
    frame = pd.concat([by_rule, by_family_payer], axis=1)
    return frame.reindex(claims.index, fill_value=0).astype("float64")


def _submission_lag(claims: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.Series:
    """Binned days from service to submission; for a line not yet submitted, to the as-of date (the
    least it can be). Lines scored before submission have no submitted date by nature, so a "missing"
    indicator would teach the model a shortcut that does not exist at scoring time."""
    if "service_date" not in claims.columns:
        return pd.Series("(none)", index=claims.index, dtype=object)
    submitted = (claims["submitted_date"] if "submitted_date" in claims.columns
                 else pd.Series(pd.NaT, index=claims.index, dtype="datetime64[ns]"))
    if as_of is None:
        as_of = max(claims["service_date"].max(), submitted.max()) if submitted.notna().any() else (
            claims["service_date"].max())
    days = (submitted.fillna(pd.Timestamp(as_of)) - claims["service_date"]).dt.days.astype("float64")
    lag = pd.cut(days.clip(lower=0), bins=list(_LAG_EDGES), labels=list(_LAG_LABELS))
    return lag.astype(object).where(lag.notna(), "(none)")


def risk_features(claims: pd.DataFrame, findings: pd.DataFrame, *, payers: PayerDirectory | None = None,
                  credentials: pd.Series | None = None, as_of: pd.Timestamp | None = None,
                  payer_types: pd.Series | None = None,
                  line_payer_keys: pd.Series | None = None) -> pd.DataFrame:
    """Pre-submission features per line. Never reads status, denial_reason or paid_amount.

    `as_of` dates unsubmitted lines (default: the latest service or submitted date in the frame).
    `payer_types` (`line_payer_types`) and `line_payer_keys` are given when the caller has them
    (`score_lines`).
    """
    claims = claims.drop(columns=list(OUTCOME_COLUMNS), errors="ignore")  # labels, never features
    payers = payers or default_directory()
    payer_types = payer_types if payer_types is not None else line_payer_types(claims)
    credential = credentials if credentials is not None else Roster().credentials_for(claims)
    code = claims["procedure_code"].astype("string")
    payer = line_payer_keys if line_payer_keys is not None else _payer_key(claims, payers)
    frame = pd.DataFrame({
        "payer": payer, "payer_type": payer_types, "code": code,
        "credential": credential.reindex(claims.index),
        "pos": claims["pos"].astype("string") if "pos" in claims.columns else pd.NA,
        "payer_code": payer + " × " + code,
    }, index=claims.index)
    frame["submission_lag"] = _submission_lag(claims, as_of)
    for column in _CATEGORICAL:
        frame[column] = frame[column].astype("string").fillna("(none)").astype(object)
    extra = pd.concat([_modifiers(claims), _hit_features(claims, findings, payer_types)], axis=1)
    return pd.concat([frame, extra], axis=1)


@dataclass
class RiskModel:
    """A trained (or refused) denial model; `info` is JSON-ready and goes into the CLI's "model" key."""

    info: dict[str, Any]
    estimator: LogisticRegression | None = None
    design: _Design | None = None
    feature_names: tuple[str, ...] = ()
    coefficients: np.ndarray | None = None
    ordinary: pd.DataFrame | None = None  # per payer key: lines and denials without error/warning findings

    def base_rates(self, claims: pd.DataFrame, payers: PayerDirectory | None = None, *,
                   payer_types: pd.Series | None = None,
                   line_payer_keys: pd.Series | None = None) -> pd.Series:
        """The payer's ordinary denial rate per line: the history's denial rate on the payer's lines
        without error or warning findings, shrunk towards the prior's payer-type rate by
        ORDINARY_PSEUDO_LINES (so a payer seen on a few lines keeps close to the prior). `payer_types`
        (`line_payer_types`) and `line_payer_keys` are given when the caller has them (`score_lines`)."""
        prior = prior_base_rates(claims, payer_types=_payer_types(claims, payer_types))
        if self.ordinary is None or self.ordinary.empty:
            return prior
        keys = (line_payer_keys if line_payer_keys is not None
                else _payer_key(claims, payers or default_directory()))
        lines = keys.map(self.ordinary["lines"]).fillna(0.0).astype("float64")
        denials = keys.map(self.ordinary["denials"]).fillna(0.0).astype("float64")
        return (denials + ORDINARY_PSEUDO_LINES * prior) / (lines + ORDINARY_PSEUDO_LINES)

    @property
    def trained(self) -> bool:
        return self.estimator is not None

    def encode(self, features: pd.DataFrame | sparse.csr_matrix) -> sparse.csr_matrix:
        """The lines' design matrix (`predict` and `reasons` take it so they encode the lines once)."""
        if self.estimator is None or self.design is None:
            raise RuntimeError("the risk model is not trained")
        return features if sparse.issparse(features) else self.design.transform(features)

    def predict(self, features: pd.DataFrame | sparse.csr_matrix) -> np.ndarray:
        return self.estimator.predict_proba(self.encode(features))[:, 1]

    def reasons(self, features: pd.DataFrame | sparse.csr_matrix) -> list[list[str]]:
        """Per line, the learned effects that raised its odds of denial most (rule hits, payer, code …),
        each with its odds ratio: a manager reads "×1.4", not a log-odds coefficient."""
        contributions = self.encode(features).multiply(self.coefficients).tocsr()
        contributions.eliminate_zeros()
        line = np.repeat(np.arange(contributions.shape[0]), np.diff(contributions.indptr))
        order = np.lexsort((-contributions.data, line))
        line, column, value = line[order], contributions.indices[order], contributions.data[order]
        rank = np.arange(len(line)) - contributions.indptr[line]
        keep = (rank < _REASON_COUNT) & (value >= _MIN_REASON_LOGIT)
        names = np.asarray(self.feature_names, dtype=object)
        reasons: list[list[str]] = [[] for _ in range(contributions.shape[0])]
        for position, name, effect in zip(line[keep], names[column[keep]], value[keep], strict=True):
            reasons[position].append(f"{name} (odds of denial ×{np.exp(effect):.2f})")
        return reasons


_FAMILY_HIT = " findings × "  # an indicator column per family × severity × payer type of the line's hits
_FEATURE_LABELS = {
    "payer": "payer", "payer_type": "payer type", "code": "code", "credential": "credential",
    "pos": "place of service", "payer_code": "payer and code", "submission_lag": "days to submission",
}


def _effect_words(column: str, value: str | None) -> str:
    """How one learned effect reads in a line's "Why": a practice manager's words, not a feature's column
    (`value` None: the shared column of values seen on few history lines)."""
    label = _FEATURE_LABELS[column]
    if value is None:
        return f"{label}: one with few lines in the history"
    if value == "(none)":
        return f"{label} not given"
    if column == "payer_code":
        return f"{value} ({label})"
    if column == "submission_lag":
        return f"submitted {value} after the service"
    return f"{label} {value}"


def _indicator_words(name: str) -> str:
    """A family-hit indicator ("CRED error findings × commercial") as a manager reads it in a "Why"; rule
    and modifier indicators ("rule CRED-003", "modifier 95") read plainly already."""
    family_severity, found, payer_type = name.partition(_FAMILY_HIT)
    if not found:
        return name
    family, _, severity = family_severity.partition(" ")
    topic = FAMILY_NAMES.get(family, family).lower()
    lines = (f"{PAYER_TYPE_NAMES[payer_type]} lines" if payer_type in PAYER_TYPE_NAMES
             else "lines of unknown payer type")
    return f"{severity} findings on {topic}, on {lines}"


@dataclass(frozen=True)
class _Design:
    """The model's sparse design matrix: one column per categorical value seen on at least
    MIN_CATEGORY_LINES history lines, one "(rare)" column per feature for the rarer values (and values
    never seen), and the 0/1 indicator columns (modifiers, rule hits) as they are.

    Encoding once with pandas and slicing rows of one CSR matrix keeps the fit well under the time
    sklearn's per-fold ColumnTransformer/OneHotEncoder spent sorting Python strings."""

    categories: dict[str, pd.Index]
    rare: dict[str, bool]
    indicators: tuple[str, ...]

    @classmethod
    def fit(cls, features: pd.DataFrame, indicators: list[str]) -> _Design:
        categories, rare = {}, {}
        for column in _CATEGORICAL:
            counts = features[column].value_counts()
            categories[column] = pd.Index(sorted(counts.index[counts >= MIN_CATEGORY_LINES]))
            rare[column] = bool((counts < MIN_CATEGORY_LINES).any())
        return cls(categories=categories, rare=rare, indicators=tuple(indicators))

    @property
    def names(self) -> list[str]:
        names: list[str] = []
        for column in _CATEGORICAL:
            names.extend(_effect_words(column, str(category)) for category in self.categories[column])
            if self.rare[column]:
                names.append(_effect_words(column, None))
        return names + [_indicator_words(name) for name in self.indicators]

    @staticmethod
    def flags(features: pd.DataFrame, indicators: tuple[str, ...] | list[str]) -> sparse.csr_matrix:
        """The 0/1 indicator columns (modifiers, rule hits) as a sparse matrix (absent ones all 0)."""
        present = [name for name in indicators if name in features.columns]
        values = features[present].to_numpy(dtype="float64")
        if len(present) < len(indicators):
            values = pd.DataFrame(values, columns=present).reindex(
                columns=list(indicators), fill_value=0.0).to_numpy(dtype="float64")
        return sparse.csr_matrix(values)

    def transform(self, features: pd.DataFrame, flags: sparse.csr_matrix | None = None) -> sparse.csr_matrix:
        """The design matrix of these lines; `flags` (from `flags`) when already built for them."""
        rows, columns, offset = [], [], 0
        lines = np.arange(len(features))
        for column in _CATEGORICAL:
            known = self.categories[column]
            codes = known.get_indexer(features[column])
            if self.rare[column]:
                codes = np.where(codes < 0, len(known), codes)
            seen = codes >= 0
            rows.append(lines[seen])
            columns.append(codes[seen] + offset)
            offset += len(known) + int(self.rare[column])
        row, column = np.concatenate(rows), np.concatenate(columns)
        onehot = sparse.csr_matrix((np.ones(len(row)), (row, column)), shape=(len(features), offset))
        if flags is None:
            flags = self.flags(features, self.indicators)
        return sparse.hstack([onehot, flags], format="csr")


def _fit(matrix: sparse.csr_matrix, labels: np.ndarray, random_state: int) -> LogisticRegression:
    """L2 logistic regression by Newton steps (a few iterations on a few hundred columns). A maximum-
    likelihood logit's probabilities match the observed rate overall and in every one-hot group, so no
    separate calibration fit is needed; the held-out calibration table checks it. One BLAS thread: on a
    problem this small, threads only contend (several times slower on a busy machine)."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return LogisticRegression(C=0.5, solver="newton-cholesky", max_iter=200,
                                  random_state=random_state).fit(matrix, labels)


def _calibration_table(predicted: np.ndarray, observed: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Predicted vs observed denial rate in quantile bins of the predicted risk."""
    frame = pd.DataFrame({"predicted": predicted, "observed": observed.astype(float)})
    frame["bin"] = pd.qcut(frame["predicted"].rank(method="first"), q=min(bins, len(frame)), labels=False)
    table = frame.groupby("bin").agg(lines=("observed", "size"), predicted_low=("predicted", "min"),
                                     predicted_high=("predicted", "max"),
                                     mean_predicted=("predicted", "mean"), observed_rate=("observed", "mean"))
    return [{key: (int(value) if key == "lines" else round(float(value), 4)) for key, value in row.items()}
            | {"bin": int(position) + 1} for position, row in table.iterrows()]


def _refuse(reason: str, **details: Any) -> RiskModel:
    return RiskModel(info={"status": "not trained", "reason": reason, "fallback": "prior",
                           "label": DENIAL_LABEL, **details})


def fit_risk_model(
    history: pd.DataFrame,
    history_findings: pd.DataFrame,
    *,
    payers: PayerDirectory | None = None,
    credentials: pd.Series | None = None,
    random_state: int = RANDOM_STATE,
    min_lines: int = MIN_HISTORY_LINES,
    min_denials: int = MIN_DENIALS,
) -> RiskModel:
    """Train on adjudicated history; evaluate on a held-out 25% grouped by patient; refit on everything.

    Refuses (status "not trained", the prior is used) when there are too few adjudicated lines, denials
    or paid lines, or when the held-out part lacks one of the outcomes.
    """
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.model_selection import GroupShuffleSplit

    adjudicated = history[adjudicated_mask(history)]
    labels = denial_label(adjudicated).to_numpy()
    denials, paid = int(labels.sum()), int((~labels).sum())
    if len(adjudicated) < min_lines:
        return _refuse(f"history has {len(adjudicated)} adjudicated lines; at least {min_lines} are needed",
                       history_lines=len(adjudicated))
    if denials < min_denials:
        return _refuse(f"history holds {denials} denials; at least {min_denials} are needed to learn "
                       "what gets denied", history_lines=len(adjudicated), denials=denials)
    if paid < min_denials:
        return _refuse(f"history holds only {paid} lines that were not denied; at least {min_denials} are "
                       "needed", history_lines=len(adjudicated), denials=denials)
    if credentials is not None:
        credentials = credentials.reindex(adjudicated.index)
    features = risk_features(adjudicated, history_findings, payers=payers, credentials=credentials)
    indicators = sorted(column for column in features.columns if column not in _CATEGORICAL)
    groups, group_name = _groups(adjudicated)
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=random_state)
                       .split(features, labels, groups))
    if labels[test].all() or not labels[test].any() or labels[train].all() or not labels[train].any():
        return _refuse("the patient-grouped split left one side without denials or without paid lines",
                       history_lines=len(adjudicated), denials=denials)
    flags = _Design.flags(features, indicators)  # the same indicator columns for both encodings
    held_out = _Design.fit(features.iloc[train], indicators)  # the test lines never shape the encoding
    encoded = held_out.transform(features, flags)
    evaluation = _fit(encoded[train], labels[train], random_state)
    predicted = evaluation.predict_proba(encoded[test])[:, 1]
    prior_test, _ = prior_risk(adjudicated.iloc[test], history_findings, explain=False)
    design = _Design.fit(features, indicators)
    final = _fit(design.transform(features, flags), labels, random_state)
    model = RiskModel(info={}, estimator=final, design=design, feature_names=tuple(design.names),
                      coefficients=final.coef_[0],
                      ordinary=_ordinary_denials(adjudicated, labels, history_findings, payers))
    model.info = {
        "status": "trained",
        "kind": "logistic regression (one-hot payer, code, credential, POS, payer × code, days to "
                "submission in bins; modifiers; rule hits per rule and per family × severity × payer type), "
                "L2-regularised (C = 0.5), fitted by Newton steps on a sparse one-hot design",
        "label": DENIAL_LABEL,
        "features": "pre-submission only; status, denial_reason and paid_amount are labels, never features",
        "split": f"GroupShuffleSplit by {group_name}, 25% held out, random_state={random_state}",
        "history_lines": len(adjudicated), "denials": denials,
        "denial_rate": round(denials / len(adjudicated), 4),
        "train_lines": len(train), "test_lines": len(test),
        "test_denials": int(labels[test].sum()),
        "auc": round(float(roc_auc_score(labels[test], predicted)), 4),
        "prior_auc": round(float(roc_auc_score(labels[test], prior_test.to_numpy())), 4),
        "brier": round(float(brier_score_loss(labels[test], predicted)), 4),
        "calibration": _calibration_table(predicted, labels[test]),
        "ordinary_denials": {str(payer): {"lines": int(row.lines), "denials": int(row.denials)}
                             for payer, row in model.ordinary.iterrows()},
        "random_state": random_state,
    }
    return model


def _ordinary_denials(adjudicated: pd.DataFrame, labels: np.ndarray, findings: pd.DataFrame,
                      payers: PayerDirectory | None) -> pd.DataFrame:
    """Per payer key: adjudicated lines without error or warning findings, and how many were denied."""
    flagged = findings.loc[findings["line_index"].notna() & findings["severity"].isin(("error", "warning")),
                           "line_index"]
    clean = ~adjudicated.index.isin(flagged.astype("int64").unique())
    frame = pd.DataFrame({"payer": _payer_key(adjudicated, payers or default_directory()),
                          "denied": labels.astype("float64")})[clean]
    return frame.groupby("payer").agg(lines=("denied", "size"), denials=("denied", "sum")).astype("float64")


def _groups(frame: pd.DataFrame) -> tuple[np.ndarray, str]:
    """Each line's group for the split: its patient (else member, claim; a line without one is its own
    group "(row N)"), as integer codes in the sorted order of the names, so the split is the one the
    names themselves give without sorting Python strings."""
    for column in ("patient_id", "member_id", "claim_id"):
        if column in frame.columns and frame[column].notna().any():
            filled = frame[column].astype("string")
            missing = filled.isna().to_numpy()
            if missing.any():
                filled[missing] = "(row " + pd.Series(np.flatnonzero(missing).astype(str)) + ")"
            codes, _ = pd.factorize(filled, sort=True)
            return codes, column
    return np.arange(len(frame)), "line"


# --- scoring ------------------------------------------------------------------------------------------


@dataclass
class RiskResult:
    """Per-line risk (indexed like the claims) and the model description for the CLI/dashboard."""

    lines: pd.DataFrame
    model: dict[str, Any] = field(default_factory=dict)
    fitted: RiskModel | None = None  # the trained model, so what-ifs rescore with it instead of refitting
    finding_dollars: pd.Series | None = None  # money.attribute: dollars at risk per finding
    paid: pd.DataFrame | None = None  # the paid history expected payments came from


def score_lines(
    claims: pd.DataFrame,
    findings: pd.DataFrame,
    *,
    history: pd.DataFrame | None = None,
    history_findings: pd.DataFrame | None = None,
    model: RiskModel | None = None,
    roster: Roster | None = None,
    fee_schedule: pd.DataFrame | None = None,
    payers: PayerDirectory | None = None,
    paid: pd.DataFrame | None = None,
    as_of: pd.Timestamp | None = None,
    explain: bool = True,
) -> RiskResult:
    """Denial risk, expected payment and the money columns (`bhdash.money`) for every line, and the
    dollars at risk attributed to each finding.

    With `history` (adjudicated lines) a model is trained unless `model` is given; the history's rule
    hits come from `history_findings`, or from running the checks on it with `roster`. Without history,
    or when the model refuses, the prior is used and `model` says why. `as_of` dates lines not yet
    submitted (see `risk_features`); `explain=False` skips the reasons (what-ifs do not show them).
    """
    payers = payers or default_directory()
    credentials = (roster or Roster()).credentials_for(claims)
    if model is None and history is not None:
        if history_findings is None:
            history_findings = run_checks(history, roster, payers=payers).findings
        model = fit_risk_model(history, history_findings, payers=payers,
                               credentials=(roster or Roster()).credentials_for(history))
    if paid is None and history is not None:
        paid = paid_history(history, payers)
    trained = model if model is not None and model.trained else None
    # Each line's payer type, and its payer key where a figure reads it, worked out once for all of them.
    payer_types = line_payer_types(claims)
    reads_keys = trained is not None or (paid is not None and not paid.empty)
    keys = _payer_key(claims, payers) if reads_keys else None
    payment = expected_payment(claims, paid=paid, fee_schedule=fee_schedule, credentials=credentials,
                               payers=payers, line_payer_keys=keys)
    lines = pd.DataFrame(index=claims.index)
    lines["row"] = claims["source_row"] if "source_row" in claims.columns else np.arange(len(claims)) + 2
    if trained is not None:
        encoded = trained.encode(risk_features(claims, findings, payers=payers, credentials=credentials,
                                               as_of=as_of, payer_types=payer_types, line_payer_keys=keys))
        lines["denial_risk"] = trained.predict(encoded)
        lines["reasons"] = trained.reasons(encoded) if explain else None
        lines["risk_source"] = "model"
        info = trained.info
    else:
        risk, reasons = prior_risk(claims, findings, payer_types=payer_types, explain=explain)
        lines["denial_risk"] = risk
        lines["reasons"] = reasons if explain else None
        lines["risk_source"] = "prior"
        info = model.info if model is not None else {
            "status": "prior", "reason": "no adjudicated history given",
            "source": "bhdash/reference/denial_priors.csv (base rate per payer type; P(denial | rule hit) "
                      "by family × severity × payer type; combined as 1 − Π(1 − p))",
        }
    lines["expected_payment"] = payment["expected_payment"]
    lines["payment_basis"] = payment["payment_basis"]
    lines["base_rate"] = (
        trained.base_rates(claims, payers, payer_types=payer_types, line_payer_keys=keys)
        if trained is not None else prior_base_rates(claims, payer_types=_payer_types(claims, payer_types)))
    lines["unpayable"] = money.unpayable_lines(findings, claims.index)
    lines = money.split(lines)
    dollars = money.attribute(findings, lines, hit_priors(claims, findings, payer_types=payer_types))
    return RiskResult(lines=lines[list(RISK_COLUMNS)], model=info, fitted=trained, finding_dollars=dollars,
                      paid=paid)

