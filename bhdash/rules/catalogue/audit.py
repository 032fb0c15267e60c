"""AUDIT: impossible days and overlapping sessions for one clinician (bh_coding_rules.md §11, §12)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash.rules.catalogue._lookup import column, fmt_date
from bhdash.rules.catalogue._shared import (
    codes_of_kind,
    fmt_clock,
    fmt_number,
    join_text,
    memo,
    multi_line_groups,
    no_hits,
    of_kinds,
    pick,
    same_day_group,
    session_minutes,
    who_when,
)
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule

DAY_MINUTES = 1440
DEFAULT_IMPOSSIBLE_DAY_MINUTES = 600


def _clinician_day(ctx: CheckContext) -> pd.Series:
    """Id of each line's (rendering clinician, date); -1 when either is missing."""

    def compute() -> pd.Series:
        claims = ctx.claims
        clinician, _ = pd.factorize(claims["clinician_name"])
        day, days = pd.factorize(claims["service_date"])
        key = np.where((clinician < 0) | (day < 0), -1, clinician.astype("int64") * (len(days) + 1) + day)
        return pd.Series(key, index=claims.index)

    return memo(ctx, "clinician_day", compute)


def _counted_minutes(claims: pd.DataFrame, ctx: CheckContext) -> tuple[pd.Series, np.ndarray]:
    """Each line's share of its clinician's day (minutes or 0), and each clinician-day's total.

    A visit's lines (E/M + psychotherapy add-on) share one time span, so a visit counts its longest line;
    a group session counts once for the clinician however many patients attended.
    """
    minutes = session_minutes(ctx)
    day = _clinician_day(ctx)
    timed = minutes.gt(0) & day.ge(0)
    in_group = claims["procedure_code"].isin(codes_of_kind("group"))
    shared = multi_line_groups(ctx)
    counted = timed & ~in_group & ~shared
    visit_lines = timed & ~in_group & shared
    longest = minutes[visit_lines].groupby(same_day_group(ctx)[visit_lines]).idxmax()
    counted |= claims.index.isin(longest)
    group_lines = timed & in_group
    session_key = [day[group_lines], minutes[group_lines]]
    if "start_time" in claims.columns:
        session_key.append(claims.loc[group_lines, "start_time"])
    first_of_session = ~pd.concat(session_key, axis=1).duplicated()
    counted |= claims.index.isin(first_of_session.index[first_of_session])
    share = minutes.where(counted, 0.0).fillna(0.0)
    totals = np.bincount(day[timed].to_numpy(), weights=share[timed].to_numpy())
    return share, totals


def _long_day_hits(claims: pd.DataFrame, ctx: CheckContext, low: float, high: float) -> pd.DataFrame:
    """Sessions that take a clinician's day past `low` minutes (up to `high`), in start-time order."""
    share, totals = memo(ctx, "counted_minutes", lambda: _counted_minutes(claims, ctx))
    day = _clinician_day(ctx)
    long_days = np.flatnonzero(totals > low)
    on_long_day = day.isin(long_days) & share.gt(0)
    if not on_long_day.any():
        return no_hits()
    lines = pd.DataFrame({"day": day[on_long_day], "counted": share[on_long_day],
                          "minutes": share[on_long_day]})
    lines["total"] = totals[lines["day"].to_numpy()]
    order = pd.DataFrame({"day": lines["day"],
                          "start": claims.loc[lines.index, "start_time"] if "start_time" in claims.columns
                          else pd.NaT, "row": claims.loc[lines.index, "source_row"]})
    lines = lines.loc[order.sort_values(["day", "start", "row"], na_position="last").index]
    lines["running"] = lines.groupby("day")["counted"].cumsum()
    before = lines["running"] - lines["counted"]
    over = lines[(lines["counted"] > 0) & (lines["running"] > low) & (before < high)]
    if over.empty:
        return no_hits()
    flagged = pick(claims, over.index)
    message = join_text("session minutes ", who_when(flagged), " reach ", fmt_number(over["running"]),
                        " with this ", fmt_number(over["minutes"]), "-min session (limit ",
                        fmt_number(pd.Series(low, index=over.index)), "; day total ",
                        fmt_number(over["total"]), " min)")
    return hits(flagged.index, message)


