"""DUP: the same service line billed twice (bh_coding_rules.md §10: CARC 18, exact duplicate)."""

from __future__ import annotations

import pandas as pd

from bhdash.rules.catalogue._shared import no_hits, pick, repeated_lines, who_when
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import hits, rule


@rule(
    id="DUP-001", family="DUP", severity="error",
    title="Duplicate line: same patient, date, clinician, code, modifiers and units",
    rationale=(
        "An identical line for the same patient, date of service, rendering clinician, code, modifiers and "
        "units (and start time, when recorded) is denied as an exact duplicate (CARC 18); if it was paid, "
        "it is an overpayment to return."
    ),
    fix="Remove or void the repeated line; if two sessions really happened, record their start times.",
    source="S105 (CARC 18: exact duplicate claim or service)",
    needs=("patient_id", "service_date", "clinician_name", "procedure_code"),
)
def duplicate_lines(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    repeated, first_row = repeated_lines(ctx)
    if repeated.empty:
        return no_hits()
    lines = pick(claims, repeated)
    message = (lines["procedure_code"] + " " + who_when(lines) + " repeats row "
               + first_row.astype("Int64").astype(str) + " (same patient, code, modifiers and units)")
    return hits(lines.index, message)
