"""CRED: licenses and payer enrollments on the date of service (bh_coding_rules.md §6, §10 CARC B7).

Date conventions (documented because they decide near misses):
- a license is valid through its expiration date (service on the expiration date is fine);
- an enrollment covers its effective date and its term date inclusive (the term date is read as the
  last day of participation, which is how payer rosters print it); missing effective or term dates
  leave that side open;
- an enrollment whose status says it is not in force (pending, denied, withdrawn, terminated without a
  term date) covers nothing;
- an enrollment whose status says out of network (OON, non-par, non-participating …) records that the
  practice bills that payer out of network on purpose: its lines are not enrollment errors (CRED-006
  notes them). Self-pay lines are not insurance claims and are not checked for enrollment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash.distinct import as_object, distinct_ids
from bhdash.rules.catalogue._lookup import (
    by_clinician,
    clinician_table,
    column,
    fmt_date,
    fmt_money,
    payer_keys,
    text,
)
from bhdash.rules.catalogue._shared import memo
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import clinician_hits, hits, rule

# Enrollment status words meaning "not in force" (vocabulary of roster exports, not a payer rule).
_NOT_IN_FORCE = r"pend|denied|declin|reject|inactive|withdr|in process|applied|not enrolled|closed"
_TERMINATED = r"term|ended|expired"
_OUT_OF_NETWORK = (r"\boon\b|out[ -]?of[ -]?network|\bnon[ -]?par|not[ -]?in[ -]?network|\bnon[ -]?network"
                   r"|not[ -]?participating|\bnon[ -]?contracted|not[ -]?contracted")


def _roster_names(ctx: CheckContext) -> pd.Index:
    names = pd.Index(clinician_table(ctx).index)
    enrollments = ctx.roster.enrollments
    if "clinician_name" in enrollments.columns:
        names = names.union(pd.Index(enrollments["clinician_name"].dropna().unique()))
    return names


def _enrollments(ctx: CheckContext) -> pd.DataFrame:
    """Enrollment windows with a payer key and an in-force flag; names filled from the roster by NPI.
    Worked out once per check run (CRED-003 and CRED-005 read it)."""
    return memo(ctx, "cred_enrollments", lambda: _enrollment_windows(ctx))


def _enrollment_windows(ctx: CheckContext) -> pd.DataFrame:
    enrollments = ctx.roster.enrollments.copy()
    names = column(enrollments, "clinician_name")
    roster = clinician_table(ctx)
    if "npi" in enrollments.columns and "npi" in roster.columns:
        by_npi = pd.Series(roster.index, index=text(roster["npi"])).dropna()
        by_npi = by_npi[~by_npi.index.duplicated()]
        names = names.fillna(text(enrollments["npi"]).map(by_npi))
    status = text(column(enrollments, "status")).str.lower()
    effective = pd.to_datetime(column(enrollments, "effective_date"))
    term = pd.to_datetime(column(enrollments, "term_date"))
    not_in_force = status.str.contains(_NOT_IN_FORCE, regex=True).fillna(False)
    termed_open = status.str.contains(_TERMINATED, regex=True).fillna(False) & term.isna()
    frame = pd.DataFrame({
        "clinician": names.astype("object"),
        "payer_key": payer_keys(ctx, column(enrollments, "payer")).astype("object"),
        "effective": effective, "term": term,
        "status": status.astype("object"), "in_force": ~(not_in_force | termed_open),
        "out_of_network": status.str.contains(_OUT_OF_NETWORK, regex=True).fillna(False).astype(bool),
    })
    return frame.dropna(subset=["clinician", "payer_key"])


def _coverage(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    """`_line_coverage`, computed once per check run (CRED-003 and CRED-005 share it)."""
    return memo(ctx, "cred_coverage", lambda: _line_coverage(claims, ctx))


def _line_coverage(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    """Per checkable line: whether an in-force enrollment covers the date of service, and if not, why.

    Columns: clinician, payer, payer_key, dos, covered, out_of_network (covered only by an
    out-of-network row), has_enrollment, next_effective, last_term, status. Only insurance lines of
    clinicians the roster knows are checked (others are CRED-002).
    """
    # Text stays Arrow until the lines are chosen: it factorizes several times faster than Python strings.
    lines = pd.DataFrame({
        "line": claims.index, "clinician": claims["clinician_name"], "payer": claims["payer"],
        "payer_key": payer_keys(ctx, claims["payer"], ctx.line_payers["canonical_payer"]),
        "dos": claims["service_date"],
    }).dropna(subset=["clinician", "payer_key", "dos"])
    insured = ~ctx.not_insurance.reindex(lines["line"]).to_numpy()
    lines = lines[lines["clinician"].isin(_roster_names(ctx)) & insured]
    # A payer the practice bills out of network on purpose (its payer setting) needs no enrollment.
    out_of_network = ctx.line_payers["out_of_network"].reindex(lines["line"]).astype("boolean").fillna(False)
    lines = lines[~out_of_network.to_numpy(dtype=bool)]
    # Lines meet their enrollments through an integer id of their (clinician, payer key) pair: the few
    # distinct pairs are joined to the enrollment table, then the lines to the pairs by that id, which is
    # much cheaper than joining every line on text.
    pair, first = distinct_ids(lines[["clinician", "payer_key"]])
    pairs = lines.iloc[first][["clinician", "payer_key"]].assign(pair=np.arange(len(first)))
    windows = pairs.merge(_enrollments(ctx), on=["clinician", "payer_key"])
    windows = windows.drop(columns=["clinician", "payer_key"])
    merged = lines.assign(pair=pair).merge(windows, on="pair", how="left", indicator=True)
    has_row = merged["_merge"] == "both"
    starts_ok = merged["effective"].isna() | (merged["effective"] <= merged["dos"])
    ends_ok = merged["term"].isna() | (merged["dos"] <= merged["term"])
    merged["has_row"] = has_row
    merged["covers"] = has_row & merged["in_force"].fillna(False).astype(bool) & starts_ok & ends_ok
    merged["in_network"] = merged["covers"] & ~merged["out_of_network"].fillna(False).astype(bool)
    covered = merged.groupby("line", sort=False)["covers"].any()
    out_of_network = covered & ~merged.groupby("line", sort=False)["in_network"].any()
    gaps = merged[merged["line"].isin(covered.index[~covered])]
    has_row = has_row[gaps.index]
    gaps = gaps.assign(
        future=gaps["effective"].where(has_row & ~starts_ok[gaps.index]),
        past=gaps["term"].where(has_row & ~ends_ok[gaps.index]),
        blocked_status=gaps["status"].where(has_row & ~gaps["in_force"].fillna(True).astype(bool)),
    )
    per_line = gaps.groupby("line", sort=False).agg(
        has_enrollment=("has_row", "any"), next_effective=("future", "min"), last_term=("past", "max"),
        status=("blocked_status", "first"),
    ).reindex(covered.index)
    per_line.insert(0, "out_of_network", out_of_network)
    per_line.insert(0, "covered", covered)
    lines = lines.assign(**{name: as_object(lines[name]) for name in ("clinician", "payer", "payer_key")})
    return lines.set_index("line").join(per_line)


def _gap_reason(gaps: pd.DataFrame) -> pd.Series:
    """Why each uncovered line is not covered, with the dates involved."""
    payer = gaps["payer"].astype(str)
    dos = fmt_date(gaps["dos"])
    reason = pd.Series("no enrollment with " + payer + " on file", index=gaps.index)
    days_before = (gaps["next_effective"] - gaps["dos"]).dt.days
    days_after = (gaps["dos"] - gaps["last_term"]).dt.days
    reason = reason.mask(gaps["status"].notna(),
                         "enrollment with " + payer + " has status '" + gaps["status"].astype(str) + "'")
    reason = reason.mask(gaps["last_term"].notna(),
                         "enrollment with " + payer + " termed " + fmt_date(gaps["last_term"]) + " ("
                         + days_after.astype("Int64").astype(str) + " days before the service on "
                         + dos + ")")
    reason = reason.mask(gaps["next_effective"].notna(),
                         "enrollment with " + payer + " is effective " + fmt_date(gaps["next_effective"])
                         + " (" + days_before.astype("Int64").astype(str) + " days after the service on "
                         + dos + ")")
    both = gaps["next_effective"].notna() & gaps["last_term"].notna()
    reason = reason.mask(both, "service on " + dos + " falls in a gap between " + payer + " enrollments "
                         "(termed " + fmt_date(gaps["last_term"]) + ", effective again "
                         + fmt_date(gaps["next_effective"]) + ")")
    return reason


@rule(
    id="CRED-001", family="CRED", severity="error",
    title="License expired on the date of service",
    rationale="Services rendered after the clinician's license expired are not payable and must be "
              "refunded if paid; payers deny them as provider not eligible (CARC B7/185).",
    fix="Hold these claims until the renewal is confirmed (and backdated by the board), then update the "
        "license expiration in the roster.",
    source="S105 (CARC B7: provider not eligible on this date of service); state boards require an "
           "active license",
    needs=("service_date", "clinician_name"),
    needs_roster=("clinicians.license_expiration",),
)
def license_expired(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    roster = clinician_table(ctx)
    if "license_expiration" not in roster.columns:
        return hits(pd.Index([]), pd.Series(dtype="string"))
    expiration = pd.to_datetime(by_clinician(claims, roster["license_expiration"]))
    expired = expiration.notna() & (claims["service_date"] > expiration)
    subset = claims[expired]
    license = (text(subset["clinician_name"].map(column(roster, "license_state"))).fillna("") + " "
               + text(subset["clinician_name"].map(column(roster, "license_number"))).fillna("")).str.strip()
    license = license.where(license == "", " (" + license + ")")
    days = (subset["service_date"] - expiration[expired]).dt.days.astype(str)
    message = (subset["clinician_name"].astype(str) + "'s license" + license + " expired "
               + fmt_date(expiration[expired]) + "; service on " + fmt_date(subset["service_date"]) + " is "
               + days + " days later.")
    return hits(subset.index, message)


@rule(
    id="CRED-002", family="CRED", severity="warning",
    title="Clinician not in the roster",
    rationale="A rendering clinician missing from the roster cannot be checked for license, taxonomy or "
              "payer enrollment, which are the most expensive denials (CARC B7).",
    fix="Add the clinician (credential, NPI, taxonomy, license, enrollments) to the roster, or correct the "
        "rendering clinician on the claims.",
    source="S105 (CARC B7: provider not eligible on this date of service)",
    needs=("clinician_name",),
    needs_roster=("clinicians",),
    clinician_level=True,
)
def not_in_roster(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    unknown = claims["clinician_name"].notna() & ~claims["clinician_name"].isin(_roster_names(ctx))
    if not unknown.any():
        return clinician_hits(pd.Series(dtype="object"), pd.Series(dtype="object"))
    lines = pd.DataFrame({
        "clinician": claims.loc[unknown, "clinician_name"].astype(str),
        "dos": pd.to_datetime(column(claims, "service_date")[unknown]),
        "charge": pd.to_numeric(column(claims, "charge")[unknown], errors="coerce"),
    })
    grouped = lines.groupby("clinician", sort=True).agg(
        lines=("dos", "size"), first=("dos", "min"), last=("dos", "max"), charges=("charge", "sum"))
    names = grouped.index.to_series()
    dated = grouped["first"].notna()
    period = (" (" + fmt_date(grouped["first"]) + " to " + fmt_date(grouped["last"]) + ")").where(dated, "")
    message = ("'" + names + "' rendered " + grouped["lines"].astype(str) + " line(s)" + period
               + " but is not in the roster; license and payer enrollments cannot be checked.")
    amount = grouped["charges"].astype("float64")
    return clinician_hits(names, message, amount=amount)


@rule(
    id="CRED-003", family="CRED", severity="error",
    title="Not enrolled with the payer on the date of service",
    rationale="A payer does not pay a clinician who was not enrolled (credentialed) with it on the date of "
              "service: before the effective date, after the term date, or with no enrollment at all "
              "(CARC B7, provider not certified/eligible on this date).",
    fix="Bill these lines only once the enrollment covers the date (ask the payer for a retroactive "
        "effective date), or bill under an enrolled clinician where supervision rules allow.",
    source="S105 (CARC B7: provider not eligible on this date of service)",
    needs=("service_date", "clinician_name", "payer"),
    needs_roster=("enrollments",),
    insurance_only=True,
)
def not_enrolled(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    coverage = _coverage(claims, ctx)
    gaps = coverage[~coverage["covered"]]
    message = (gaps["clinician"].astype(str) + " not enrolled on the date of service: " + _gap_reason(gaps)
               + ".")
    return hits(gaps.index, message)


@rule(
    id="CRED-004", family="CRED", severity="warning",
    title="License expiring soon or expired",
    rationale="A license that lapses stops every payer's payments from that day; renewals and board "
              "processing take weeks, so expirations within 30/60/90 days of the as-of date need action.",
    fix="Start the renewal now and send the renewed license to every payer the clinician is enrolled with.",
    source="State boards require an active license; the 30/60/90-day horizon is bhdash's own",
    needs=(),
    needs_roster=("clinicians.license_expiration",),
    clinician_level=True,
)
def license_expiring(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    roster = clinician_table(ctx)
    windows = sorted(ctx.setting("license_expiry_windows", (30, 60, 90)))
    if "license_expiration" not in roster.columns:
        return clinician_hits(pd.Series(dtype="object"), pd.Series(dtype="object"))
    expiration = pd.to_datetime(roster["license_expiration"])
    days = (expiration - ctx.as_of).dt.days
    billed = roster.index.isin(column(claims, "clinician_name").dropna().unique())
    soon = days.between(0, windows[-1]).fillna(False)
    lapsed = (days < 0).fillna(False) & billed
    chosen = roster[soon | lapsed]
    days = days[soon | lapsed].astype(int)
    tier = days.map(lambda value: next((w for w in windows if value <= w), windows[-1]))
    names = chosen.index.to_series()
    when = fmt_date(expiration[soon | lapsed])
    as_of = ctx.as_of.strftime("%Y-%m-%d")
    message = (names + "'s license expires " + when + ", in " + days.astype(str) + " days (within "
               + tier.astype(str) + " days of " + as_of + ").")
    message = message.where(days >= 0, names + "'s license expired " + when + ", " + (-days).astype(str)
                            + " days before " + as_of + ", and they billed in this data.")
    return clinician_hits(names, message)


@rule(
    id="CRED-005", family="CRED", severity="warning",
    title="Enrollment gap for a payer the clinician bills",
    rationale="Summarizes, per clinician and payer actually billed, the dates not covered by an enrollment "
              "and enrollments that end soon, so credentialing can be fixed once for all affected lines.",
    fix="Work the credentialing file: request retro effective dates, re-credential before term dates, and "
        "stop scheduling the payer's patients with the clinician until enrolled.",
    source="S105 (CARC B7: provider not eligible on this date of service)",
    needs=("service_date", "clinician_name", "payer"),
    needs_roster=("enrollments",),
    clinician_level=True,
    insurance_only=True,
)
def enrollment_gaps(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    coverage = _coverage(claims, ctx).copy()
    coverage["charge"] = column(claims, "charge").reindex(coverage.index).astype("float64")
    gaps = coverage[~coverage["covered"]]
    summary = gaps.groupby(["clinician", "payer_key"], sort=True).agg(
        payer=("payer", "first"), lines=("dos", "size"), first=("dos", "min"), last=("dos", "max"),
        charges=("charge", "sum"), next_effective=("next_effective", "max"),
        has_enrollment=("has_enrollment", "any"),
    ).reset_index()
    gap_text = pd.Series("no enrollment on file", index=summary.index)
    gap_text = gap_text.mask(summary["has_enrollment"], "not covered by the enrollment dates on file")
    gap_text = gap_text.mask(summary["next_effective"].notna(),
                             "enrollment effective " + fmt_date(summary["next_effective"]))
    gap_message = (summary["clinician"].astype(str) + " billed " + summary["payer"].astype(str) + " on "
                   + summary["lines"].astype(str) + " line(s) (" + fmt_money(summary["charges"]) + ") from "
                   + fmt_date(summary["first"]) + " to " + fmt_date(summary["last"]) + " without enrollment: "
                   + gap_text + ".")
    horizon = int(ctx.setting("enrollment_term_warning_days", 60))
    ending = _ending_soon(coverage, ctx, horizon)
    frames = [
        # The dollars are in the message only: CRED-003 already carries them per line, and totals must not
        # count them twice.
        clinician_hits(summary["clinician"], gap_message, payer=summary["payer"]),
        clinician_hits(ending["clinician"], ending["message"], payer=ending["payer"]),
    ]
    return pd.concat([frame for frame in frames if not frame.empty] or frames[:1], ignore_index=True)


def _ending_soon(coverage: pd.DataFrame, ctx: CheckContext, horizon: int) -> pd.DataFrame:
    """Billed clinician × payer pairs whose covering enrollment terms within `horizon` days of as-of."""
    billed = coverage.groupby(["clinician", "payer_key"], sort=True).agg(
        payer=("payer", "first"), lines=("dos", "size"))
    enrollments = _enrollments(ctx)
    active = enrollments[enrollments["in_force"]
                         & (enrollments["effective"].isna() | (enrollments["effective"] <= ctx.as_of))
                         & enrollments["term"].notna() & (enrollments["term"] >= ctx.as_of)]
    days = (active["term"] - ctx.as_of).dt.days
    active = active[days <= horizon].assign(days=days)
    joined = active.join(billed, on=["clinician", "payer_key"], how="inner")
    if joined.empty:
        return pd.DataFrame(columns=["clinician", "payer", "message"])
    message = (joined["clinician"].astype(str) + "'s " + joined["payer"].astype(str) + " enrollment terms "
               + fmt_date(joined["term"]) + ", in " + joined["days"].astype(str) + " days; "
               + joined["lines"].astype(str) + " line(s) billed to " + joined["payer"].astype(str)
               + " in this data.")
    return pd.DataFrame({"clinician": joined["clinician"], "payer": joined["payer"], "message": message})


@rule(
    id="CRED-006", family="CRED", severity="info",
    title="Billed out of network on purpose",
    rationale="The roster records the clinician as out of network (OON, non-par) with this payer, so the "
              "line is not an enrollment error; the payer pays at its out-of-network benefit, if any, and "
              "the patient may owe more.",
    fix="Nothing to fix if out-of-network billing is intended; make sure the patient was told.",
    source="S109, S110 (UHC and Cigna non-participating filing limits); S105 (CARC B7)",
    needs=("service_date", "clinician_name", "payer"),
    needs_roster=("enrollments",),
    insurance_only=True,
)
def out_of_network(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    coverage = _coverage(claims, ctx)
    lines = coverage[coverage["out_of_network"].fillna(False).astype(bool)]
    message = (lines["clinician"].astype(str) + " is out of network with " + lines["payer"].astype(str)
               + " (enrollment status on file); the service on " + fmt_date(lines["dos"])
               + " is billed out of network.")
    return hits(lines.index, message)
