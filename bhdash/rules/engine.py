"""Runs the registered rules over a canonical claims frame and returns findings and rule status."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from bhdash.model import FINDING_COLUMNS, SEVERITIES, Roster, raw_column
from bhdash.normalize import is_known_credential
from bhdash.payers import SELF_PAY, PayerDirectory, default_directory
from bhdash.rules.registry import REGISTRY, Rule

# `seconds`: wall time of the rule's check and finding assembly (0 when skipped), for bench/rules.py.
RULE_STATUS_COLUMNS = ("id", "family", "severity", "title", "status", "reason", "findings", "seconds")


@dataclass
class CheckContext:
    """Everything a rule may consult besides the claim lines."""

    as_of: pd.Timestamp
    roster: Roster = field(default_factory=Roster)
    payers: PayerDirectory = field(default_factory=default_directory)
    norms: pd.DataFrame | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    claims: pd.DataFrame | None = None
    # Per-run values derived from the claims that several rules share (e.g. same-day groups), so a
    # 1M-line check computes each once; filled by the catalogue helpers, keyed by helper name.
    memo: dict[str, Any] = field(default_factory=dict)
    # Per rule, why some lines were not judged although the rule ran (shown as the rule's reason).
    notes: dict[str, str] = field(default_factory=dict)

    @cached_property
    def line_payers(self) -> pd.DataFrame:
        """Payer settings per claim line (computed once, shared by every payer-aware rule)."""
        if self.claims is None or "payer" not in self.claims.columns:
            raise RuntimeError("line_payers needs the claims frame with a payer column")
        payer_types = self.claims["payer_type"] if "payer_type" in self.claims.columns else None
        return self.payers.settings_for(self.claims["payer"], payer_types)

    @cached_property
    def line_credentials(self) -> pd.Series:
        """Credential per claim line: the line's own, else the roster's for the rendering clinician
        (computed once, shared by the SCOPE rules and the unknown-credential warnings)."""
        if self.claims is None:
            raise RuntimeError("line_credentials needs the claims frame")
        return self.roster.credentials_for(self.claims)

    @cached_property
    def not_insurance(self) -> pd.Series:
        """Lines that are not insurance claims (self-pay): payer rules do not apply to them."""
        if self.claims is None:
            return pd.Series(dtype=bool)
        if "payer" not in self.claims.columns:
            return pd.Series(False, index=self.claims.index)
        return self.line_payers["payer_type"].eq(SELF_PAY).fillna(False).astype(bool)

    def note(self, rule_id: str, text: str) -> None:
        """Record why a rule that ran left some lines unjudged (e.g. no filing record in the export)."""
        self.notes[rule_id] = text

    def setting(self, name: str, default: Any) -> Any:
        return self.settings.get(name, default)


@dataclass
class CheckResult:
    findings: pd.DataFrame
    rules: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def ran(self) -> pd.DataFrame:
        return self.rules[self.rules["status"] == "ran"]

    def skipped(self) -> pd.DataFrame:
        return self.rules[self.rules["status"] == "skipped"]


def _missing_reason(rule: Rule, claims: pd.DataFrame, roster: Roster,
                    blank: Callable[[str], bool]) -> str | None:
    absent = [column for column in rule.needs if column not in claims.columns]
    empty = [column for column in rule.needs if column in claims.columns and blank(column)
             and column not in rule.blank_ok
             and (raw_column(column) not in claims.columns or blank(raw_column(column)))]
    reasons = []
    if absent:
        reasons.append("missing column" + ("s " if len(absent) > 1 else " ") + ", ".join(absent))
    if empty:
        reasons.append("no values in " + ", ".join(empty))
    parts = {"clinicians": roster.clinicians, "enrollments": roster.enrollments}
    labels = {"clinicians": "clinician roster", "enrollments": "payer enrollments"}
    for need in rule.needs_roster:
        part, _, column = need.partition(".")
        frame = parts[part]
        if frame.empty:
            reasons.append(f"no {labels[part]}")
        elif column and (column not in frame.columns or frame[column].isna().all()):
            reasons.append(f"no {column} in the {labels[part]}")
    return "; ".join(dict.fromkeys(reasons)) or None


def selected_rules(select: Iterable[str] | None, ignore: Iterable[str] | None) -> list[Rule]:
    """Rules chosen by id or family prefix (`select={"TIME"}` or `{"TIME-001"}`), minus ignored ones."""

    def matches(rule: Rule, patterns: set[str]) -> bool:
        return rule.id in patterns or rule.family in patterns

    chosen = list(REGISTRY.values())
    if select is not None:
        wanted = set(select)
        chosen = [rule for rule in chosen if matches(rule, wanted)]
    if ignore is not None:
        unwanted = set(ignore)
        chosen = [rule for rule in chosen if not matches(rule, unwanted)]
    return sorted(chosen, key=lambda rule: rule.id)


def _line_positions(claims: pd.DataFrame, line_index: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which hits sit on a claim line, and those lines' positions in `claims` (found once per rule:
    reindexing a 1M-line column by object labels cost ~0.5 s per rule and column)."""
    on_line = line_index.notna().to_numpy()
    labels = pd.Index(line_index[on_line].to_numpy(dtype=claims.index.dtype, na_value=None)
                      if claims.index.dtype.kind in "iu" else line_index[on_line].to_numpy())
    return on_line, claims.index.get_indexer(labels)


