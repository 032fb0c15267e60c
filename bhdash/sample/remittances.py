"""The sample practice's adjudicated history as X12 835 files: one per payer and payment month.

Written from the canonical truth (status / denial reason / paid amount), so matching them back to the
claims gives exactly the spreadsheet outcomes. Deterministic without a random generator: payment
dates, clearinghouse numbers and corrected claims follow each claim's ordinal.
- Paid lines: CO-45 down to the payer's allowed amount, PR-2 coinsurance (the payer's patient share).
- Denied lines: the whole charge under the denial's group and CARC, with the usual remark code.
- Every 40th claim travels under the clearinghouse's own number (CLP01), so only the patient name,
  date and code can match it; every 90th paid claim was first denied CO-16 (missing information)
  and paid a month later on a corrected claim (frequency 7), so the latest remittance decides.
- A few files carry provider-level adjustments (PLB interest), included in the payment total.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bhdash.sample.config import practice_config
from bhdash.sample.generator import SamplePractice

REMIT_FOLDER = "remittances"
REMIT_DESCRIPTION = ("the adjudicated history as X12 835 remittance files, one per payer and payment month "
                     "(`bhdash remit`, `bhdash check --remit`)")
CLEARINGHOUSE_EVERY = 40
CORRECTED_EVERY = 90
FIRST_PAYMENT_LAG_DAYS = 14
CORRECTION_DAYS = 30
_REMARKS = {"29": "N211", "97": "M80", "96": "N362", "50": "N115", "170": "N95", "16": "M51"}
_FILING = {"medicare": "MB", "medicaid": "MC", "commercial": "CI"}
PAYEE = "LAKEVIEW BEHAVIORAL HEALTH"
PAYEE_NPI = "1538246784"


def _money(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def _isa(control: int, day: pd.Timestamp) -> str:
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "CLEARINGHOUSE".ljust(15), "ZZ",
              "LAKEVIEWBH".ljust(15), f"{day:%y%m%d}", "0600", "^", "00501", f"{control:09d}", "0", "P", ":"]
    return "*".join(fields)


def _slug(payer: str) -> str:
    return "".join(character if character.isalnum() else "_" for character in payer.lower()).strip("_")


def _payment_plan(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per adjudicated claim line with its claim ordinal, payment date and CLP01."""
    lines = claims[claims["status"].notna()].copy()
    ordinal = lines["claim_id"].rank(method="dense").astype("int64")
    submitted = lines.groupby("claim_id")["submitted_date"].transform("max")
    lines["ordinal"] = ordinal
    lines["payment_date"] = submitted + pd.to_timedelta(FIRST_PAYMENT_LAG_DAYS + ordinal % 15, unit="D")
    lines["clp01"] = lines["claim_id"].where(ordinal % CLEARINGHOUSE_EVERY != 7,
                                             "CH" + (ordinal * 7919 % 10**9).astype(str).str.zfill(9))
    return lines


def _money_text(values: pd.Series) -> pd.Series:
    return pd.Series([_money(float(value)) for value in values], index=values.index, dtype=object)


def _join(*parts: pd.Series) -> pd.Series:
    """Segments joined per row, empty parts left out."""
    frame = pd.concat(parts, axis=1)
    return pd.Series(["~\n".join(part for part in row if isinstance(part, str) and part)
                      for row in frame.itertuples(index=False)], index=frame.index, dtype=object)


def _service_loops(lines: pd.DataFrame, denial: pd.Series) -> pd.DataFrame:
    """Per line: its SVC loop text, paid amount and patient responsibility; `denial` (group-CARC, or
    NA for a paid line) decides how the charge is adjusted."""
    share = lines["payer"].map({p["name"]: float(p["patient_share"]) for p in practice_config()["payers"]})
    share = share.fillna(0.0)
    denied = denial.notna()
    charge = lines["charge"].astype("float64")
    paid = lines["paid_amount"].astype("float64").fillna(0.0).where(~denied, 0.0)
    allowed = np.minimum((paid / (1 - share)).round(2), charge)
    patient = (allowed - paid).round(2).where(~denied, 0.0)
    contractual = (charge - allowed).round(2).where(~denied, 0.0)
    modifiers = (lines["modifier_1"].radd(":").fillna("") + lines["modifier_2"].radd(":").fillna(""))
    units = lines["units"].astype("float64")
    svc = ("SVC*HC:" + lines["procedure_code"] + modifiers + "*" + _money_text(charge) + "*"
           + _money_text(paid) + ("**" + _money_text(units)).where(units != 1, ""))
    dtm = ("DTM*472*" + lines["service_date"].dt.strftime("%Y%m%d")).where(lines["service_date"].notna(), "")
    parts = denial.fillna("-").str.split("-", n=1)
    group, reason = parts.str[0], parts.str[1]
    denial_cas = ("CAS*" + group + "*" + reason + "*" + _money_text(charge)).where(denied, "")
    remark = ("LQ*HE*" + reason.map(_REMARKS)).where(denied & reason.isin(list(_REMARKS)), "")
    co45 = ("CAS*CO*45*" + _money_text(contractual)).where(~denied & (contractual > 0), "")
    pr2 = ("CAS*PR*2*" + _money_text(patient)).where(~denied & (patient > 0), "")
    return pd.DataFrame({"text": _join(svc, dtm, denial_cas, remark, co45, pr2), "paid": paid,
                         "patient": patient})