@rule(
    id="AUDIT-001", family="AUDIT", severity="warning",
    title="Implausibly long day of sessions for one clinician",
    rationale=(
        "Program-integrity screens flag clinicians whose summed session time on one date is implausible (OIG "
        "found providers averaging 33 services a day). The threshold is a setting "
        "(`impossible_day_minutes`, default 600); no published threshold is known."
    ),
    fix="Check the day's appointments and times for entry errors (wrong clinician, date or minutes).",
    source="S18 (OIG Oceanside: 33 services a day); the day threshold is a bhdash setting (no published one)",
    needs=("clinician_name", "service_date", "procedure_code", "minutes"),
    clinician_day=True,
)
def long_day(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    limit = float(ctx.setting("impossible_day_minutes", DEFAULT_IMPOSSIBLE_DAY_MINUTES))
    return _long_day_hits(claims, ctx, limit, DAY_MINUTES)


@rule(
    id="AUDIT-003", family="AUDIT", severity="error",
    title="More than 24 hours of sessions for one clinician on one date",
    rationale="More than 1,440 minutes of sessions by one rendering clinician on one date cannot happen.",
    fix="Correct the clinician, date or minutes of the day's lines before submitting.",
    source="A day holds 1,440 minutes; S17, S18 (OIG audits of psychotherapy time)",
    needs=("clinician_name", "service_date", "procedure_code", "minutes"),
    clinician_day=True,
)
def impossible_day(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    return _long_day_hits(claims, ctx, DAY_MINUTES, np.inf)


@rule(
    id="AUDIT-002", family="AUDIT", severity="warning",
    title="Overlapping sessions with different patients for one clinician",
    rationale=(
        "One clinician cannot see two patients individually at the same time; overlapping start/stop times "
        "are an audit trigger and usually a time-entry error. The patients of one group session share its "
        "time; a group session overlapping an individual session is still an overlap."
    ),
    fix="Correct the start/stop times, or the rendering clinician, of the overlapping sessions.",
    source="S17, S18 (OIG audits of psychotherapy time: overlapping sessions)",
    needs=("clinician_name", "service_date", "patient_id", "procedure_code", "start_time", "end_time"),
    clinician_day=True,
)
def overlapping_sessions(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    tolerance = pd.Timedelta(minutes=float(ctx.setting("overlap_tolerance_minutes", 0)))
    day = _clinician_day(ctx)
    # Within one clinician-day the same-day group id identifies the patient.
    patient = same_day_group(ctx).to_numpy().copy()
    # All participants of one group session (same start and end) count as one attendee, so they never
    # overlap each other but do overlap an individual session at the same time.
    in_group = claims["procedure_code"].isin(codes_of_kind("group")).to_numpy()
    seconds = [(claims.loc[in_group, column].dt.total_seconds().fillna(-1).to_numpy() + 1).astype("int64")
               for column in ("start_time", "end_time")]
    session, _ = pd.factorize(seconds[0] * 200_000 + seconds[1])
    patient[in_group] = patient.max(initial=0) + 1 + session
    usable = (day.ge(0) & (patient >= 0) & claims["start_time"].notna() & claims["end_time"].notna()
              & (claims["end_time"] > claims["start_time"]))
    rows = np.flatnonzero(usable.to_numpy())
    if not len(rows):
        return no_hits()
    day_of, patient_of = day.to_numpy()[rows], patient[rows]
    start_of = claims["start_time"].to_numpy()[rows].astype("timedelta64[ns]").astype("int64")
    end_of = claims["end_time"].to_numpy()[rows].astype("timedelta64[ns]").astype("int64")
    # Merge each patient's overlapping lines (E/M + add-on) into one session block first.
    order = np.lexsort((start_of, patient_of, day_of))
    rows, day_of, patient_of, start_of, end_of = (
        rows[order], day_of[order], patient_of[order], start_of[order], end_of[order])
    run = np.r_[True, (day_of[1:] != day_of[:-1]) | (patient_of[1:] != patient_of[:-1])]
    reach = pd.Series(end_of).groupby(np.cumsum(run)).cummax().to_numpy()
    opens = run | np.r_[True, start_of[1:] >= reach[:-1]]
    firsts = np.flatnonzero(opens)
    block_day, block_start, block_line = day_of[firsts], start_of[firsts], rows[firsts]
    block_end = np.maximum.reduceat(end_of, firsts)
    # Blocks of one patient are disjoint, so overlapping an earlier block means another patient.
    order = np.lexsort((block_start, block_day))
    block_day, block_start, block_end, block_line = (
        block_day[order], block_start[order], block_end[order], block_line[order])
    new_day = np.r_[True, block_day[1:] != block_day[:-1]]
    busy = pd.Series(block_end).groupby(np.cumsum(new_day)).cummax().to_numpy()
    busy_until = np.r_[0, busy[:-1]]
    hit = ~new_day & (block_start < busy_until - tolerance.value)
    if not hit.any():
        return no_hits()
    blocks = pd.DataFrame({"day": block_day, "start": block_start, "end": block_end,
                           "line": claims.index[block_line]})
    later = blocks[hit].assign(until=busy_until[hit])
    # The session it overlaps is the one still running: the first block of that day ending at `until`.
    running = blocks.rename(columns={"start": "earlier_start", "end": "until", "line": "earlier_line"})
    later = later.merge(running, on=["day", "until"], how="left")
    later = later[later["earlier_start"] < later["start"]].drop_duplicates("line")
    lines = pick(claims, later["line"])

    def clock(column: str) -> pd.Series:
        return fmt_clock(pd.Series(pd.to_timedelta(later[column].to_numpy()), index=lines.index))

    message = join_text(lines["procedure_code"], " session ", clock("start"), "–", clock("end"), " ",
                        who_when(lines), " overlaps another patient's session ", clock("earlier_start"),
                        "–", clock("until"))
    return hits(lines.index, message)



DEFAULT_EVALUATION_REPEAT_MONTHS = 6


@rule(
    id="AUDIT-004", family="AUDIT", severity="warning",
    title="Psychiatric evaluation (90791/90792) repeated for a patient within the payer's window",
    rationale=(
        "A diagnostic evaluation is done at the start of care; payers pay another for the same patient by "
        "the same clinician or practice only after a gap (often 6 months) or a documented change, and "
        "frequent repeats draw frequency denials (CARC 151). The window is per payer "
        "(`evaluation_repeat_months` in a payer file); the 6-month default is an assumption."
    ),
    fix="Bill the follow-up as psychotherapy or E/M, or document why a new evaluation was needed "
        "(new episode of care, significant change in condition).",
    source="S21 (BCBS IL: 90791 again only after ≥ 6 months); S28, S70 (evaluation frequency)",
    needs=("procedure_code", "patient_id", "service_date"),
    across_dates=True,
    code_scope=of_kinds("eval"),
)
def repeated_evaluation(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    evaluations = (claims["procedure_code"].isin(codes_of_kind("eval")) & claims["patient_id"].notna()
                   & claims["service_date"].notna())
    if evaluations.sum() < 2:
        return no_hits()
    seen = pd.DataFrame({"patient": claims.loc[evaluations, "patient_id"],
                         "date": claims.loc[evaluations, "service_date"],
                         "code": claims.loc[evaluations, "procedure_code"],
                         "clinician": column(claims, "clinician_name")[evaluations].astype("string"),
                         "row": claims.loc[evaluations, "source_row"]})
    seen = seen.fillna({"clinician": ""}).sort_values(["patient", "date", "row"])
    seen["line"] = seen.index
    # A repeat is the same clinician's next evaluation, or the practice's next evaluation of the same kind:
    # a psychiatrist's 90792 after a therapist's 90791 is a different service.
    candidates = []
    for scope in ("clinician", "code"):
        earlier = seen.groupby(["patient", scope])
        candidates.append(pd.DataFrame({"previous": earlier["date"].shift(),
                                        "previous_line": earlier["line"].shift()}))
    previous = candidates[0].where(candidates[0]["previous"].ge(candidates[1]["previous"])
                                   | candidates[1]["previous"].isna(), candidates[1])
    days = seen.join(previous)
    days = days[days["previous"].notna() & (days["previous"] < days["date"])]
    if days.empty:
        return no_hits()
    configured = (ctx.line_payers["evaluation_repeat_months"][days.index] if "payer" in claims.columns
                  else pd.Series(np.nan, index=days.index))
    default = float(ctx.setting("evaluation_repeat_months", DEFAULT_EVALUATION_REPEAT_MONTHS))
    months = configured.fillna(default)
    window_end = pd.Series(pd.NaT, index=days.index, dtype="datetime64[ns]")
    for count in months.unique():
        chosen = months.eq(count)
        window_end[chosen] = days.loc[chosen, "previous"] + pd.DateOffset(months=int(count))
    within = days["date"] < window_end
    days, months, configured = days[within], months[within], configured[within]
    if days.empty:
        return no_hits()
    lines = pick(claims, days.index)
    earlier_clinician = seen.loc[days["previous_line"].astype(seen.index.dtype), "clinician"].to_numpy()
    same = earlier_clinician == days["clinician"].to_numpy()
    by = pd.Series(np.where(same, "the same clinician", "this practice (" + earlier_clinician + ")"),
                   index=lines.index).str.replace(" ()", "", regex=False)
    earlier_code = seen.loc[days["previous_line"].astype(seen.index.dtype), "code"].to_numpy()
    gap = ((days["date"] - days["previous"]).dt.days).astype("int64").astype(str)
    window = fmt_number(months) + "-month window" + pd.Series(
        np.where(configured.isna(), " (default; set evaluation_repeat_months per payer)", " (payer setting)"),
        index=lines.index)
    message = (lines["procedure_code"] + " " + who_when(lines) + " repeats the " + earlier_code + " of "
               + fmt_date(days["previous"]) + " by " + by + ", " + gap + " days earlier; inside the "
               + window)
    return hits(lines.index, message)
