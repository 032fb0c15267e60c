"""Dashboard figures as plain pandas: KPIs, filters, aggregations and credentialing tables.

Everything here takes canonical frames (claims per `model.CLAIM_COLUMNS`, findings per
`model.FINDING_COLUMNS`, the roster, and the per-line risk frame) and returns small frames the
pages render and the chart builders draw. No Streamlit here, so every number on screen is unit-tested.

The per-line risk frame is indexed like the claims frame and carries `denial_risk` (probability) and
the money columns of `bhdash.money` (`amount_at_risk` = certain + likely loss, `baseline_loss` apart);
findings carry their attributed dollars in `at_risk`. Findings point at claim lines through `line_index`,
which is what lets one filter on the claim lines carry over to findings and risk without re-running
anything. Every dollar figure here is a sum of those columns, so pages agree with each other and with
the CLI and the exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bhdash.model import SEVERITIES, Roster
from bhdash.money import FINDING_DOLLARS, MoneySummary, summarize
from bhdash.norms import code_families, flagged_clinicians
from bhdash.payers import PayerDirectory, default_directory
from bhdash.reference import dated_facts
from bhdash.rules.registry import REGISTRY

# Findings of these severities make a line "not clean"; info findings are advice, not defects.
BLOCKING_SEVERITIES: tuple[str, ...] = ("error", "warning")
LICENSE_WINDOWS: tuple[int, ...] = (30, 60, 90)
ENROLLMENT_STATES: tuple[str, ...] = ("active", "pending", "termed", "none")


@dataclass(frozen=True)
class Filters:
    """The sidebar's global filters; an empty selection means "all"."""

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    payers: tuple[str, ...] = field(default_factory=tuple)
    clinicians: tuple[str, ...] = field(default_factory=tuple)

    @property
    def active(self) -> bool:
        return bool(self.start is not None or self.end is not None or self.payers or self.clinicians)


@dataclass(frozen=True)
class Kpis:
    """The headline numbers the Overview and Denial risk pages show, computed once from the same frames."""

    claim_lines: int
    charges: float
    clean_line_share: float
    lines_with_errors: int
    lines_with_findings: int
    money: MoneySummary

    @property
    def dollars_at_risk(self) -> float:
        """Certain + likely loss (never the ordinary denials)."""
        return self.money.at_risk

    @property
    def expected_denials(self) -> float:
        return self.money.expected_denials


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column, or an all-missing one when the export did not carry it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(np.nan, index=frame.index, dtype="float64")


def line_mask(claims: pd.DataFrame, filters: Filters) -> pd.Series:
    """True for the claim lines the filters keep."""
    keep = pd.Series(True, index=claims.index)
    if filters.start is not None or filters.end is not None:
        dates = _column(claims, "service_date")
        if filters.start is not None:
            keep &= dates >= pd.Timestamp(filters.start)
        if filters.end is not None:
            keep &= dates <= pd.Timestamp(filters.end)
    if filters.payers:
        keep &= _column(claims, "payer").isin(filters.payers)
    if filters.clinicians:
        keep &= _column(claims, "clinician_name").isin(filters.clinicians)
    return keep.fillna(False).astype(bool)


