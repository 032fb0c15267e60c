"""What-if scenarios: change enrollments, licenses, code mix, fixed findings or payer rules, and compare.

Pure functions over a prepared baseline. A scenario re-runs only what its levers touch: roster-aware
rules when a date moves, telehealth rules when a payer's telehealth settings change, every rule on the
recoded clinicians' lines when the code mix shifts, and the code-mix statistics only then. Risk is
rescored with the baseline's trained model (never retrained), so a scenario on ~25k lines takes well
under a second.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import cache, cached_property, partial
from typing import Any

import numpy as np
import pandas as pd

from bhdash import money
from bhdash.analysis import Analysis
from bhdash.distinct import distinct_ids
from bhdash.model import FAMILIES, Roster
from bhdash.norms import audit_exposure, code_mix, line_payer_types, load_norms
from bhdash.payers import PayerDirectory, default_directory
from bhdash.risk import (
    RiskModel,
    RiskResult,
    fit_risk_model,
    paid_history,
    payer_keys,
    score_lines,
)
from bhdash.rules import REGISTRY, CheckResult, run_checks
from bhdash.rules.catalogue._shared import code_facts
from bhdash.rules.engine import CheckStarter, start_checks

SCENARIO_VERSION = 1
_BLOCKING = ("error", "warning")


# --- the scenario ------------------------------------------------------------------------------------


OPEN_TERM = "open"


@dataclass
class EnrollmentChange:
    """The clinician's enrollment with the payer: a new effective date, a new term date, or both.

    A field left as None keeps the roster's value; `term_date="open"` removes the term (in force with no
    end). A clinician with no enrollment for the payer gets one, which needs an effective date.
    """

    clinician: str
    payer: str
    effective_date: str | None = None
    term_date: str | None = None

    def __post_init__(self) -> None:
        if self.effective_date is None and self.term_date is None:
            raise ValueError(f"enrollment change for {self.clinician} / {self.payer} sets no date")
        for value in (self.effective_date, self.term_date):
            if value is not None and value != OPEN_TERM:
                pd.Timestamp(value)


@dataclass
class LicenseChange:
    """The clinician's license is valid through `expiration_date`."""

    clinician: str
    expiration_date: str


@dataclass
class MixShift:
    """Recode part of a clinician's `from_code` lines as `to_code`.

    Either a `fraction` of those lines, or (`to_norm`) just enough lines, per payer type, for the
    from-code's share to come down to the payer norm. The shortest documented sessions move first, then
    the earliest, so the choice is deterministic and favours sessions the time rules would question.
    The recoded sessions are documented as `to_code` sessions: minutes outside its time band become its
    nominal length (a clinician coding to the norm holds shorter sessions), minutes inside are kept.
    """

    clinician: str
    from_code: str = "90837"
    to_code: str = "90834"
    fraction: float = 0.0
    to_norm: bool = False


@dataclass
class PayerChange:
    """A payer's telehealth expectations and/or what it pays.

    `telehealth_pos` / `telehealth_modifiers` replace the payer's settings when given (None keeps them).
    `fee_percent` scales every expected payment of the payer; `fees` sets the expected payment per code.
    """

    payer: str
    telehealth_pos: list[str] | None = None
    telehealth_modifiers: list[str] | None = None
    fee_percent: float | None = None
    fees: dict[str, float] = field(default_factory=dict)


@dataclass
class Scenario:
    name: str = "Scenario"
    description: str = ""
    enrollments: list[EnrollmentChange] = field(default_factory=list)
    licenses: list[LicenseChange] = field(default_factory=list)
    mix_shifts: list[MixShift] = field(default_factory=list)
    fix_families: list[str] = field(default_factory=list)
    payer_changes: list[PayerChange] = field(default_factory=list)


def scenario_to_json(scenario: Scenario) -> str:
    """The scenario as a JSON document a consultant can save, edit and load before a meeting."""
    return json.dumps({"bhdash_scenario": SCENARIO_VERSION, **asdict(scenario)}, indent=2)


