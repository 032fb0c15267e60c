"""Profiles the rule catalogue on 1,000,000 synthetic canonical claim lines against ingesting the same lines.

Run: python bench/rules.py [--lines N]. Prints rule time / ingest time (target < 1) and each rule's share
of the total (target: none above 10%). The lines are generated in memory, vectorized; only the ingest
timing writes them to a CSV in a temporary directory.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bhdash.model import CLAIM_FIELDS, Roster
from bhdash.npi import npi_check_digit
from bhdash.rules import run_checks

PAYERS = np.array(["Medicare", "Aetna", "UnitedHealthcare", "Medicaid", "Anthem", "Cigna"])
THERAPY_CODES = np.array(["90837", "90834", "90832", "90791", "90853", "90847", "96127", "90839"])
THERAPY_WEIGHTS = np.array([0.42, 0.33, 0.06, 0.05, 0.05, 0.03, 0.04, 0.02])
MINUTES = {
    "90837": 55,
    "90834": 45,
    "90832": 30,
    "90791": 60,
    "90853": 60,
    "90847": 50,
    "96127": 5,
    "90839": 60,
}
DX = np.array(["F41.1", "F32.1", "F43.10", "F33.1", "F90.0", "F43.23"])
SESSIONS_PER_CLINICIAN_DAY = 7
PSYCHIATRIST_SHARE = 0.12


def _npis(count: int) -> list[str]:
    bases = [str(100000000 + 7919 * number) for number in range(count)]
    return [base + str(npi_check_digit(base)) for base in bases]


def synthetic_claims(lines: int, seed: int = 7) -> tuple[pd.DataFrame, Roster]:
    """Canonical claim lines: therapists' sessions plus psychiatrists' E/M + 90833/90836 visits."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2025-01-01", "2025-12-31")
    clinicians = max(10, lines // (len(days) * SESSIONS_PER_CLINICIAN_DAY))
    psychiatrists = max(1, int(clinicians * PSYCHIATRIST_SHARE))
    names = np.array([f"Clinician {number:03d}" for number in range(clinicians)])
    npis = np.array(_npis(clinicians))
    credentials = np.where(
        np.arange(clinicians) < psychiatrists, "MD", rng.choice(["LCSW", "LPC", "PHD"], clinicians)
    )
    sessions = int(lines * 0.95)
    clinician = rng.integers(0, clinicians, sessions)
    psychiatrist = clinician < psychiatrists
    code = rng.choice(THERAPY_CODES, sessions, p=THERAPY_WEIGHTS)
    code = np.where(psychiatrist, rng.choice(["99213", "99214"], sessions), code)
    service_date = days[rng.integers(0, len(days), sessions)]
    patient = rng.integers(0, max(100, lines // 25), sessions)
    # 70-minute slots from 7:00 in each clinician's day (sessions last at most 65 min), so none overlap.
    slot = pd.DataFrame({"c": clinician, "d": service_date}).groupby(["c", "d"]).cumcount().to_numpy()
    start = pd.to_timedelta(7 * 60 + 70 * slot, unit="min")
    nominal = pd.Series(code).map(MINUTES).fillna(50).to_numpy()
    minutes = np.clip(nominal + rng.integers(-2, 6, sessions), 5, None).astype("float64")
    frame = pd.DataFrame(
        {
            "patient_id": "PT" + pd.Series(patient).astype(str),
            "service_date": service_date,
            "clinician_name": names[clinician],
            "clinician_npi": npis[clinician],
            "clinician_credential": credentials[clinician],
            "procedure_code": code,
            "payer": PAYERS[rng.integers(0, len(PAYERS), sessions)],
            "units": 1.0,
            "minutes": minutes,
            "start_time": start,
            "pos": np.where(rng.random(sessions) < 0.3, "10", "11"),
            "dx_1": DX[rng.integers(0, len(DX), sessions)],
            "charge": 150.0,
        }
    )
    frame["modifier_1"] = np.where(frame["pos"].eq("10"), "95", None)
    addon_count = lines - sessions
    visits = frame[psychiatrist].sample(n=min(addon_count, int(psychiatrist.sum())), random_state=seed)
    addons = visits.assign(procedure_code=rng.choice(["90833", "90836"], len(visits)), charge=90.0)
    frame = pd.concat([frame, addons], ignore_index=True)
    frame["end_time"] = frame["start_time"] + pd.to_timedelta(frame["minutes"], unit="min")
    frame["claim_id"] = "C" + pd.Series(np.arange(len(frame))).astype(str)
    frame["submitted_date"] = frame["service_date"] + pd.Timedelta(days=10)
    frame.insert(0, "source_row", np.arange(2, len(frame) + 2))
    # Medicaid pays therapists by license level (reference/license_modifiers.csv), so a practice's Medicaid
    # therapy lines carry the HO/HP modifier; without it every one of them is a real SCOPE-005 finding.
    license_level = pd.Series({"LCSW": "HO", "LPC": "HO", "PHD": "HP"})
    on_medicaid = frame["payer"].eq("Medicaid")
    frame["modifier_2"] = frame["clinician_credential"].map(license_level).where(on_medicaid)
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("str")
    roster = Roster()
    roster.clinicians = pd.DataFrame(
        {
            "clinician_name": names,
            "credential": credentials,
            "npi": npis,
            "license_expiration": pd.Timestamp("2027-06-30"),
        }
    )
    roster.enrollments = pd.DataFrame(
        {
            "clinician_name": np.repeat(names, len(PAYERS)),
            "npi": np.repeat(npis, len(PAYERS)),
            "payer": np.tile(PAYERS, clinicians),
            "status": "active",
            "effective_date": pd.Timestamp("2020-01-01"),
            "term_date": pd.NaT,
        }
    )
    return frame, roster


def _as_export(claims: pd.DataFrame) -> pd.DataFrame:
    """The lines as an EHR-style CSV: human headers, US dates, clock times."""
    labels = {spec.name: spec.label for spec in CLAIM_FIELDS}
    export = claims.drop(columns="source_row").copy()
    for column in ("service_date", "submitted_date"):
        export[column] = export[column].dt.strftime("%m/%d/%Y")
    for column in ("start_time", "end_time"):
        total = (export[column].dt.total_seconds() // 60).astype(int)
        export[column] = (total // 60).astype(str).str.zfill(2) + ":" + (total % 60).astype(str).str.zfill(2)
    return export.rename(columns=labels)


def _time_ingest(claims: pd.DataFrame) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.csv"
        _as_export(claims).to_csv(path, index=False)
        started = time.perf_counter()
        try:
            from bhdash.ingest import ingest

            ingest(path, max_bytes=path.stat().st_size + 1)
            how = "bhdash.ingest.ingest"
        except ImportError:
            pd.read_csv(path)
            how = "pd.read_csv (bhdash.ingest not available)"
        return time.perf_counter() - started, how


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    claims, roster = synthetic_claims(args.lines)
    print(f"built {len(claims):,} synthetic lines in {time.perf_counter() - started:.1f} s")
    ingest_seconds, how = _time_ingest(claims)
    # One small run first: loading the ICD-10-CM code set and the reference tables is a once-per-process
    # cost (the dashboard pays it at start-up), not a per-check cost.
    run_checks(*synthetic_claims(2_000), as_of="2026-01-15")
    started = time.perf_counter()
    result = run_checks(claims, roster, as_of="2026-01-15")
    rules_seconds = time.perf_counter() - started
    print(f"ingest ({how}): {ingest_seconds:.2f} s")
    print(
        f"run_checks, {result.ran().shape[0]} rules ran, {result.skipped().shape[0]} skipped, "
        f"{len(result.findings):,} findings: {rules_seconds:.2f} s"
    )
    print(f"rule time / ingest time = {rules_seconds / ingest_seconds:.2f}  (target < 1)")
    timing = result.rules.sort_values("seconds", ascending=False)
    total = timing["seconds"].sum()
    print(f"\n{'rule':<11}{'status':<9}{'seconds':>9}{'share':>8}{'findings':>10}")
    for row in timing.itertuples(index=False):
        share = row.seconds / total if total else 0.0
        flag = "  > 10%" if share > 0.10 else ""
        print(f"{row.id:<11}{row.status:<9}{row.seconds:>9.3f}{share:>8.1%}{row.findings:>10,}{flag}")
    print(f"\nlargest single-rule share: {timing['seconds'].max() / total:.1%} (target ≤ 10%)")


if __name__ == "__main__":
    main()
