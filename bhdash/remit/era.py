"""The 835 (005010X221A1) remittance advice read into payments, claims and service lines.

Structure per x12_835.md: BPR/TRN/N1 header per transaction, CLP opens a claim (CAS before the first
SVC are claim-level adjustments, NM1*QC the patient, NM1*82 the rendering provider), SVC opens a
service line (DTM*472 date, CAS adjustments with up to six reason/amount/quantity triplets, LQ*HE
remarks, REF*6R line control number), PLB provider-level adjustments close the transaction.
Every file is balanced line by line, claim by claim and against the payment total; what does not
balance is read anyway and named in a warning (file and claim ID, never the patient).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bhdash.remit.x12 import X12Error, segments

BALANCE_TOLERANCE = 0.005
_OTHER_TRANSACTIONS = {
    "999": "a 999 implementation acknowledgment (the clearinghouse's receipt for a claim file)",
    "997": "a 997 functional acknowledgment",
    "277": "a 277 claim status response",
    "276": "a 276 claim status request",
    "837": "an 837 claim submission",
    "270": "a 270 eligibility inquiry",
    "271": "a 271 eligibility response",
    "834": "an 834 enrollment file",
}
CLAIM_STATUS = {
    "1": "processed as primary", "2": "processed as secondary", "3": "processed as tertiary",
    "4": "denied", "19": "processed as primary, forwarded", "20": "processed as secondary, forwarded",
    "21": "processed as tertiary, forwarded", "22": "reversal of previous payment",
    "23": "not our claim, forwarded",
}
REVERSAL_STATUS = "22"


@dataclass(frozen=True)
class Adjustment:
    group: str
    reason: str
    amount: float
    quantity: float | None = None

    @property
    def code(self) -> str:
        return f"{self.group}-{self.reason}"


@dataclass
class RemitLine:
    procedure_code: str
    qualifier: str
    modifiers: list[str]
    charge: float
    paid: float
    units: float
    submitted_code: str | None = None  # SVC06: the code as billed, when the payer paid another one
    service_date: dt.date | None = None
    service_end: dt.date | None = None
    control_number: str | None = None
    allowed: float | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    @property
    def billed_code(self) -> str:
        return self.submitted_code or self.procedure_code


@dataclass
class RemitClaim:
    claim_id: str
    status: str
    charge: float
    paid: float
    patient_responsibility: float
    filing_indicator: str | None = None
    payer_claim_number: str | None = None
    frequency: str | None = None
    patient_last: str | None = None
    patient_first: str | None = None
    member_id: str | None = None
    rendering_name: str | None = None
    rendering_npi: str | None = None
    statement_start: dt.date | None = None
    statement_end: dt.date | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    lines: list[RemitLine] = field(default_factory=list)

    @property
    def patient_name(self) -> str | None:
        parts = [part for part in (self.patient_first, self.patient_last) if part]
        return " ".join(parts) if parts else None


@dataclass(frozen=True)
class ProviderAdjustment:
    provider: str
    reason: str
    reference: str | None
    amount: float


@dataclass
class Payment:
    """One ST/SE transaction: one payment (or notification) from one payer to one payee."""

    total: float = 0.0
    handling: str | None = None
    method: str | None = None
    payment_date: dt.date | None = None
    trace_number: str | None = None
    payer: str | None = None
    payer_id: str | None = None
    payee: str | None = None
    payee_npi: str | None = None
    claims: list[RemitClaim] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)


@dataclass
class RemitFile:
    """What one file held; `error` set means nothing from it can be trusted and `payments` is empty."""

    file: str
    payments: list[Payment] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def claims(self) -> list[RemitClaim]:
        return [claim for payment in self.payments for claim in payment.claims]

    @property
    def payer(self) -> str | None:
        names = list(dict.fromkeys(payment.payer for payment in self.payments if payment.payer))
        return "; ".join(names) if names else None

    @property
    def payment_date(self) -> dt.date | None:
        dates = [payment.payment_date for payment in self.payments if payment.payment_date]
        return max(dates) if dates else None

    @property
    def payment_total(self) -> float:
        return round(sum(payment.total for payment in self.payments), 2)

    @property
    def line_count(self) -> int:
        return sum(len(claim.lines) for claim in self.claims)


class _Reader:
    """Walks the segments of one file; raises X12Error with the segment number on bad values."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.result = RemitFile(file=name)
        self.position = 0
        self.segment_id = ""

    def amount(self, elements: list[str], index: int, default: float | None = 0.0) -> float:
        value = _element(elements, index)
        if value is None:
            if default is None:
                raise X12Error(f"segment {self.position} ({self.segment_id}): a required amount is missing")
            return default
        try:
            return float(value)
        except ValueError as error:
            raise X12Error(f"segment {self.position} ({self.segment_id}): amount '{value}' is not a number") \
                from error

    def date(self, value: str | None) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            self.result.warnings.append(
                f"segment {self.position} ({self.segment_id}): date '{value}' is not CCYYMMDD; ignored")
            return None


