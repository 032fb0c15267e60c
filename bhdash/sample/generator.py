"""Deterministic generator of the sample practice: the canonical truth every layout is written from.

Everything is drawn from one `numpy.random.default_rng(seed)` in a fixed order, and all dates are
fixed (no wall clock), so the same seed always gives the same practice. The clean practice is
built first; problems are planted on top of it (see `problems.py`) and outcomes are adjudicated
last (see `outcomes.py`), so `plant_problems=False` gives the very same visits without defects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bhdash.model import CLAIM_COLUMNS, CLINICIAN_FIELDS, ENROLLMENT_FIELDS, Roster
from bhdash.norms import load_norms, norms_in_effect
from bhdash.npi import npi_check_digit
from bhdash.payers import default_directory, payer_type_from_name
from bhdash.sample import DEFAULT_MONTHS, DEFAULT_SEED
from bhdash.sample.config import as_timestamp, fee_table, license_modifier, practice_config

THERAPY_CODES = ("90832", "90834", "90837")
ADDON_FOR_MINUTES = (("90833", 20, 31), ("90836", 38, 46), ("90838", 53, 58))
EM_TIME_BANDS = {"99212": (12, 19), "99213": (20, 29), "99214": (30, 39), "99215": (40, 50)}
# (low, high) minutes, high exclusive, for sessions that are not E/M visits
SESSION_MINUTES = {
    "90832": (26, 36), "90834": (42, 53), "90837": (54, 61), "90846": (45, 56), "90847": (45, 56),
    "90839": (50, 71), "90791": (55, 76), "90792": (55, 71), "90853": (90, 91),
}
GROUP_START_MINUTES = 18 * 60 + 15


@dataclass
class SamplePractice:
    """The generated practice: canonical claims, roster, planted-problem manifest, fixed as-of date.

    `claims` follows the canonical data contract; `source_row` is the row number the line has in a
    plain one-header export (the SimplePractice-style CSV). `manifest` has one row per planted
    problem line (and clinician-level rows with no line for stories such as code-mix outliers).
    """

    claims: pd.DataFrame
    roster: Roster
    manifest: pd.DataFrame
    as_of: pd.Timestamp
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    seed: int
    clinicians: pd.DataFrame  # roster plus generator attributes (styles, caseloads)
    # The generator's id of each claim line (aligned with `claims`): it survives planting, so a planted line
    # and its clean original can be told apart (the demo workspace's "fixed" lines, bhdash.workspace.demo).
    line_uids: pd.Series


@dataclass
class Draft:
    """A practice being built: lines carry generator-only helper columns until `finish`."""

    lines: pd.DataFrame
    clinicians: pd.DataFrame
    enrollments: pd.DataFrame
    patients: pd.DataFrame
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    as_of: pd.Timestamp
    rng: np.random.Generator


def _npis(rng: np.random.Generator, count: int) -> list[str]:
    """Fake NPIs with a correct check digit (first digit 1: individual providers)."""
    seen: set[str] = set()
    result: list[str] = []
    while len(result) < count:
        body = "1" + "".join(map(str, rng.integers(0, 10, 8)))
        npi = body + str(npi_check_digit(body))
        if npi not in seen:
            seen.add(npi)
            result.append(npi)
    return result


def _clinicians(rng: np.random.Generator, teams: int) -> pd.DataFrame:
    """The configured clinicians, repeated as extra teams (same styles, other names) for large sets."""
    cfg = practice_config()
    base = pd.DataFrame(cfg["clinicians"])
    frames = [base.assign(team=0)]
    names = cfg["names"]
    taken = set(base["name"])
    combos = [f"{first} {last}" for first in names["first"] for last in names["last"]]
    spare = [name for name in rng.permutation(combos) if name not in taken]
    for team in range(1, teams):
        copy = base.copy()
        fresh = spare[(team - 1) * len(copy): team * len(copy)]
        renamed = dict(zip(copy["name"], fresh, strict=True))
        copy["name"] = copy["name"].map(renamed)
        copy["supervisor"] = copy["supervisor"].map(renamed)
        frames.append(copy.assign(team=team))
    clinicians = pd.concat(frames, ignore_index=True).rename(columns={"name": "clinician_name"})
    clinicians["npi"] = _npis(rng, len(clinicians))
    clinicians["license_state"] = cfg["practice"]["state"]
    clinicians["license_expiration"] = pd.to_datetime(clinicians["license_expiration"])
    clinicians["start_date"] = pd.to_datetime(clinicians["start_date"])
    for column, default in (("prescriber", False), ("no_medicare", False), ("family_share", 0.0),
                            ("caseload", 0.0), ("med_caseload", 0.0), ("tilt", 0.0)):
        if column not in clinicians:
            clinicians[column] = default
        clinicians[column] = clinicians[column].fillna(default).infer_objects()
    if "group_weekday" not in clinicians:
        clinicians["group_weekday"] = np.nan
    return clinicians


def _enrollments(clinicians: pd.DataFrame) -> pd.DataFrame:
    """Every clinician enrolled with every payer it may bill (clean; stories change this later)."""
    payers = [payer["name"] for payer in practice_config()["payers"]]
    rows = []
    for clinician in clinicians.itertuples():
        for payer in payers:
            if clinician.no_medicare and payer_type_from_name(pd.Series([payer])).iloc[0] == "medicare":
                continue
            effective = min(clinician.start_date, pd.Timestamp("2024-01-02"))
            if clinician.start_date > pd.Timestamp("2024-01-02"):
                effective = clinician.start_date - pd.Timedelta(days=14)
            rows.append({"clinician_name": clinician.clinician_name, "npi": clinician.npi, "payer": payer,
                         "status": "Active", "effective_date": effective, "term_date": pd.NaT})
    return pd.DataFrame(rows, columns=[f.name for f in ENROLLMENT_FIELDS])


def _weighted_choice(rng: np.random.Generator, weights: np.ndarray) -> int:
    return int(rng.choice(len(weights), p=weights / weights.sum()))


def _patients(rng: np.random.Generator, clinicians: pd.DataFrame, count: int,
              period_start: pd.Timestamp, period_end: pd.Timestamp, as_of: pd.Timestamp) -> pd.DataFrame:
    cfg = practice_config()
    payers = cfg["payers"]
    payer_names = np.array([p["name"] for p in payers])
    payer_types = payer_type_from_name(pd.Series(payer_names)).to_numpy()
    payer_idx = rng.choice(len(payers), count, p=np.array([p["share"] for p in payers]))
    ptype = payer_types[payer_idx]
    med_only = rng.random(count) < 0.12
    child_draw = rng.random(count)
    child = np.where(ptype == "medicaid", child_draw < 0.4, np.where(ptype == "medicare", False,
                                                                    child_draw < 0.12))
    age = np.where(ptype == "medicare", rng.integers(66, 89, count),
                   np.where(child, rng.integers(7, 17, count), rng.integers(19, 65, count)))
    dob = as_of - pd.to_timedelta(age * 365 + rng.integers(0, 365, count), unit="D")
    teams = int(clinicians["team"].max()) + 1
    team = np.arange(count) % teams

    therapist = np.full(count, -1)
    prescriber = np.full(count, -1)
    wants_med = med_only | (rng.random(count) < 0.45)
    for i in range(count):
        pool = clinicians[(clinicians["team"] == team[i])]
        if not med_only[i]:
            weights = pool["caseload"].to_numpy(dtype=float).copy()
            if ptype[i] == "medicare":
                weights[pool["no_medicare"].to_numpy(dtype=bool)] = 0.0
            therapist[i] = pool.index[_weighted_choice(rng, weights)]
        if wants_med[i]:
            prescriber[i] = pool.index[_weighted_choice(rng, pool["med_caseload"].to_numpy(dtype=float))]

    established = rng.random(count) < 0.7
    latest_intake = (period_end - period_start).days - 21
    intake_offset = rng.integers(0, max(latest_intake, 1), count)
    first = period_start + pd.to_timedelta(np.where(established, 0, intake_offset), unit="D")
    lead = np.where(therapist >= 0, therapist, prescriber)
    hired = clinicians.loc[lead, "start_date"].to_numpy()
    late_hire = hired > np.datetime64(period_start)
    early = rng.random(count) < 0.5
    hire_offset = np.where(early, rng.integers(0, 42, count), rng.integers(0, 180, count))
    first = pd.DatetimeIndex(np.where(late_hire, hired + hire_offset.astype("timedelta64[D]"), first))
    established &= ~late_hire
    discharged = rng.random(count) < 0.2
    last = pd.DatetimeIndex(np.where(
        discharged, first + pd.to_timedelta(rng.integers(56, 250, count), unit="D"), period_end))
    last = last.where(last <= period_end, period_end)
    med_first = pd.DatetimeIndex(np.where(
        med_only | established, first, first + pd.to_timedelta(rng.integers(14, 60, count), unit="D")))

    dx = cfg["diagnoses"]
    dx_1 = np.where(child, rng.choice(dx["child"], count),
                    np.where(med_only, rng.choice(dx["prescriber"], count), rng.choice(dx["therapy"], count)))
    dx_2 = np.where(rng.random(count) < 0.3, rng.choice(dx["secondary"], count), None)
    names = cfg["names"]
    # Distinct names while the lists allow: exports without member ids key patients on the name.
    combos = len(names["first"]) * len(names["last"])
    pick = rng.choice(combos, count, replace=count > combos)
    return pd.DataFrame({
        "first_name": np.array(names["first"])[pick // len(names["last"])],
        "last_name": np.array(names["last"])[pick % len(names["last"])],
        "dob": dob.normalize(),
        "payer": payer_names[payer_idx],
        "payer_type": ptype,
        "child": child,
        "therapist": therapist,
        "prescriber": prescriber,
        "established": established,
        "first": first,
        "last": last,
        "med_first": med_first,
        "med_new": ~established & (rng.random(count) < 0.8),
        "cadence": np.where(rng.random(count) < 0.8, 7, 14),
        "med_cadence": np.where(rng.random(count) < 0.5, 28, 14),
        "tele_share": rng.choice([0.0, 0.5, 0.9], count, p=[0.4, 0.3, 0.3]),
        "family": rng.random(count) < clinicians["family_share"].reindex(therapist).fillna(0).to_numpy(),
        "dx_1": dx_1,
        "dx_2": dx_2,
        "member_digits": rng.integers(10**8, 10**9, count),
    })


def _force_payer(patients: pd.DataFrame, clinicians: pd.DataFrame, rng: np.random.Generator,
                 clinician: str, payer: str, count: int, eligible: pd.Series, *, exact: bool) -> None:
    """Make a story's clinician see `count` patients of `payer` (exactly, or at least)."""
    index = clinicians.index[(clinicians["clinician_name"] == clinician) & (clinicians["team"] == 0)]
    if index.empty:
        return
    own = (patients["therapist"] == index[0]) & (patients["payer_type"] == "commercial")
    current = own & (patients["payer"] == payer)
    if exact and current.sum() > count:
        extra = rng.permutation(patients.index[current])[count:]
        others = [p["name"] for p in practice_config()["payers"] if p["name"] != payer]
        commercial = [name for name in others if payer_type_from_name(pd.Series([name])).iloc[0]
                      == "commercial"]
        patients.loc[extra, "payer"] = commercial[-1]
    missing = count - int((current & eligible).sum())
    if missing > 0:
        pool = patients.index[own & ~current & eligible]
        chosen = rng.permutation(pool)[:missing]
        patients.loc[chosen, "payer"] = payer