MAX_SCENARIO_BYTES = 1024 * 1024
_TEXT = {"type": "string", "maxLength": 200}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_CODE = {"type": "string", "pattern": r"^[A-Za-z0-9]{5}$"}
_CHANGES = {
    "enrollments": {
        "required": ["clinician", "payer"],
        "properties": {
            "clinician": _TEXT, "payer": _TEXT,
            "effective_date": {"anyOf": [_DATE, {"type": "null"}]},
            "term_date": {"anyOf": [_DATE, {"const": OPEN_TERM}, {"type": "null"}]},
        },
    },
    "licenses": {
        "required": ["clinician", "expiration_date"],
        "properties": {"clinician": _TEXT, "expiration_date": _DATE},
    },
    "mix_shifts": {
        "required": ["clinician"],
        "properties": {
            "clinician": _TEXT, "from_code": _CODE, "to_code": _CODE,
            "fraction": {"type": "number", "minimum": 0, "maximum": 1}, "to_norm": {"type": "boolean"},
        },
    },
    "payer_changes": {
        "required": ["payer"],
        "properties": {
            "payer": _TEXT,
            "telehealth_pos": {"anyOf": [{"type": "array", "maxItems": 20, "items": {
                "type": "string", "pattern": r"^\d{1,2}$"}}, {"type": "null"}]},
            "telehealth_modifiers": {"anyOf": [{"type": "array", "maxItems": 20, "items": {
                "type": "string", "pattern": r"^[A-Za-z0-9]{2}$"}}, {"type": "null"}]},
            "fee_percent": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1000}, {"type": "null"}]},
            "fees": {"type": "object", "maxProperties": 500, "propertyNames": _CODE,
                     "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100_000}},
        },
    },
}
SCENARIO_SCHEMA = {
    "type": "object",
    "required": ["bhdash_scenario"],
    "additionalProperties": False,
    "properties": {
        "bhdash_scenario": {"const": SCENARIO_VERSION},
        "name": _TEXT,
        "description": {"type": "string", "maxLength": 5000},
        "fix_families": {"type": "array", "maxItems": 20, "items": {"enum": list(FAMILIES)}},
        **{
            key: {"type": "array", "maxItems": 1000, "items": {
                "type": "object", "additionalProperties": False, **shape}}
            for key, shape in _CHANGES.items()
        },
    },
}
_SHOWN_PROBLEMS = 5


def _problem_text(error) -> str:
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
    return f"{where.lstrip('.') or 'the file'}: {error.message[:200]}"


def scenario_from_json(text: str) -> Scenario:
    """Read a saved scenario; raises ValueError naming each problem when the file is not a valid one.

    The text is checked against SCENARIO_SCHEMA (types, ranges, sizes) before anything is built, and its
    size and nesting are bounded, so a hostile file can only ever produce this one kind of error.
    """
    import jsonschema

    if len(text) > MAX_SCENARIO_BYTES:
        raise ValueError(f"not a scenario file: it is over {MAX_SCENARIO_BYTES // 1024} KB")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not a scenario file: invalid JSON ({error.msg} at line {error.lineno})") from error
    except RecursionError as error:
        raise ValueError("not a scenario file: the JSON is nested too deeply") from error
    if not isinstance(data, dict) or "bhdash_scenario" not in data:
        raise ValueError("not a scenario file: the 'bhdash_scenario' version key is missing")
    if data["bhdash_scenario"] != SCENARIO_VERSION:
        raise ValueError(f"unsupported scenario version (this bhdash reads version {SCENARIO_VERSION})")
    problems = sorted(jsonschema.Draft202012Validator(SCENARIO_SCHEMA).iter_errors(data), key=str)
    if problems:
        listed = "; ".join(_problem_text(problem) for problem in problems[:_SHOWN_PROBLEMS])
        more = f" (and {len(problems) - _SHOWN_PROBLEMS} more)" if len(problems) > _SHOWN_PROBLEMS else ""
        raise ValueError(f"not a valid scenario: {listed}{more}")
    data.pop("bhdash_scenario")
    parts = {"enrollments": EnrollmentChange, "licenses": LicenseChange, "mix_shifts": MixShift,
             "payer_changes": PayerChange}
    try:
        for key, kind in parts.items():
            data[key] = [kind(**item) for item in data.get(key, [])]
        scenario = Scenario(**data)
        for change in scenario.licenses:
            pd.Timestamp(change.expiration_date)
    except (TypeError, ValueError) as error:  # a date the calendar lacks (2026-02-30), a change with no date
        raise ValueError(f"not a valid scenario: {error}") from error
    return scenario


# --- the baseline ------------------------------------------------------------------------------------


@dataclass
class Baseline:
    """Everything computed once for the practice as it is; scenarios are evaluated against it."""

    claims: pd.DataFrame
    roster: Roster
    as_of: pd.Timestamp
    payers: PayerDirectory
    norms: pd.DataFrame
    settings: dict[str, Any]
    findings: pd.DataFrame
    risk: RiskResult
    mix: pd.DataFrame
    model: RiskModel | None = None
    paid: pd.DataFrame | None = None
    fee_schedule: pd.DataFrame | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] | None = None

    # What every scenario would otherwise recompute on the unchanged practice: levers change codes,
    # minutes, rosters and payer settings, never a line's clinician, credential or payer.

    @cached_property
    def summary(self) -> dict[str, float]:
        """The practice's outcomes as it is: every scenario's "baseline" column."""
        return _summary(self.risk.lines, self.findings, self.mix)

    @cached_property
    def line_credentials(self) -> pd.Series:
        """Each line's credential (the code-mix statistics compare clinicians by credential)."""
        return self.roster.credentials_for(self.claims)

    @cached_property
    def code_lines(self) -> dict[tuple[str, str], np.ndarray]:
        """Positions of each clinician's lines of each code: a recode's candidates, found without comparing
        every line's clinician and code on every edit (0.1 s a shift on 250,000 lines)."""
        return self.claims.groupby(["clinician_name", "procedure_code"], sort=False).indices

    @cached_property
    def line_groups(self) -> dict[str, np.ndarray | None]:
        """Each line's same-day visit (patient and/or date), patient, and clinician's day as integer ids
        (missing values a value of their own), None where the claims lack the columns."""
        def ids(columns: tuple[str, ...], *, partial: bool = False) -> np.ndarray | None:
            present = [column for column in columns if column in self.claims.columns]
            if not present or (len(present) < len(columns) and not partial):
                return None
            return distinct_ids(self.claims[present])[0]

        return {"same_day": ids(("patient_id", "service_date"), partial=True),
                "patient": ids(("patient_id",)),
                "clinician_day": ids(("clinician_name", "service_date"))}

    @cached_property
    def line_payer_types(self) -> pd.Series:
        """Each line's payer type (a mix shift down to the norm moves lines per payer type)."""
        return line_payer_types(self.claims)

    @cached_property
    def line_payer_type_values(self) -> np.ndarray:
        """`line_payer_types` as an object array, missing ones None, for picking by position."""
        return self.line_payer_types.to_numpy(dtype=object, na_value=None)

    @cached_property
    def norm_excess(self) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
        """Per clinician and code, each payer type and how many of its lines are above the norm (the count
        less the norm's share of the volume, rounded, never below 0): what a shift down to the norm moves,
        found without filtering the code mix on every edit (24 shifts took 0.07 s on 246,283 lines)."""
        mix = self.mix
        excess = (mix["count"] - (mix["expected_share"] * mix["volume"]).round()).clip(lower=0).to_numpy()
        types = mix["payer_type"].to_numpy(dtype=object)
        return {key: (types[rows], excess[rows])
                for key, rows in mix.groupby(["clinician", "code"], sort=False).indices.items()}