def _element(elements: list[str], index: int) -> str | None:
    if index < len(elements):
        value = elements[index].strip()
        return value or None
    return None


def _composite(value: str | None, component: str) -> list[str]:
    return [part.strip() for part in value.split(component)] if value else []


def read_835(text: str, name: str) -> RemitFile:
    """Parse one file's text; any problem ends up in `error` or `warnings`, never as an exception."""
    reader = _Reader(name)
    try:
        _parse(reader, text)
    except X12Error as error:
        return RemitFile(file=name, error=str(error))
    if not reader.result.payments:
        return RemitFile(file=name, error="no 835 transaction (ST*835) in the file")
    _balance(reader.result)
    return reader.result


def _parse(reader: _Reader, text: str) -> None:  # one flat dispatch over segment IDs
    parsed, found = segments(text)
    payment: Payment | None = None
    claim: RemitClaim | None = None
    line: RemitLine | None = None
    entity: str | None = None
    transaction_start = 0
    for position, elements in enumerate(parsed, start=1):
        reader.position, reader.segment_id = position, elements[0].upper()
        tag = reader.segment_id
        if tag == "ST":
            kind = _element(elements, 1) or "?"
            if kind != "835":
                described = _OTHER_TRANSACTIONS.get(kind, f"an X12 {kind} transaction")
                raise X12Error(f"this is {described}, not an 835 remittance advice")
            if payment is not None:
                raise X12Error(f"truncated: transaction {len(reader.result.payments)} has no SE segment "
                               f"before the next ST (segment {position})")
            payment, claim, line, entity = Payment(), None, None, None
            transaction_start = position
        elif tag == "GS" and (_element(elements, 8) or "").startswith(("004010", "003")):
            reader.result.warnings.append(
                f"version {_element(elements, 8)} is older than 005010; read with the 005010 layout")
        elif payment is None:
            if tag not in {"ISA", "GS", "GE", "IEA", "TA1"}:
                raise X12Error(f"segment {position} ({tag}) is outside any ST/SE transaction")
        elif tag == "SE":
            declared = _element(elements, 1)
            counted = position - transaction_start + 1
            if declared is not None and declared.isdigit() and int(declared) != counted:
                reader.result.warnings.append(
                    f"transaction {len(reader.result.payments) + 1}: SE declares {declared} segments, "
                    f"{counted} were read")
            reader.result.payments.append(payment)
            payment, claim, line = None, None, None
        elif tag == "BPR":
            payment.handling = _element(elements, 1)
            payment.total = reader.amount(elements, 2, default=None)
            if _element(elements, 3) == "D":
                payment.total = -payment.total
            payment.method = _element(elements, 4)
            payment.payment_date = reader.date(_element(elements, 16))
        elif tag == "TRN":
            payment.trace_number = _element(elements, 2)
        elif tag == "DTM" and claim is None and _element(elements, 1) == "405":
            payment.payment_date = payment.payment_date or reader.date(_element(elements, 2))
        elif tag == "N1":
            entity = _element(elements, 1)
            if entity == "PR":
                payment.payer = _element(elements, 2)
            elif entity == "PE":
                payment.payee = _element(elements, 2)
                if _element(elements, 3) == "XX":
                    payment.payee_npi = _element(elements, 4)
        elif tag == "REF" and claim is None and entity == "PR" and _element(elements, 1) == "2U":
            payment.payer_id = _element(elements, 2)
        elif tag == "CLP":
            claim_id = _element(elements, 1)
            if claim_id is None:
                raise X12Error(f"segment {position} (CLP): the claim has no patient control number")
            claim = RemitClaim(
                claim_id=claim_id, status=_element(elements, 2) or "",
                charge=reader.amount(elements, 3), paid=reader.amount(elements, 4),
                patient_responsibility=reader.amount(elements, 5), filing_indicator=_element(elements, 6),
                payer_claim_number=_element(elements, 7), frequency=_element(elements, 9),
            )
            payment.claims.append(claim)
            line = None
        elif tag == "PLB":
            claim, line = None, None
            provider = _element(elements, 1) or ""
            for index in range(3, len(elements) - 1, 2):
                parts = _composite(_element(elements, index), found.component)
                if not parts:
                    continue
                payment.provider_adjustments.append(ProviderAdjustment(
                    provider=provider, reason=parts[0], reference=parts[1] if len(parts) > 1 else None,
                    amount=reader.amount(elements, index + 1)))
        elif claim is None:
            continue  # payer/payee addresses, contacts, LX/TS3 summaries: not needed
        elif tag == "SVC":
            parts = _composite(_element(elements, 1), found.component)
            if len(parts) < 2:
                raise X12Error(f"segment {position} (SVC): no procedure code in '{_element(elements, 1)}'")
            submitted = _composite(_element(elements, 6), found.component)
            units = reader.amount(elements, 5, default=None) if _element(elements, 5) else 1.0
            line = RemitLine(
                procedure_code=parts[1], qualifier=parts[0], modifiers=[m for m in parts[2:6] if m],
                charge=reader.amount(elements, 2), paid=reader.amount(elements, 3), units=units,
                submitted_code=submitted[1] if len(submitted) > 1 else None,
            )
            claim.lines.append(line)
        elif tag == "CAS":
            group = _element(elements, 1) or ""
            target = line.adjustments if line is not None else claim.adjustments
            for index in range(2, min(len(elements), 20), 3):
                reason = _element(elements, index)
                if reason is None:
                    continue
                quantity = reader.amount(elements, index + 2) if _element(elements, index + 2) else None
                amount = reader.amount(elements, index + 1)
                target.append(Adjustment(group=group, reason=reason, amount=amount, quantity=quantity))
        elif tag == "NM1":
            role = _element(elements, 1)
            if role == "QC":
                claim.patient_last, claim.patient_first = _element(elements, 3), _element(elements, 4)
                claim.member_id = _element(elements, 9)
            elif role == "82":
                claim.rendering_name = " ".join(
                    part for part in (_element(elements, 4), _element(elements, 3)) if part) or None
                if _element(elements, 8) == "XX":
                    claim.rendering_npi = _element(elements, 9)
        elif tag == "DTM":
            qualifier, value = _element(elements, 1), _element(elements, 2)
            if line is not None and qualifier in {"472", "150"}:
                line.service_date = reader.date(value)
            elif line is not None and qualifier == "151":
                line.service_end = reader.date(value)
            elif line is None and qualifier == "232":
                claim.statement_start = reader.date(value)
            elif line is None and qualifier == "233":
                claim.statement_end = reader.date(value)
        elif tag == "LQ" and line is not None:
            code = _element(elements, 2)
            if code:
                line.remarks.append(code)
        elif tag == "REF" and line is not None and _element(elements, 1) == "6R":
            line.control_number = _element(elements, 2)
        elif tag == "AMT" and line is not None and _element(elements, 1) == "B6":
            line.allowed = reader.amount(elements, 2)
    if payment is not None:
        raise X12Error(f"truncated: the file ends inside transaction {len(reader.result.payments) + 1} "
                       "(no SE segment); ask the clearinghouse to download it again")
    envelope = [elements[0].upper() for elements in parsed if elements[0].upper() in {"ISA", "IEA"}]
    if envelope and envelope[-1] != "IEA":
        raise X12Error("truncated: the ISA envelope is never closed (no IEA segment); "
                       "ask the clearinghouse to download it again")


