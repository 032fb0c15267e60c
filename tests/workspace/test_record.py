"""No patient identifier reaches the workspace file: every text column is scanned for them."""

from __future__ import annotations

import pandas as pd

from bhdash.workspace.record import WITHHELD_MESSAGE, withhold_identifiers
from bhdash.workspace.store import Workspace
from tests.workspace.fixtures import TwoUploads


def test_no_patient_name_or_member_id_anywhere_in_the_file(two_uploads: TwoUploads) -> None:
    identifiers: set[str] = set()
    for stored in (two_uploads.before, two_uploads.after):
        claims = stored.export.claims  # the truth the uploaded file was written from
        first, last = claims["patient_first_name"], claims["patient_last_name"]
        for names in (claims["patient_name"], claims["member_id"], first + " " + last, last + ", " + first):
            identifiers |= set(names.dropna().str.lower())
    assert len(identifiers) > 50
    scanned = 0
    with Workspace.open(two_uploads.path, read_only=True) as workspace:
        for table, column, values in workspace.text_values():
            texts = values.astype(str).str.lower()
            scanned += len(texts)
            leaks = [text for text in texts if any(identifier in text for identifier in identifiers)]
            assert leaks == [], f"{table}.{column} holds patient identifiers: {leaks[:3]}"
    assert scanned > 1000


def test_text_quoting_a_patient_is_withheld() -> None:
    claims = pd.DataFrame({"patient_name": ["Avery Stone", "Blake Moss"], "member_id": ["XJ4471902", None]})
    findings = pd.DataFrame({
        "message": ["Duplicate of the line for STONE, AVERY", "Line 90837 needs 53 minutes",
                    "Member XJ4471902 not enrolled", "Sam Lee billed Moss Blake twice"],
        "claim_id": ["XJ4471902", "C2", "C3", "C4"],
        "clinician": ["Sam Lee", "Sam Lee", "Stone", "Sam Lee"],
    })
    cleaned = withhold_identifiers({"findings": findings}, claims)["findings"]
    assert cleaned["message"].tolist() == [WITHHELD_MESSAGE, "Line 90837 needs 53 minutes", WITHHELD_MESSAGE,
                                           WITHHELD_MESSAGE]
    assert pd.isna(cleaned["claim_id"].iloc[0])
    assert cleaned["claim_id"].tolist()[1:] == ["C2", "C3", "C4"]
    # A single word shared with a patient's name is not an identifier: "Stone" the clinician stays.
    assert cleaned["clinician"].tolist() == ["Sam Lee", "Sam Lee", "Stone", "Sam Lee"]