def filter_claims(claims: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The claim lines the filters keep (the frame itself, uncopied, when no filter is set)."""
    return claims[line_mask(claims, filters)] if filters.active else claims


def filter_findings(findings: pd.DataFrame, claims: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Line findings whose line survives the filters, plus clinician-level findings for kept clinicians.

    Clinician-level findings (no line) have no date or payer, so only the clinician filter applies.
    """
    if not filters.active:
        return findings
    kept_lines = claims.index[line_mask(claims, filters)]
    on_line = findings["line_index"].notna()
    keep = on_line & findings["line_index"].isin(kept_lines)
    clinician_level = ~on_line
    if filters.clinicians:
        clinician_level &= findings["clinician"].isin(filters.clinicians)
    return findings[(keep | clinician_level).astype(bool)]


def filter_lines(frame: pd.DataFrame, claims: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Any frame indexed like the claims (e.g. the per-line risk) restricted to the kept lines."""
    if not filters.active:
        return frame
    return frame[frame.index.isin(claims.index[line_mask(claims, filters)])]


def keep_chosen(frame: pd.DataFrame, chosen: dict[str, Sequence[object]]) -> pd.DataFrame:
    """Rows whose columns hold one of the chosen values, for the pages' multiselect filters.

    A column with nothing chosen does not narrow the rows: an empty multiselect means "all".
    """
    keep = pd.Series(True, index=frame.index)
    for column, values in chosen.items():
        if values:
            keep &= frame[column].isin(values)
    return frame[keep]


def filter_options(claims: pd.DataFrame) -> dict[str, object]:
    """Choices for the sidebar: sorted payers and clinicians, and the service-date span."""
    dates = _column(claims, "service_date").dropna()
    return {
        "payers": sorted(_column(claims, "payer").dropna().astype(str).unique()),
        "clinicians": sorted(_column(claims, "clinician_name").dropna().astype(str).unique()),
        "first_date": dates.min() if not dates.empty else None,
        "last_date": dates.max() if not dates.empty else None,
    }


def _line_findings(findings: pd.DataFrame) -> pd.DataFrame:
    return findings[findings["line_index"].notna()]


def lines_with(findings: pd.DataFrame, severities: tuple[str, ...]) -> pd.Index:
    """Index labels of claim lines that carry at least one finding of the given severities."""
    on_line = _line_findings(findings)
    return pd.Index(on_line.loc[on_line["severity"].isin(severities), "line_index"].astype("int64").unique())


def kpis(claims: pd.DataFrame, findings: pd.DataFrame, risk: pd.DataFrame) -> Kpis:
    """The Overview's headline numbers for the (filtered) claim lines."""
    total = len(claims)
    flagged = lines_with(findings, BLOCKING_SEVERITIES).intersection(claims.index)
    errors = lines_with(findings, ("error",)).intersection(claims.index)
    return Kpis(
        claim_lines=total,
        charges=float(_column(claims, "charge").sum()),
        clean_line_share=(1 - len(flagged) / total) if total else float("nan"),
        lines_with_errors=len(errors),
        lines_with_findings=len(flagged),
        money=summarize(risk, claims.index),
    )


def findings_by_family(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings and attributed dollars at risk per family × severity, families ordered by count."""
    grouped = (
        findings.groupby(["family", "severity"], observed=True)
        .agg(findings=("rule", "size"), at_risk=(FINDING_DOLLARS, "sum"))
        .reset_index()
    )
    order = grouped.groupby("family")["findings"].sum().sort_values(ascending=False).index
    grouped["family"] = pd.Categorical(grouped["family"], categories=list(order), ordered=True)
    grouped["severity"] = pd.Categorical(grouped["severity"], categories=list(SEVERITIES), ordered=True)
    result = grouped.sort_values(["family", "severity"]).reset_index(drop=True)
    result["family"] = result["family"].astype(str)
    result["severity"] = result["severity"].astype(str)
    return result


def findings_by_rule(findings: pd.DataFrame, within: str | None = None) -> pd.DataFrame:
    """Per rule: findings, distinct lines and attributed dollars at risk, most frequent first.

    With `within` (a findings column, e.g. "clinician"), per value of that column and rule, in one pass.
    """
    on_line = findings["line_index"].notna()
    keys = [*([within] if within else []), "rule", "family", "severity", "title"]
    return (
        findings.assign(_line=findings["line_index"].where(on_line))
        .groupby(keys, observed=True, dropna=False)
        .agg(findings=("message", "size"), lines=("_line", "nunique"), at_risk=(FINDING_DOLLARS, "sum"))
        .reset_index()
        .sort_values(["findings", "rule"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )


def fix_first(findings: pd.DataFrame, count: int = 8, within: str | None = None) -> pd.DataFrame:
    """The rules to work first: per rule, findings, lines hit and the dollars at risk attributed to it.

    Ranked by those dollars (`bhdash.money` attribution, so the cards add up without counting a line
    twice), then by how many findings the rule raised, so clinician-level rules without lines still appear.
    With `within` (e.g. "clinician"), the first `count` rules of each value of that column, ranked as
    `fix_first` ranks that value's findings alone (the report's cards rank all clinicians in one pass).
    """
    table = findings_by_rule(findings, within)
    fixes = findings.drop_duplicates("rule").set_index("rule")["fix"]
    table = table.assign(amount_at_risk=table["at_risk"], fix=table["rule"].map(fixes))
    table = table.assign(**_assumptions_by_rule(findings, table, within))
    ranked = table.sort_values(["amount_at_risk", "findings"], ascending=False, kind="stable")
    chosen = ranked.head(count) if within is None else ranked.groupby(within, sort=False).head(count)
    return chosen.reset_index(drop=True)


def _assumptions_by_rule(
    findings: pd.DataFrame, table: pd.DataFrame, within: str | None
) -> dict[str, pd.Series]:
    """Per row of a `findings_by_rule` table, how many of its findings rest on an unconfirmed payer default
    and the commonest one, so a card never ranks an assumption without saying so."""
    keys = [*([within] if within else []), "rule"]
    noted = (
        findings.dropna(subset=["assumption"])
        if "assumption" in findings.columns
        else findings.iloc[0:0].assign(assumption=pd.Series(dtype="string"))
    )
    by_rule = noted.groupby(keys)["assumption"]
    counts = by_rule.size()
    commonest = (
        by_rule.agg(lambda notes: notes.value_counts().index[0])
        if not noted.empty
        else pd.Series(dtype="string")
    )
    rows = pd.MultiIndex.from_frame(table[keys]) if within else pd.Index(table["rule"])
    assumed = counts.reindex(rows).fillna(0).astype("int64").to_numpy()
    return {
        "assumed_findings": pd.Series(assumed, index=table.index),
        "assumption": pd.Series(commonest.reindex(rows).to_numpy(), index=table.index).astype("string"),
    }


def risk_by(claims: pd.DataFrame, risk: pd.DataFrame, findings: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of `by` (payer, clinician_name…): lines, charges, flagged lines, expected denials, and the
    money split (certain, likely, at risk = certain + likely, ordinary denials), largest at risk first."""
    lines = risk.reindex(claims.index)
    frame = pd.DataFrame({by: _column(claims, by), "charge": _column(claims, "charge")}, index=claims.index)
    for column in ("denial_risk", "certain_loss", "likely_loss", "baseline_loss", "amount_at_risk"):
        frame[column] = lines[column].astype("float64").fillna(0.0)
    frame["flagged"] = frame.index.isin(lines_with(findings, BLOCKING_SEVERITIES))
    frame[by] = frame[by].astype("object").fillna("(not given)")
    result = (
        frame.groupby(by, observed=True)
        .agg(
            lines=("charge", "size"),
            charges=("charge", "sum"),
            flagged_lines=("flagged", "sum"),
            expected_denials=("denial_risk", "sum"),
            certain_loss=("certain_loss", "sum"),
            likely_loss=("likely_loss", "sum"),
            baseline_loss=("baseline_loss", "sum"),
            amount_at_risk=("amount_at_risk", "sum"),
        )
        .reset_index()
        .sort_values(["amount_at_risk", by], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    result["flagged_lines"] = result["flagged_lines"].astype("int64")
    return result


def monthly_trend(claims: pd.DataFrame, findings: pd.DataFrame, risk: pd.DataFrame) -> pd.DataFrame:
    """Per service month: lines, charges, flagged lines, share flagged and dollars at risk."""
    if "service_date" not in claims.columns:
        return pd.DataFrame(
            columns=["month", "lines", "charges", "flagged_lines", "flagged_share", "amount_at_risk"]
        )
    frame = pd.DataFrame(
        {
            "month": claims["service_date"].dt.to_period("M").dt.to_timestamp(),
            "charge": _column(claims, "charge"),
            "flagged": claims.index.isin(lines_with(findings, BLOCKING_SEVERITIES)),
        },
        index=claims.index,
    )
    frame["amount_at_risk"] = risk["amount_at_risk"].reindex(claims.index).fillna(0.0)
    result = (
        frame.dropna(subset=["month"])
        .groupby("month")
        .agg(
            lines=("charge", "size"),
            charges=("charge", "sum"),
            flagged_lines=("flagged", "sum"),
            amount_at_risk=("amount_at_risk", "sum"),
        )
        .reset_index()
    )
    result["flagged_lines"] = result["flagged_lines"].astype("int64")
    result["flagged_share"] = result["flagged_lines"] / result["lines"]
    return result


def code_mix_by_month(claims: pd.DataFrame, codes: tuple[str, ...]) -> pd.DataFrame:
    """Monthly share of each code among `codes` (e.g. one clinician's 90832/90834/90837)."""
    if "service_date" not in claims.columns or "procedure_code" not in claims.columns:
        return pd.DataFrame(columns=["month", "code", "lines", "share"])
    chosen = claims[claims["procedure_code"].isin(codes)]
    counts = (
        chosen.assign(month=chosen["service_date"].dt.to_period("M").dt.to_timestamp())
        .dropna(subset=["month"])
        .groupby(["month", "procedure_code"])
        .size()
        .rename("lines")
        .reset_index()
        .rename(columns={"procedure_code": "code"})
    )
    counts["code"] = counts["code"].astype(str)
    counts["share"] = counts["lines"] / counts.groupby("month")["lines"].transform("sum")
    return counts.sort_values(["month", "code"]).reset_index(drop=True)


def top_lines(
    claims: pd.DataFrame,
    risk: pd.DataFrame,
    count: int = 25,
    columns: tuple[str, ...] = (
        "source_row",
        "service_date",
        "clinician_name",
        "payer",
        "procedure_code",
        "charge",
    ),
) -> pd.DataFrame:
    """The `count` lines with the largest expected loss, with the line's own fields next to the risk."""
    ranked = risk.sort_values(["amount_at_risk", "denial_risk"], ascending=False, kind="stable").head(count)
    present = [column for column in columns if column in claims.columns]
    joined = claims.loc[ranked.index, present].join(ranked.drop(columns=["row"], errors="ignore"))
    if "reasons" in joined.columns:
        joined["reasons"] = joined["reasons"].map(
            lambda reasons: "; ".join(reasons) if isinstance(reasons, list | tuple) else reasons
        )
    return joined


def risk_histogram(risk: pd.DataFrame, bins: int = 20) -> pd.DataFrame:
    """Claim lines and dollars at risk per denial-probability band of width 1/bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    band = pd.cut(risk["denial_risk"].clip(0, 1), edges, include_lowest=True, right=True)
    result = (
        risk.assign(band=band)
        .groupby("band", observed=False)
        .agg(lines=("denial_risk", "size"), amount_at_risk=("amount_at_risk", "sum"))
        .reset_index()
    )
    result["low"] = edges[:-1]
    result["high"] = edges[1:]
    return result[["low", "high", "lines", "amount_at_risk"]]


def _grid_labels(claims: pd.DataFrame, column: str) -> pd.Series:
    """A column's values as a grid's row or column labels, "(not given)" where a line has none."""
    return _column(claims, column).astype("object").fillna("(not given)")


def risk_matrix(
    claims: pd.DataFrame,
    risk: pd.DataFrame,
    rows: str = "clinician_name",
    columns: str = "payer",
    value: str = "mean_risk",
) -> pd.DataFrame:
    """Clinician × payer grid of mean denial risk (`mean_risk`) or dollars at risk (`amount_at_risk`)."""
    frame = pd.DataFrame(
        {
            rows: _grid_labels(claims, rows),
            columns: _grid_labels(claims, columns),
            "denial_risk": risk["denial_risk"].reindex(claims.index),
            "amount_at_risk": risk["amount_at_risk"].reindex(claims.index),
        }
    )
    if value == "mean_risk":
        grid = frame.pivot_table(index=rows, columns=columns, values="denial_risk", aggfunc="mean")
    else:
        grid = frame.pivot_table(index=rows, columns=columns, values="amount_at_risk", aggfunc="sum")
    return grid.sort_index().sort_index(axis=1)


# A clinician × payer heatmap taller than this is scrolled rather than read, and with every cell labelled it
# takes the browser longer to draw than the rest of its page (0.5-0.7 s at 144 clinicians in Chromium).
HEATMAP_ROWS = 30


def clinicians_by_risk_dollars(claims: pd.DataFrame, risk: pd.DataFrame) -> list[str]:
    """The `risk_matrix` rows (clinicians, "(not given)" for lines without one) by dollars at risk, most
    first, ties by name: the order in which a heatmap too tall to show whole keeps its rows."""
    dollars = (
        pd.DataFrame({
            "clinician": _grid_labels(claims, "clinician_name"),
            "amount_at_risk": risk["amount_at_risk"].reindex(claims.index).fillna(0.0),
        })
        .groupby("clinician")["amount_at_risk"]
        .sum()
    )
    order = np.lexsort((dollars.index.to_numpy(dtype=str), -dollars.to_numpy()))
    return [str(name) for name in dollars.index[order]]


def clinicians_by_enrollment_gaps(matrix: pd.DataFrame) -> list[str]:
    """The `enrollment_matrix` clinicians, those with the most at stake first: dollars at risk on lines
    billed outside a valid enrollment, then those lines, then pairs billed without an active enrollment,
    then pairs pending or termed; ties by name."""
    outside_lines = matrix["outside_lines"] if "outside_lines" in matrix else pd.Series(0, index=matrix.index)
    not_active = matrix["state"] != "active"
    per_clinician = pd.DataFrame({
        "clinician": matrix["clinician"],
        "at_risk": matrix["at_risk"],
        "outside_lines": outside_lines,
        "billed_not_active": not_active & (matrix["lines"] > 0),
        "not_active": not_active & (matrix["state"] != "none"),
    }).groupby("clinician").sum()
    order = np.lexsort((per_clinician.index.to_numpy(dtype=str),
                        *(-per_clinician[column].to_numpy(dtype="float64") for column in
                          ("not_active", "billed_not_active", "outside_lines", "at_risk"))))
    return [str(name) for name in per_clinician.index[order]]


# ---------------------------------------------------------------- credentialing


def _payer_names(names: pd.Series, claims: pd.DataFrame, directory: PayerDirectory) -> pd.Series:
    """Payer names as the practice's claims spell them, so roster and claims payers line up.

    Names are matched through the payer table's aliases ("Medicare" on the roster is "Medicare Part B"
    when the claims say so); a payer the table does not know keeps its own name.
    """
    billed = _column(claims, "payer").dropna().astype("string").value_counts()  # a spelling per row, by use
    spellings = pd.DataFrame({"key": directory.canonical_payer(billed.index.to_series()).to_numpy(),
                              "name": billed.index, "lines": billed.to_numpy()})
    spelling = (
        spellings.dropna(subset=["key"])
        .sort_values("lines", ascending=False, kind="stable")
        .drop_duplicates("key")
        .set_index("key")["name"]
    )
    keys = directory.canonical_payer(names.astype("string"))
    return keys.map(spelling).fillna(names.astype("string"))


def enrollment_status(enrollments: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """active / pending / termed per enrollment row on `as_of`, from its dates and stated status."""
    effective = _column(enrollments, "effective_date")
    term = _column(enrollments, "term_date")
    stated = _column(enrollments, "status").astype("string").str.lower().fillna("")
    as_of = pd.Timestamp(as_of)
    status = pd.Series("active", index=enrollments.index, dtype="object")
    pending = effective.isna() | (effective > as_of) | stated.str.contains("pend")
    termed = (term.notna() & (term < as_of)) | stated.str.contains("term|inactive|denied")
    status[pending.fillna(True).astype(bool)] = "pending"
    status[termed.fillna(False).astype(bool)] = "termed"
    return status


def enrollment_matrix(
    roster: Roster,
    claims: pd.DataFrame,
    as_of: pd.Timestamp,
    directory: PayerDirectory | None = None,
    outside: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Long frame: one row per clinician × payer (payers billed or enrolled) with status and dates.

    A clinician with several enrollment rows for one payer shows the most favourable one
    (active over pending over termed), since that is the one a claim could rely on. `at_risk` and
    `outside_lines` carry the dollars and lines of `outside` (an `outside_enrollment` frame) per pair, so
    a pair billed with no enrollment, before its effective date or after its term date shows the same
    money as the findings. Without `outside`, `at_risk` is 0 and there is no `outside_lines`.
    """
    directory = directory or default_directory()
    clinicians = sorted(
        set(_column(roster.clinicians, "clinician_name").dropna().astype(str))
        | set(_column(claims, "clinician_name").dropna().astype(str).unique())
    )
    enrollments = roster.enrollments.copy()
    if not enrollments.empty:
        enrollments["payer"] = _payer_names(enrollments["payer"], claims, directory)
        enrollments["state"] = enrollment_status(enrollments, as_of)
    billed = _column(claims, "payer").dropna()
    payers = sorted(set(billed.astype(str).unique())
                    | set(enrollments.get("payer", pd.Series(dtype=str)).dropna()))
    grid = pd.MultiIndex.from_product([clinicians, payers], names=["clinician", "payer"]).to_frame(
        index=False
    )
    if enrollments.empty:
        grid["state"] = "none"
        grid["effective_date"] = pd.NaT
        grid["term_date"] = pd.NaT
    else:
        rank = {state: position for position, state in enumerate(ENROLLMENT_STATES)}
        best = (
            enrollments.assign(_rank=enrollments["state"].map(rank))
            .sort_values(["_rank", "effective_date"], kind="stable")
            .drop_duplicates(["clinician_name", "payer"])
            .rename(columns={"clinician_name": "clinician"})
        )
        grid = grid.merge(
            best[["clinician", "payer", "state", "effective_date", "term_date"]],
            on=["clinician", "payer"],
            how="left",
        )
        grid["state"] = grid["state"].fillna("none")
    lines = pd.DataFrame(
        {
            "clinician": _column(claims, "clinician_name"),
            "payer": _column(claims, "payer"),
            "charge": _column(claims, "charge"),
        }
    ).dropna(subset=["clinician", "payer"])
    billed_totals = (
        lines.groupby(["clinician", "payer"])
        .agg(lines=("charge", "size"), charges=("charge", "sum"))
        .reset_index()
    )
    grid = grid.merge(billed_totals, on=["clinician", "payer"], how="left")
    grid["lines"] = grid["lines"].fillna(0).astype("int64")
    grid["charges"] = grid["charges"].fillna(0.0)
    grid["label"] = grid["state"] + _date_span(grid["effective_date"], grid["term_date"])
    grid["at_risk"] = 0.0
    if outside is None:
        return grid
    grid["outside_lines"] = 0
    if not outside.empty:
        per_pair = (
            outside.groupby(["clinician", "payer"])
            .agg(_dollars=("at_risk", "sum"), _lines=("lines", "sum"))
            .reset_index()
        )
        grid = grid.merge(per_pair, on=["clinician", "payer"], how="left")
        grid["at_risk"] = grid.pop("_dollars").fillna(0.0)
        grid["outside_lines"] = grid.pop("_lines").fillna(0).astype("int64")
    return grid


def _date_span(starts: pd.Series, ends: pd.Series) -> pd.Series:
    start_text = pd.to_datetime(starts).dt.strftime("%Y-%m-%d").fillna("")
    end_text = pd.to_datetime(ends).dt.strftime("%Y-%m-%d").fillna("")
    span = start_text.where(start_text == "", " from " + start_text)
    return span + end_text.where(end_text == "", " to " + end_text)


def license_status(clinicians: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per clinician: license expiration, days left on `as_of`, and a status band.

    Bands: expired, "≤ 30 days" / "≤ 60 days" / "≤ 90 days" left, valid, and unknown (no expiration on
    the roster).
    """
    frame = pd.DataFrame(
        {
            "clinician": _column(clinicians, "clinician_name"),
            "credential": _column(clinicians, "credential"),
            "license_state": _column(clinicians, "license_state"),
            "license_number": _column(clinicians, "license_number"),
            "license_expiration": pd.to_datetime(_column(clinicians, "license_expiration")),
        }
    )
    days = (frame["license_expiration"] - pd.Timestamp(as_of)).dt.days
    frame["days_left"] = days.astype("Float64")
    conditions = [days.isna(), days < 0] + [days <= window for window in LICENSE_WINDOWS]
    labels = ["unknown", "expired"] + [f"≤ {window} days" for window in LICENSE_WINDOWS]
    frame["status"] = np.select(conditions, labels, default="valid")
    order = {label: position for position, label in enumerate([*labels[1:], "valid", "unknown"])}
    return (
        frame.assign(_order=frame["status"].map(order))
        .sort_values(["_order", "days_left", "clinician"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def outside_enrollment(findings: pd.DataFrame, rule_ids: tuple[str, ...]) -> pd.DataFrame:
    """Lines billed outside valid enrollment per clinician × payer, with the dollars at risk the enrollment
    rules' findings carry (`bhdash.money` attribution: the same dollars as those rules on every page)."""
    chosen = _line_findings(findings)
    chosen = chosen[chosen["rule"].isin(rule_ids)]
    return (
        chosen.groupby(["clinician", "payer"], dropna=False)
        .agg(
            lines=("line_index", "nunique"),
            at_risk=(FINDING_DOLLARS, "sum"),
            first_date=("service_date", "min"),
            last_date=("service_date", "max"),
        )
        .reset_index()
        .sort_values("at_risk", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def credential_timeline(
    roster: Roster,
    claims: pd.DataFrame,
    clinician: str,
    as_of: pd.Timestamp,
    directory: PayerDirectory | None = None,
) -> pd.DataFrame:
    """Bars for one clinician's timeline: license validity and each payer enrollment window.

    Columns: lane, start, end, kind (license / active / pending / termed), label. Open-ended windows
    run to the later of the as-of date and the last claim, so the bars cover every billed date.
    """
    directory = directory or default_directory()
    dates = _column(claims, "service_date")[_column(claims, "clinician_name") == clinician].dropna()
    first = min([d for d in (dates.min() if not dates.empty else None, pd.Timestamp(as_of)) if d is not None])
    horizon = max(pd.Timestamp(as_of), dates.max() if not dates.empty else pd.Timestamp(as_of))
    bars: list[dict[str, object]] = []
    people = roster.clinicians[_column(roster.clinicians, "clinician_name") == clinician]
    for expiration in _column(people, "license_expiration").dropna():
        expired = expiration < pd.Timestamp(as_of)
        bars.append(
            {
                "lane": "License",
                "start": first,
                "end": expiration,
                "kind": "license expired" if expired else "license",
                "label": f"License valid to {expiration:%Y-%m-%d}",
            }
        )
    enrollments = roster.enrollments[_column(roster.enrollments, "clinician_name") == clinician].copy()
    if not enrollments.empty:
        enrollments["payer"] = _payer_names(enrollments["payer"], claims, directory)
        enrollments["state"] = enrollment_status(enrollments, as_of)
        for row in enrollments.itertuples(index=False):
            start = row.effective_date if pd.notna(row.effective_date) else horizon
            end = row.term_date if pd.notna(row.term_date) else horizon
            span = _date_span(pd.Series([row.effective_date]), pd.Series([row.term_date])).iloc[0]
            bars.append(
                {
                    "lane": str(row.payer),
                    "start": start,
                    "end": max(end, start),
                    "kind": row.state,
                    "label": f"{row.payer}: {row.state}{span}",
                }
            )
    return pd.DataFrame(bars, columns=["lane", "start", "end", "kind", "label"])


def claim_dates_by_payer(
    claims: pd.DataFrame, clinician: str, outside: pd.Index | None = None
) -> pd.DataFrame:
    """One clinician's billed lines per payer and service week: the dots on the credentialing timeline.

    `outside` holds the lines billed outside a valid enrollment (the enrollment rules' findings); their
    weeks are separate rows with `outside` True, so the chart can draw them apart.
    """
    own = claims[_column(claims, "clinician_name") == clinician]
    frame = pd.DataFrame(
        {
            "lane": _column(own, "payer").astype("object").fillna("(no payer)"),
            "week": _column(own, "service_date").dt.to_period("W").dt.start_time,
            "charge": _column(own, "charge"),
            "outside": own.index.isin(outside if outside is not None else []),
        }
    ).dropna(subset=["week"])
    return (
        frame.groupby(["lane", "week", "outside"])
        .agg(lines=("charge", "size"), charges=("charge", "sum"))
        .reset_index()
    )


def lines_of_rules(findings: pd.DataFrame, rule_ids: tuple[str, ...]) -> pd.Index:
    """The claim lines (index labels) with a finding of one of `rule_ids`."""
    chosen = _line_findings(findings)
    return pd.Index(chosen.loc[chosen["rule"].isin(rule_ids), "line_index"].astype("int64").unique())


def enrollment_rule_ids() -> tuple[str, ...]:
    """Line-level rules that test a line against payer enrollments (billing outside a valid enrollment)."""
    import bhdash.rules.catalogue  # noqa: F401  (registers the catalogue)

    return tuple(
        sorted(
            rule.id
            for rule in REGISTRY.values()
            if "enrollments" in rule.needs_roster and not rule.clinician_level
        )
    )


def code_families_present(claims: pd.DataFrame) -> list[str]:
    """Code families (bhdash/reference/code_families.csv) billed in these lines, most lines first."""
    if "procedure_code" not in claims.columns:
        return []
    family = claims["procedure_code"].map(code_families().set_index("code")["code_family"])
    return list(family.value_counts().index)


def codes_in_family(family: str) -> tuple[str, ...]:
    """The procedure codes of one code family, from the reference table rather than a code constant."""
    table = code_families()
    return tuple(table.loc[table["code_family"] == family, "code"])


def clinician_summary(peers: pd.DataFrame, mix: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """One row per clinician: peer metrics, code families flagged as audit outliers, and findings.

    `peers` is `norms.peer_metrics`, `mix` is `norms.code_mix`. `families_off_norm` counts the
    clinician × payer type × family groups `norms.flagged_clinicians` reports (what NORM findings say);
    `largest_gap_pp` is the widest of their gaps (NaN when none).
    Sorted with flagged clinicians first, then by the PEPPER-style outlier score.
    """
    flagged = (
        flagged_clinicians(mix) if not mix.empty else pd.DataFrame(columns=["clinician", "difference_pp"])
    )
    groups = (
        flagged.assign(gap=pd.to_numeric(flagged["difference_pp"]).abs())
        .groupby("clinician")
        .agg(families_off_norm=("gap", "size"), largest_gap_pp=("gap", "max"))
    )
    counts = findings.groupby("clinician").size().rename("findings")
    summary = peers.join(groups, on="clinician").join(counts, on="clinician")
    summary["families_off_norm"] = summary["families_off_norm"].fillna(0).astype("int64")
    summary["findings"] = summary["findings"].fillna(0).astype("int64")
    return summary.sort_values(
        ["families_off_norm", "outlier_score"], ascending=False, kind="stable"
    ).reset_index(drop=True)


def rule_catalogue(status: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every registered rule with its documentation, and its status on the current data when given.

    `status` is the engine's rule-status frame (`CheckResult.rules`); without it every rule is "not run".
    """
    import bhdash.rules.catalogue  # noqa: F401  (registers the catalogue)

    catalogue = pd.DataFrame(
        [
            {
                "id": rule.id,
                "family": rule.family,
                "severity": rule.severity,
                "title": rule.title,
                "rationale": rule.rationale,
                "fix": rule.fix,
                "source": rule.source,
                "effective": rule.effective,
                "dated_facts": "; ".join(filter(None, map(dated_facts, rule.facts))),
                "needs": ", ".join(rule.needs)
                + ("; roster: " + ", ".join(rule.needs_roster) if rule.needs_roster else ""),
            }
            for rule in REGISTRY.values()
        ]
    ).sort_values("id", ignore_index=True)
    if status is None:
        return catalogue.assign(status="not run", reason=None, findings=np.nan)
    merged = catalogue.merge(status[["id", "status", "reason", "findings"]], on="id", how="left")
    merged["status"] = merged["status"].fillna("not run")
    return merged


def rule_list_markdown() -> str:
    """The catalogue as the README's Markdown table: id, severity, title, dates in effect, source."""

    def cell(value: str) -> str:
        return value.replace("|", "\\|").replace("\n", " ")

    catalogue = rule_catalogue()
    rows = ["| Rule | Severity | Title | In effect | Source and dated facts |", "|---|---|---|---|---|"]
    for rule in catalogue.itertuples():
        source = rule.source + (f". Dated facts: {rule.dated_facts}" if rule.dated_facts else "")
        cells = (rule.id, rule.severity, cell(rule.title), rule.effective, cell(source))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def enrollment_date_fixes(
    outside: pd.DataFrame, roster: Roster, claims: pd.DataFrame, directory: PayerDirectory | None = None
) -> pd.DataFrame:
    """The enrollment dates that would cover every line billed outside enrollment.

    `outside` is `outside_enrollment(...)`. A pair billed before its enrollment started (or with none)
    gets the first date billed as effective date; a pair billed after its term date gets the term
    extended through the last date billed. Columns: clinician, payer, effective_date, term_date (NaT
    where that date need not change).
    """
    directory = directory or default_directory()
    pairs = outside.dropna(subset=["clinician", "payer", "first_date"])
    enrollments = roster.enrollments
    if enrollments.empty:
        windows = pd.DataFrame(columns=["clinician", "payer", "starts", "ends"])
    else:
        windows = pd.DataFrame(
            {
                "clinician": enrollments["clinician_name"],
                "payer": _payer_names(enrollments["payer"], claims, directory),
                "starts": _column(enrollments, "effective_date"),
                "ends": _column(enrollments, "term_date"),
            }
        ).drop_duplicates(["clinician", "payer"])
    merged = pairs.merge(windows, on=["clinician", "payer"], how="left", indicator=True)
    missing = merged["_merge"] == "left_only"
    starts = pd.to_datetime(merged["starts"])
    ends = pd.to_datetime(merged["ends"])
    too_late = missing | starts.isna() | (merged["first_date"] < starts)
    termed = ~missing & ends.notna() & (ends < merged["last_date"])
    return pd.DataFrame(
        {
            "clinician": merged["clinician"],
            "payer": merged["payer"],
            "effective_date": merged["first_date"].where(too_late),
            "term_date": merged["last_date"].where(termed),
        }
    )[too_late | termed].drop_duplicates(["clinician", "payer"]).reset_index(drop=True)