def _claim_loops(plan: pd.DataFrame, loops: pd.DataFrame, deny_all: bool, frequency: str) -> pd.DataFrame:
    """Per claim: the CLP loop text (header and lines) and the claim's paid amount."""
    lines = plan.assign(text=loops["text"], paid=loops["paid"], patient=loops["patient"])
    claims = lines.groupby("claim_id", sort=True).agg(
        ordinal=("ordinal", "first"), payer=("payer", "first"), payment_date=("payment_date", "first"),
        clp01=("clp01", "first"), payer_type=("payer_type", "first"), last=("patient_last_name", "first"),
        first=("patient_first_name", "first"), member_id=("member_id", "first"),
        clinician=("clinician_name", "first"), npi=("clinician_npi", "first"),
        charge=("charge", "sum"), paid=("paid", "sum"),
        patient=("patient", "sum"), all_denied=("status", lambda status: bool((status == "Denied").all())),
        body=("text", "~\n".join))
    status = pd.Series("4", index=claims.index).where(deny_all | claims["all_denied"], "1")
    clinician = claims["clinician"].str.split(" ", n=1)
    payer_number = (claims["payer"].map(_payer_id) + claims["ordinal"].astype(str).str.zfill(7)
                    + ("A" if deny_all else ""))
    claims["paid"] = claims["paid"].round(2)
    clp = ("CLP*" + claims["clp01"] + "*" + status + "*" + _money_text(claims["charge"]) + "*"
           + _money_text(claims["paid"]) + "*" + _money_text(claims["patient"].round(2)) + "*"
           + claims["payer_type"].map(_FILING).fillna("CI") + "*" + payer_number + "*11*" + frequency)
    qc = ("NM1*QC*1*" + claims["last"].str.upper() + "*" + claims["first"].str.upper() + "****MI*"
          + claims["member_id"].astype(str))
    rendering = ("NM1*82*1*" + clinician.str[-1].str.upper() + "*" + clinician.str[0].str.upper() + "****XX*"
                 + claims["npi"].astype(str))
    claims["text"] = _join(clp, qc, rendering, claims["body"])
    return claims[["payer", "payment_date", "ordinal", "text", "paid"]]


def _file_text(payer: str, payer_id: str, payment_date: pd.Timestamp, control: int,
               claims: list[tuple[str, float]], interest: float) -> str:
    paid = round(sum(total for _, total in claims), 2)
    total = round(paid + interest, 2)
    transaction = [
        "ST*835*0001",
        f"BPR*I*{_money(total)}*C*ACH*CCP*01*071000013*DA*55500{control:04d}*1362223333**01*071000039*DA"
        f"*88800{control:04d}*{payment_date:%Y%m%d}",
        f"TRN*1*{payer_id}{payment_date:%Y%m%d}*1362223333",
        f"DTM*405*{payment_date:%Y%m%d}",
        f"N1*PR*{payer.upper()}", f"REF*2U*{payer_id}",
        f"N1*PE*{PAYEE}*XX*{PAYEE_NPI}", "LX*1",
    ]
    transaction += [segment for text, _ in claims for segment in text.split("~\n")]
    if interest:
        transaction.append(f"PLB*{PAYEE_NPI}*{payment_date:%Y}1231*L6:INTEREST*{_money(-interest)}")
    transaction.append(f"SE*{len(transaction) + 1}*0001")
    envelope = [_isa(control, payment_date),
                f"GS*HP*CLEARINGHOUSE*LAKEVIEWBH*{payment_date:%Y%m%d}*0600*{control}*X*005010X221A1",
                *transaction, f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "~".join(envelope) + "~"


def remittance_files(practice: SamplePractice) -> dict[str, str]:
    """File name → 835 text, for every payer and payment month of the adjudicated history."""
    if practice.claims["status"].isna().all():
        return {}  # too few months for any outcome
    plan = _payment_plan(practice.claims).sort_values(["claim_id", "line_no"], kind="stable")
    outcome = plan["denial_reason"].where(plan["status"] == "Denied")
    claims = _claim_loops(plan, _service_loops(plan, outcome), deny_all=False, frequency="1")
    all_paid = plan.groupby("claim_id")["status"].transform(lambda status: bool((status == "Paid").all()))
    corrected = plan[all_paid & (plan["ordinal"] % CORRECTED_EVERY == 3)]
    if not corrected.empty:
        first_denial = pd.Series("CO-16", index=corrected.index, dtype=object)
        denied_first = _claim_loops(corrected, _service_loops(corrected, first_denial), deny_all=True,
                                    frequency="1")
        denied_first["payment_date"] -= pd.Timedelta(days=CORRECTION_DAYS)
        repaid = claims.index.isin(denied_first.index)
        claims.loc[repaid, "text"] = claims.loc[repaid, "text"].str.replace(
            r"\*11\*1~", "*11*7~", n=1, regex=True)
        claims = pd.concat([claims, denied_first])
    claims["month"] = claims["payment_date"].dt.strftime("%Y-%m")
    files: dict[str, str] = {}
    for control, ((payer, month), group) in enumerate(claims.groupby(["payer", "month"], sort=True), start=1):
        group = group.sort_values(["payment_date", "ordinal"], kind="stable")
        interest = round(0.25 * (control % 7), 2) if control % 4 == 0 else 0.0
        files[f"{_slug(payer)}_{month}.835"] = _file_text(
            payer, _payer_id(payer), group["payment_date"].max(), control,
            list(zip(group["text"], group["paid"], strict=True)), interest)
    return files


def _payer_id(payer: str) -> str:
    return "".join(word[0] for word in payer.split() if word[0].isalnum()).upper()[:5] or "PAYER"


def write_remittances(practice: SamplePractice, out_dir: Path) -> Path:
    """Write the 835 folder (replacing any previous one's .835 files); returns the folder."""
    folder = out_dir / REMIT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.835"):
        old.unlink()
    for name, text in remittance_files(practice).items():
        (folder / name).write_text(text, encoding="ascii", newline="\n")
    return folder


