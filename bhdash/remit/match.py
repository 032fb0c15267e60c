"""Remittance lines matched to claim lines, and the outcome each matched line gets.

Matching follows x12_835.md, most reliable first: claim ID (CLP01) + procedure code + service date;
then, for lines whose claim number is the clearinghouse's own, patient name + date + code, preferring
the candidate with the same first modifier and charge. Identical keys pair in order (a line billed
twice meets its two remittance lines); the same line paid in several remittances (a denial, then a
corrected claim) resolves to the latest payment date. Reversals (CLP02 22) count as matched but never
give the outcome. Patient names are compared in memory only and never reported.

A matched line's outcome uses the labels the spreadsheet status columns give (bhdash.risk
`denial_label`/`adjudicated_mask`): status "Denied", "Partly paid" or "Paid", the denial reason as
group-CARC ("CO-50"), and the paid amount. Where the spreadsheet also has an outcome, the remittance
wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bhdash.model import REMIT_OUTCOME_COLUMNS
from bhdash.remit.codes import normal_adjustment
from bhdash.remit.era import REVERSAL_STATUS, Adjustment, RemitFile
from bhdash.remit.tables import remit_lines

BY_CLAIM_ID = "claim ID + code + date"
BY_PATIENT = "patient name + code + date"
UNMATCHED_COLUMNS = ("file", "claim_id", "procedure_code", "service_date", "charge", "paid", "reason")
UNMATCHED_CLAIM_COLUMNS = ("row", "claim_id", "procedure_code", "service_date", "charge", "reason")


@dataclass
class RemitMatch:
    """Matching of remittance files to one claims frame.

    `lines`: every remittance line with `claim_index` (matched claim line, else NA), `matched_by`,
    `superseded` (a later remittance decided the line) and `reason` when unmatched.
    `outcomes`: one row per matched claim line (indexed like the claims) with the outcome columns.
    `unmatched_claims`: claim lines no remittance covers, with the reason.
    """

    files: list[RemitFile]
    lines: pd.DataFrame
    outcomes: pd.DataFrame
    unmatched_claims: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def unmatched_lines(self) -> pd.DataFrame:
        unmatched = self.lines[self.lines["claim_index"].isna()]
        return unmatched[list(UNMATCHED_COLUMNS)].reset_index(drop=True)

    def summary(self) -> dict[str, int]:
        """The JSON report's `remit` block."""
        return {
            "files": sum(item.error is None for item in self.files),
            "remit_lines": len(self.lines),
            "remit_lines_unmatched": int(self.lines["claim_index"].isna().sum()),
            "claim_lines_matched": len(self.outcomes),
            "claim_lines_unmatched": len(self.unmatched_claims),
        }


def _name_key(*parts: pd.Series) -> pd.Series:
    """Order-free name key: lower-case alphabetic tokens of two letters or more, sorted."""
    text = parts[0].astype("string").fillna("")
    for part in parts[1:]:
        text = text + " " + part.astype("string").fillna("")

    def key(value: str) -> str | None:
        tokens = sorted(token for token in re.findall(r"[a-z]+", value.lower()) if len(token) > 1)
        return " ".join(tokens) or None

    return pd.Series([key(value) for value in text], index=text.index, dtype=object)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    values = frame[column].astype("string").str.strip().str.upper()
    return values.astype(object).where(values.notna() & (values != ""), None)


def _claim_keys(claims: pd.DataFrame) -> pd.DataFrame:
    if "patient_name" in claims.columns:
        name = _name_key(claims["patient_name"])
    else:
        name = _name_key(_text(claims, "patient_first_name"), _text(claims, "patient_last_name"))
    dates = (pd.to_datetime(claims["service_date"]).dt.normalize() if "service_date" in claims.columns
             else pd.Series(pd.NaT, index=claims.index))
    charge = (pd.to_numeric(claims["charge"], errors="coerce").round(2) if "charge" in claims.columns
              else pd.Series(np.nan, index=claims.index))
    return pd.DataFrame({
        "claim_id": _text(claims, "claim_id"), "code": _text(claims, "procedure_code"), "date": dates,
        "name": name, "modifier": _text(claims, "modifier_1"), "charge": charge,
    }, index=claims.index)


def _remit_keys(lines: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "claim_id": _text(lines, "claim_id"), "code": _text(lines, "procedure_code"),
        "date": lines["service_date"].dt.normalize(), "name": _name_key(lines["patient_first"],
                                                                        lines["patient_last"]),
        "modifier": pd.Series([mods[0].upper() if mods else None for mods in lines["modifiers"]],
                              index=lines.index, dtype=object),
        "charge": lines["charge"].round(2),
    }, index=lines.index)