def _apply_story_payers(patients: pd.DataFrame, clinicians: pd.DataFrame, rng: np.random.Generator) -> None:
    stories = practice_config()["stories"]
    every = pd.Series(True, index=patients.index)
    never = stories["never_enrolled"]
    _force_payer(patients, clinicians, rng, never["clinician"], never["payer"], never["patients"], every,
                 exact=True)
    termed = stories["termed"]
    after_term = patients["last"] > as_timestamp(termed["term_date"]) + pd.Timedelta(days=45)
    _force_payer(patients, clinicians, rng, termed["clinician"], termed["payer"], 3,
                 after_term & (patients["first"] < as_timestamp(termed["term_date"])), exact=False)
    hire = stories["new_hire"]
    started = clinicians.loc[clinicians["clinician_name"] == hire["clinician"], "start_date"].min()
    early = patients["first"] < started + pd.Timedelta(days=21)
    _force_payer(patients, clinicians, rng, hire["clinician"], hire["payer"], 4, early, exact=False)


def _recurring(first: pd.Timestamp, last: pd.Timestamp, cadence: int, weekday: int) -> np.ndarray:
    start = first + pd.Timedelta(days=(weekday - first.weekday()) % 7)
    return np.arange(start.to_datetime64().astype("datetime64[D]"),
                     last.to_datetime64().astype("datetime64[D]") + 1, cadence)


