"""TIMELY: the payer's filing window (bh_coding_rules.md §9).

The window comes from the payer table (`ctx.line_payers["timely_filing_days"]`), counted from the date
of service to the submitted date, or to the as-of date for lines not yet submitted. Lines that already
carry an adjudication status were evidently submitted; without a submitted date they are not judged.
A limit the payer table marks unconfirmed never produces an error, only TIMELY-002's warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash.rules.catalogue._lookup import column, fmt_date, text
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule


def _filing_clock(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    """Per line: limit (days), elapsed days, days left, whether submitted, whether the limit is confirmed."""
    payers = ctx.line_payers
    submitted = pd.to_datetime(column(claims, "submitted_date"))
    adjudicated = text(column(claims, "status")).notna() & submitted.isna()
    clock_end = submitted.fillna(ctx.as_of)
    elapsed = (clock_end - claims["service_date"]).dt.days
    limit = payers["timely_filing_days"].astype("float64")
    frame = pd.DataFrame({
        "limit": limit, "elapsed": elapsed, "left": limit - elapsed, "submitted": submitted.notna(),
        "submitted_on": submitted, "confirmed": payers["confirmed"].astype(bool),
        "judged": claims["service_date"].notna() & limit.notna() & ~adjudicated,
    }, index=claims.index)
    frame["margin"] = np.maximum(30.0, 0.25 * frame["limit"])
    return frame


def _late_message(claims: pd.DataFrame, clock: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    payer = text(claims["payer"]).fillna("the payer")
    limit = clock["limit"].astype("Int64").astype(str)
    over = (-clock["left"]).astype("Int64").astype(str)
    dos = fmt_date(claims["service_date"])
    submitted = ("submitted " + fmt_date(clock["submitted_on"]) + ", " + clock["elapsed"].astype("Int64")
                 .astype(str) + " days after the service on " + dos)
    waiting = ("not submitted by " + ctx.as_of.strftime("%Y-%m-%d") + ", " + clock["elapsed"].astype("Int64")
               .astype(str) + " days after the service on " + dos)
    when = submitted.where(clock["submitted"], waiting)
    return payer + " allows " + limit + " days to file; " + when + " (" + over + " days late)."


@rule(
    id="TIMELY-001", family="TIMELY", severity="error",
    title="Past the payer's filing limit",
    rationale="Claims filed after the payer's timely-filing limit are denied (CARC 29, Medicare with N211 "
              "and no appeal rights) and cannot be billed to the patient.",
    fix="If an exception applies (payer or administrative error, retroactive eligibility), file with proof; "
        "otherwise write the line off and fix the billing lag that caused it.",
    source="S105, S106, S107, S109, S110",
    needs=("service_date", "payer"),
    insurance_only=True,
)
def past_filing_limit(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    clock = _filing_clock(claims, ctx)
    late = clock["judged"] & clock["confirmed"] & (clock["left"] < 0)
    return hits(claims.index[late], _late_message(claims[late], clock[late], ctx))


@rule(
    id="TIMELY-002", family="TIMELY", severity="warning",
    title="Filing limit close, or passed under an unconfirmed limit",
    rationale="An unsubmitted line within max(30 days, 25% of the window) of the payer's filing limit must "
              "go out now; a line past a limit the payer table marks unconfirmed is probably late too.",
    fix="Submit these lines first (or confirm the payer's contract limit and record it in the payer file).",
    source="S105, S108, S109, S111, S112",
    needs=("service_date", "payer"),
    insurance_only=True,
)
def filing_limit_close(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    clock = _filing_clock(claims, ctx)
    close = clock["judged"] & ~clock["submitted"] & (clock["left"] >= 0) & (clock["left"] <= clock["margin"])
    late_unconfirmed = clock["judged"] & ~clock["confirmed"] & (clock["left"] < 0)
    flagged = close | late_unconfirmed
    claims, clock, close = claims[flagged], clock[flagged], close[flagged]
    payer = text(claims["payer"]).fillna("the payer")
    deadline = fmt_date(claims["service_date"] + pd.to_timedelta(clock["limit"], unit="D"))
    close_message = (payer + " allows " + clock["limit"].astype("Int64").astype(str) + " days to file; "
                     + clock["left"].astype("Int64").astype(str) + " days left (deadline " + deadline
                     + ") for the service on " + fmt_date(claims["service_date"]) + ".")
    late_message = _late_message(claims, clock, ctx).str.replace(
        " days to file;", " days to file (limit unconfirmed);", regex=False)
    return hits(claims.index, close_message.where(close, late_message))
