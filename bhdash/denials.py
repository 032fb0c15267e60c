"""What payers denied and underpaid, and which of those denials bhdash's checks would have caught.

Works on any claims frame with outcomes (spreadsheet status columns or matched 835 remittances):
- a denied line's dollars are its expected payment (the same figure as "dollars at risk" everywhere
  else); an underpaid line's dollars are the payer's non-contractual adjustments (`remit_shortfall`,
  known only from remittances);
- **preventable**: the line carried a finding of a family that prevents the denial's CARC
  (reference/carc_rarc.csv `prevented_by`);
- **appeal candidate**: the reason is one the claim data can test and the line bears no sign of it,
  e.g. a timely-filing denial (CARC 29) on a line submitted inside the payer's filing window;
- everything else is a denial with no finding: a to-do for the rule catalogue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash.model import FAMILY_NAMES
from bhdash.payers import PayerDirectory, default_directory
from bhdash.remit.codes import describe, preventing_families, reason_code
from bhdash.risk import denial_label

DENIAL_COLUMNS: tuple[str, ...] = (
    "line_index", "row", "claim_id", "payer", "clinician", "month", "code", "kind", "reason", "description",
    "dollars", "preventable", "caught_by", "appeal", "appeal_why",
)
# Reasons the claim data can disprove, with the rule family whose silence (having run) disproves it.
_TESTABLE = {"29": "TIMELY", "18": "DUP", "B7": "CRED", "185": "CRED"}


# Column headings a practice manager reads, on the Denials page and in its CSV download.
COLUMN_LABELS: dict[str, str] = {
    "row": "Row", "claim_id": "Claim", "payer": "Payer", "clinician": "Clinician", "month": "Month",
    "code": "Code", "kind": "Outcome", "reason": "Reason", "description": "What the payer said",
    "dollars": "Dollars", "preventable": "Preventable", "caught_by": "Would have been caught by",
    "appeal": "Appeal", "appeal_why": "Why appeal", "lines": "Lines", "denied": "Denied",
    "underpaid": "Underpaid", "total": "Denied and underpaid",
}
MONEY_LABELS: tuple[str, ...] = (
    "Dollars", "Denied", "Underpaid", "Denied and underpaid", "Preventable dollars",
)


def for_people(table: pd.DataFrame) -> pd.DataFrame:
    """A denials table as a practice manager reads it: readable headings, rule families in words."""
    shown = table.drop(columns=["line_index"], errors="ignore")
    if "caught_by" in shown.columns:
        shown = shown.assign(caught_by=shown["caught_by"].map(lambda families: ", ".join(
            FAMILY_NAMES.get(name, name) for name in families.split(", ") if name)))
    if "preventable" in shown.columns and shown["preventable"].dtype != bool:
        shown = shown.rename(columns={"preventable": "preventable_dollars"})
    return shown.rename(columns=COLUMN_LABELS | {"preventable_dollars": "Preventable dollars"})


def _column(claims: pd.DataFrame, name: str) -> pd.Series:
    return claims[name] if name in claims.columns else pd.Series(pd.NA, index=claims.index, dtype=object)


def _families_on_lines(findings: pd.DataFrame, index: pd.Index) -> pd.Series:
    on_line = findings[findings["line_index"].notna()]
    on_line = on_line[on_line["line_index"].astype("int64").isin(index)]
    grouped = on_line.groupby(on_line["line_index"].astype("int64"))["family"].agg(lambda f: sorted(set(f)))
    return pd.Series([grouped.get(i, []) for i in index], index=index, dtype=object)


def denied_lines(claims: pd.DataFrame, findings: pd.DataFrame, expected_payment: pd.Series, *,
                 ran_families: set[str] | None = None, payers: PayerDirectory | None = None) -> pd.DataFrame:
    """One row per denied or underpaid line (see the module docstring); `ran_families` are the families
    with at least one rule that ran (a skipped family proves nothing, so it makes no appeal candidate)."""
    denied = denial_label(claims)
    shortfall = pd.to_numeric(_column(claims, "remit_shortfall"), errors="coerce").fillna(0.0)
    underpaid = ~denied & (shortfall > 0)
    lines = claims[denied | underpaid]
    if lines.empty:
        return pd.DataFrame(columns=list(DENIAL_COLUMNS))
    reasons = _column(lines, "denial_reason").astype(object)
    first_remit = _column(lines, "remit_reasons").astype("string").str.split(";").str[0].str.strip()
    reasons = reasons.where(reasons.notna(), first_remit.astype(object))
    reasons = reasons.where(reasons.notna(), "unknown")
    kind = pd.Series(np.where(denied[lines.index], "denied", "underpaid"), index=lines.index)
    dollars = expected_payment.reindex(lines.index).astype("float64").where(kind == "denied",
                                                                              shortfall[lines.index])
    families = _families_on_lines(findings, lines.index)
    preventing = preventing_families(reasons)
    caught = pd.Series([[family for family in found if family in prevent]
                        for found, prevent in zip(families, preventing, strict=True)], index=lines.index)
    appeal, why = _appeals(lines, reasons, families, ran_families or set(), payers or default_directory())
    service = pd.to_datetime(_column(lines, "service_date"))
    frame = pd.DataFrame({
        "line_index": lines.index, "row": _column(lines, "source_row"),
        "claim_id": _column(lines, "claim_id"),
        "payer": _column(lines, "payer"), "clinician": _column(lines, "clinician_name"),
        "month": service.dt.to_period("M").astype("string"), "code": _column(lines, "procedure_code"),
        "kind": kind, "reason": reasons, "description": describe(reasons),
        "dollars": dollars.fillna(0.0).round(2), "preventable": caught.map(bool),
        "caught_by": caught.map(", ".join), "appeal": appeal, "appeal_why": why,
    }, index=lines.index)
    return frame[list(DENIAL_COLUMNS)].reset_index(drop=True)


def _appeals(lines: pd.DataFrame, reasons: pd.Series, families: pd.Series, ran: set[str],
             payers: PayerDirectory) -> tuple[pd.Series, pd.Series]:
    codes = reasons.map(lambda reason: reason_code(reason) if isinstance(reason, str) else "")
    family = codes.map(_TESTABLE)
    silent = pd.Series([isinstance(needed, str) and needed in ran and needed not in found
                        for needed, found in zip(family, families, strict=True)], index=lines.index)
    why = pd.Series("", index=lines.index, dtype=object)
    why[silent] = "no " + family[silent] + " finding on this line"
    timely = silent & codes.eq("29")
    if timely.any():
        submitted = pd.to_datetime(_column(lines, "submitted_date"))
        days = (submitted - pd.to_datetime(_column(lines, "service_date"))).dt.days
        limit = payers.settings_for(_column(lines, "payer").astype("string"))["timely_filing_days"]
        inside = timely & days.notna() & (days <= limit)
        why[inside] = ("submitted " + days[inside].astype("Int64").astype(str) + " days after service, "
                       "inside the " + limit[inside].astype("Int64").astype(str) + "-day filing window")
        silent &= ~timely | inside
    return silent, why.where(silent, "")


def summary(denials: pd.DataFrame) -> dict[str, float]:
    """Headline figures: denied and underpaid dollars, preventable dollars and their share of denied."""
    denied = denials[denials["kind"] == "denied"]
    denied_dollars = float(denied["dollars"].sum())
    preventable = float(denied.loc[denied["preventable"], "dollars"].sum())
    return {
        "denied_lines": len(denied), "denied_dollars": round(denied_dollars, 2),
        "underpaid_dollars": round(float(denials.loc[denials["kind"] == "underpaid", "dollars"].sum()), 2),
        "preventable_lines": int(denied["preventable"].sum()), "preventable_dollars": round(preventable, 2),
        "preventable_share": round(preventable / denied_dollars, 4) if denied_dollars else 0.0,
        "appeal_lines": int(denials["appeal"].sum()),
        "appeal_dollars": round(float(denials.loc[denials["appeal"], "dollars"].sum()), 2),
    }


def dollars_by(denials: pd.DataFrame, by: str) -> pd.DataFrame:
    """Denied / underpaid / preventable dollars and lines per category, largest first."""
    frame = denials.assign(
        denied=denials["dollars"].where(denials["kind"] == "denied", 0.0),
        underpaid=denials["dollars"].where(denials["kind"] == "underpaid", 0.0),
        preventable_dollars=denials["dollars"].where(denials["preventable"] & (denials["kind"] == "denied"),
                                                     0.0))
    keys = [by, "description"] if by == "reason" else [by]
    table = frame.groupby(keys, dropna=False).agg(
        lines=("dollars", "size"), denied=("denied", "sum"), underpaid=("underpaid", "sum"),
        preventable=("preventable_dollars", "sum")).reset_index()
    table["total"] = table["denied"] + table["underpaid"]
    order = [by] if by == "month" else ["total"]
    return table.sort_values(order, ascending=by == "month", kind="stable").reset_index(drop=True)


def uncaught(denials: pd.DataFrame) -> pd.DataFrame:
    """Denied lines neither prevented nor appealable, by reason: what the rule catalogue misses."""
    missed = denials[(denials["kind"] == "denied") & ~denials["preventable"] & ~denials["appeal"]]
    table = missed.groupby(["reason", "description"]).agg(lines=("dollars", "size"),
                                                          dollars=("dollars", "sum")).reset_index()
    return table.sort_values("dollars", ascending=False, kind="stable").reset_index(drop=True)