def _visits(rng: np.random.Generator, patients: pd.DataFrame, clinicians: pd.DataFrame) -> pd.DataFrame:
    """Visit dates per patient: weekly/biweekly therapy, medication management, evening groups."""
    parts: list[pd.DataFrame] = []
    slot = patients.groupby("therapist").cumcount().to_numpy()
    med_slot = patients.groupby("prescriber").cumcount().to_numpy()
    for i, patient in enumerate(patients.itertuples()):
        if patient.therapist >= 0:
            dates = _recurring(patient.first, patient.last, patient.cadence, int(slot[i] % 5))
            kinds = np.full(len(dates), "therapy", dtype=object)
            if not patient.established and len(kinds):
                kinds[0] = "intake"
            parts.append(pd.DataFrame({"patient": i, "clinician": patient.therapist, "date": dates,
                                       "kind": kinds}))
        if patient.prescriber >= 0:
            dates = _recurring(patient.med_first, patient.last, patient.med_cadence, int(med_slot[i] % 5))
            kinds = np.full(len(dates), "med", dtype=object)
            if patient.med_new and len(kinds):
                kinds[0] = "med_intake"
            parts.append(pd.DataFrame({"patient": i, "clinician": patient.prescriber, "date": dates,
                                       "kind": kinds}))
    for leader in clinicians.index[clinicians["group_weekday"].notna()]:
        team = clinicians.at[leader, "team"]
        candidates = patients.index[(patients["therapist"] >= 0) & (patients["therapist"] != leader)
                                    & ~patients["child"] & (np.arange(len(patients)) %
                                                            (clinicians["team"].max() + 1) == team)]
        members = rng.choice(candidates, min(8, len(candidates)), replace=False)
        weekday = int(clinicians.at[leader, "group_weekday"])
        for member in sorted(members):
            row = patients.loc[member]
            dates = _recurring(row["first"] + pd.Timedelta(days=7), row["last"], 7, weekday)
            parts.append(pd.DataFrame({"patient": member, "clinician": leader, "date": dates,
                                       "kind": "group"}))
    visits = pd.concat(parts, ignore_index=True)
    visits["date"] = pd.to_datetime(visits["date"]).astype("datetime64[ns]")

    holidays = pd.to_datetime(practice_config()["practice"]["holidays"])
    week = visits["date"].dt.to_period("W").dt.start_time
    weeks = np.sort(week.unique())
    vacation = {c: set(rng.choice(weeks, 2, replace=False)) for c in clinicians.index}
    on_vacation = pd.Series([w in vacation[c] for c, w in zip(visits["clinician"], week, strict=True)],
                            index=visits.index)
    cancelled = (rng.random(len(visits)) < np.where(visits["kind"] == "group", 0.2, 0.1)) & ~visits[
        "kind"].isin(["intake", "med_intake"])
    keep = ~visits["date"].isin(holidays) & ~on_vacation & ~cancelled
    return visits[keep].reset_index(drop=True)


