"""What the report says, as plain data: built once from an analysis, rendered as HTML and printed as PDF.

Every figure is taken from the same functions the dashboard and `bhdash check` use (bhdash.report,
bhdash.metrics, bhdash.norms, bhdash.whatif); nothing here computes money of its own. The content is
restricted to the report's period (and any dashboard filters) the way the dashboard restricts a page:
the analysis runs on the whole upload, then lines, findings and risk are filtered together.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from bhdash import charts, metrics, money, norms, whatif
from bhdash.analysis import Analysis
from bhdash.model import CLAIM_FIELDS, FAMILIES, SEVERITIES
from bhdash.payers import PayerDirectory, default_directory
from bhdash.reference import sources
from bhdash.report import report_document
from bhdash.reportpack import wording
from bhdash.rules.engine import CheckResult

EXAMPLES_PER_FAMILY = 3
TOP_FIXES = 5
CHANGES_PER_CLINICIAN = 3
TOP_PLACES = 5


@dataclass(frozen=True)
class ReportOptions:
    """What the consultant chooses: who it is for and by whom, the period, privacy, and a what-if."""

    practice: str = "Your practice"
    prepared_by: str | None = None
    prepared_for: str | None = None
    prepared_on: dt.date | None = None  # default: today
    logo: bytes | None = None
    identified: bool = False
    filters: metrics.Filters = field(default_factory=metrics.Filters)
    scenario: whatif.Scenario | None = None


@dataclass(frozen=True)
class Example:
    claim_id: str
    service_date: str
    code: str
    clinician: str
    patient: str | None
    message: str


@dataclass(frozen=True)
class FamilySection:
    family: str
    name: str
    meaning: str
    findings: int
    lines: int
    by_severity: dict[str, int]
    at_risk: float
    examples: list[Example]


@dataclass(frozen=True)
class Fix:
    rule: str
    title: str
    lines: int
    findings: int
    amount_at_risk: float
    action: str


@dataclass(frozen=True)
class MixView:
    family: str
    payer_type: str
    volume: int
    verdict: str
    status: str  # "audit outlier" / "off norm" / "within norm"
    figure: go.Figure
    basis: str


@dataclass(frozen=True)
class ClinicianCard:
    name: str
    credential: str | None
    lines: int
    patients: int
    charges: float
    first_date: str
    last_date: str
    findings: int
    amount_at_risk: float
    share_90837: float | None
    share_90837_percentile: float | None
    mix: MixView | None
    families: list[dict[str, Any]]
    license: dict[str, Any] | None
    enrollments: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    changes: list[str]


@dataclass
class Report:
    """Everything the templates print, in order (cover first, method last)."""

    options: ReportOptions
    practice: str
    period_start: str
    period_end: str
    as_of: str
    source_file: str
    clinicians: list[ClinicianCard]
    # The sections below are empty in a report of clinician cards alone (`clinician_cards_report`).
    logo_uri: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    fixes: list[Fix] = field(default_factory=list)
    skipped_rules: list[dict[str, Any]] = field(default_factory=list)
    missing_data: str = ""
    rules_total: int = 0
    families: list[FamilySection] = field(default_factory=list)
    family_figure: go.Figure | None = None
    matrix_figure: go.Figure | None = None
    matrix_note: str = ""  # which clinicians the matrix shows, when it cannot show them all
    expiring: list[dict[str, Any]] = field(default_factory=list)
    outside: list[dict[str, Any]] = field(default_factory=list)
    outside_total: float = 0.0
    risk: dict[str, Any] = field(default_factory=dict)
    calibration_figure: go.Figure | None = None
    risk_by_payer: list[dict[str, Any]] = field(default_factory=list)
    top_payers: list[dict[str, Any]] = field(default_factory=list)
    top_clinicians: list[dict[str, Any]] = field(default_factory=list)
    whatif: dict[str, Any] | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    assumptions: list[dict[str, Any]] = field(default_factory=list)
    norm_sources: list[dict[str, Any]] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def identified(self) -> bool:
        return self.options.identified


_NO_FAMILIES = pd.DataFrame(columns=["family", "findings", "at_risk"])

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def practice_name_from(file_name: str) -> str:
    """A practice name from an export's file name when none is given ("acme_claims.xlsx" → "acme claims")."""
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return " ".join(stem.replace("_", " ").replace("-", " ").split()) or "Practice"


