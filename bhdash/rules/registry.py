"""The rule registry: every check is a small vectorized function plus frozen metadata.

Modelled on ruff/sqlfluff: a stable id (`TIME-001`), a family, a severity, documentation fields that
the dashboard and reports render, and the canonical columns the rule needs so the engine can report it
as skipped (never as passed) when the data cannot support it. Two promises let a what-if recode re-run
only what it can change: the codes a rule tells apart (`code_scope`), and how far it looks from a line:
across its patient's dates (`across_dates`), across its clinician's day (`clinician_day`), or no further
than its visit; tests/rules/test_code_scope.py and test_rule_reach.py hold every rule to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from bhdash.model import FAMILIES, SEVERITIES

if TYPE_CHECKING:
    from bhdash.rules.engine import CheckContext

RULE_ID_PATTERN = re.compile(r"^[A-Z]{2,6}-\d{3}$")
ROSTER_PARTS = ("clinicians", "enrollments")  # needs_roster entries: "clinicians" or "clinicians.npi"

# A rule's check returns one row per hit with at least `line_index` (the claims frame's index label, or
# NA for a clinician-level finding) and `message`. Optional columns override what the engine derives
# from the line: `clinician`, `payer`, `code`, `amount`; `assumption` names the unconfirmed payer default
# a finding rests on (see bhdash.payers.assumption_note).
CheckFunction = Callable[[pd.DataFrame, "CheckContext"], pd.DataFrame]


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    severity: str
    title: str
    rationale: str
    fix: str
    source: str
    needs: tuple[str, ...]
    check: CheckFunction
    needs_roster: tuple[str, ...] = ()
    effective_from: pd.Timestamp | None = None
    effective_to: pd.Timestamp | None = None
    clinician_level: bool = False
    # Reference tables whose dated rows the rule applies on the date of service (shown with their dates).
    facts: tuple[str, ...] = ()
    # Payer rules (enrollment, telehealth convention, filing limit, payer policy) do not apply to lines
    # that are not insurance claims (self-pay); the engine drops their findings on such lines.
    insurance_only: bool = False
    blank_ok: tuple[str, ...] = ()  # needed columns that must exist but may hold no values at all
    # The code-table codes whose lines the rule tells apart by their code, read when first needed:
    # recoding lines between two table codes outside them never changes its findings, so a what-if
    # recode skips the rule unless it touches them. None: every code may matter (when the rule needs
    # procedure_code). A rule that reads the code without needing it (an optional column) must give one.
    code_scope: Callable[[], frozenset[str]] | None = None
    # Whether a line is judged against its patient's lines on other dates (evaluation repeats, care
    # episodes, visit counts), and whether against its clinician's other lines that day (the day's total
    # minutes, overlapping sessions). Every other rule looks no further than the line's visit (its
    # patient's lines that date), which bounds what a what-if recode must judge again.
    across_dates: bool = False
    clinician_day: bool = False

    def judges_codes(self, codes: frozenset[str] | None) -> bool:
        """Whether recoding lines between these code-table codes (None: any codes) may change the
        rule's findings."""
        if self.code_scope is None:
            return "procedure_code" in self.needs
        return codes is None or not codes.isdisjoint(self.code_scope())

    @property
    def effective(self) -> str:
        start = self.effective_from.date().isoformat() if self.effective_from is not None else None
        end = self.effective_to.date().isoformat() if self.effective_to is not None else None
        if start and end:
            return f"{start} to {end}"
        return f"from {start}" if start else f"until {end}" if end else "any date"


REGISTRY: dict[str, Rule] = {}


def rule(
    *,
    id: str,
    family: str,
    severity: str,
    title: str,
    rationale: str,
    fix: str,
    source: str,
    needs: tuple[str, ...],
    needs_roster: tuple[str, ...] = (),
    effective_from: str | None = None,
    effective_to: str | None = None,
    clinician_level: bool = False,
    facts: tuple[str, ...] = (),
    insurance_only: bool = False,
    blank_ok: tuple[str, ...] = (),
    code_scope: Callable[[], frozenset[str]] | None = None,
    across_dates: bool = False,
    clinician_day: bool = False,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function under its metadata; rejects malformed or duplicate ids."""

    def register(check: CheckFunction) -> CheckFunction:
        if not RULE_ID_PATTERN.match(id):
            raise ValueError(f"rule id {id!r} must look like FAMILY-001")
        if id in REGISTRY:
            raise ValueError(f"rule id {id!r} is registered twice")
        if family not in FAMILIES:
            raise ValueError(f"rule {id}: unknown family {family!r}")
        if severity not in SEVERITIES:
            raise ValueError(f"rule {id}: unknown severity {severity!r}")
        if not all((title, rationale, fix, source)):
            raise ValueError(f"rule {id}: title, rationale, fix and source are all required")
        unknown_parts = {need.partition(".")[0] for need in needs_roster} - set(ROSTER_PARTS)
        if unknown_parts:
            raise ValueError(f"rule {id}: unknown roster parts {sorted(unknown_parts)}")
        REGISTRY[id] = Rule(
            id=id, family=family, severity=severity, title=title, rationale=rationale, fix=fix,
            source=source, needs=tuple(needs), check=check, needs_roster=tuple(needs_roster),
            effective_from=pd.Timestamp(effective_from) if effective_from else None,
            effective_to=pd.Timestamp(effective_to) if effective_to else None,
            clinician_level=clinician_level, facts=tuple(facts), insurance_only=insurance_only,
            blank_ok=tuple(blank_ok), code_scope=code_scope, across_dates=across_dates,
            clinician_day=clinician_day,
        )
        return check

    return register


def _values(value: object) -> object:
    """A hit column's values by position. Text stored as Arrow stays Arrow (the same "str" column the
    object round trip inferred, without converting every message to a Python string and back)."""
    if not isinstance(value, pd.Series):
        return value
    if isinstance(value.dtype, pd.StringDtype) and value.dtype.na_value is not pd.NA and value.notna().any():
        return value.array
    return value.to_numpy()


def hits(line_index: pd.Index | pd.Series, message: pd.Series | str, **columns: object) -> pd.DataFrame:
    """Build a rule's hit frame from the offending lines' index labels and their messages."""
    index = pd.Index(line_index)
    frame = pd.DataFrame({"line_index": index.to_numpy()})
    frame["message"] = _values(message)
    for name, value in columns.items():
        frame[name] = _values(value)
    return frame


def clinician_hits(clinicians: pd.Series, message: pd.Series | str, **columns: object) -> pd.DataFrame:
    """Hit frame for clinician-level findings (no claim line: the row is null)."""
    frame = pd.DataFrame({"line_index": pd.array([pd.NA] * len(clinicians), dtype="Int64")})
    frame["clinician"] = _values(clinicians)
    frame["message"] = _values(message)
    for name, value in columns.items():
        frame[name] = _values(value)
    return frame