def _line_value(claims: pd.DataFrame, column: str, on_line: np.ndarray, positions: np.ndarray,
                index: pd.Index) -> pd.Series:
    """The column's value on each hit's line (NA for clinician-level hits).

    When every hit is on a line, a text column is taken as it is stored (Arrow), not round-tripped
    through Python strings; the dtype is the one the round trip gave (object when no value is set)."""
    if column not in claims.columns:
        return pd.Series(pd.NA, index=index, dtype="object")
    values = claims[column]
    if on_line.all():
        if isinstance(values.dtype, pd.StringDtype) and values.dtype.na_value is not pd.NA:
            taken = values.array.take(positions)
            if taken.isna().all():
                return pd.Series(taken.to_numpy(), index=index, dtype="object")
            return pd.Series(taken, index=index)
        return pd.Series(values.iloc[positions].to_numpy(), index=index)
    result = pd.Series(pd.NA, index=index, dtype="object")
    result[on_line] = values.iloc[positions].to_numpy()
    return result


def _findings_for(rule: Rule, raw: pd.DataFrame, claims: pd.DataFrame) -> dict[str, pd.Series]:
    """The rule's findings as one Series per finding column (without the rule's own fields), all on
    `raw`'s index: plain Series rather than a frame, which pandas would copy column by column on every
    insert and again on every `pop` in `_in_report_order`."""
    line_index = raw["line_index"]
    on_line, positions = _line_positions(claims, line_index)

    def line_value(column: str) -> pd.Series:
        return _line_value(claims, column, on_line, positions, raw.index)

    findings = {"message": raw["message"].astype("string"),
                "row": line_value("source_row").astype("Int64"),
                "line_index": line_index.astype("Int64"),
                "claim_id": line_value("claim_id")}
    for target, column in (("clinician", "clinician_name"), ("payer", "payer"), ("code", "procedure_code")):
        derived = line_value(column)
        findings[target] = raw[target].where(raw[target].notna(), derived) if target in raw else derived
    findings["service_date"] = pd.to_datetime(line_value("service_date"))
    charge = pd.to_numeric(line_value("charge"), errors="coerce")
    amount = raw["amount"] if "amount" in raw else charge.where(on_line)
    findings["amount"] = pd.to_numeric(amount, errors="coerce").astype("float64")
    findings["assumption"] = (raw["assumption"].astype("string") if "assumption" in raw
                              else pd.Series(pd.NA, index=raw.index, dtype="string"))
    if rule.effective_from is not None or rule.effective_to is not None:
        dates = findings["service_date"]
        starts = rule.effective_from or pd.Timestamp.min
        ends = rule.effective_to or pd.Timestamp.max
        in_window = (dates.isna() | ((dates >= starts) & (dates <= ends))).to_numpy() | ~on_line
        if not in_window.all():
            findings = {name: values[in_window] for name, values in findings.items()}
    return findings


# Finding columns that repeat the rule's metadata: added once all rules ran, from the rule of each finding.
_RULE_FIELDS = {"rule": "id", "family": "family", "severity": "severity", "title": "title", "fix": "fix",
                "source": "source"}


