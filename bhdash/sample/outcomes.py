"""Adjudication of the sample practice: status, CARC denial reason and paid amount.

Denials follow the planted defects (each problem has its CARC and probability in practice.toml),
payer quirks (Cigna strict on telehealth modifiers, UnitedHealthcare/Optum scrutiny of 90837,
Medicaid on 90785) and a base rate per payer type. Add-ons fall with their denied primary. Lines in
the last months, never-submitted lines, self-pay lines and lines without a payer stay unadjudicated
(blank status).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash.sample.config import fee_table, medicare_fraction, practice_config
from bhdash.sample.generator import Draft
from bhdash.sample.problems import ADDON_CODES


def adjudication_cutoff(period_end: pd.Timestamp) -> pd.Timestamp:
    """Last date of service with an outcome: the final months before the as-of date are still open."""
    open_months = 12 - practice_config()["practice"]["adjudicated_months"]
    return period_end - pd.DateOffset(months=open_months)


def adjudicate(draft: Draft, manifest: pd.DataFrame) -> None:
    """Fill status / denial_reason / paid_amount on `draft.lines` in place."""
    cfg = practice_config()
    outcomes = cfg["outcomes"]
    lines = draft.lines
    rng = draft.rng
    cutoff = adjudication_cutoff(draft.period_end)
    # Self-pay clients pay the practice directly: no payer adjudicates their lines (and no 835 carries them).
    adjudicated = ((lines["true_date"] <= cutoff) & lines["submitted_date"].notna() & lines["payer"].notna()
                   & (lines["payer_type"] != "self_pay"))

    problem = pd.Series(np.nan, index=lines.index, dtype="object")
    by_line = manifest.dropna(subset=["line_uid"]).drop_duplicates("line_uid")
    problem.loc[by_line["line_uid"].astype(int).to_numpy()] = by_line["problem"].to_numpy()

    base = lines["payer_type"].map(outcomes["base_rate"]).fillna(0.0).to_numpy(dtype=float)
    reasons = list(outcomes["base_reasons"])
    weights = np.array(list(outcomes["base_reasons"].values()))
    reason = rng.choice(reasons, len(lines), p=weights / weights.sum()).astype(object)
    probability = base.copy()

    table = outcomes["problems"]
    defect_reason = problem.map(lambda key: table[key][0] if key in table else np.nan)
    defect_p = problem.map(lambda key: table[key][1] if key in table else 0.0).to_numpy(dtype=float)
    for quirk in outcomes["quirks"]:
        hit = lines["payer"] == quirk["payer"]
        if "problem" in quirk:
            hit &= problem == quirk["problem"]
            defect_p = np.where(hit, quirk["probability"], defect_p)
            defect_reason = defect_reason.mask(hit, quirk["reason"])
        else:
            hit &= lines["procedure_code"] == quirk["code"]
            defect_p = np.where(hit & (defect_p == 0), quirk["probability"], defect_p)
            defect_reason = defect_reason.mask(hit & defect_reason.isna(), quirk["reason"])

    draw = rng.random(len(lines))
    defect_denied = draw < defect_p
    base_denied = rng.random(len(lines)) < probability
    denied = (defect_denied | base_denied) & adjudicated
    reason = np.where(defect_denied, defect_reason.to_numpy(dtype=object), reason)

    primary_denied = pd.Series(denied & (lines["line_no"] == 1).to_numpy(), index=lines.index)
    visit_denied = primary_denied.groupby(lines["visit_id"]).transform("any")
    cascade = visit_denied.to_numpy() & lines["procedure_code"].isin(ADDON_CODES).to_numpy() & adjudicated
    reason = np.where(cascade & ~denied, "CO-B15", reason)
    denied = denied | cascade

    allowed_factor = {p["name"]: p["allowed_factor"] for p in cfg["payers"]}
    patient_share = {p["name"]: p["patient_share"] for p in cfg["payers"]}
    fraction = medicare_fraction(lines["clinician_credential"]).where(lines["payer_type"] == "medicare", 1.0)
    allowed = (lines["procedure_code"].map(fee_table()).fillna(0.0) * lines["units"]
               * lines["payer"].map(allowed_factor).fillna(1.0) * fraction)
    paid = (allowed * (1 - lines["payer"].map(patient_share).fillna(0.0))).round(2)

    lines["status"] = np.where(adjudicated, np.where(denied, "Denied", "Paid"), None)
    lines["denial_reason"] = np.where(denied, reason, None)
    lines["paid_amount"] = np.where(adjudicated, np.where(denied, 0.0, paid), np.nan)
