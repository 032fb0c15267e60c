"""TIMELY: the payer's filing window (bh_coding_rules.md §9).

The window comes from the payer table (`ctx.line_payers["timely_filing_days"]`), counted from the date
of service to the submitted date, or to the as-of date for lines not yet submitted; Medicare's limit is
one calendar year after the date of service (S105, S106), whatever the year's length. A status such as
unbilled, draft, not submitted or on hold means not submitted; any other status means the line was
submitted, and without a submitted date it is not judged. An export with neither a submitted date nor a
status column cannot tell a line filed long ago from one never filed, so lines already past their window
are not judged (the rule's status says how many). A limit that is an unconfirmed shipped default never
produces an error, only TIMELY-002's warning, which names the assumption.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash.payers import ASSUMED, assumption_note, origin_column
from bhdash.rules.catalogue._lookup import column, fmt_date, text
from bhdash.rules.catalogue._shared import memo
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule

# Claim-status words meaning the line has not gone to the payer yet (EHR billing-status vocabulary).
NOT_SUBMITTED_STATUS = (r"unbilled|not[ -]?(?:yet[ -]?)?(?:billed|submitted|sent)|\bdraft|on[ -]?hold"
                        r"|\bhold\b|ready to (?:bill|submit)|to be billed|unsubmitted|\bpending submission"
                        r"|\bqueued")


def _filing_clock(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    """`_line_clock`, computed once per check run (TIMELY-001 and -002 share it)."""
    return memo(ctx, "filing_clock", lambda: _line_clock(claims, ctx))


def _line_clock(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    """Per line: limit (days), deadline, elapsed days, days left, whether submitted, whether the limit is
    confirmed, whether the line is judged, and whether it was left unjudged for want of a filing record."""
    payers = ctx.line_payers
    submitted = pd.to_datetime(column(claims, "submitted_date"))
    status = text(column(claims, "status"))
    waiting = status.str.contains(NOT_SUBMITTED_STATUS, case=False, regex=True).fillna(False).astype(bool)
    adjudicated = status.notna() & ~waiting & submitted.isna()
    clock_end = submitted.fillna(ctx.as_of)
    dos = claims["service_date"]
    limit = payers["timely_filing_days"].astype("float64")
    calendar_year = (payers["payer_type"] == "medicare").fillna(False).astype(bool)
    deadline = dos + pd.to_timedelta(limit, unit="D")
    deadline = deadline.where(~calendar_year, dos + pd.DateOffset(years=1))
    left = (deadline - clock_end).dt.days.astype("float64")
    no_record = "submitted_date" not in claims.columns and "status" not in claims.columns
    unknowable = pd.Series(no_record, index=claims.index) & (left < 0).fillna(False)
    frame = pd.DataFrame({
        "limit": limit, "deadline": deadline, "elapsed": (clock_end - dos).dt.days, "left": left,
        "submitted": submitted.notna(), "submitted_on": submitted, "calendar_year": calendar_year,
        "confirmed": payers[origin_column("timely_filing_days")].ne(ASSUMED).fillna(True).astype(bool),
        "unknowable": unknowable,
        "judged": dos.notna() & limit.notna() & ~adjudicated & ~unknowable,
    }, index=claims.index)
    frame["margin"] = np.maximum(30.0, 0.25 * frame["limit"])
    return frame


def _note_unjudged(ctx: CheckContext, rule_id: str, clock: pd.DataFrame) -> None:
    count = int((clock["unknowable"] & clock["limit"].notna()).sum())
    if count:
        ctx.note(rule_id, f"{count:,} line(s) past their filing window not judged: the export has no "
                          "submitted date or claim status, so whether they were filed in time is unknown")


def _allowed(clock: pd.DataFrame) -> pd.Series:
    """ "365 days" or "one calendar year" (Medicare) per line."""
    days = clock["limit"].astype("Int64").astype(str) + " days"
    return days.where(~clock["calendar_year"], "one calendar year")


def _late_message(claims: pd.DataFrame, clock: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    payer = text(claims["payer"]).fillna("the payer")
    limit = _allowed(clock)
    over = (-clock["left"]).astype("Int64").astype(str)
    dos = fmt_date(claims["service_date"])
    submitted = ("submitted " + fmt_date(clock["submitted_on"]) + ", " + clock["elapsed"].astype("Int64")
                 .astype(str) + " days after the service on " + dos)
    waiting = ("not submitted by " + ctx.as_of.strftime("%Y-%m-%d") + ", " + clock["elapsed"].astype("Int64")
               .astype(str) + " days after the service on " + dos)
    when = submitted.where(clock["submitted"], waiting)
    return payer + " allows " + limit + " to file; " + when + " (" + over + " days late)."


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
    _note_unjudged(ctx, "TIMELY-001", clock)
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
    _note_unjudged(ctx, "TIMELY-002", clock)
    close = clock["judged"] & ~clock["submitted"] & (clock["left"] >= 0) & (clock["left"] <= clock["margin"])
    late_unconfirmed = clock["judged"] & ~clock["confirmed"] & (clock["left"] < 0)
    flagged = close | late_unconfirmed
    claims, clock, close = claims[flagged], clock[flagged], close[flagged]
    payer = text(claims["payer"]).fillna("the payer")
    deadline = fmt_date(clock["deadline"])
    close_message = (payer + " allows " + _allowed(clock) + " to file; "
                     + clock["left"].astype("Int64").astype(str) + " days left (deadline " + deadline
                     + ") for the service on " + fmt_date(claims["service_date"]) + ".")
    late_message = _late_message(claims, clock, ctx).str.replace(
        " to file;", " to file (limit unconfirmed);", regex=False)
    assumption = assumption_note(ctx.line_payers, "timely_filing_days", payer + " allows "
                                 + clock["limit"].astype("Int64").astype(str) + " days to file")
    return hits(claims.index, close_message.where(close, late_message), assumption=assumption)
