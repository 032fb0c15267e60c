"""Denial-risk model fit: time and held-out AUC, before (the previous learner) and after (`fit_risk_model`).

Run: python bench/risk.py [--lines 100000] [--repeat 2]. Fits on the sample practice's adjudicated lines
(about 15k) and on a generated practice of about `--lines` claim lines (sample generator, same seed),
whose first nine months are adjudicated. "Before" is the learner bhdash used until this change, rebuilt
here on the same features and the same patient-grouped split: a scikit-learn ColumnTransformer +
OneHotEncoder pipeline under CalibratedClassifierCV (sigmoid, 3 folds), fitted for the held-out
evaluation and again on everything. "After" is `bhdash.risk.fit_risk_model`. Target: after ≤ 1.5 s on
15k–100k adjudicated lines, with an AUC at least the before AUC. Times are the best of `--repeat` runs.
Each history also prints the AUC difference with a 95% interval from a paired bootstrap over the held-out
patients, so a gap in the fourth decimal can be read against the test set's own sampling error.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from machine import speed_line  # bench/machine.py
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from bhdash import risk
from bhdash.ingest import ingest
from bhdash.rules import run_checks
from bhdash.rules.engine import default_as_of

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 1.5


def _split(history: pd.DataFrame, findings: pd.DataFrame, credentials: pd.Series):
    """Both learners' features, labels, patient groups and held-out split (as `fit_risk_model` makes them)."""
    adjudicated = history[risk.adjudicated_mask(history)]
    labels = risk.denial_label(adjudicated).to_numpy()
    features = risk.risk_features(adjudicated, findings, credentials=credentials.reindex(adjudicated.index))
    groups, _ = risk._groups(adjudicated)
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=0)
                       .split(features, labels, groups))
    return features, labels, groups, train, test


def _before_learner(features: pd.DataFrame) -> CalibratedClassifierCV:
    categorical = list(risk._CATEGORICAL)
    indicators = sorted(column for column in features.columns if column not in categorical)
    design = ColumnTransformer([
        ("categorical", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=10,
                                      sparse_output=True), categorical),
        ("indicators", "passthrough", indicators)], sparse_threshold=1.0)
    model = Pipeline([("features", design), ("logit", LogisticRegression(C=0.5, max_iter=2000,
                                                                          random_state=0))])
    return CalibratedClassifierCV(model, method="sigmoid", cv=3, ensemble=False)


def fit_before(history: pd.DataFrame, findings: pd.DataFrame, credentials: pd.Series) -> float:
    """The previous learner on the same features and split, fitted for the evaluation and again on
    everything (as it was used); returns its held-out AUC."""
    features, labels, _, train, test = _split(history, findings, credentials)
    evaluation = _before_learner(features).fit(features.iloc[train], labels[train])
    auc = roc_auc_score(labels[test], evaluation.predict_proba(features.iloc[test])[:, 1])
    _before_learner(features).fit(features, labels)
    return float(auc)


def auc_difference_interval(history: pd.DataFrame, findings: pd.DataFrame, credentials: pd.Series,
                            auc_after: float, resamples: int = 500) -> tuple[float, float, float]:
    """After minus before held-out AUC and its 95% interval, from a paired bootstrap over the held-out
    patients (lines of one patient are resampled together, as the split keeps them together). The after
    predictions are rebuilt here from `fit_risk_model`'s steps; `auc_after`, the AUC it reported, checks
    that the two still agree."""
    features, labels, groups, train, test = _split(history, findings, credentials)
    before = _before_learner(features).fit(features.iloc[train], labels[train]).predict_proba(
        features.iloc[test])[:, 1]
    indicators = sorted(column for column in features.columns if column not in risk._CATEGORICAL)
    flags = risk._Design.flags(features, indicators)
    design = risk._Design.fit(features.iloc[train], indicators)
    encoded = design.transform(features, flags)
    after = risk._fit(encoded[train], labels[train], 0).predict_proba(encoded[test])[:, 1]
    observed, patients = labels[test], groups[test]
    if round(roc_auc_score(observed, after), 4) != auc_after:
        raise SystemExit("bench/risk.py no longer rebuilds fit_risk_model's held-out predictions")
    point = roc_auc_score(observed, after) - roc_auc_score(observed, before)
    _, positions, sizes = np.unique(patients, return_inverse=True, return_counts=True)
    members = np.split(np.argsort(positions, kind="stable"), np.cumsum(sizes)[:-1])  # lines per patient
    random = np.random.default_rng(0)
    differences = []
    for _ in range(resamples):
        lines = np.concatenate([members[number] for number in random.integers(0, len(members), len(members))])
        if observed[lines].all() or not observed[lines].any():
            continue
        differences.append(roc_auc_score(observed[lines], after[lines])
                           - roc_auc_score(observed[lines], before[lines]))
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(point), float(low), float(high)


def _best(repeat: int, action, *args, **kwargs) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action(*args, **kwargs)
        timings.append(time.perf_counter() - started)
    return min(timings), result


def _history(lines: int | None) -> tuple[str, pd.DataFrame, pd.DataFrame, pd.Series]:
    if lines is None:
        ingested = ingest(ROOT / "sample_data" / "claims_detail_report.xlsx")
        claims, roster, name = ingested.claims, ingested.roster, "sample practice"
    else:
        from bhdash.sample import generate_practice
        from bhdash.sample.generator import draft_practice

        scale = lines / len(draft_practice().lines)
        practice = generate_practice(scale=scale)
        claims, roster, name = practice.claims, practice.roster, f"generated practice (scale {scale:.1f})"
    findings = run_checks(claims, roster, as_of=default_as_of(claims)).findings
    return name, claims, findings, roster.credentials_for(claims)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="claim lines of the generated practice")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(speed_line())
    print(f"{'history':<42} {'adjudicated':>11} {'before s':>9} {'after s':>8} {'ratio':>6} "
          f"{'AUC before':>10} {'AUC after':>9}  target")
    for lines in (None, args.lines):
        name, claims, findings, credentials = _history(lines)
        adjudicated = int(risk.adjudicated_mask(claims).sum())
        before, auc_before = _best(args.repeat, fit_before, claims, findings, credentials)
        after, model = _best(args.repeat, risk.fit_risk_model, claims, findings, credentials=credentials)
        auc_after = model.info["auc"]
        met = "met" if after <= TARGET_SECONDS and auc_after >= round(auc_before, 4) else "NOT met"
        print(f"{name:<42} {adjudicated:>11,} {before:>9.2f} {after:>8.2f} {after / before:>5.2f}x "
              f"{auc_before:>10.4f} {auc_after:>9.4f}  {met} (≤ {TARGET_SECONDS} s, AUC ≥ before)")
        point, low, high = auc_difference_interval(claims, findings, credentials, auc_after)
        print(f"{'':<42} AUC after − before {point:+.4f}, 95% interval {low:+.4f} to {high:+.4f} "
              "(paired bootstrap over held-out patients)")
    print(f"numpy {np.__version__}; fit = features, patient-grouped split, held-out evaluation, final refit")


if __name__ == "__main__":
    main()