def _key(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    complete = frame[columns].notna().all(axis=1)
    text = frame[columns[0]].astype(str)
    for column in columns[1:]:
        text = text + "|" + frame[column].astype(str)
    return text.where(complete)


def _pair(claim_key: pd.Series, remit_key: pd.Series, remittance: pd.Series) -> pd.Series:
    """Claim line index per remittance line: equal keys pair in order, the n-th line of a key within one
    claim payment meeting the key's n-th claim line."""
    claims = pd.DataFrame({"key": claim_key.dropna()})
    claims["slot"] = claims.groupby("key").cumcount()
    claims["claim_index"] = claims.index
    present = remit_key.dropna()
    remits = pd.DataFrame({"key": present, "remittance": remittance.reindex(present.index)})
    remits["slot"] = remits.groupby(["remittance", "key"]).cumcount()
    remits["remit_index"] = remits.index
    paired = remits.merge(claims, on=["key", "slot"], how="inner")
    return pd.Series(paired["claim_index"].to_numpy(), index=paired["remit_index"].to_numpy(), dtype=object)


def _outcome(adjustments: list[Adjustment], paid: float, charge: float, claim_status: str) -> dict[str, Any]:
    problems = sorted((item for item in adjustments if not normal_adjustment(item.group, item.reason)),
                      key=lambda item: -item.amount)
    shortfall = round(sum(item.amount for item in problems), 2)
    denied = paid <= 0 < charge and (bool(problems) or claim_status == "4")
    codes = list(dict.fromkeys(item.code for item in problems))
    if denied:
        status = "Denied"
    elif shortfall > 0:
        status = "Partly paid"
    else:
        status = "Paid"
    return {"status": status, "denial_reason": codes[0] if denied and codes else None, "paid_amount": paid,
            "remit_reasons": "; ".join(codes) if codes else None,
            "remit_shortfall": charge if denied and not problems else shortfall}


def match_remittances(claims: pd.DataFrame, files: list[RemitFile]) -> RemitMatch:
    """Match every readable remittance line to `claims` (see the module docstring)."""
    lines = remit_lines(files)
    keys_claims, keys_remit = _claim_keys(claims), _remit_keys(lines)
    reversal = lines["claim_status"].eq(REVERSAL_STATUS)
    # Slots count within one claim payment (CLP): a claim denied and paid on a corrected claim in the same
    # remittance is two payments of the same line, the later deciding, not two lines.
    remittance = lines["claim_payment"]
    claim_index = pd.Series(None, index=lines.index, dtype=object)
    matched_by = pd.Series(None, index=lines.index, dtype=object)
    taken: set[Any] = set()
    stages = ((BY_CLAIM_ID, ["claim_id", "code", "date"]), (BY_PATIENT, ["name", "code", "date", "modifier",
                                                                         "charge"]),
              (BY_PATIENT, ["name", "code", "date"]))
    for label, columns in stages:
        open_claims = keys_claims[~keys_claims.index.isin(taken)]
        open_remits = keys_remit[claim_index.isna() & ~reversal]
        paired = _pair(_key(open_claims, columns), _key(open_remits, columns), remittance)
        claim_index.loc[paired.index] = paired.to_numpy()
        matched_by.loc[paired.index] = label
        taken.update(paired.to_numpy())
    # A line under the clearinghouse's number whose patient, code and date meet a line another remittance
    # already decided is another payment of that line (say, a denial later paid under the practice's number).
    foreign = ~keys_remit["claim_id"].isin(set(keys_claims["claim_id"].dropna()))
    columns = ["name", "code", "date"]
    open_remits = keys_remit[claim_index.isna() & ~reversal & foreign]
    paired = _pair(_key(keys_claims, columns), _key(open_remits, columns), remittance)
    claim_index.loc[paired.index] = paired.to_numpy()
    matched_by.loc[paired.index] = BY_PATIENT
    # A reversal is accounted for when the line it reverses is on file.
    by_id = _key(keys_claims, ["claim_id", "code", "date"])
    reversal_key = _key(keys_remit[reversal], ["claim_id", "code", "date"])
    first_claim = pd.Series(by_id.index, index=by_id.to_numpy()).groupby(level=0).first()
    reversed_index = reversal_key.map(first_claim)
    claim_index.loc[reversed_index.dropna().index] = reversed_index.dropna().to_numpy()
    matched_by.loc[reversed_index.dropna().index] = BY_CLAIM_ID

    frame = lines.assign(claim_index=claim_index, matched_by=matched_by, reversal=reversal)
    deciding = frame[frame["claim_index"].notna() & ~frame["reversal"]].sort_values(
        ["payment_date", "position"], kind="stable", na_position="first")
    latest = deciding.groupby("claim_index", sort=False).tail(1)
    frame["superseded"] = frame["claim_index"].notna() & ~frame["reversal"] & ~frame.index.isin(latest.index)
    frame["reason"] = _unmatched_reasons(frame, keys_remit, keys_claims)
    outcomes = pd.DataFrame([
        _outcome(row.adjustments, row.paid, row.charge, row.claim_status) | {
            "remit_payment_date": row.payment_date, "claim_index": row.claim_index}
        for row in latest.itertuples(index=False)
    ], columns=["status", "denial_reason", "paid_amount", *REMIT_OUTCOME_COLUMNS, "claim_index"])
    outcomes = outcomes.set_index("claim_index").rename_axis(None)
    outcomes.index = pd.Index(outcomes.index.tolist(), dtype=claims.index.dtype)
    unmatched = claims.index.difference(outcomes.index)
    return RemitMatch(files=files, lines=frame, outcomes=outcomes,
                      unmatched_claims=_unmatched_claims(claims.loc[unmatched], keys_claims, keys_remit))


def _unmatched_reasons(frame: pd.DataFrame, keys_remit: pd.DataFrame, keys_claims: pd.DataFrame) -> pd.Series:
    unmatched = frame["claim_index"].isna()
    known_ids = set(keys_claims["claim_id"].dropna())
    known_names = set(keys_claims["name"].dropna())
    reason = pd.Series(None, index=frame.index, dtype=object)
    for position in frame.index[unmatched]:
        keys = keys_remit.loc[position]
        if frame.at[position, "reversal"]:
            reason[position] = "reversal of a line that is not in the claims file"
        elif keys["code"] is None:
            reason[position] = "the remittance has no service line (claim-level only)"
        elif pd.isna(keys["date"]):
            reason[position] = "the remittance line has no service date"
        elif keys["claim_id"] in known_ids:
            reason[position] = (f"claim {keys['claim_id']} is in the claims file, but not with code "
                                f"{keys['code']} on {keys['date']:%Y-%m-%d} (or all its lines are taken)")
        elif keys["name"] in known_names:
            reason[position] = (f"claim {keys['claim_id']} is not in the claims file, and the patient has no "
                                f"line with code {keys['code']} on {keys['date']:%Y-%m-%d}")
        else:
            reason[position] = f"claim {keys['claim_id']} and its patient are not in the claims file"
    return reason


def _unmatched_claims(claims: pd.DataFrame, keys_claims: pd.DataFrame,
                      keys_remit: pd.DataFrame) -> pd.DataFrame:
    remitted_ids = set(keys_remit["claim_id"].dropna())
    keys = keys_claims.loc[claims.index]
    in_remit = keys["claim_id"].isin(remitted_ids)
    reason = np.where(in_remit, "the claim is in a remittance, but not this code and date",
                      "no remittance for this line")
    frame = pd.DataFrame({
        "row": claims["source_row"] if "source_row" in claims.columns else claims.index,
        "claim_id": claims["claim_id"] if "claim_id" in claims.columns else None,
        "procedure_code": claims.get("procedure_code"), "service_date": keys["date"],
        "charge": keys["charge"], "reason": reason,
    }, index=claims.index)
    return frame[list(UNMATCHED_CLAIM_COLUMNS)]


def with_remit_outcomes(claims: pd.DataFrame, match: RemitMatch) -> pd.DataFrame:
    """`claims` with each matched line's outcome from its latest remittance (the remittance wins)."""
    labeled = claims.copy()
    for column in ("status", "denial_reason", *REMIT_OUTCOME_COLUMNS):
        if column not in labeled.columns:
            labeled[column] = pd.Series(None, index=labeled.index, dtype=object)
        else:
            labeled[column] = labeled[column].astype(object)
    if "paid_amount" not in labeled.columns:
        labeled["paid_amount"] = np.nan
    labeled["paid_amount"] = pd.to_numeric(labeled["paid_amount"], errors="coerce").astype("float64")
    index = match.outcomes.index
    for column in ("status", "denial_reason", "paid_amount", *REMIT_OUTCOME_COLUMNS):
        labeled.loc[index, column] = match.outcomes[column].to_numpy()
    labeled["remit_shortfall"] = pd.to_numeric(labeled["remit_shortfall"], errors="coerce").astype("float64")
    labeled["remit_payment_date"] = pd.to_datetime(labeled["remit_payment_date"])
    return labeled