def logo_data_uri(data: bytes | None) -> str | None:
    """The logo as a data URI when it is a PNG; None otherwise (the caller warns)."""
    if not data or not data.startswith(PNG_SIGNATURE):
        return None
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def scoped(analysis: Analysis, filters: metrics.Filters) -> Analysis:
    """The analysis restricted to the filtered lines (findings and risk filtered with them), as the
    dashboard restricts a page; without filters, the analysis itself."""
    if not filters.active:
        return analysis
    claims = analysis.claims
    check = CheckResult(
        findings=metrics.filter_findings(analysis.check.findings, claims, filters),
        rules=analysis.check.rules,
        warnings=analysis.check.warnings,
    )
    return replace(
        analysis,
        claims=metrics.filter_claims(claims, filters),
        check=check,
        risk=metrics.filter_lines(analysis.risk, claims, filters),
    )


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return str(value)


def _patient_names(claims: pd.DataFrame) -> list[str]:
    """Every patient's full name in the lines (as exported, and first-last and last-first), longest first,
    to keep them out of example text in a de-identified report."""
    names: set[str] = set()
    if "patient_name" in claims.columns:
        for value in claims["patient_name"].dropna().astype(str).unique():
            value = " ".join(value.split())
            names.add(value)
            if "," in value:
                last, _, first = value.partition(",")
                names.add(f"{first.strip()} {last.strip()}")
    if {"patient_first_name", "patient_last_name"} <= set(claims.columns):
        pairs = claims[["patient_first_name", "patient_last_name"]].dropna().astype(str).drop_duplicates()
        for first, last in pairs.itertuples(index=False):
            names.update({f"{first} {last}", f"{last}, {first}"})
    return sorted((name for name in names if len(name) >= 3), key=len, reverse=True)


def _name_patterns(names: list[str]) -> list[re.Pattern[str]]:
    """Case-insensitive patterns matching any of the names, in chunks the regex engine handles quickly."""
    return [re.compile("|".join(re.escape(name) for name in names[start : start + 500]), re.IGNORECASE)
            for start in range(0, len(names), 500)]


def _deidentify(text: str, patterns: list[re.Pattern[str]]) -> str:
    for pattern in patterns:
        text = pattern.sub("[patient]", text)
    return text


def _examples(
    findings: pd.DataFrame, claims: pd.DataFrame, identified: bool, patterns: list[re.Pattern[str]]
) -> list[Example]:
    """Two or three typical findings of one family: the most frequent rules first, earliest line of each."""
    ranked = findings.assign(_rule_count=findings.groupby("rule")["rule"].transform("size"))
    ranked = ranked.sort_values(
        ["_rule_count", "rule", "service_date", "row"],
        ascending=[False, True, True, True],
        kind="stable",
        na_position="last",
    )
    chosen = ranked.drop_duplicates("rule").head(EXAMPLES_PER_FAMILY)
    if len(chosen) < EXAMPLES_PER_FAMILY:
        extra = ranked.drop(chosen.index).head(EXAMPLES_PER_FAMILY - len(chosen))
        chosen = pd.concat([chosen, extra])
    examples = []
    for row in chosen.itertuples(index=False):
        patient = None
        if identified and pd.notna(row.line_index) and "patient_name" in claims.columns:
            patient = (
                _text(claims.at[int(row.line_index), "patient_name"])
                if int(row.line_index) in claims.index
                else None
            )
        message = str(row.message) if identified else _deidentify(str(row.message), patterns)
        examples.append(
            Example(
                claim_id=_text(row.claim_id),
                service_date=wording.day(row.service_date),
                code=_text(row.code),
                clinician=_text(row.clinician),
                patient=patient,
                message=message,
            )
        )
    return examples