def _in_report_order(found: list[tuple[Rule, dict[str, pd.Series]]]) -> pd.DataFrame:
    """The rules' findings as one frame in report order, built a column at a time: each column is
    concatenated, put in order and its pieces released before the next one, and the rule's title, fix
    and source are written once, at the end. A 1M-line check so holds about one copy of its 3 million
    findings instead of three (the rules' frames, their concatenation and the sorted copy). Empties
    `found`."""
    rules, frames = [rule for rule, _ in found], [frame for _, frame in found]
    found.clear()
    which = np.repeat(np.arange(len(rules)), [len(frame["row"]) for frame in frames])  # each finding's rule
    severity = np.array([SEVERITIES.index(rule.severity) for rule in rules])[which]
    order = _report_order(severity, pd.concat([frame["row"] for frame in frames], ignore_index=True), which)
    which = which[order]
    columns = {}
    for name in FINDING_COLUMNS:
        if name in _RULE_FIELDS:
            values = pd.array([getattr(rule, _RULE_FIELDS[name]) for rule in rules], dtype="str")
            columns[name] = pd.Series(values.take(which))
        else:
            values = pd.concat([frame.pop(name) for frame in frames], ignore_index=True)
            columns[name] = values.take(order).reset_index(drop=True)
    return pd.DataFrame(columns, copy=False)


def _report_order(severity: np.ndarray, row: pd.Series, rule_rank: np.ndarray) -> np.ndarray:
    """Positions that sort findings by severity (its position in SEVERITIES), then row (clinician-level
    findings first), then rule (`rule_rank`: its position among the rule ids in order), then each rule's
    own order (the findings' current order): numpy on integer keys instead of a sort that compared Arrow
    strings."""
    missing = row.isna().to_numpy()
    rows = row.to_numpy(dtype="float64", na_value=0.0)
    return np.lexsort((np.arange(len(row)), rule_rank, rows, ~missing, severity))


def combine_checks(parts: list[CheckResult]) -> CheckResult:
    """One result from runs of disjoint selections of rules on the same claims and context, equal to what a
    single run of all of them gives: the rules by id, the findings in report order (`_report_order`, the
    rules by id within a row) and the warnings once (each run gives the same ones)."""
    rules = pd.concat([part.rules for part in parts], ignore_index=True)
    rules = rules.sort_values("id", kind="stable", ignore_index=True)
    found = [part.findings for part in parts if len(part.findings)]
    if len(found) < 2:  # an empty run's frame has untyped columns: it is not concatenated
        findings = found[0] if found else parts[0].findings
        return CheckResult(findings=findings, rules=rules, warnings=parts[0].warnings)
    findings = pd.concat(found, ignore_index=True)
    order = _report_order(findings["severity"].map(SEVERITIES.index).to_numpy(), findings["row"],
                          pd.Index(rules["id"]).get_indexer(findings["rule"]))
    return CheckResult(findings=findings.take(order).reset_index(drop=True), rules=rules,
                       warnings=parts[0].warnings)


def _rule_list(ids: Iterable[str]) -> str:
    return ", ".join(sorted(ids)) or "none"


def _unknown_payer_warnings(claims: pd.DataFrame, context: CheckContext) -> list[str]:
    """One warning per insurance payer the payer table does not know, naming the rules it turns off."""
    if "payer" not in claims.columns:
        return []
    payers = context.line_payers
    unknown = ~payers["payer_known"] & claims["payer"].notna() & ~context.not_insurance
    if not unknown.any():
        return []
    frame = pd.DataFrame({"payer": claims.loc[unknown, "payer"].astype(str),
                          "type": payers.loc[unknown, "payer_type"].astype(str),
                          "confirmed": payers.loc[unknown, "confirmed"].astype(bool)})
    filing_errors = {rule.id for rule in REGISTRY.values()
                     if rule.family == "TIMELY" and rule.severity == "error"}
    warnings = []
    for (name, payer_type), group in frame.groupby(["payer", "type"], sort=True):
        off = [] if group["confirmed"].all() else [
            f"{_rule_list(filing_errors)} (its filing limit is an unconfirmed default, so late lines are "
            "warnings, not errors)"]
        text = f"; rules switched off for its {len(group):,} line(s): {off[0]}" if off else ""
        warnings.append(f"Payer '{name}' is not in the payer table; using the {payer_type.replace('_', ' ')} "
                        f"defaults{text}. Add it to a payer file to set its rules.")
    return warnings