def _therapy_mix(visits: pd.DataFrame, patients: pd.DataFrame, clinicians: pd.DataFrame,
                 as_of: pd.Timestamp, outliers: bool) -> np.ndarray:
    """Per-visit shares of 90832/90834/90837: the payer-type norm tilted by the clinician's style,
    or the clinician's fixed mix (the planted outliers)."""
    norms = norms_in_effect(load_norms(), as_of)
    norms = norms[(norms["code_family"] == "individual_psychotherapy") & (norms["credential"] == "")]
    table = norms.pivot(index="payer_type", columns="code", values="expected_share")[list(THERAPY_CODES)]
    payer_type = patients["payer_type"].to_numpy()[visits["patient"]]
    mix = table.reindex(payer_type).to_numpy(dtype=float, copy=True)
    tilt = clinicians["tilt"].reindex(visits["clinician"]).fillna(0.0).to_numpy()
    mix[:, 1] -= tilt
    mix[:, 2] += tilt
    fixed = clinicians["mix"].reindex(visits["clinician"])
    has_fixed = fixed.map(lambda m: isinstance(m, list)).to_numpy(dtype=bool)
    if outliers and has_fixed.any():
        mix[has_fixed] = np.vstack(fixed[has_fixed].to_list())
    return mix


def _codes_and_minutes(rng: np.random.Generator, visits: pd.DataFrame, patients: pd.DataFrame,
                       clinicians: pd.DataFrame, as_of: pd.Timestamp, outliers: bool) -> pd.DataFrame:
    n = len(visits)
    code = np.full(n, "", dtype=object)
    second = np.full(n, None, dtype=object)  # add-on / 90840 on the same claim
    minutes = np.zeros(n, dtype=int)
    kind = visits["kind"].to_numpy()

    def draw(codes: np.ndarray) -> np.ndarray:
        low = np.array([SESSION_MINUTES[c][0] for c in codes])
        high = np.array([SESSION_MINUTES[c][1] for c in codes])
        return (low + rng.random(len(codes)) * (high - low)).astype(int)

    therapy = kind == "therapy"
    mix = _therapy_mix(visits, patients, clinicians, as_of, outliers)
    pick = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1).clip(0, 2)
    code[therapy] = np.array(THERAPY_CODES)[pick[therapy]]
    family = therapy & patients["family"].to_numpy()[visits["patient"]] & (rng.random(n) < 0.22)
    code[family] = np.where(rng.random(family.sum()) < 0.75, "90847", "90846")
    crisis = therapy & ~family & (rng.random(n) < 0.005)
    code[crisis] = "90839"
    code[kind == "intake"] = "90791"
    code[kind == "med_intake"] = "90792"
    code[kind == "group"] = "90853"
    timed = kind != "med"
    minutes[timed] = draw(code[timed])
    long_crisis = crisis & (rng.random(n) < 0.25)
    minutes[long_crisis] = rng.integers(80, 101, long_crisis.sum())
    second[long_crisis] = "90840"

    med = kind == "med"
    level = rng.choice(list(EM_TIME_BANDS), n, p=[0.04, 0.33, 0.56, 0.07])
    em_low = np.array([EM_TIME_BANDS[c][0] for c in level])
    em_high = np.array([EM_TIME_BANDS[c][1] for c in level])
    em_minutes = rng.integers(em_low, em_high + 1)
    with_addon = rng.random(n) < 0.55
    addon_pick = rng.choice(3, n, p=[0.8, 0.18, 0.02])
    addon = np.array([a[0] for a in ADDON_FOR_MINUTES])[addon_pick]
    psy_low = np.array([a[1] for a in ADDON_FOR_MINUTES])[addon_pick]
    psy_high = np.array([a[2] for a in ADDON_FOR_MINUTES])[addon_pick]
    psy_minutes = rng.integers(psy_low, psy_high + 1)
    code[med] = level[med]
    minutes[med] = np.where(with_addon, em_minutes + psy_minutes, em_minutes)[med]
    second[med & with_addon] = addon[med & with_addon]

    child = patients["child"].to_numpy()[visits["patient"]]
    interactive = (np.isin(code, [*THERAPY_CODES, "90791"]) & pd.isna(second)
                   & (rng.random(n) < np.where(child, 0.35, 0.01)))
    return visits.assign(code=code, second=second, minutes=minutes, interactive=interactive)