def _family_sections(analysis: Analysis, identified: bool) -> list[FamilySection]:
    findings = analysis.check.findings
    patterns = [] if identified else _name_patterns(_patient_names(analysis.claims))
    sections = []
    for family in FAMILIES:
        own = findings[findings["family"] == family]
        if own.empty:
            continue
        severities = own["severity"].value_counts()
        sections.append(
            FamilySection(
                family=family,
                name=wording.family_name(family),
                meaning=wording.family_meaning(family),
                findings=len(own),
                lines=int(own["line_index"].dropna().nunique()),
                by_severity={
                    name: int(severities.get(name, 0)) for name in SEVERITIES if severities.get(name, 0)
                },
                at_risk=float(own[money.FINDING_DOLLARS].astype("float64").sum()),
                examples=_examples(own, analysis.claims, identified, patterns),
            )
        )
    return sections


def _fixes(table: pd.DataFrame) -> list[Fix]:
    """A `metrics.fix_first` table as the report's fixes."""
    return [
        Fix(
            rule=row.rule,
            title=row.title,
            lines=int(row.lines),
            findings=int(row.findings),
            amount_at_risk=float(row.amount_at_risk),
            action=wording.first_sentence(row.fix),
        )
        for row in table.itertuples(index=False)
    ]


def _skipped(analysis: Analysis) -> list[dict[str, Any]]:
    skipped = analysis.check.skipped()
    return [{"id": row.id, "title": row.title, "reason": _text(row.reason)}
            for row in skipped.itertuples(index=False)]


def _missing_data(skipped: list[dict[str, Any]]) -> str:
    """What the export lacked, in plain words, from the skipped rules' reasons ("minutes, modifier 1 …")."""
    labels = {spec.name: spec.label.lower() for spec in CLAIM_FIELDS}
    missing: dict[str, None] = {}
    for rule in skipped:
        for part in str(rule["reason"]).split("; "):
            for prefix in ("missing columns ", "missing column ", "no values in "):
                if part.startswith(prefix):
                    for column in part[len(prefix):].split(", "):
                        missing[labels.get(column, column.replace("_", " "))] = None
                    break
            else:
                missing[part.removeprefix("no ")] = None
    return ", ".join(missing)


def _mix_views(mix: pd.DataFrame) -> dict[str, MixView]:
    """Per clinician, the one code family that says most about them: an audit outlier first, then off
    norm, then the largest volume (the order the Clinicians page lists them). All clinicians in one pass."""
    if mix.empty:
        return {}
    keys = ["clinician", "payer_type", "code_family"]
    tops = (
        mix.groupby(keys)
        .agg(volume=("volume", "first"), outlier=("audit_flag", "any"), off_norm=("flagged", "any"))
        .reset_index()
        .sort_values(
            ["outlier", "off_norm", "volume", "payer_type", "code_family"],
            ascending=[False, False, False, True, True],
            kind="stable",
        )
        .drop_duplicates("clinician")
    )
    parts = dict(tuple(mix.groupby(keys, sort=False)))
    views = {}
    for top in tops.itertuples(index=False):
        part = parts[(top.clinician, top.payer_type, top.code_family)]
        comparison = part.rename(columns={"count": "lines"})[
            ["code", "observed_share", "expected_share", "lines"]
        ]
        label = norms.code_family_label(top.code_family)
        status = "audit outlier" if top.outlier else "off norm" if top.off_norm else "within norm"
        views[top.clinician] = MixView(
            family=label,
            payer_type=str(top.payer_type).capitalize(),
            volume=int(top.volume),
            verdict=norms.mix_verdict(bool(top.outlier), bool(top.off_norm)),
            status=status,
            figure=charts.code_mix_vs_norm(comparison, label),
            basis=", ".join(sorted(part["basis"].dropna().astype(str).unique())),
        )
    return views


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records")


