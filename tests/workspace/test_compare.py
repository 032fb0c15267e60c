"""New, resolved and persisting findings between two uploads, checked against the engine's own rows."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from bhdash.workspace.compare import compare_uploads
from bhdash.workspace.store import Workspace
from tests.workspace.fixtures import TwoUploads


def _by_hand(findings: pd.DataFrame) -> Counter:
    """Each finding's identity as a plain tuple, straight from the analysis (not from the workspace)."""
    identities = Counter()
    for row in findings.itertuples(index=False):
        date = "" if pd.isna(row.service_date) else f"{row.service_date:%Y-%m-%d}"
        if pd.isna(row.line_index):
            identities[(row.rule, "clinician", str(row.clinician), str(row.payer))] += 1
        else:
            identities[(row.rule, str(row.claim_id), str(row.code), date)] += 1
    return identities


def expected_counts(two_uploads: TwoUploads) -> dict[str, int]:
    before = two_uploads.before.analysis.check.findings
    after = two_uploads.after.analysis.check.findings
    claims_after = two_uploads.after.analysis.claims
    lines_after = {(str(c), str(p), f"{d:%Y-%m-%d}") for c, p, d in zip(
        claims_after["claim_id"], claims_after["procedure_code"], claims_after["service_date"], strict=True)}
    was, now = _by_hand(before), _by_hand(after)
    persisting = sum((was & now).values())
    gone = was - now
    resolved = sum(count for key, count in gone.items()
                   if key[1] == "clinician" or (key[1], key[2], key[3]) in lines_after)
    return {"new": sum((now - was).values()), "persisting": persisting, "resolved": resolved,
            "not in the later file": sum(gone.values()) - resolved}


def test_counts_match_the_rows_by_hand(two_uploads: TwoUploads) -> None:
    expected = expected_counts(two_uploads)
    with Workspace.open(two_uploads.path, read_only=True) as workspace:
        ids = [two_uploads.before.upload_id, two_uploads.after.upload_id]
        comparison = compare_uploads(*ids, workspace.table("lines", ids), workspace.table("findings", ids))
    assert comparison.counts() == expected
    # The campaign month resolves the backlog: something of each kind must be there to be counted.
    assert expected["resolved"] > expected["new"] > 0
    assert expected["persisting"] > 0
    assert len(comparison.findings) == (sum(expected.values()))


def test_a_resolved_finding_is_on_a_line_still_exported_without_it(two_uploads: TwoUploads) -> None:
    with Workspace.open(two_uploads.path, read_only=True) as workspace:
        ids = [two_uploads.before.upload_id, two_uploads.after.upload_id]
        comparison = compare_uploads(*ids, workspace.table("lines", ids), workspace.table("findings", ids))
    resolved = comparison.findings[comparison.findings["change"] == "resolved"].dropna(subset=["claim_id"])
    first = resolved.iloc[0]
    after = two_uploads.after.analysis
    same_line = after.claims[(after.claims["claim_id"] == first["claim_id"])
                             & (after.claims["procedure_code"] == first["code"])]
    assert len(same_line) >= 1
    later = after.check.findings
    assert later[(later["claim_id"] == first["claim_id"]) & (later["rule"] == first["rule"])].empty


def _frame(rows: list[tuple]) -> pd.DataFrame:
    columns = ["upload_id", "rule", "family", "severity", "line_index", "claim_id", "clinician", "payer",
               "code", "service_date", "amount", "at_risk"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["service_date"] = pd.to_datetime(frame["service_date"])
    return frame


def test_identity_is_claim_code_date_and_rule() -> None:
    findings = _frame([
        (1, "TIME-001", "TIME", "error", 0, "C1", "Lee", "Aetna", "90837", "2026-03-02", 100.0, 50.0),  # fix
        (1, "CODE-001", "CODE", "error", 1, "C2", "Lee", "Aetna", "90834", "2026-03-03", 80.0, 40.0),  # kept
        (1, "CRED-002", "CRED", "warning", None, None, "Park", None, None, None, None, 0.0),  # kept
        (1, "DUP-001", "DUP", "error", 2, "C3", "Lee", "Aetna", "90834", "2026-01-05", 80.0, 30.0),  # gone
        (2, "CODE-001", "CODE", "error", 1, "C2", "Park", "Aetna", "90834", "2026-03-03", 80.0, 40.0),
        (2, "CRED-002", "CRED", "warning", None, None, "Park", None, None, None, None, 0.0),
        (2, "TIME-001", "TIME", "error", 5, "C9", "Lee", "Cigna", "90837", "2026-04-01", 120.0, 60.0),  # new
    ])
    lines = pd.DataFrame({
        "upload_id": [1, 1, 1, 2, 2, 2], "line_index": [0, 1, 2, 0, 1, 5],
        "claim_id": ["C1", "C2", "C3", "C1", "C2", "C9"], "procedure_code": ["90837", "90834", "90834"] * 1
        + ["90837", "90834", "90837"],
        "service_date": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-01-05", "2026-03-02", "2026-03-03",
                                        "2026-04-01"]),
        "clinician": ["Lee", "Lee", "Lee", "Lee", "Park", "Lee"],
        "at_risk": [50.0, 40.0, 30.0, 0.0, 40.0, 60.0],
    })
    comparison = compare_uploads(1, 2, lines, findings)
    assert comparison.counts() == {"new": 1, "persisting": 2, "resolved": 1, "not in the later file": 1}
    changes = comparison.findings.set_index("rule")["change"].to_dict()
    assert changes == {"CODE-001": "persisting", "CRED-002": "persisting", "TIME-001": "resolved",
                       "DUP-001": "not in the later file"} | {"TIME-001": changes["TIME-001"]}
    by_family = comparison.by_family.set_index("family")
    assert by_family.loc["TIME", "before"] == 50.0 and by_family.loc["TIME", "after"] == 60.0
    assert by_family.loc["DUP", "after"] == 0.0 and by_family.loc["DUP", "change"] == -30.0
    by_clinician = comparison.by_clinician.set_index("clinician")
    assert by_clinician.loc["Lee", "before"] == 120.0 and by_clinician.loc["Lee", "after"] == 60.0
    assert by_clinician.loc["Park", "change"] == 40.0
