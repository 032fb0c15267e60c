"""DX-005 is payer-configurable: a practice's payer file can turn the dementia/ID warning off."""

from __future__ import annotations

from bhdash.payers import PayerDirectory
from bhdash.rules import run_checks
from tests.rules.conftest import canonical_frame

ROWS = [
    {"procedure_code": "90834", "dx_1": "F03.90", "payer": "Aetna"},
    {"procedure_code": "90834", "dx_1": "F03.90", "payer": "Medicare"},
]


def test_payer_file_turns_cognitive_exclusion_off_for_one_payer(tmp_path) -> None:
    payer_file = tmp_path / "payers.csv"
    payer_file.write_text("payer,payer_type,dx_cognitive_exclusion\nAetna,commercial,no\n")
    result = run_checks(canonical_frame(ROWS), payers=PayerDirectory.load(payer_file), select={"DX-005"})
    assert result.findings["line_index"].tolist() == [1]


def test_shipped_defaults_warn_for_every_payer() -> None:
    result = run_checks(canonical_frame(ROWS), select={"DX-005"})
    assert result.findings["line_index"].tolist() == [0, 1]