def _clinician_cards(
    analysis: Analysis,
    directory: PayerDirectory,
    norm_table: pd.DataFrame,
    only: set[str] | None = None,
    matrix: pd.DataFrame | None = None,
) -> list[ClinicianCard]:
    """One card per clinician who billed in the view (or only those in `only`); peer percentiles are always
    among every clinician in the view. `matrix` is the view's `metrics.enrollment_matrix` when the caller
    has it (the full report draws it too); a card reads only its clinician's billed or enrolled pairs."""
    claims, findings, risk = analysis.claims, analysis.check.findings, analysis.risk
    if claims.empty or "clinician_name" not in claims.columns:
        return []
    billed = claims.dropna(subset=["clinician_name"])
    if billed.empty:
        return []
    mix = norms.code_mix(
        billed, norm_table, on=analysis.as_of, credentials=analysis.roster.credentials_for(billed)
    )
    peers = norms.peer_metrics(billed, risk["expected_payment"]).set_index("clinician")
    licenses = metrics.license_status(analysis.roster.clinicians, analysis.as_of).set_index("clinician")
    if matrix is None:
        matrix = metrics.enrollment_matrix(analysis.roster, billed, analysis.as_of, directory)
    outside = metrics.outside_enrollment(findings, metrics.enrollment_rule_ids())
    amounts = risk["amount_at_risk"].reindex(billed.index).fillna(0.0)
    relevant = matrix[(matrix["lines"] > 0) | (matrix["state"] != "none")]
    matrix_of = dict(tuple(relevant.groupby("clinician", sort=False)))
    outside_of = dict(tuple(outside.groupby("clinician", sort=False)))
    lines_of = dict(tuple(billed.groupby(billed["clinician_name"].astype(str), sort=True)))
    findings_of = findings.groupby("clinician", sort=False).size()
    first_fixes = metrics.fix_first(findings, CHANGES_PER_CLINICIAN, within="clinician")
    fixes_of = dict(tuple(first_fixes.groupby("clinician", sort=False)))
    by_family = (
        findings[findings["family"].isin(FAMILIES)]
        .groupby(["clinician", "family"], sort=False)
        .agg(findings=("rule", "size"), at_risk=(money.FINDING_DOLLARS, "sum"))
        .reset_index()
    )
    family_order = by_family["family"].map(FAMILIES.index).sort_values(kind="stable")
    families_of = dict(tuple(by_family.loc[family_order.index].groupby("clinician", sort=False)))
    if only is not None:
        mix = mix[mix["clinician"].isin(only)] if not mix.empty else mix
    views = _mix_views(mix)
    cards = []
    for name, own in lines_of.items():
        if only is not None and name not in only:
            continue
        dates = (
            own["service_date"].dropna()
            if "service_date" in own.columns
            else pd.Series(dtype="datetime64[ns]")
        )
        peer = peers.loc[name] if name in peers.index else None
        by_family = families_of.get(name, _NO_FAMILIES)
        license_row = licenses.loc[name] if name in licenses.index else None
        if isinstance(license_row, pd.DataFrame):
            license_row = license_row.iloc[0]
        pairs = matrix_of.get(name, matrix.iloc[:0])
        gaps = outside_of.get(name, outside.iloc[:0])
        fixes = _fixes(fixes_of[name]) if name in fixes_of else []
        view = views.get(name)
        changes = [
            f"{fix.action} ({fix.title.rstrip('.')}: {wording.plural(fix.lines, 'line')}, "
            f"{wording.money(fix.amount_at_risk)} at risk)"
            for fix in fixes
        ]
        if view is not None and view.status == "audit outlier" and len(changes) < CHANGES_PER_CLINICIAN:
            changes.append(
                f"Review the documentation behind the {view.family.split(' (')[0].lower()} codes "
                f"billed to {view.payer_type.lower()} payers: the mix is above the payer norm."
            )
        cards.append(
            ClinicianCard(
                name=name,
                credential=_credential(analysis, name, own),
                lines=len(own),
                patients=int(own["patient_id"].nunique()) if "patient_id" in own.columns else 0,
                charges=float(own["charge"].sum()) if "charge" in own.columns else float("nan"),
                first_date=wording.day(dates.min()) if not dates.empty else "—",
                last_date=wording.day(dates.max()) if not dates.empty else "—",
                findings=int(findings_of.get(name, 0)),
                amount_at_risk=float(amounts.reindex(own.index).sum()),
                share_90837=_number(peer, "share_90837"),
                share_90837_percentile=_number(peer, "share_90837_percentile"),
                mix=view,
                families=[
                    {
                        "family": row.family,
                        "name": wording.family_name(row.family),
                        "findings": int(row.findings),
                        "at_risk": float(row.at_risk),
                    }
                    for row in by_family.itertuples(index=False)
                ],
                license=None
                if license_row is None
                else {
                    "number": _text(license_row["license_number"]),
                    "state": _text(license_row["license_state"]),
                    "expiration": wording.day(license_row["license_expiration"]),
                    "status": str(license_row["status"]),
                    "days_left": _number(license_row, "days_left"),
                },
                enrollments=[
                    {
                        "payer": row.payer,
                        "state": row.state,
                        "effective": wording.day(row.effective_date),
                        "term": wording.day(row.term_date),
                        "lines": int(row.lines),
                    }
                    for row in pairs.itertuples(index=False)
                ],
                gaps=[
                    {
                        "payer": _text(row.payer),
                        "lines": int(row.lines),
                        "at_risk": float(row.at_risk),
                        "first": wording.day(row.first_date),
                        "last": wording.day(row.last_date),
                    }
                    for row in gaps.itertuples(index=False)
                ],
                changes=changes or ["Nothing to change: no errors or warnings on this clinician's lines."],
            )
        )
    return cards


