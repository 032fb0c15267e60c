"""Remittances as a JSON document (`bhdash remit --format json`) and as one row per service line.

The line frame is what matching and the Denials view read: a claim without SVC lines stands as one
row for the whole claim (x12_835.md), with no procedure code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from bhdash.remit.era import Adjustment, RemitClaim, RemitFile, RemitLine

LINE_COLUMNS: tuple[str, ...] = (
    "file", "payer", "payment_date", "trace_number", "claim_id", "claim_status", "payer_claim_number",
    "patient_last", "patient_first", "member_id", "rendering_npi", "procedure_code", "modifiers",
    "service_date", "charge", "paid", "units", "adjustments", "remarks", "claim_adjustments",
    "control_number", "claim_payment", "position",
)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _adjustments(adjustments: list[Adjustment]) -> list[dict[str, Any]]:
    return [{"group": item.group, "reason": item.reason, "amount": item.amount} for item in adjustments]


def _line_record(line: RemitLine, claim: RemitClaim) -> dict[str, Any]:
    return {
        "procedure_code": line.procedure_code, "modifiers": list(line.modifiers),
        "service_date": _iso(line.service_date or claim.statement_start),
        "charge": line.charge, "paid": line.paid, "units": line.units,
        "adjustments": _adjustments(line.adjustments), "remarks": list(line.remarks),
    }


def remit_document(files: list[RemitFile]) -> dict[str, Any]:
    """The issue's JSON shape: one entry per file read, one per claim with its lines."""
    return {
        "files": [{
            "file": item.file, "payer": item.payer, "payment_date": _iso(item.payment_date),
            "payment_total": item.payment_total, "claims": len(item.claims), "lines": item.line_count,
            "error": item.error, "warnings": list(item.warnings),
        } for item in files],
        "claims": [{
            "file": item.file, "claim_id": claim.claim_id, "status": claim.status, "charge": claim.charge,
            "paid": claim.paid, "patient_responsibility": claim.patient_responsibility,
            "patient_name": claim.patient_name, "payer_claim_number": claim.payer_claim_number,
            "rendering_npi": claim.rendering_npi, "adjustments": _adjustments(claim.adjustments),
            "lines": [_line_record(line, claim) for line in claim.lines],
        } for item in files for claim in item.claims],
    }


def remit_lines(files: list[RemitFile]) -> pd.DataFrame:
    """One row per service line of every readable file, in file order (`position`)."""
    rows: list[dict[str, Any]] = []
    claim_payment = 0
    for item in files:
        for payment in item.payments:
            for claim in payment.claims:
                claim_payment += 1
                common = {
                    "claim_payment": claim_payment,
                    "file": item.file, "payer": payment.payer, "payment_date": payment.payment_date,
                    "trace_number": payment.trace_number, "claim_id": claim.claim_id,
                    "claim_status": claim.status, "payer_claim_number": claim.payer_claim_number,
                    "patient_last": claim.patient_last, "patient_first": claim.patient_first,
                    "member_id": claim.member_id, "rendering_npi": claim.rendering_npi,
                    "claim_adjustments": [item.code for item in claim.adjustments],
                }
                if not claim.lines:
                    rows.append(common | {
                        "procedure_code": None, "modifiers": [], "service_date": claim.statement_start,
                        "charge": claim.charge, "paid": claim.paid, "units": 1.0,
                        "adjustments": list(claim.adjustments), "remarks": [], "control_number": None})
                for line in claim.lines:
                    rows.append(common | {
                        "procedure_code": line.billed_code, "modifiers": list(line.modifiers),
                        "service_date": line.service_date or claim.statement_start,
                        "charge": line.charge, "paid": line.paid, "units": line.units,
                        "adjustments": list(line.adjustments), "remarks": list(line.remarks),
                        "control_number": line.control_number})
    frame = pd.DataFrame(rows, columns=[column for column in LINE_COLUMNS if column != "position"])
    frame["claim_payment"] = frame["claim_payment"].astype("int64")
    frame["position"] = range(len(frame))
    frame["payment_date"] = pd.to_datetime(frame["payment_date"])
    frame["service_date"] = pd.to_datetime(frame["service_date"])
    for column in ("charge", "paid", "units"):
        frame[column] = frame[column].astype("float64")
    return frame
