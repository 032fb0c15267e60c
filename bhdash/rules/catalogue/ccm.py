"""Collaborative care (CoCM 99492-99494, G2214) and general behavioral health integration (99484).

These are monthly services: the time of all care management in a calendar month is summed and billed
once for the month, so the scope here is one patient and one calendar month, not one day. An episode
of collaborative care starts with one initial month (99492) and ends after six consecutive calendar
months without collaborative care.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash.rules.catalogue._shared import (
    code_fact,
    codes_of_kind,
    fmt_number,
    no_hits,
    of_kinds,
    pick,
    session_minutes,
    units_or_one,
    who_when,
)
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule

INITIAL_MONTH = "99492"
EXTRA_TIME = "99494"
EPISODE_GAP_MONTHS = 6
PATIENT_MONTH = ("procedure_code", "patient_id", "service_date")
SOURCE = ("CMS MLN909432 Behavioral Health Integration Services (CoCM 99492-99494, BHI 99484; episode of "
          "care; time thresholds); CMS CY2021 PFS final rule (G2214)")


def _month(dates: pd.Series) -> pd.Series:
    """Calendar month as a running number (year * 12 + month)."""
    return dates.dt.year * 12 + dates.dt.month


def _fmt_month(months: pd.Series) -> pd.Series:
    years, month = (months - 1) // 12, (months - 1) % 12 + 1
    return years.astype("Int64").astype(str) + "-" + month.astype("Int64").astype(str).str.zfill(2)


def _care_lines(claims: pd.DataFrame, kinds: tuple[str, ...]) -> pd.DataFrame:
    """The monthly care-management lines of `kinds` with patient and month (patient and date known)."""
    wanted = (claims["procedure_code"].isin(codes_of_kind(*kinds)) & claims["patient_id"].notna()
              & claims["service_date"].notna())
    return pd.DataFrame({"patient": claims.loc[wanted, "patient_id"],
                         "month": _month(claims.loc[wanted, "service_date"]),
                         "code": claims.loc[wanted, "procedure_code"],
                         "row": claims.loc[wanted, "source_row"]})


@rule(
    id="TIME-008", family="TIME", severity="warning",
    title="Collaborative care or BHI month billed with fewer minutes than the code requires",
    rationale=(
        "Care-management codes are billed on the month's total time: 99492 (70 min) from 36 minutes, "
        "99493 (60 min) from 31, G2214 (30 min) from 16, and 99484 needs at least 20 minutes. Exports do "
        "not always carry the month's total on the line, hence a warning."
    ),
    fix="Check the month's care-management time log; bill the code the documented time supports.",
    source=SOURCE,
    needs=("procedure_code", "minutes"),
    code_scope=of_kinds("ccm", "bhi"),
    effective_from="2018-01-01",
)
def care_management_under_minimum(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    minutes = session_minutes(ctx)
    needed = code_fact(ctx, "min_minutes")
    care = claims["procedure_code"].isin(codes_of_kind("ccm", "bhi")) & minutes.notna() & needed.notna()
    lines = pick(claims, care & (minutes < needed))
    if lines.empty:
        return no_hits()
    message = (lines["procedure_code"] + " needs ≥ " + fmt_number(needed[lines.index]) + " min of care "
               "management in the month; " + fmt_number(minutes[lines.index]) + " min documented ("
               + who_when(lines) + ")")
    return hits(lines.index, message)


@rule(
    id="UNITS-004", family="UNITS", severity="warning",
    title="Initial collaborative care month (99492) billed again within an episode",
    rationale=(
        "99492 is the first month of an episode of collaborative care and is billed once per episode; "
        "later months are 99493. An episode ends after six consecutive calendar months without "
        "collaborative care (or when goals are met, which the claims do not show: a warning)."
    ),
    fix="Bill 99493 for a subsequent month of the same episode; document a new episode if one began.",
    source=SOURCE,
    needs=PATIENT_MONTH,
    across_dates=True,
    code_scope=of_kinds("ccm", "ccm_addon"),
    effective_from="2018-01-01",
)
def initial_month_repeated(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    care = _care_lines(claims, ("ccm", "ccm_addon"))
    initial = care[care["code"].eq(INITIAL_MONTH)].sort_values(["patient", "month", "row"])
    if initial.empty:
        return no_hits()
    served = care[["patient", "month"]].drop_duplicates().rename(columns={"month": "served"})
    earlier = pd.merge_asof(
        initial.assign(before=initial["month"] - 1).reset_index(names="line").sort_values("before"),
        served.sort_values("served"), left_on="before", right_on="served", by="patient",
        direction="backward").set_index("line")
    in_episode = (earlier["month"] - earlier["served"]).le(EPISODE_GAP_MONTHS)
    twice = initial.duplicated(["patient", "month"])
    flagged = initial.index[in_episode.reindex(initial.index).fillna(False).to_numpy() | twice.to_numpy()]
    if not len(flagged):
        return no_hits()
    lines = pick(claims, flagged)
    previous = earlier["served"].reindex(flagged)
    reason = pd.Series("99492 was already billed for this patient in the same month", index=flagged).where(
        twice[flagged], "collaborative care was billed for this patient in " + _fmt_month(previous)
        + ", within the same episode")
    message = ("99492 (initial month) " + who_when(lines) + ": " + reason
               + "; bill 99493 for a subsequent month")
    return hits(lines.index, message)


@rule(
    id="UNITS-005", family="UNITS", severity="warning",
    title="99494 units not supported by the month's collaborative care",
    rationale=(
        "99494 adds each 30 minutes beyond the first 70 (99492) or 60 (99493) minutes of the month, from 16 "
        "minutes past them: 99492 + 99494 from 86 minutes, 99493 + 99494 from 76, one more unit every 30 "
        "minutes. Without 99492 or 99493 in the month it has no primary."
    ),
    fix="Bill 99494 units by the month's total time, with 99492 or 99493 for the same month.",
    source=SOURCE,
    needs=PATIENT_MONTH,
    across_dates=True,
    code_scope=of_kinds("ccm", "ccm_addon"),
    effective_from="2018-01-01",
)
def extra_time_units(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    care = _care_lines(claims, ("ccm", "ccm_addon"))
    extra = care[care["code"].eq(EXTRA_TIME)]
    if extra.empty:
        return no_hits()
    care = care.assign(minutes=session_minutes(ctx)[care.index], units=units_or_one(claims)[care.index],
                       base=code_fact(ctx, "nominal_minutes")[care.index])
    primaries = care[care["code"].isin(["99492", "99493"])]
    month = ["patient", "month"]
    base = primaries.groupby(month)["base"].max().rename("primary_base")
    # Lines may each carry their own minutes or the month's: summing never understates the month.
    timed = care.groupby(month)["minutes"].agg(lambda values: values.sum(min_count=1)).rename("total")
    extra = extra.join(base, on=month).join(timed, on=month)
    extra["billed"] = care.loc[extra.index, "units"].groupby(
        [extra["patient"], extra["month"]]).transform("sum")
    past = extra["total"] - extra["primary_base"] - 15
    extra["supported"] = np.where(past > 0, np.floor((past - 1) / 30) + 1, 0)
    orphan = extra["primary_base"].isna()
    too_many = ~orphan & extra["total"].notna() & (extra["billed"] > extra["supported"])
    flagged = extra[orphan | too_many]
    if flagged.empty:
        return no_hits()
    lines = pick(claims, flagged.index)
    no_primary = "99494 " + who_when(lines) + " with no 99492 or 99493 for this patient in the same month"
    over = ("99494 billed " + fmt_number(flagged["billed"]) + " unit(s) " + who_when(lines) + "; the month's "
            + fmt_number(flagged["total"]) + " documented minutes support " + fmt_number(flagged["supported"])
            + " past the first " + fmt_number(flagged["primary_base"]) + " minutes")
    return hits(lines.index, no_primary.where(flagged["primary_base"].isna(), over))