def _number(row: pd.Series | None, key: str) -> float | None:
    if row is None or key not in row.index or pd.isna(row[key]):
        return None
    return float(row[key])


def _credential(analysis: Analysis, name: str, own: pd.DataFrame) -> str | None:
    people = analysis.roster.clinicians
    if not people.empty and "credential" in people.columns:
        found = people.loc[people["clinician_name"] == name, "credential"].dropna()
        if not found.empty:
            return str(found.iloc[0])
    if "clinician_credential" in own.columns:
        found = own["clinician_credential"].dropna()
        if not found.empty:
            return str(found.mode().iloc[0])
    return None


def _matrix_note(shown: int, clinicians: int) -> str:
    """Which clinicians a matrix kept to `metrics.HEATMAP_ROWS` rows shows (as the dashboard's does)."""
    if shown == clinicians:
        return ""
    return (f"The matrix shows {shown} of the {clinicians} clinicians: those with the most at stake "
            "(dollars billed outside enrollment, then enrollments not active). Every pair billed outside "
            "enrollment is in the table below.")


def _risk_section(analysis: Analysis) -> tuple[dict[str, Any], go.Figure | None]:
    model = analysis.risk_model or {}
    status = model.get("status", "prior")
    info: dict[str, Any] = {"status": status, "reason": model.get("reason"), "source": model.get("source")}
    figure = None
    if status == "trained":
        auc, prior_auc = model.get("auc"), model.get("prior_auc")
        info.update(
            {
                key: model.get(key)
                for key in (
                    "history_lines",
                    "denials",
                    "denial_rate",
                    "test_lines",
                    "auc",
                    "prior_auc",
                    "brier",
                )
            }
        )
        info["quality"] = _quality_words(auc, prior_auc)
        table = pd.DataFrame(model.get("calibration") or [])
        if not table.empty:
            figure = charts.calibration(table)
    return info, figure


def _quality_words(auc: float | None, prior_auc: float | None) -> str:
    """How good the learned model is, in the words a practice manager uses."""
    if auc is None:
        return ""
    if auc >= 0.8:
        grade = "good: it ranks a denied line above a paid one"
    elif auc >= 0.7:
        grade = "fair: it ranks a denied line above a paid one"
    elif auc >= 0.6:
        grade = "weak: it ranks a denied line above a paid one only"
    else:
        grade = "poor: it ranks a denied line above a paid one barely more often than a coin toss, in"
    better = ""
    if prior_auc is not None:
        better = (
            " It does better than the documented payer rates alone."
            if auc > prior_auc + 0.01
            else " It does no better than the documented payer rates alone."
        )
    return f"The model is {grade} {auc:.0%} of the time on patients it did not learn from.{better}"


def _whatif_section(
    analysis: Analysis, directory: PayerDirectory, norm_table: pd.DataFrame, scenario: whatif.Scenario
) -> tuple[dict[str, Any], go.Figure]:
    baseline = whatif.baseline_from_analysis(analysis, payers=directory, norms=norm_table)
    comparison = whatif.evaluate(baseline, scenario)
    table = comparison.metrics
    levers = whatif.describe_levers(scenario)
    rows = [
        {
            "label": row.label,
            "baseline": row.baseline,
            "scenario": row.scenario,
            "change": row.change,
            "money": key in whatif.MONEY_METRICS,
        }
        for key, row in table.iterrows()
    ]
    shown = table.loc[
        [key for key in ("dollars_at_risk", "expected_denials", "lines_with_findings") if key in table.index]
    ]
    figure = charts.scenario_comparison(
        pd.DataFrame(
            {
                "metric": shown["label"],
                "baseline": shown["baseline"],
                "scenario": shown["scenario"],
                "unit": ["$" if key in whatif.MONEY_METRICS else "" for key in shown.index],
            }
        )
    )
    return {
        "name": scenario.name,
        "description": scenario.description,
        "levers": levers,
        "rows": rows,
        "lines_affected": comparison.lines_affected,
    }, figure


