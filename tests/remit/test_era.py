"""The implementation-guide-style fixtures read with exact claims, lines and totals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bhdash.remit import Adjustment, read_835, read_remittances

FIXTURES = Path(__file__).parent / "fixtures"


def _read(name: str):
    (result,) = read_remittances([FIXTURES / name])
    return result


def test_single_payment_header_claims_and_totals() -> None:
    result = _read("ig_single_payment.835")
    assert result.error is None and result.warnings == []
    (payment,) = result.payments
    assert (payment.payer, payment.payer_id, payment.payee, payment.payee_npi) == (
        "BLUE CROSS BLUE SHIELD OF ILLINOIS", "00621", "LAKEVIEW BEHAVIORAL HEALTH", "1234567893")
    assert (payment.total, payment.method, payment.payment_date, payment.trace_number) == (
        245.25, "ACH", dt.date(2026, 1, 14), "EFT0114001")
    assert [claim.claim_id for claim in payment.claims] == ["CLM1001", "CLM1002", "CLM1003"]
    assert [(claim.status, claim.charge, claim.paid, claim.patient_responsibility)
            for claim in payment.claims] == [("1", 280, 120, 50), ("4", 180, 0, 0), ("1", 200, 140, 0)]
    first = payment.claims[0]
    assert (first.patient_name, first.member_id, first.rendering_name, first.rendering_npi,
            first.payer_claim_number) == ("JANE DOE", "XYZ123456789", "ALEX KIM", "1234567893", "PCN0001")
    assert [(p.reason, p.reference, p.amount) for p in payment.provider_adjustments] == [
        ("L6", "INT1", -5.25), ("WO", "OVP9", 20.0)]


def test_service_lines_with_several_triplets_per_cas_and_remarks() -> None:
    claims = _read("ig_single_payment.835").claims
    psychotherapy, addon = claims[0].lines
    assert (psychotherapy.procedure_code, psychotherapy.modifiers, psychotherapy.charge, psychotherapy.paid,
            psychotherapy.units, psychotherapy.service_date, psychotherapy.allowed) == (
        "90837", ["95"], 250, 120, 1, dt.date(2026, 1, 5), 170)
    assert psychotherapy.adjustments == [Adjustment("CO", "45", 80.0), Adjustment("PR", "2", 30.0),
                                         Adjustment("PR", "3", 20.0)]
    assert (addon.procedure_code, addon.paid, addon.remarks) == ("90785", 0, ["M80", "N20"])
    assert addon.adjustments == [Adjustment("CO", "97", 30.0)]
    assert claims[1].lines[0].adjustments == [Adjustment("CO", "50", 180.0)]
    assert claims[2].adjustments == [Adjustment("OA", "23", 10.0)]
    assert claims[2].lines[0].control_number == "LINE-3-1"


def test_two_transactions_in_one_file_with_a_reversal_and_corrected_claims() -> None:
    result = _read("two_payments.835")
    assert result.error is None and result.warnings == []
    assert [payment.total for payment in result.payments] == [120.0, 80.0]
    assert result.payment_total == 200.0 and result.payment_date == dt.date(2026, 2, 12)
    assert result.payer == "BLUE CROSS BLUE SHIELD OF ILLINOIS; ILLINOIS MEDICAID - MERIDIAN"
    assert [(claim.claim_id, claim.status, claim.paid, claim.frequency) for claim in result.claims] == [
        ("CLM1002", "1", 130, "7"), ("CLM0999", "22", -100, "8"), ("CLM0999", "1", 90, "7"),
        ("CLM1004", "1", 80, "1")]
    assert result.claims[3].lines[0].units == 1.0  # SVC05 absent means one unit


def test_bare_transaction_takes_the_claim_dates_for_its_line() -> None:
    result = _read("bare_transaction.835")
    assert result.error is None and result.payment_total == 80.0
    (line,) = result.claims[0].lines
    assert line.service_date is None and result.claims[0].statement_start == dt.date(2026, 2, 15)


def test_odd_separators_from_the_isa() -> None:
    result = _read("odd_separators.835")
    assert result.error is None and result.warnings == []
    (line,) = result.claims[0].lines
    assert (line.procedure_code, line.modifiers, line.paid) == ("90834", ["HO"], 80.0)
    assert line.adjustments == [Adjustment("CO", "45", 10.0, 1.0), Adjustment("CO", "16", 0.0),
                                Adjustment("PR", "3", 10.0)]


def test_unbalanced_file_is_read_with_warnings_naming_file_and_claim() -> None:
    result = _read("unbalanced.835")
    assert result.error is None and len(result.claims) == 1
    name = str(FIXTURES / "unbalanced.835")
    assert result.warnings == [
        f"file '{name}', claim CLM4001: does not balance: lines paid 170.00 - claim adjustments 0.00 "
        "!= claim paid 180.00",
        f"file '{name}', payment EFT0310: does not balance: claims paid 180.00 - provider adjustments 0.00 "
        "!= payment total 200.00",
    ]


def test_unbalanced_line_is_named() -> None:
    text = (FIXTURES / "ig_single_payment.835").read_text().replace("CAS*CO*45*80~", "CAS*CO*45*70~")
    result = read_835(text, "era.835")
    assert result.warnings[0] == ("file 'era.835', claim CLM1001, line 1 (90837): does not balance: "
                                  "charge 250.00 - adjustments 120.00 != paid 120.00")


@pytest.mark.parametrize(("name", "reason"), [
    ("acknowledgment_999.835", "this is a 999 implementation acknowledgment"),
    ("claim_status_277.835", "this is a 277 claim status response, not an 835 remittance advice"),
    ("truncated.835", "truncated: the file ends inside transaction 1 (no SE segment)"),
    ("not_x12.835", "not an X12 file"),
    ("short_isa.835", "the ISA envelope header is not the fixed 106 characters"),
])
def test_malformed_files_are_refused_with_their_reason(name: str, reason: str) -> None:
    result = _read(name)
    assert result.error is not None and result.error.startswith(reason)
    assert result.payments == []


def test_bad_amount_names_the_segment() -> None:
    text = (FIXTURES / "bare_transaction.835").read_text().replace("CLP*CLM2001*1*100", "CLP*CLM2001*1*1O0")
    assert read_835(text, "x.835").error == "segment 7 (CLP): amount '1O0' is not a number"


def test_missing_iea_is_truncation() -> None:
    text = (FIXTURES / "bare_transaction.835").read_text()
    envelope = (FIXTURES / "unbalanced.835").read_text()
    cut = envelope[: envelope.index("IEA")]
    assert read_835(cut, "cut.835").error.startswith("truncated: the ISA envelope is never closed")
    assert read_835(text, "bare.835").error is None