def _findings_for_history(history: pd.DataFrame, claims: pd.DataFrame, findings: pd.DataFrame) -> bool:
    """True when the history is a slice of the claims themselves (their findings can be reused)."""
    if not history.index.isin(claims.index).all():
        return False
    shared = [column for column in history.columns if column in claims.columns]
    return claims.loc[history.index, shared].equals(history[shared])


def prepare_baseline(
    claims: pd.DataFrame,
    roster: Roster | None = None,
    *,
    as_of: pd.Timestamp | str | None = None,
    payers: PayerDirectory | None = None,
    norms: pd.DataFrame | None = None,
    settings: dict[str, Any] | None = None,
    history: pd.DataFrame | None = None,
    history_findings: pd.DataFrame | None = None,
    fee_schedule: pd.DataFrame | None = None,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
) -> Baseline:
    """Run the checks, train the risk model (when history is given) and score the practice, once."""
    roster = roster or Roster()
    payers = payers or default_directory()
    norms = load_norms() if norms is None else norms
    settings = dict(settings or {})
    if as_of is None:
        latest = claims["service_date"].max() if "service_date" in claims.columns else pd.NaT
        as_of = latest if pd.notna(latest) else pd.Timestamp.today()
    as_of = pd.Timestamp(as_of).normalize()
    findings = run_checks(claims, roster, as_of=as_of, payers=payers, norms=norms, settings=settings,
                          select=select, ignore=ignore).findings
    model = paid = None
    if history is not None:
        if history_findings is None:
            reuse = _findings_for_history(history, claims, findings)
            history_findings = findings if reuse else run_checks(
                history, roster, payers=payers, norms=norms, settings=settings, select=select, ignore=ignore,
            ).findings
        model = fit_risk_model(history, history_findings, payers=payers,
                               credentials=roster.credentials_for(history))
        paid = paid_history(history, payers)
    risk = score_lines(claims, findings, model=model, roster=roster, fee_schedule=fee_schedule, payers=payers,
                       paid=paid, as_of=as_of)
    mix = code_mix(claims, norms, on=as_of, credentials=roster.credentials_for(claims))
    return Baseline(claims=claims, roster=roster, as_of=as_of, payers=payers, norms=norms, settings=settings,
                    findings=findings, risk=risk, mix=mix, model=model, paid=paid, fee_schedule=fee_schedule,
                    select=frozenset(select) if select is not None else None,
                    ignore=frozenset(ignore) if ignore is not None else None)


def baseline_from_analysis(analysis: Analysis, *, payers: PayerDirectory | None = None,
                           norms: pd.DataFrame | None = None,
                           settings: dict[str, Any] | None = None) -> Baseline:
    """The baseline of an analysis already computed: no second run of the checks and no second fit of the
    risk model, so a scenario's "before" is exactly the figures every page shows (`bhdash.money`)."""
    norms = load_norms() if norms is None else norms
    claims, roster = analysis.claims, analysis.roster
    return Baseline(
        claims=claims, roster=roster, as_of=analysis.as_of, payers=payers or default_directory(),
        norms=norms, settings=dict(settings or {}), findings=analysis.check.findings,
        risk=RiskResult(lines=analysis.risk, model=analysis.risk_model, fitted=analysis.risk_fitted,
                        paid=analysis.paid),
        mix=code_mix(claims, norms, on=analysis.as_of, credentials=roster.credentials_for(claims)),
        model=analysis.risk_fitted, paid=analysis.paid,
    )