def _differs(left: float, right: float) -> bool:
    return abs(left - right) > BALANCE_TOLERANCE


def _balance(result: RemitFile) -> None:
    """Line, claim and payment balancing (x12_835.md "Balancing"); each miss becomes a warning."""
    where = f"file '{result.file}'"
    for number, payment in enumerate(result.payments, start=1):
        for claim in payment.claims:
            claim_adjusted = sum(adjustment.amount for adjustment in claim.adjustments)
            for line_number, line in enumerate(claim.lines, start=1):
                adjusted = sum(adjustment.amount for adjustment in line.adjustments)
                if _differs(line.charge - adjusted, line.paid):
                    result.warnings.append(
                        f"{where}, claim {claim.claim_id}, line {line_number} ({line.procedure_code}): "
                        f"does not balance: charge {line.charge:.2f} - adjustments {adjusted:.2f} "
                        f"!= paid {line.paid:.2f}")
            if claim.lines:
                lines_paid = sum(line.paid for line in claim.lines)
                if _differs(lines_paid - claim_adjusted, claim.paid):
                    result.warnings.append(
                        f"{where}, claim {claim.claim_id}: does not balance: lines paid {lines_paid:.2f} - "
                        f"claim adjustments {claim_adjusted:.2f} != claim paid {claim.paid:.2f}")
            elif _differs(claim.charge - claim_adjusted, claim.paid):
                result.warnings.append(
                    f"{where}, claim {claim.claim_id}: does not balance: charge {claim.charge:.2f} - "
                    f"adjustments {claim_adjusted:.2f} != paid {claim.paid:.2f}")
        claims_paid = sum(claim.paid for claim in payment.claims)
        provider = sum(adjustment.amount for adjustment in payment.provider_adjustments)
        if _differs(claims_paid - provider, payment.total):
            label = f"payment {payment.trace_number}" if payment.trace_number else f"transaction {number}"
            result.warnings.append(
                f"{where}, {label}: does not balance: claims paid {claims_paid:.2f} - provider adjustments "
                f"{provider:.2f} != payment total {payment.total:.2f}")