def _schedule(rng: np.random.Generator, visits: pd.DataFrame) -> pd.DataFrame:
    """Pack each clinician's day from 8:00 with 10-minute gaps; evening groups at 6:15 PM.

    Sessions that would run past the end of the working day are dropped (the clinician's day is
    full), which keeps every clean day under ten hours and free of overlaps.
    """
    cfg = practice_config()["practice"]
    visits = visits.assign(order=rng.random(len(visits)))
    visits = visits.sort_values(["clinician", "date", "order"], kind="stable")
    individual = visits["kind"] != "group"
    span = (visits["minutes"] + cfg["gap_minutes"]).where(individual, 0)
    before = span.groupby([visits["clinician"], visits["date"]]).cumsum() - span
    start = (cfg["day_start_minutes"] + before).where(individual, GROUP_START_MINUTES)
    visits["start"] = start
    group_days = visits.loc[~individual, ["clinician", "date"]].drop_duplicates().assign(group_day=True)
    group_day = visits.merge(group_days, on=["clinician", "date"], how="left")["group_day"].fillna(False)
    day_end = cfg["day_end_minutes"] - np.where(group_day.to_numpy(dtype=bool), 60, 0)
    fits = ~individual | (start + visits["minutes"] <= day_end)
    return visits[fits].drop(columns="order").sort_values(["date", "clinician", "start"], kind="stable")