def describe_levers(scenario: Scenario) -> list[str]:
    """Each lever of a scenario in one plain sentence, for the report and the What-if page."""
    levers = []
    for change in scenario.enrollments:
        dates = []
        if change.effective_date is not None:
            dates.append(f"effective {change.effective_date}")
        if change.term_date is not None:
            dates.append("no term date" if change.term_date == OPEN_TERM else f"termed {change.term_date}")
        levers.append(f"Enrollment of {change.clinician} with {change.payer}: {', '.join(dates)}.")
    for change in scenario.licenses:
        levers.append(f"License of {change.clinician} valid through {change.expiration_date}.")
    for shift in scenario.mix_shifts:
        amount = "down to the payer norm" if shift.to_norm else f"{shift.fraction:.0%} of them"
        levers.append(f"{shift.clinician} bills {shift.from_code} sessions as {shift.to_code}: {amount}.")
    if scenario.fix_families:
        levers.append(f"Findings fixed before submission: {', '.join(scenario.fix_families)}.")
    for change in scenario.payer_changes:
        parts = []
        if change.telehealth_pos is not None:
            parts.append(f"telehealth POS {', '.join(change.telehealth_pos) or 'none'}")
        if change.telehealth_modifiers is not None:
            parts.append(f"telehealth modifiers {', '.join(change.telehealth_modifiers) or 'none'}")
        if change.fee_percent is not None:
            parts.append(f"pays {change.fee_percent:g}% of the expected fee")
        if change.fees:
            fees = sorted(change.fees.items())
            parts.append("fees " + ", ".join(f"{code} ${fee:,.2f}" for code, fee in fees))
        levers.append(f"{change.payer}: {'; '.join(parts) or 'no change'}.")
    return levers


# --- levers ------------------------------------------------------------------------------------------


def _apply_dates(baseline: Baseline, scenario: Scenario) -> Roster:
    clinicians = baseline.roster.clinicians.copy()
    enrollments = baseline.roster.enrollments.copy()
    for change in scenario.licenses:
        mask = clinicians["clinician_name"].eq(change.clinician)
        if not mask.any():
            raise ValueError(f"clinician '{change.clinician}' is not on the roster")
        clinicians.loc[mask, "license_expiration"] = pd.Timestamp(change.expiration_date)
    for change in scenario.enrollments:
        wanted = payer_keys(pd.Series([change.payer]), baseline.payers).iloc[0]
        keys = payer_keys(enrollments["payer"], baseline.payers)
        mask = enrollments["clinician_name"].eq(change.clinician) & keys.eq(wanted)
        if mask.any():
            if change.effective_date is not None:
                enrollments.loc[mask, "effective_date"] = pd.Timestamp(change.effective_date)
            if change.term_date is not None:
                enrollments.loc[mask, "term_date"] = (
                    pd.NaT if change.term_date == OPEN_TERM else pd.Timestamp(change.term_date))
            enrollments.loc[mask, "status"] = "active"
        else:
            if change.effective_date is None:
                raise ValueError(f"{change.clinician} has no {change.payer} enrollment to extend; "
                                 "give an effective date to add one")
            term = None if change.term_date in (None, OPEN_TERM) else pd.Timestamp(change.term_date)
            added = pd.DataFrame([{
                "clinician_name": change.clinician, "payer": change.payer, "status": "active",
                "effective_date": pd.Timestamp(change.effective_date), "term_date": term,
            }])
            enrollments = pd.concat([enrollments, added.reindex(columns=enrollments.columns)],
                                    ignore_index=True)
    return Roster(clinicians=clinicians, enrollments=enrollments)


def _candidates(baseline: Baseline, shift: MixShift, recoded: dict[int, str]) -> np.ndarray:
    """Positions of the clinician's lines billed with the shift's from-code now: the baseline's, less those
    an earlier shift of the scenario recoded (`recoded`: the clinician's position -> code), plus those it
    recoded to it."""
    positions = baseline.code_lines.get((shift.clinician, shift.from_code), np.empty(0, dtype=np.intp))
    if not recoded:
        return positions
    moved = np.fromiter(recoded, dtype=np.intp, count=len(recoded))
    into = moved[np.array(list(recoded.values()), dtype=object) == shift.from_code]
    return np.union1d(positions[~np.isin(positions, moved)], into)