def _assumptions(claims: pd.DataFrame, directory: PayerDirectory) -> list[dict[str, Any]]:
    """Payer settings the checks used that are not confirmed for this practice's payers."""
    if "payer" not in claims.columns:
        return []
    names = pd.Series(claims["payer"].dropna().astype(str).unique())
    if names.empty:
        return []
    settings = directory.settings_for(names)
    rows = []
    for name, setting in zip(names, settings.itertuples(index=False), strict=True):
        if setting.confirmed and setting.payer_known:
            continue
        basis = (
            f"settings of {setting.canonical_payer}"
            if setting.payer_known
            else f"defaults for {setting.payer_type or 'commercial'} payers (payer not in the table)"
        )
        rows.append(
            {
                "payer": name,
                "basis": basis,
                "payer_type": _text(setting.payer_type),
                "timely_filing_days": wording.count(setting.timely_filing_days),
                "telehealth_pos": ", ".join(setting.telehealth_pos) or "—",
                "telehealth_modifiers": ", ".join(setting.telehealth_modifiers) or "none",
                "credential_modifiers": "yes" if setting.credential_modifiers else "no",
                "source": sources.in_words(_text(setting.source)),
                "cited": setting.source,
            }
        )
    return sorted(rows, key=lambda row: row["payer"])


def _norm_sources(norm_table: pd.DataFrame, as_of: pd.Timestamp) -> list[dict[str, Any]]:
    current = norms.norms_in_effect(norm_table, as_of)
    grouped = (
        current.assign(credential=current["credential"].fillna("any"))
        .groupby(["payer_type", "code_family", "credential", "source"], dropna=False)
        .agg(effective_from=("effective_from", "min"), effective_to=("effective_to", "max"))
        .reset_index()
    )
    return [
        {
            "payer_type": row.payer_type,
            "family": norms.code_family_label(row.code_family),
            "credential": row.credential,
            "source": _text(row.source),
            "effective": f"{wording.day(row.effective_from)} to "
            f"{wording.day(row.effective_to) if pd.notna(row.effective_to) else 'now'}",
        }
        for row in grouped.itertuples(index=False)
    ]


def _period(view: Analysis, filters: metrics.Filters) -> tuple[str, str]:
    """The report's period: the filter's dates, else the first and last date of service in the view."""
    claims = view.claims
    dates = claims["service_date"].dropna() if "service_date" in claims.columns else pd.Series(dtype="object")
    first = filters.start if filters.start is not None else (dates.min() if len(dates) else None)
    last = filters.end if filters.end is not None else (dates.max() if len(dates) else None)
    return (wording.day(first) if first is not None else "—", wording.day(last) if last is not None else "—")


def clinician_cards_report(
    analysis: Analysis,
    options: ReportOptions,
    clinicians: list[str],
    *,
    payers: PayerDirectory | None = None,
    norms_table: pd.DataFrame | None = None,
) -> Report:
    """Only the named clinicians' report cards (the Clinicians page's download), with the same figures as
    in the full report: percentiles are still among every clinician the filters keep."""
    view = scoped(analysis, options.filters)
    start, end = _period(view, options.filters)
    cards = _clinician_cards(view, payers or default_directory(),
                             norms.load_norms() if norms_table is None else norms_table, only=set(clinicians))
    return Report(options=options, practice=options.practice, period_start=start, period_end=end,
                  as_of=wording.day(view.as_of), source_file=str(view.source.file), clinicians=cards)


