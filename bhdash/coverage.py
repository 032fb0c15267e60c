"""What the checks could not look at: rules skipped for missing data, summed up in a manager's words.

The clean-line share only covers what was checked; Overview says so above its numbers, naming the data the
export lacks ("no minutes, modifiers, diagnoses or submitted dates").
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bhdash.model import CLAIM_FIELDS, Roster
from bhdash.rules.registry import REGISTRY

# Plain plural words for what a skipped rule was missing; fields not listed use their label.
_DATA_WORDS: dict[str, str] = {
    "minutes": "minutes",
    "units": "units",
    "modifier_1": "modifiers",
    "dx_1": "diagnoses",
    "submitted_date": "submitted dates",
    "service_date": "service dates",
    "procedure_code": "procedure codes",
    "clinician_credential": "credentials",
    "clinician_name": "clinicians",
    "clinician_npi": "NPIs",
    "payer": "payers",
    "pos": "places of service",
    "patient_id": "patient identifiers",
    "charge": "charges",
    "start_time": "start times",
    "end_time": "end times",
    "status": "claim statuses",
}
_ROSTER_WORDS = {"clinicians": "clinician roster", "enrollments": "payer enrollments"}
_LABELS = {field.name: field.label.lower() for field in CLAIM_FIELDS}


@dataclass(frozen=True)
class Coverage:
    """How many rules ran and were skipped, and the data the skipped ones lacked (most rules first)."""

    total: int
    skipped: int
    missing: tuple[str, ...]

    @property
    def message(self) -> str:
        """ "23 of 65 checks could not run on this export (no minutes, modifiers …)" or "" when none."""
        if not self.skipped:
            return ""
        lacking = f" (no {_listed(self.missing)})" if self.missing else ""
        return f"{self.skipped} of {self.total} checks could not run on this export{lacking}"


def _listed(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _roster_gap(need: str, roster: Roster) -> str | None:
    """What the roster lacks for a need like "clinicians.taxonomy" (None when it has it)."""
    part, _, column = need.partition(".")
    frame = roster.clinicians if part == "clinicians" else roster.enrollments
    if frame.empty:
        return _ROSTER_WORDS[part]
    if column and (column not in frame.columns or frame[column].isna().all()):
        return f"{column.replace('_', ' ')} in the roster"
    return None


def coverage(rules: pd.DataFrame, claims: pd.DataFrame, roster: Roster, limit: int = 5) -> Coverage:
    """Summarize the rule status table of a check run over `claims`; `limit` data kinds at most."""
    skipped = rules.loc[rules["status"] == "skipped", "id"]
    usable = {column for column in claims.columns if claims[column].notna().any()}
    counts: dict[str, int] = {}
    for rule_id in skipped:
        rule = REGISTRY.get(rule_id)
        if rule is None:
            continue
        lacking = [_DATA_WORDS.get(need, _LABELS.get(need, need)) for need in rule.needs
                   if need not in usable and need not in rule.blank_ok]
        lacking += [word for need in rule.needs_roster if (word := _roster_gap(need, roster))]
        for word in dict.fromkeys(lacking):
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda word: -counts[word])[:limit]
    return Coverage(total=len(rules), skipped=len(skipped), missing=tuple(ranked))