@dataclass
class _Sessions:
    """The session lengths a recode reads and rewrites, as arrays over the claim lines: a scenario's shifts
    write into these, and the claims get each column once (a column written per shift cost a 24-shift
    recode of 246,283 lines 0.1 s, and a frame built and sorted per shift as much again)."""

    minutes: np.ndarray | None
    dates: np.ndarray | None
    starts: np.ndarray | None
    ends: np.ndarray | None
    minutes_changed: bool = False
    ends_changed: bool = False

    @classmethod
    def of(cls, claims: pd.DataFrame) -> _Sessions:
        has_times = {"start_time", "end_time"} <= set(claims.columns)
        return cls(
            minutes=claims["minutes"].to_numpy(dtype="float64", copy=True) if "minutes" in claims else None,
            dates=claims["service_date"].to_numpy() if "service_date" in claims else None,
            starts=claims["start_time"].to_numpy() if has_times else None,
            ends=claims["end_time"].to_numpy(copy=True) if has_times else None,
        )

    def shortest_first(self, positions: np.ndarray) -> np.ndarray:
        """`positions` by documented minutes, then date of service, then their order (missing ones last)."""
        count = len(positions)
        minutes = self.minutes[positions] if self.minutes is not None else np.full(count, np.nan)
        dates = (self.dates[positions] if self.dates is not None
                 else np.full(count, np.datetime64("NaT"), dtype="datetime64[ns]"))
        return positions[np.lexsort((np.arange(count), dates, minutes))]

    def fit(self, positions: np.ndarray, code: str) -> None:
        """Document recoded sessions as sessions of `code`: minutes outside its time band (codes.csv) become
        its nominal length and the end time follows; minutes already inside the band are kept."""
        band = _time_band(code)
        if band is None:
            return
        low, high, nominal = band
        if self.minutes is not None:
            minutes = self.minutes[positions]
        elif self.ends is not None:
            minutes = (self.ends[positions] - self.starts[positions]) / np.timedelta64(1, "m")
        else:
            return
        outside = (minutes < low) | (minutes > high if pd.notna(high) else False)
        refit = positions[~np.isnan(minutes) & outside]
        if not len(refit):
            return
        if self.minutes is not None:
            self.minutes[refit] = float(nominal)
            self.minutes_changed = True
        if self.ends is not None:
            self.ends[refit] = self.starts[refit] + pd.Timedelta(minutes=float(nominal)).to_timedelta64()
            self.ends_changed = True


@cache
def _time_band(code: str) -> tuple[float, float, float] | None:
    """A timed code's band and nominal minutes (codes.csv); None for an untimed or unlisted code."""
    facts = code_facts()
    if code not in facts.index or not bool(facts.loc[code, "timed"]):
        return None
    low, high, nominal = facts.loc[code, ["min_minutes", "max_minutes", "nominal_minutes"]]
    return low, high, nominal


def _lines_to_move(baseline: Baseline, sessions: _Sessions, shift: MixShift,
                   recoded: dict[int, str]) -> np.ndarray:
    """Positions of the lines the shift recodes: its share of the candidates, shortest sessions first, or
    just enough of them per payer type to reach the norm."""
    order = sessions.shortest_first(_candidates(baseline, shift, recoded))
    if not shift.to_norm:
        return order[:round(min(max(shift.fraction, 0.0), 1.0) * len(order))]
    payer_types, excess = baseline.norm_excess.get((shift.clinician, shift.from_code), ((), ()))
    types = baseline.line_payer_type_values[order]
    # Counted through pandas, which refuses a missing excess (a norm share of 0/0) instead of wrapping it.
    chosen = [order[types == payer_type][:count]
              for payer_type, count in zip(payer_types, pd.Series(excess).astype(int), strict=True)]
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.intp)


def _apply_mix(baseline: Baseline, scenario: Scenario) -> tuple[pd.DataFrame, pd.Index]:
    claims = baseline.claims
    if not scenario.mix_shifts:
        return claims, pd.Index([])
    sessions = _Sessions.of(claims)
    moved: list[np.ndarray] = []
    recoded: dict[str, dict[int, str]] = {}  # clinician -> position -> code, for the scenario's later shifts
    for shift in scenario.mix_shifts:
        mine = recoded.setdefault(shift.clinician, {})
        lines = _lines_to_move(baseline, sessions, shift, mine)
        if len(lines):
            sessions.fit(lines, shift.to_code)
            moved.append(lines)
            mine.update(dict.fromkeys(lines.tolist(), shift.to_code))
    if not moved:
        return claims, pd.Index([])
    claims = claims.copy()
    if sessions.minutes_changed:
        claims["minutes"] = sessions.minutes
    if sessions.ends_changed:
        claims["end_time"] = sessions.ends
    positions = np.fromiter((position for mine in recoded.values() for position in mine), dtype=np.intp)
    # The codes are written once: each write rebuilds the whole text column.
    claims.iloc[positions, claims.columns.get_loc("procedure_code")] = [
        code for mine in recoded.values() for code in mine.values()]
    return claims, claims.index[np.concatenate(moved)].unique()


def _apply_payers(baseline: Baseline, scenario: Scenario) -> PayerDirectory:
    changes = [change for change in scenario.payer_changes
               if change.telehealth_pos is not None or change.telehealth_modifiers is not None]
    if not changes:
        return baseline.payers
    table = baseline.payers.payers.copy()
    for change in changes:
        wanted = baseline.payers.canonical_payer(pd.Series([change.payer])).iloc[0]
        if pd.isna(wanted):
            raise ValueError(f"payer '{change.payer}' is not in the payer table")
        mask = table["payer"].eq(wanted)
        for column, value in (("telehealth_pos", change.telehealth_pos),
                              ("telehealth_modifiers", change.telehealth_modifiers)):
            if value is not None:
                table.loc[mask, column] = pd.Series([tuple(value)] * int(mask.sum()), index=table.index[mask])
    return replace(baseline.payers, payers=table)


@dataclass(frozen=True)
class _Rerun:
    """Rules to run again: on which lines they look (`context`), and whose findings they replace.

    `context`/`target` None means every line; `clinicians` None means every clinician-level finding.
    A target line's groups (its patient's history, its clinician's day) must lie inside the context.
    """

    rules: frozenset[str]
    context: pd.Index | None = None
    target: pd.Index | None = None
    clinicians: frozenset[str] | None = None