def _lines(rng: np.random.Generator, visits: pd.DataFrame, patients: pd.DataFrame,
           clinicians: pd.DataFrame) -> pd.DataFrame:
    """One row per claim line; every visit is one claim (E/M + add-on share it)."""
    cfg = practice_config()
    visits = visits.reset_index(drop=True).assign(visit_id=lambda v: np.arange(len(v)))
    tele_share = patients["tele_share"].to_numpy()[visits["patient"]]
    tele_share = np.where(visits["kind"].isin(["group"]) | (visits["code"] == "90839"), 0.0,
                          np.where(visits["kind"].isin(["intake", "med_intake"]), tele_share / 2, tele_share))
    tele = rng.random(len(visits)) < tele_share
    # Medicare wants an in-person visit before and between tele-mental-health visits
    # (bh_coding_rules.md §5); every fifth visit of a Medicare patient is in the office.
    order = visits.sort_values("date", kind="stable").groupby("patient").cumcount().sort_index()
    medicare = patients["payer_type"].to_numpy()[visits["patient"]] == "medicare"
    tele &= ~(medicare & (order.to_numpy() % 5 == 0))
    visits["pos"] = np.where(tele, np.where(rng.random(len(visits)) < 0.85, "10", "02"), "11")

    primary = visits.assign(line_no=1.0)
    seconds = visits[visits["second"].notna()].assign(code=lambda v: v["second"], line_no=2.0)
    interactive = visits[visits["interactive"]].assign(code="90785", line_no=2.0)
    lines = pd.concat([primary, seconds, interactive]).sort_values(["visit_id", "line_no"], kind="stable")
    lines = lines.reset_index(drop=True)

    pat = patients.loc[lines["patient"]].reset_index(drop=True)
    doc = clinicians.loc[lines["clinician"]].reset_index(drop=True)
    settings = default_directory().settings_for(pat["payer"].astype("string"))
    tele_line = lines["pos"].isin(["02", "10"]).to_numpy()
    tele_mod = settings["telehealth_modifiers"].map(lambda mods: mods[0] if mods else None).to_numpy()
    cred_mod = license_modifier(doc["credential"]).to_numpy()
    needs_cred = settings["credential_modifiers"].to_numpy(dtype=bool)
    first_mod = np.where(needs_cred, cred_mod, None)
    second_mod = np.where(tele_line, tele_mod, None)
    modifier_1 = np.where(pd.isna(first_mod), second_mod, first_mod)
    modifier_2 = np.where(pd.isna(first_mod), None, second_mod)

    charge = (lines["code"].map(fee_table()) * cfg["practice"]["charge_markup"]).round(0)
    start = pd.to_timedelta(lines["start"], unit="min")
    medicare = pat["payer_type"] == "medicare"
    member_id = np.where(
        medicare, "1" + pd.Series(pat["member_digits"].astype(str)).str[:3] + "EG" + pat["last_name"].str[:2]
        .str.upper() + pd.Series(pat["member_digits"].astype(str)).str[-3:],
        pat["payer"].str.replace(r"[^A-Za-z]", "", regex=True).str[:3].str.upper()
        + pat["member_digits"].astype(str))
    low, high = cfg["practice"]["submit_lag_days"]
    submitted = lines["date"] + pd.to_timedelta(rng.integers(low, high + 1, len(lines)), unit="D")
    frame = pd.DataFrame({
        "line_uid": np.arange(len(lines)),
        "visit_id": lines["visit_id"].to_numpy(),
        "kind": lines["kind"].to_numpy(),
        "patient_index": lines["patient"].to_numpy(),
        "clinician_index": lines["clinician"].to_numpy(),
        "true_date": lines["date"].to_numpy(),
        "line_no": lines["line_no"].to_numpy(),
        "patient_name": (pat["first_name"] + " " + pat["last_name"]).to_numpy(),
        "patient_first_name": pat["first_name"].to_numpy(),
        "patient_last_name": pat["last_name"].to_numpy(),
        "patient_dob": pat["dob"].to_numpy(),
        "member_id": member_id,
        "service_date": lines["date"].to_numpy(),
        "clinician_name": doc["clinician_name"].to_numpy(),
        "clinician_npi": doc["npi"].to_numpy(),
        "clinician_credential": doc["credential"].to_numpy(),
        "payer": pat["payer"].to_numpy(),
        "payer_type": pat["payer_type"].to_numpy(),
        "pos": lines["pos"].to_numpy(),
        "procedure_code": lines["code"].to_numpy(),
        "modifier_1": modifier_1,
        "modifier_2": modifier_2,
        "modifier_3": None,
        "modifier_4": None,
        "units": 1.0,
        "start_time": start.to_numpy(),
        "end_time": (start + pd.to_timedelta(lines["minutes"], unit="min")).to_numpy(),
        "minutes": lines["minutes"].astype("float64").to_numpy(),
        "dx_1": pat["dx_1"].to_numpy(),
        "dx_2": pat["dx_2"].to_numpy(),
        "dx_3": None,
        "dx_4": None,
        "charge": charge.to_numpy(),
        "submitted_date": submitted.to_numpy(),
        "status": None,
        "denial_reason": None,
        "paid_amount": np.nan,
    })
    return frame