def build_report(
    analysis: Analysis,
    options: ReportOptions,
    *,
    payers: PayerDirectory | None = None,
    norms_table: pd.DataFrame | None = None,
) -> Report:
    """The report's content for one analysis, restricted to `options.filters`.

    `payers` and `norms_table` are the directory and norms the analysis ran with (the shipped ones by
    default). A what-if scenario is evaluated on the whole analysis, as on the What-if page.
    """
    directory = payers or default_directory()
    norm_table = norms.load_norms() if norms_table is None else norms_table
    view = scoped(analysis, options.filters)
    claims, findings, risk = view.claims, view.check.findings, view.risk
    document = report_document(view)
    summary = dict(document["summary"])
    summary["charges"] = float(claims["charge"].sum()) if "charge" in claims.columns else float("nan")
    summary["findings"] = len(findings)
    summary["money"] = document["money"]
    start, end = _period(view, options.filters)
    skipped = _skipped(view)
    warnings = list(view.warnings)
    logo_uri = logo_data_uri(options.logo)
    risk_info, calibration = _risk_section(view)
    whatif_info = None
    if options.scenario is not None:
        info, figure = _whatif_section(analysis, directory, norm_table, options.scenario)
        whatif_info = {**info, "figure": figure}
    license_table = metrics.license_status(view.roster.clinicians, view.as_of)
    expiring = license_table[license_table["status"] != "valid"]
    expiring = expiring[expiring["status"] != "unknown"]
    outside = metrics.outside_enrollment(findings, metrics.enrollment_rule_ids())
    matrix = metrics.enrollment_matrix(view.roster, claims, view.as_of, directory, outside=outside)
    ranked = metrics.clinicians_by_enrollment_gaps(matrix)
    matrix_rows = ranked[: metrics.HEATMAP_ROWS]
    risk_payers = metrics.risk_by(claims, risk, findings, "payer")
    risk_clinicians = metrics.risk_by(claims, risk, findings, "clinician_name")
    rules = metrics.rule_catalogue(view.check.rules)
    assumptions = _assumptions(claims, directory)
    return Report(
        options=options,
        practice=options.practice,
        period_start=start,
        period_end=end,
        as_of=wording.day(view.as_of),
        source_file=str(document["source"]["file"]),
        logo_uri=logo_uri,
        summary=summary,
        fixes=_fixes(metrics.fix_first(findings, count=TOP_FIXES)),
        skipped_rules=skipped,
        missing_data=_missing_data(skipped),
        rules_total=len(view.check.rules),
        families=_family_sections(view, options.identified),
        family_figure=charts.findings_by_family(metrics.findings_by_family(findings)),
        clinicians=_clinician_cards(view, directory, norm_table, matrix=matrix),
        matrix_figure=charts.enrollment_matrix(matrix[matrix["clinician"].isin(matrix_rows)]),
        matrix_note=_matrix_note(len(matrix_rows), len(ranked)),
        expiring=[
            {
                "clinician": row.clinician,
                "credential": _text(row.credential),
                "expiration": wording.day(row.license_expiration),
                "days_left": row.days_left,
                "status": row.status,
            }
            for row in expiring.itertuples(index=False)
        ],
        outside=[
            {
                "clinician": _text(row.clinician),
                "payer": _text(row.payer),
                "lines": int(row.lines),
                "at_risk": float(row.at_risk),
                "first": wording.day(row.first_date),
                "last": wording.day(row.last_date),
            }
            for row in outside.itertuples(index=False)
        ],
        outside_total=float(outside["at_risk"].sum()),
        risk=risk_info,
        calibration_figure=calibration,
        risk_by_payer=_records(risk_payers),
        top_payers=_records(risk_payers[risk_payers["amount_at_risk"] > 0].head(TOP_PLACES)),
        top_clinicians=_records(risk_clinicians[risk_clinicians["amount_at_risk"] > 0].head(TOP_PLACES)),
        whatif=whatif_info,
        rules=[
            {
                "id": row.id,
                "family": row.family,
                "severity": row.severity,
                "title": row.title,
                "status": row.status,
                "reason": None if pd.isna(row.reason) else str(row.reason),
                "findings": None if pd.isna(row.findings) else int(row.findings),
                "source": sources.in_words(row.source),
            }
            for row in rules.itertuples(index=False)
        ],
        assumptions=assumptions,
        citations=[str(item) for item in sources.cited(" ".join(
            [*rules["source"], *(str(row["cited"]) for row in assumptions)]))],
        norm_sources=_norm_sources(norm_table, view.as_of),
        warnings=warnings,
    )