def _rule_ids(predicate) -> frozenset[str]:
    return frozenset(rule.id for rule in REGISTRY.values() if predicate(rule))


def _lines_of(claims: pd.DataFrame, column: str, values: pd.Index | pd.Series | set) -> pd.Index:
    if column not in claims.columns:
        return pd.Index([])
    return claims.index[claims[column].isin(set(values))]


def _recoded_codes(scenario: Scenario) -> frozenset[str] | None:
    """The codes the scenario's recodes move lines between; None when one is not in the code table (a
    rule's `code_scope` speaks only of listed codes)."""
    codes = frozenset(code for shift in scenario.mix_shifts for code in (shift.from_code, shift.to_code))
    return codes if codes <= set(code_facts().index) else None


def _sharing(chosen: np.ndarray, groups: list[np.ndarray], lines: int) -> np.ndarray:
    """Which of the lines are chosen or share a group id (a visit, a patient, a clinician's day) with one."""
    shared = np.zeros(lines, dtype=bool)
    shared[chosen] = True
    for ids in groups:
        shared |= np.isin(ids, ids[chosen])
    return shared


def _mix_reruns(baseline: Baseline, scenario: Scenario, claims: pd.DataFrame,
                moved: pd.Index) -> list[_Rerun]:
    """A recode changes the findings of every line sharing a visit, a patient or a clinician's day with a
    recoded line (a pair edit that day, the patient's evaluation history, the day's total minutes). Those
    lines are judged again by the rules that tell the recoded codes apart (`Rule.judges_codes`), with what
    their own findings depend on as context: the lines of their visits, of their clinicians' days when a
    rule reads the clinician's day (`Rule.clinician_day`), and of their patients when one looks across
    dates (`Rule.across_dates`). The clinician-day rules rerun apart, so the others judge the recoded
    lines' visits alone (on a 246,283-line upload's preset, 21,186 lines instead of 49,341 on 55,092)."""
    recoded = _recoded_codes(scenario)
    reads_code = _rule_ids(lambda rule: rule.judges_codes(recoded) and not rule.clinician_level)
    practice_wide = _rule_ids(lambda rule: rule.judges_codes(recoded) and rule.clinician_level)
    moved_at = claims.index.get_indexer(moved)
    reruns = []
    for on_clinician_day in (False, True):
        rules = frozenset(rule_id for rule_id in reads_code
                          if REGISTRY[rule_id].clinician_day == on_clinician_day)
        if not rules:
            continue
        across_dates = any(REGISTRY[rule_id].across_dates for rule_id in rules)
        groups = [ids for name, ids in baseline.line_groups.items()
                  if ids is not None and (across_dates or name != "patient")
                  and (on_clinician_day or name != "clinician_day")]
        affected = _sharing(moved_at, groups, len(claims))
        in_context = _sharing(np.flatnonzero(affected), groups, len(claims))
        reruns.append(_Rerun(rules, context=claims.index[in_context], target=claims.index[affected],
                             clinicians=frozenset()))
    return [*reruns, _Rerun(practice_wide, target=pd.Index([]))]


# The roster fields each date lever writes (`_apply_dates`): a license change the expiration date only;
# an enrollment change any enrollment column, and it may add a row.
_LICENSE_FIELDS = ("clinicians.license_expiration",)
_ENROLLMENT_FIELDS = ("enrollments",)


def _reads_roster(rule, written: tuple[str, ...]) -> bool:
    """Whether the rule reads a roster field the lever writes, by its declared `needs_roster` ("clinicians"
    covers every clinician field): a rule reading only other fields (NPIs, taxonomies, or the enrollments
    on a license change) gives the same findings and is not re-run."""
    return any(need == field or field.startswith(f"{need}.") or need.startswith(f"{field}.")
               for need in rule.needs_roster for field in written)


def _reruns(baseline: Baseline, scenario: Scenario, claims: pd.DataFrame, moved: pd.Index) -> list[_Rerun]:
    reruns: list[_Rerun] = []
    if len(moved):
        reruns.extend(_mix_reruns(baseline, scenario, claims, moved))
    changed = frozenset(change.clinician for change in (*scenario.enrollments, *scenario.licenses))
    if changed:
        # One run for both levers: a license rule on an enrollment-only clinician finds what it found.
        written = (*(_LICENSE_FIELDS if scenario.licenses else ()),
                   *(_ENROLLMENT_FIELDS if scenario.enrollments else ()))
        lines = _lines_of(claims, "clinician_name", changed)
        reruns.append(_Rerun(_rule_ids(lambda rule: _reads_roster(rule, written)), context=lines,
                             target=lines, clinicians=changed))
    telehealth = [change.payer for change in scenario.payer_changes
                  if change.telehealth_pos is not None or change.telehealth_modifiers is not None]
    if telehealth and "payer" in claims.columns:
        wanted = set(payer_keys(pd.Series(telehealth), baseline.payers))
        keys = payer_keys(claims["payer"], baseline.payers)
        target = claims.index[keys.isin(wanted).to_numpy()]
        context = target.union(_lines_of(claims, "patient_id", claims.loc[target, "patient_id"])
                               if "patient_id" in claims.columns else target)
        reruns.append(_Rerun(_rule_ids(lambda rule: rule.family == "TELE"), context=context, target=target,
                             clinicians=frozenset()))
    return reruns