def draft_practice(seed: int = DEFAULT_SEED, months: int = DEFAULT_MONTHS, scale: float = 1.0,
                   outliers: bool = True) -> Draft:
    """The clean practice, with generator helper columns still on the lines.

    `outliers=False` gives every clinician the norm-shaped code mix (no 90837 outliers).
    """
    cfg = practice_config()["practice"]
    rng = np.random.default_rng(seed)
    period_end = as_timestamp(cfg["period_end"])
    period_start = period_end + pd.Timedelta(days=1) - pd.DateOffset(months=months)
    as_of = as_timestamp(cfg["as_of"])
    teams = max(1, int(np.ceil(scale - 1e-9)))
    clinicians = _clinicians(rng, teams)
    patients = _patients(rng, clinicians, max(12, round(cfg["patients"] * scale)), period_start,
                         period_end, as_of)
    _apply_story_payers(patients, clinicians, rng)
    visits = _visits(rng, patients, clinicians)
    visits = _codes_and_minutes(rng, visits, patients, clinicians, as_of, outliers)
    visits = _schedule(rng, visits)
    lines = _lines(rng, visits, patients, clinicians)
    return Draft(lines=lines, clinicians=clinicians, enrollments=_enrollments(clinicians), patients=patients,
                 period_start=period_start, period_end=period_end, as_of=as_of, rng=rng)