def _unknown_credential_warnings(claims: pd.DataFrame, context: CheckContext) -> list[str]:
    """One warning per credential bhdash does not recognize, naming the rules that cannot judge it."""
    if "clinician_name" not in claims.columns and "clinician_credential" not in claims.columns:
        return []
    credentials = context.line_credentials
    unknown = credentials.notna() & ~is_known_credential(credentials.astype(object))
    if not unknown.any():
        return []
    needing = _rule_list(rule.id for rule in REGISTRY.values() if "clinician_credential" in rule.needs)
    names = _column_or_na(claims, "clinician_name")[unknown].astype(str)
    who = pd.DataFrame({"credential": credentials[unknown].astype(str), "name": names})
    warnings = []
    for credential, group in who.groupby("credential", sort=True):
        clinicians = ", ".join(sorted(set(group["name"]) - {"<NA>", "nan"})) or "unnamed clinicians"
        warnings.append(f"Credential '{credential}' ({clinicians}) is not recognized and was kept as "
                        f"written; rules switched off for its {len(group):,} line(s): {needing}.")
    return warnings


def _column_or_na(claims: pd.DataFrame, name: str) -> pd.Series:
    return claims[name] if name in claims.columns else pd.Series(pd.NA, index=claims.index)


def default_as_of(claims: pd.DataFrame) -> pd.Timestamp:
    """The latest date of service (reproducible across runs), else today."""
    latest = claims["service_date"].max() if "service_date" in claims.columns else pd.NaT
    return (latest if pd.notna(latest) else pd.Timestamp.today()).normalize()


# Starts a check (`run_checks`'s arguments) and returns the function that waits for its result: the shape of
# `start_checks` below and of the dashboard's `AnalysisWorker.start_checks`.
CheckStarter = Callable[..., Callable[[], CheckResult]]


def start_checks(claims: pd.DataFrame, roster: Roster | None = None,
                 **options: Any) -> Callable[[], CheckResult]:
    """`run_checks` for a caller with other work to do while the rules are checked (what-if's reruns): here
    they are checked at once, and the function returned hands the result over. The dashboard passes
    `AnalysisWorker.start_checks` instead, which checks part of the rules in its process meanwhile."""
    result = run_checks(claims, roster, **options)
    return lambda: result


def run_checks(
    claims: pd.DataFrame,
    roster: Roster | None = None,
    *,
    as_of: pd.Timestamp | str | None = None,
    payers: PayerDirectory | None = None,
    norms: pd.DataFrame | None = None,
    settings: dict[str, Any] | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> CheckResult:
    """Run every selected rule whose data is present; report the others as skipped with the reason.

    `as_of` defaults to the latest service date in the claims (reproducible, unlike today's date).
    """
    import bhdash.rules.catalogue  # noqa: F401  (registers the rule catalogue)

    roster = roster or Roster()
    context = CheckContext(
        as_of=pd.Timestamp(as_of).normalize() if as_of is not None else default_as_of(claims),
        roster=roster, payers=payers or default_directory(), norms=norms, settings=dict(settings or {}),
        claims=claims,
    )
    if "payer" in claims.columns:
        context.line_payers  # noqa: B018  (built once up front so no single rule is charged for it)
    frames: list[tuple[Rule, dict[str, pd.Series]]] = []
    status_rows: list[dict[str, Any]] = []
    blank_columns: dict[str, bool] = {}

    def blank(column: str) -> bool:
        """Whether the column holds no value at all (asked by many rules, scanned once)."""
        if column not in blank_columns:
            blank_columns[column] = bool(claims[column].isna().all())
        return blank_columns[column]

    for rule in selected_rules(select, ignore):
        reason = _missing_reason(rule, claims, roster, blank)
        count = 0
        started = time.perf_counter()
        if reason is None:
            raw = rule.check(claims, context)
            if rule.insurance_only and not raw.empty and context.not_insurance.any():
                self_paid = claims.index[context.not_insurance.to_numpy()]
                raw = raw[~raw["line_index"].isin(self_paid)]
            if not raw.empty:
                found = _findings_for(rule, raw, claims)
                count = len(found["row"])
                frames.append((rule, found))
        status_rows.append({
            "id": rule.id, "family": rule.family, "severity": rule.severity, "title": rule.title,
            "status": "skipped" if reason else "ran", "reason": reason or context.notes.get(rule.id),
            "findings": count,
            "seconds": time.perf_counter() - started,
        })
    findings = (
        _in_report_order(frames) if frames
        else pd.DataFrame({column: pd.Series(dtype="object") for column in FINDING_COLUMNS})
    )
    warnings = [*_unknown_payer_warnings(claims, context), *_unknown_credential_warnings(claims, context)]
    return CheckResult(findings=findings, rules=pd.DataFrame(status_rows, columns=RULE_STATUS_COLUMNS),
                       warnings=warnings)