def _allowed(baseline: Baseline, rules: frozenset[str]) -> set[str]:
    """The rerun's rules restricted to the baseline's own select/ignore choice."""
    def chosen(rule_id: str, patterns: frozenset[str]) -> bool:
        return rule_id in patterns or REGISTRY[rule_id].family in patterns

    allowed = {rule_id for rule_id in rules if baseline.select is None or chosen(rule_id, baseline.select)}
    return {rule_id for rule_id in allowed if baseline.ignore is None or not chosen(rule_id, baseline.ignore)}


def _replaced(findings: pd.DataFrame, rerun: _Rerun) -> pd.Series:
    """Which findings a rerun's output stands in for."""
    on_line = findings["line_index"].notna()
    in_rules = findings["rule"].isin(rerun.rules)
    lines = on_line if rerun.target is None else on_line & findings["line_index"].isin(rerun.target)
    people = ~on_line if rerun.clinicians is None else ~on_line & findings["clinician"].isin(rerun.clinicians)
    return in_rules & (lines | people)


_Started = list[tuple[_Rerun, Callable[[], CheckResult]]]  # each rerun, with what waits for its result


def _moves_lines(rerun: _Rerun) -> bool:
    """Whether the rerun can change a line's findings, and so a line's risk and payment. One that judges
    clinicians only (the code-mix statistics of NORM, on the whole practice) changes no figure of the
    comparison: it runs when its findings are first read (`ScenarioComparison.findings`)."""
    return rerun.target is None or len(rerun.target) > 0


def _start_reruns(baseline: Baseline, scenario: Scenario, claims: pd.DataFrame, moved: pd.Index,
                  payers: PayerDirectory, start: CheckStarter) -> _Started:
    """Each rerun of the scenario with the function that waits for its result (kept once computed): the
    reruns that judge lines are started now (`start`), the others only when their result is asked for."""
    dates_changed = bool(scenario.enrollments or scenario.licenses)
    roster = _apply_dates(baseline, scenario) if dates_changed else baseline.roster
    started = []
    for rerun in _reruns(baseline, scenario, claims, moved):
        rules = _allowed(baseline, rerun.rules)
        if rules:
            context = claims if rerun.context is None else claims.loc[rerun.context]
            options = {"as_of": baseline.as_of, "payers": payers, "norms": baseline.norms,
                       "settings": baseline.settings, "select": rules}
            if _moves_lines(rerun):
                wait = cache(start(context, roster, **options))
            else:  # run here when first read
                wait = cache(partial(run_checks, context, roster, **options))
            started.append((rerun, wait))
    return started


def _scenario_findings(baseline: Baseline, scenario: Scenario, started: _Started) -> pd.DataFrame:
    """The baseline's findings with each rerun's in place of those it stands in for."""
    findings = baseline.findings
    for rerun, result in started:
        fresh = result().findings
        fresh = fresh[_replaced(fresh, rerun)]
        kept = findings[~_replaced(findings, rerun)]
        # An empty run's frame has untyped columns: concatenated, it would turn the text columns to object.
        findings = pd.concat([kept, fresh], ignore_index=True) if len(fresh) else kept
    if scenario.fix_families:
        findings = findings[~findings["family"].isin(scenario.fix_families)]
    return findings.reset_index(drop=True)


def _payer_fees(baseline: Baseline, claims: pd.DataFrame, lines: pd.DataFrame,
                scenario: Scenario) -> pd.DataFrame:
    changes = [change for change in scenario.payer_changes if change.fee_percent is not None or change.fees]
    if not changes or "payer" not in claims.columns:
        return lines
    lines = lines.copy()
    keys = payer_keys(claims["payer"], baseline.payers)
    for change in changes:
        on_payer = keys.eq(payer_keys(pd.Series([change.payer]), baseline.payers).iloc[0])
        if change.fee_percent is not None:
            lines.loc[on_payer, "expected_payment"] *= change.fee_percent / 100.0
        for code, amount in change.fees.items():
            lines.loc[on_payer & claims["procedure_code"].eq(code), "expected_payment"] = float(amount)
    return money.split(lines)


# --- outcomes ----------------------------------------------------------------------------------------


def _summary(lines: pd.DataFrame, findings: pd.DataFrame, mix: pd.DataFrame) -> dict[str, float]:
    on_line = findings[findings["line_index"].notna() & findings["severity"].isin(_BLOCKING)]
    exposure = audit_exposure(mix)
    totals = money.summarize(lines)
    return {
        "expected_denials": totals.expected_denials,
        "dollars_at_risk": totals.at_risk,
        "certain_loss": totals.certain,
        "likely_loss": totals.likely,
        "baseline_loss": totals.baseline,
        "expected_revenue": totals.expected_payment - totals.at_risk - totals.baseline,
        "expected_payment": totals.expected_payment,
        "lines_with_findings": float(on_line["line_index"].nunique()),
        "norm_flagged_groups": float(exposure["flagged_groups"]),
        "services_off_norm": float(exposure["services_off_norm"]),
    }