def _to_canonical(lines: pd.DataFrame) -> pd.DataFrame:
    """Canonical dtypes per the data contract, claim ids in reading order, source_row per CSV line."""
    claims = lines.copy()
    order = claims.sort_values(["true_date", "clinician_name", "start_sort", "visit_id", "line_no"],
                               kind="stable").index
    claims = claims.loc[order].reset_index(drop=True)
    claim_number = pd.factorize(claims["visit_id"])[0] + 1
    claims["claim_id"] = pd.Series(claim_number).map(lambda n: f"LBH{n:06d}")
    claims["source_row"] = np.arange(len(claims)) + 2
    claims["patient_id"] = claims["member_id"]
    for column in ("service_date", "patient_dob", "submitted_date"):
        claims[column] = pd.to_datetime(claims[column]).astype("datetime64[ns]").dt.normalize()
    for column in ("start_time", "end_time"):
        claims[column] = pd.to_timedelta(claims[column]).astype("timedelta64[ns]")
    for column in ("minutes", "units", "charge", "paid_amount", "line_no"):
        claims[column] = claims[column].astype("float64")
    text = [c for c in CLAIM_COLUMNS if c not in {
        "source_row", "service_date", "patient_dob", "submitted_date", "start_time", "end_time",
        "minutes", "units", "charge", "paid_amount", "line_no"}]
    for column in text:
        claims[column] = claims[column].astype("str").where(claims[column].notna())
    claims["source_row"] = claims["source_row"].astype("int64")
    return claims


def finish(draft: Draft, manifest: pd.DataFrame, seed: int) -> SamplePractice:
    """Turn a draft into the canonical practice and resolve manifest lines to claim id / row."""
    lines = draft.lines.assign(start_sort=draft.lines["start_time"].fillna(pd.Timedelta(0)))
    claims = _to_canonical(lines)
    where = claims.set_index("line_uid")
    manifest = manifest.copy()
    uid = manifest["line_uid"]
    manifest["claim_id"] = uid.map(where["claim_id"]).astype("str").where(uid.notna())
    manifest["line_no"] = uid.map(where["line_no"]).astype("float64")
    manifest["source_row"] = uid.map(where["source_row"]).astype("float64")
    clinician_fields = [f.name for f in CLINICIAN_FIELDS]
    roster_clinicians = draft.clinicians[clinician_fields].copy()
    roster_clinicians["supervisor"] = roster_clinicians["supervisor"].astype("str").where(
        roster_clinicians["supervisor"].notna())
    return SamplePractice(
        claims=claims[list(CLAIM_COLUMNS)],
        roster=Roster(clinicians=roster_clinicians.reset_index(drop=True),
                      enrollments=draft.enrollments.reset_index(drop=True)),
        manifest=manifest.drop(columns="line_uid").reset_index(drop=True),
        as_of=draft.as_of,
        period_start=draft.period_start,
        period_end=draft.period_end,
        seed=seed,
        clinicians=draft.clinicians.reset_index(drop=True),
        line_uids=claims["line_uid"].astype("int64"),
    )