MONEY_METRICS: frozenset[str] = frozenset({
    "dollars_at_risk", "certain_loss", "likely_loss", "baseline_loss", "expected_revenue", "expected_payment",
})
METRIC_LABELS: dict[str, str] = {
    "expected_denials": "Expected denials (lines)",
    "dollars_at_risk": "At risk (certain + likely loss)",
    "certain_loss": money.LABELS["certain"],
    "likely_loss": money.LABELS["likely"],
    "baseline_loss": money.LABELS["baseline"],
    "expected_revenue": "Expected revenue",
    "expected_payment": "Expected payment if nothing were denied",
    "lines_with_findings": "Lines with error/warning findings",
    "norm_flagged_groups": "Code-mix outliers (clinician × payer type × family)",
    "services_off_norm": "Services away from payer norms (audit exposure)",
}


@dataclass
class ScenarioComparison:
    """Baseline vs scenario, side by side, with the lines the scenario changed."""

    scenario: Scenario
    metrics: pd.DataFrame  # index: metric; columns: label, baseline, scenario, change
    lines_affected: int
    affected: pd.DataFrame  # per changed line: row, codes, risks and expected payments before/after
    lines: pd.DataFrame
    claims: pd.DataFrame  # the claim lines as the scenario has them (recoded codes and minutes)
    all_findings: Callable[[], pd.DataFrame] = field(repr=False)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Every finding under the scenario, the clinician-level ones judged again on first reading."""
        return self.all_findings()


def _changed_lines(before: pd.DataFrame, after: pd.DataFrame) -> pd.Index:
    """Lines whose set of rule hits differs between two findings frames."""
    def pairs(findings: pd.DataFrame) -> pd.DataFrame:
        on_line = findings[findings["line_index"].notna()]
        return pd.DataFrame({"line_index": on_line["line_index"].astype("int64").to_numpy(),
                             "rule": on_line["rule"].astype(str).to_numpy()}).drop_duplicates()

    merged = pairs(before).merge(pairs(after), how="outer", indicator=True)
    return pd.Index(merged.loc[merged["_merge"] != "both", "line_index"].unique())


def evaluate(baseline: Baseline, scenario: Scenario, *,
             start: CheckStarter = start_checks) -> ScenarioComparison:
    """Apply the scenario's levers to the baseline and compare the outcomes, re-running only the rules whose
    findings the levers can change. `start` starts those checks (`rules.engine.start_checks`, or the
    dashboard's worker, which checks part of them in its process while the code mix is counted here)."""
    claims, moved = _apply_mix(baseline, scenario)
    payers = _apply_payers(baseline, scenario)
    started = _start_reruns(baseline, scenario, claims, moved, payers, start)
    mix = (code_mix(claims, baseline.norms, on=baseline.as_of, credentials=baseline.line_credentials,
                    payer_types=baseline.line_payer_types)
           if len(moved) else baseline.mix)
    # The findings every figure reads: those on lines (clinician-level ones are re-judged only when read).
    findings = _scenario_findings(baseline, scenario, [pair for pair in started if _moves_lines(pair[0])])
    rescore = _changed_lines(baseline.findings, findings).union(moved)
    lines = baseline.risk.lines.drop(columns="reasons")
    if len(rescore):
        # A line's risk and payment depend only on the line and its own findings: rescore those alone.
        rescored = score_lines(
            claims.loc[rescore], findings[findings["line_index"].isin(rescore)], model=baseline.model,
            roster=baseline.roster, fee_schedule=baseline.fee_schedule, payers=payers, paid=baseline.paid,
            as_of=baseline.as_of, explain=False,
        ).lines
        lines = lines.copy()
        for column in ("denial_risk", "expected_payment", "payment_basis", *money.LINE_MONEY_COLUMNS):
            lines.loc[rescore, column] = rescored[column]
    lines = _payer_fees(baseline, claims, lines, scenario)
    before = baseline.summary
    after = _summary(lines, findings, mix)
    metrics = pd.DataFrame({"label": pd.Series(METRIC_LABELS), "baseline": pd.Series(before),
                            "scenario": pd.Series(after)})
    metrics["change"] = metrics["scenario"] - metrics["baseline"]
    old = baseline.risk.lines
    changed = (
        ~np.isclose(old["denial_risk"], lines["denial_risk"], rtol=0, atol=1e-9)
        | ~np.isclose(old["expected_payment"], lines["expected_payment"], rtol=0, atol=1e-6)
        | baseline.claims["procedure_code"].ne(claims["procedure_code"]).to_numpy()
    )
    affected = pd.DataFrame({
        "row": old["row"],
        "code_before": baseline.claims["procedure_code"], "code_after": claims["procedure_code"],
        "risk_before": old["denial_risk"], "risk_after": lines["denial_risk"],
        "payment_before": old["expected_payment"], "payment_after": lines["expected_payment"],
    })[changed]
    return ScenarioComparison(scenario=scenario, metrics=metrics, lines_affected=int(changed.sum()),
                              affected=affected, lines=lines, claims=claims,
                              all_findings=partial(_scenario_findings, baseline, scenario, started))
