"""Planted problems: the defects a consultant should find in the sample practice.

Each plant changes a few lines of the clean draft (never two plants on the same claim) and records
what it did in the manifest: family (as in `bhdash.model.FAMILIES`), a problem key, the line, and a
plain-language detail. Counts scale with the number of lines, so larger benchmark sets keep the
same rates. Credentialing stories change the roster instead and affect every line they cover.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash.npi import is_valid_npi
from bhdash.reference.icd10cm import category_of
from bhdash.sample.config import as_timestamp, fee_table, practice_config
from bhdash.sample.generator import THERAPY_CODES, Draft

MANIFEST_COLUMNS: tuple[str, ...] = (
    "family", "problem", "line_uid", "claim_id", "line_no", "source_row", "clinician", "payer", "code",
    "service_date", "detail", "amount", "column", "raw_value",
)
ADDON_CODES = ("90833", "90836", "90838", "90785", "90840", "99354")
UNPARSEABLE_DATE = "2/30/2026"
BASE_LINES = 20_000  # counts below are per this many lines
OVERLOADED_DAY_MINUTES = 600  # bh_coding_rules.md §12 TIME-007: more than 10 h of timed sessions in a day


class Planter:
    """Picks lines for each plant from those not yet touched and keeps the manifest."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.rng = draft.rng
        self.records: list[dict] = []
        self.used_visits: set[int] = set()
        self.factor = len(draft.lines) / BASE_LINES
        self.charge_markup = practice_config()["practice"]["charge_markup"]
        self.fees = fee_table()

    @property
    def lines(self) -> pd.DataFrame:
        return self.draft.lines

    def count(self, base: int) -> int:
        return max(1, round(base * self.factor))

    def single_line_visits(self) -> pd.Series:
        """Individual sessions billed on one line (group lines stay clean: one plant, one finding)."""
        sizes = self.lines.groupby("visit_id")["visit_id"].transform("size")
        return (sizes == 1) & (self.lines["kind"] != "group")

    def last_of_day(self) -> pd.Series:
        """Lines of the clinician's last individual session of the day: lengthening them overlaps nothing."""
        lines = self.lines
        individual = lines["kind"] != "group"
        latest = lines[individual].groupby(["clinician_index", "true_date"])["start_time"].transform("max")
        return (individual & (lines["start_time"] == latest.reindex(lines.index))).fillna(False)

    def pick(self, mask: pd.Series, base: int, team0: bool = False) -> pd.Index:
        """Lines (one per visit) matching `mask` on untouched visits; marks their visits used."""
        candidates = mask & ~self.lines["visit_id"].isin(self.used_visits)
        if team0:
            candidates &= self.lines["clinician_name"].isin(self.team0_names())
        pool = self.lines.index[candidates]
        pool = pool[~self.lines.loc[pool, "visit_id"].duplicated()]
        chosen = pd.Index(np.sort(self.rng.permutation(pool)[: self.count(base)]))
        self.used_visits.update(self.lines.loc[chosen, "visit_id"].tolist())
        return chosen

    def team0_names(self) -> list[str]:
        clinicians = self.draft.clinicians
        return clinicians.loc[clinicians["team"] == 0, "clinician_name"].tolist()

    def reprice(self, index: pd.Index) -> None:
        if index.empty:
            return
        codes = self.lines.loc[index, "procedure_code"]
        units = self.lines.loc[index, "units"]
        self.lines.loc[index, "charge"] = (codes.map(self.fees) * self.charge_markup).round(0) * units

    def set_minutes(self, index: pd.Index, minutes: np.ndarray | int) -> None:
        if index.empty:
            return
        self.lines.loc[index, "minutes"] = np.asarray(minutes, dtype=float) * np.ones(len(index))
        self.lines.loc[index, "end_time"] = self.lines.loc[index, "start_time"] + pd.to_timedelta(
            self.lines.loc[index, "minutes"], unit="min")

    def append(self, rows: pd.DataFrame) -> pd.Index:
        """Add lines (new uids) and return their index."""
        start = int(self.lines["line_uid"].max()) + 1
        rows = rows.copy()
        rows["line_uid"] = np.arange(start, start + len(rows))
        rows.index = rows["line_uid"].to_numpy()
        self.draft.lines = pd.concat([self.lines, rows])
        return rows.index

    def new_visit_ids(self, count: int) -> np.ndarray:
        start = int(self.lines["visit_id"].max()) + 1
        ids = np.arange(start, start + count)
        self.used_visits.update(ids.tolist())
        return ids

    def record(self, index: pd.Index, family: str, problem: str, detail, column: str | None = None,
               raw_value: str | None = None) -> None:
        details = detail if isinstance(detail, list | pd.Series | np.ndarray) else [detail] * len(index)
        for position, line in enumerate(index):
            row = self.lines.loc[line]
            self.records.append({
                "family": family, "problem": problem, "line_uid": int(row["line_uid"]),
                "clinician": row["clinician_name"], "payer": row["payer"], "code": row["procedure_code"],
                "service_date": row["true_date"], "detail": str(list(details)[position]),
                "amount": float(row["charge"]), "column": column, "raw_value": raw_value,
            })

    def record_clinician(self, family: str, problem: str, clinician: str, detail: str,
                         amount: float | None = None, payer: str | None = None) -> None:
        self.records.append({"family": family, "problem": problem, "line_uid": np.nan, "clinician": clinician,
                             "payer": payer, "code": None, "service_date": pd.NaT, "detail": detail,
                             "amount": amount, "column": None, "raw_value": None})

    def manifest(self) -> pd.DataFrame:
        return manifest_frame(self.records)


def manifest_frame(records: list[dict]) -> pd.DataFrame:
    """The manifest with its dtypes (also for the clean practice, where it is empty)."""
    frame = pd.DataFrame(records, columns=list(MANIFEST_COLUMNS))
    frame["service_date"] = pd.to_datetime(frame["service_date"]).astype("datetime64[ns]")
    frame["line_uid"] = frame["line_uid"].astype("float64")
    frame["amount"] = frame["amount"].astype("float64")
    return frame


def _code(lines: pd.DataFrame, *codes: str) -> pd.Series:
    return lines["procedure_code"].isin(codes)


def _visit_has(lines: pd.DataFrame, code: str) -> pd.Series:
    return lines["visit_id"].isin(lines.loc[lines["procedure_code"] == code, "visit_id"])


def _clock(minutes: pd.Series) -> pd.Series:
    total = (minutes.dt.total_seconds() // 60).astype(int)
    hour = total // 60
    return ((hour - 1) % 12 + 1).astype(str) + ":" + (total % 60).astype(str).str.zfill(2) + np.where(
        hour < 12, " AM", " PM")


def _credentialing(p: Planter) -> None:
    """Enrollment and license stories: the roster changes, every covered line is affected."""
    stories = practice_config()["stories"]
    lines, enrollments, clinicians = p.lines, p.draft.enrollments, p.draft.clinicians
    team0 = clinicians["team"] == 0

    def affected(mask: pd.Series, family: str, problem: str, detail: str) -> None:
        index = lines.index[mask & ~lines["visit_id"].isin(p.used_visits)]
        p.used_visits.update(lines.loc[index, "visit_id"].tolist())
        p.record(index, family, problem, detail)

    hire = stories["new_hire"]
    effective = as_timestamp(hire["effective_date"])
    mine = enrollments["clinician_name"] == hire["clinician"]
    enrollments.loc[mine, "effective_date"] = as_timestamp(hire["other_effective"])
    enrollments.loc[mine & (enrollments["payer"] == hire["payer"]), "effective_date"] = effective
    detail = (f"{hire['clinician']} billed {hire['payer']} before the enrollment effective date "
              f"{effective:%m/%d/%Y}")
    affected((lines["clinician_name"] == hire["clinician"]) & (lines["payer"] == hire["payer"])
             & (lines["true_date"] < effective), "CRED", "billed_before_effective", detail)
    p.record_clinician("CRED", "billed_before_effective", hire["clinician"], detail, payer=hire["payer"])

    termed = stories["termed"]
    term = as_timestamp(termed["term_date"])
    row = (enrollments["clinician_name"] == termed["clinician"]) & (enrollments["payer"] == termed["payer"])
    enrollments.loc[row, ["term_date", "status"]] = [term, "Termed"]
    detail = f"{termed['clinician']}'s {termed['payer']} enrollment was termed {term:%m/%d/%Y}"
    affected((lines["clinician_name"] == termed["clinician"]) & (lines["payer"] == termed["payer"])
             & (lines["true_date"] > term), "CRED", "billed_after_term", detail)
    p.record_clinician("CRED", "billed_after_term", termed["clinician"], detail, payer=termed["payer"])

    never = stories["never_enrolled"]
    drop = (enrollments["clinician_name"] == never["clinician"]) & (enrollments["payer"] == never["payer"])
    p.draft.enrollments = enrollments[~drop].reset_index(drop=True)
    detail = f"{never['clinician']} was never enrolled with {never['payer']}"
    affected((lines["clinician_name"] == never["clinician"]) & (lines["payer"] == never["payer"]),
             "CRED", "never_enrolled", detail)
    p.record_clinician("CRED", "never_enrolled", never["clinician"], detail, payer=never["payer"])

    lapsed = stories["license_lapsed"]
    expiration = as_timestamp(lapsed["expiration"])
    clinicians.loc[team0 & (clinicians["clinician_name"] == lapsed["clinician"]), "license_expiration"] = (
        expiration)
    detail = f"{lapsed['clinician']}'s license expired {expiration:%m/%d/%Y}"
    affected((lines["clinician_name"] == lapsed["clinician"]) & (lines["true_date"] > expiration), "CRED",
             "license_lapsed", detail)
    p.record_clinician("CRED", "license_lapsed", lapsed["clinician"], detail)

    expiring = stories["license_expiring"]
    soon = as_timestamp(expiring["expiration"])
    who = team0 & (clinicians["clinician_name"] == expiring["clinician"])
    clinicians.loc[who, "license_expiration"] = soon
    days = (soon - p.draft.as_of).days
    p.record_clinician("CRED", "license_expiring", expiring["clinician"],
                       f"license expires {soon:%m/%d/%Y}, {days} days after the as-of date")


def _data(p: Planter) -> None:
    index = p.pick(p.single_line_visits(), 3)
    p.record(index, "DATA", "unparseable_date", f"date of service '{UNPARSEABLE_DATE}' is not a date",
             column="service_date", raw_value=UNPARSEABLE_DATE)
    p.lines.loc[index, "service_date"] = pd.NaT
    index = p.pick(p.single_line_visits(), 4)
    p.record(index, "DATA", "missing_payer", "payer is blank", column="payer")
    p.lines.loc[index, ["payer", "payer_type"]] = None


def _code_family(p: Planter) -> None:
    lines = p.lines
    em_line = _code(lines, "99213", "99214", "99215") & _visit_has(lines, "90836") & p.last_of_day()
    index = p.pick(em_line, 3)
    visit = lines["visit_id"].isin(lines.loc[index, "visit_id"])
    p.set_minutes(lines.index[visit], lines.loc[visit, "minutes"] + 30)
    added = p.append(lines.loc[index].assign(procedure_code="99354", line_no=3.0))
    p.reprice(added)
    p.record(added, "CODE", "deleted_code", "prolonged-service add-on 99354 was deleted in 2023 and is not "
             "valid on this date of service")
    lines = p.lines
    index = p.pick(_code(lines, *THERAPY_CODES) & p.single_line_visits() & (lines["pos"] == "11")
                   & lines["modifier_1"].isna(), 3)
    lines.loc[index, "modifier_1"] = "9Z"
    p.record(index, "CODE", "invalid_modifier", "modifier '9Z' is not a valid modifier")


def _time(p: Planter) -> None:
    lines = p.lines
    single = p.single_line_visits()
    index = p.pick(_code(lines, "90837") & single, 15)
    p.set_minutes(index, p.rng.integers(43, 48, len(index)))
    p.record(index, "TIME", "over_band", [f"90837 billed for a {m:.0f}-minute session (needs 53+)"
                                         for m in lines.loc[index, "minutes"]])
    index = p.pick(_code(lines, "90834") & single, 6)
    p.set_minutes(index, p.rng.integers(31, 36, len(index)))
    p.record(index, "TIME", "over_band", [f"90834 billed for a {m:.0f}-minute session (needs 38-52)"
                                         for m in lines.loc[index, "minutes"]])
    index = p.pick(_code(lines, "90832") & single & p.last_of_day(), 5)
    p.set_minutes(index, p.rng.integers(46, 51, len(index)))
    p.record(index, "TIME", "below_band", [f"90832 billed for a {m:.0f}-minute session (90834 fits)"
                                          for m in lines.loc[index, "minutes"]])
    index = p.pick(_code(lines, "90834", "90837") & single & (lines["pos"] == "11"), 2)
    lines.loc[index, "procedure_code"] = "90839"
    p.reprice(index)
    p.set_minutes(index, p.rng.integers(22, 28, len(index)))
    p.record(index, "TIME", "crisis_short", [f"90839 billed for {m:.0f} minutes of crisis care (needs 30+)"
                                            for m in lines.loc[index, "minutes"]])
    index = p.pick(_code(lines, "90834", "90837") & single, 12)
    lines.loc[index, ["start_time", "end_time"]] = pd.NaT
    lines.loc[index, "minutes"] = np.nan
    p.record(index, "TIME", "missing_minutes", "timed psychotherapy with no minutes or start/stop time")


def _addon(p: Planter) -> None:
    lines = p.lines
    with_addon = _visit_has(lines, "90833")
    index = p.pick(with_addon & (lines["line_no"] == 1), 4)
    visits = lines.loc[index, "visit_id"]
    addon = lines.index[lines["visit_id"].isin(visits) & (lines["procedure_code"] == "90833")]
    lines.loc[addon, "line_no"] = 1.0
    p.draft.lines = lines.drop(index)
    p.record(addon, "ADDON", "addon_without_primary", "90833 billed without an E/M on the same day")

    lines = p.lines
    index = p.pick(_code(lines, "90834", "90837") & p.single_line_visits() & (lines["pos"] == "11")
                   & p.last_of_day(), 2)
    lines.loc[index, "procedure_code"] = "90839"
    p.reprice(index)
    p.set_minutes(index, p.rng.integers(50, 70, len(index)))
    added = p.append(lines.loc[index].assign(procedure_code="90785", line_no=2.0))
    p.reprice(added)
    detail = "90785 billed with crisis psychotherapy 90839"
    p.record(added, "ADDON", "interactive_with_crisis", detail)
    p.record(added, "PTP", "interactive_with_crisis", detail + " (an NCCI pair with no modifier bypass)")


def _ptp(p: Planter) -> None:
    lines = p.lines
    index = p.pick(_code(lines, "90791") & p.single_line_visits(), 3)
    p.set_minutes(index, p.rng.integers(45, 51, len(index)))
    added = p.append(lines.loc[index].assign(procedure_code="90834", line_no=2.0))
    p.reprice(added)
    p.record(index, "PTP", "eval_with_psychotherapy",
             "90791 billed with 90834 for the same patient, day and clinician (NCCI denies the 90791)")

    lines = p.lines
    em = _code(lines, "99214", "99215")
    visit_has_90836 = _visit_has(lines, "90836")
    index = p.pick(em & visit_has_90836, 4)
    visits = lines.loc[index, "visit_id"]
    psych = lines.index[lines["visit_id"].isin(visits) & (lines["procedure_code"] == "90836")]
    lines.loc[psych, "procedure_code"] = "90834"
    p.reprice(psych)
    lines.loc[psych, "minutes"] = 45.0
    lines.loc[psych, "start_time"] = lines.loc[psych, "end_time"] - pd.Timedelta(minutes=45)
    em_lines = lines.index[lines["visit_id"].isin(visits) & (lines["line_no"] == 1)]
    lines.loc[em_lines, "end_time"] = lines.loc[em_lines, "end_time"] - pd.Timedelta(minutes=45)
    lines.loc[em_lines, "minutes"] = lines.loc[em_lines, "minutes"] - 45
    p.record(psych, "PTP", "em_with_standalone_psychotherapy",
             "standalone 90834 billed with an E/M by the same prescriber (use the 90836 add-on)")


def _clinician_day_end(lines: pd.DataFrame) -> pd.Series:
    """Each line's clinician's last end time that day (group sessions included)."""
    return lines.groupby(["clinician_index", "true_date"])["end_time"].transform("max")


def _stacked(p: Planter) -> None:
    """A second, separate psychotherapy session for the same patient later the same day: CPT reports one
    code for the day's summed minutes, so the later line is the finding."""
    lines = p.lines
    day_minutes = lines.groupby(["clinician_index", "true_date"])["minutes"].transform("sum")
    index = p.pick(_code(lines, "90832") & p.single_line_visits() & (lines["pos"] == "11")
                   & lines["start_time"].notna() & (day_minutes < 420), 2)
    later = lines.loc[index].copy()
    later["visit_id"] = p.new_visit_ids(len(later))
    later["procedure_code"] = "90834"
    later["start_time"] = _clinician_day_end(lines).loc[index] + pd.Timedelta(minutes=60)
    added = p.append(later)
    p.reprice(added)
    p.set_minutes(added, 45)
    p.record(added, "PTP", "stacked_psychotherapy",
             "a second psychotherapy code (90834) for the same patient, clinician and day as a 90832: "
             "report one code for the summed minutes")


def _consult(p: Planter) -> None:
    """Correct claims the checks must leave alone: an outpatient consultation (99244) with the 90833
    add-on, billed to a commercial payer in the office (CPT lists consultations as primaries)."""
    lines = p.lines
    consult = (_code(lines, "99214") & _visit_has(lines, "90833") & (lines["pos"] == "11")
               & (lines["payer_type"] == "commercial"))
    index = p.pick(consult, 2)
    lines.loc[index, "procedure_code"] = "99244"
    p.reprice(index)


def _repeat_evaluation(p: Planter) -> None:
    """A therapy visit a few months after the patient's intake re-billed as another 90791."""
    lines = p.lines
    intakes = lines[_code(lines, "90791", "90792")]
    only_one = intakes.groupby("patient_index")["visit_id"].transform("size").eq(1)
    intake_date = intakes[only_one].set_index("patient_index")["true_date"]
    since = (lines["true_date"] - lines["patient_index"].map(intake_date)).dt.days
    index = p.pick(_code(lines, "90834") & p.single_line_visits() & since.between(60, 150), 3)
    lines.loc[index, "procedure_code"] = "90791"
    p.reprice(index)
    p.record(index, "AUDIT", "repeat_evaluation",
             [f"90791 again {days} days after the patient's intake (payers allow one within 6 months)"
              for days in since[index]])


def _units(p: Planter) -> None:
    lines = p.lines
    index = p.pick(_code(lines, "90837") & p.single_line_visits(), 5)
    lines.loc[index, "units"] = 2.0
    p.reprice(index)
    p.record(index, "UNITS", "units_over_limit", "90837 billed with 2 units (one session is one unit)")


def _scope(p: Planter) -> None:
    lines = p.lines
    lcsw = lines["clinician_credential"] == "LCSW"
    index = p.pick(lcsw & _code(lines, "90834") & p.single_line_visits(), 3, team0=True)
    lines.loc[index, "procedure_code"] = "99214"
    p.reprice(index)
    p.record(index, "SCOPE", "scope_em_nonprescriber",
             "LCSW billed E/M 99214 (outside a social worker's scope)")
    # Not a patient a prescriber also evaluates: two 90792s would make a repeat evaluation (AUDIT) too.
    evaluated = lines["patient_index"].isin(lines.loc[_code(lines, "90792"), "patient_index"])
    index = p.pick(lcsw & _code(lines, "90791") & p.single_line_visits() & ~evaluated, 2, team0=True)
    lines.loc[index, "procedure_code"] = "90792"
    p.reprice(index)
    p.record(index, "SCOPE", "scope_90792_nonprescriber",
             "LCSW billed 90792 (medical evaluation; non-prescribers use 90791)")


def _typo(npi: str, rng: np.random.Generator) -> str:
    """A one-keystroke slip (adjacent transposition or a changed digit) that fails the check digit."""
    while True:
        position = int(rng.integers(1, 9))
        digits = list(npi)
        if rng.random() < 0.5 and digits[position] != digits[position + 1]:
            digits[position], digits[position + 1] = digits[position + 1], digits[position]
        else:
            digits[position] = str((int(digits[position]) + int(rng.integers(1, 10))) % 10)
        typo = "".join(digits)
        if not is_valid_npi(typo):
            return typo


def _npi(p: Planter) -> None:
    lines = p.lines
    index = p.pick(p.single_line_visits(), 6)
    typos = [_typo(npi, p.rng) for npi in lines.loc[index, "clinician_npi"]]
    lines.loc[index, "clinician_npi"] = typos
    p.record(index, "NPI", "npi_typo", [f"rendering NPI {t} fails the check digit" for t in typos])


def _tele(p: Planter) -> None:
    lines = p.lines
    cigna_tele = (lines["payer"] == "Cigna") & (lines["pos"] == "10") & (lines["modifier_1"] == "95")
    index = p.pick(cigna_tele & p.single_line_visits(), 15)
    lines.loc[index, "modifier_1"] = None
    p.record(index, "TELE", "tele_missing_modifier",
             "telehealth POS 10 without modifier 95, which Cigna requires")
    medicare_office = ((lines["payer_type"] == "medicare") & (lines["pos"] == "11")
                       & lines["modifier_1"].isna())
    index = p.pick(medicare_office & p.single_line_visits(), 8)
    lines.loc[index, "modifier_1"] = "95"
    p.record(index, "TELE", "tele_pos11_modifier_95",
             "Medicare telehealth billed as POS 11 with modifier 95 (Medicare wants POS 02/10 since 2024)")


def _dx(p: Planter) -> None:
    lines = p.lines
    psychotherapy = _code(lines, *THERAPY_CODES) & p.single_line_visits()
    index = p.pick(psychotherapy & lines["dx_1"].str.startswith("F"), 8)
    headers = [category_of(code) for code in lines.loc[index, "dx_1"]]
    lines.loc[index, "dx_1"] = headers
    p.record(index, "DX", "dx_header_code",
             [f"{header} is a category header, not a billable code" for header in headers])
    index = p.pick(psychotherapy, 6)
    lines.loc[index, "dx_1"] = "Z63.0"
    lines.loc[index, "dx_2"] = None
    p.record(index, "DX", "dx_z_code_alone", "psychotherapy billed with only a Z code (Z63.0)")


def _dup(p: Planter) -> None:
    lines = p.lines
    index = p.pick(p.single_line_visits() & lines["submitted_date"].notna(), 8)
    copies = lines.loc[index].copy()
    copies["visit_id"] = p.new_visit_ids(len(copies))
    copies["submitted_date"] = copies["submitted_date"] + pd.Timedelta(days=14)
    added = p.append(copies)
    p.record(added, "DUP", "duplicate_line",
             "exact duplicate of an earlier line, billed again two weeks later")


def _timely(p: Planter) -> None:
    lines = p.lines
    as_of = p.draft.as_of
    short_window = lines["payer"].isin(["UnitedHealthcare", "Cigna"])
    index = p.pick(short_window & (lines["true_date"] <= as_of - pd.Timedelta(days=170))
                   & p.single_line_visits(), 10)
    lag = p.rng.integers(120, 161, len(index))
    lines.loc[index, "submitted_date"] = lines.loc[index, "true_date"] + pd.to_timedelta(lag, unit="D")
    p.record(index, "TIMELY", "late_submission",
             [f"submitted {d} days after the date of service (the payer allows 90)" for d in lag])
    commercial = lines["payer"].isin(["Aetna", "Blue Cross Blue Shield of Illinois"])
    index = p.pick(commercial & (lines["true_date"] <= as_of - pd.Timedelta(days=200))
                   & p.single_line_visits(), 12)
    lines.loc[index, "submitted_date"] = pd.NaT
    p.record(index, "TIMELY", "late_submission", "never submitted; the payer's filing window has closed")


def _audit(p: Planter) -> None:
    lines = p.lines
    cfg = practice_config()
    clinician = cfg["stories"]["license_expiring"]["clinician"]
    own = (lines["clinician_name"] == clinician) & lines["start_time"].notna()
    # an untouched day of timed psychotherapy only, so every way of summing its minutes agrees
    plain = _code(lines, *THERAPY_CODES) & ~lines["visit_id"].isin(p.used_visits)
    only_timed = plain.groupby([own, lines["true_date"]]).transform("all")
    per_day = lines[own & only_timed].groupby("true_date")["minutes"].sum()
    day = per_day.sort_values(kind="stable").index[-1]
    today = lines.index[own & (lines["true_date"] == day)]
    p.used_visits.update(lines.loc[today, "visit_id"].tolist())
    seen = set(lines.loc[today, "patient_index"])
    donors = lines[own & _code(lines, "90834") & p.single_line_visits() & ~lines["patient_index"].isin(seen)]
    donors = donors.drop_duplicates("patient_index").iloc[:6].copy()
    latest = lines.loc[today, "end_time"].max()
    starts = latest + pd.to_timedelta(10 + np.arange(len(donors)) * 60, unit="min")
    donors["visit_id"] = p.new_visit_ids(len(donors))
    donors["true_date"] = donors["service_date"] = day
    donors["start_time"] = starts.to_numpy()
    donors["minutes"] = 50.0
    donors["end_time"] = donors["start_time"] + pd.Timedelta(minutes=50)
    donors["submitted_date"] = day + pd.Timedelta(days=3)
    added = p.append(donors)
    running = per_day[day] + 50 * np.arange(1, len(donors) + 1)
    over = added[running > OVERLOADED_DAY_MINUTES]
    p.record(over, "AUDIT", "overloaded_day",
             [f"{clinician}'s timed sessions on {day:%m/%d/%Y} reach {minutes / 60:.1f} hours with this one"
              for minutes in running[running > OVERLOADED_DAY_MINUTES]])

    lines = p.lines
    day_size = lines.groupby(["clinician_name", "true_date"])["visit_id"].transform("nunique")
    second = (lines["start_time"] > pd.Timedelta(hours=9)) & p.single_line_visits() & (day_size >= 4) & (
        lines["minutes"] >= 45)
    index = p.pick(second, 2)
    lines.loc[index, "start_time"] = lines.loc[index, "start_time"] - pd.Timedelta(minutes=40)
    lines.loc[index, "end_time"] = lines.loc[index, "end_time"] - pd.Timedelta(minutes=40)
    starts, ends = _clock(lines.loc[index, "start_time"]), _clock(lines.loc[index, "end_time"])
    detail = [f"session {start}–{end} overlaps the clinician's previous session"
              for start, end in zip(starts, ends, strict=True)]
    p.record(index, "AUDIT", "overlapping_session", detail)


def _norm(p: Planter) -> None:
    """Code-mix outliers are the clinicians with a fixed 90837-heavy `mix` in practice.toml."""
    lines = p.lines
    clinicians = p.draft.clinicians
    outliers = clinicians.loc[clinicians["mix"].map(lambda m: isinstance(m, list)), "clinician_name"]
    individual = lines[_code(lines, *THERAPY_CODES)]
    share = individual.groupby("clinician_name")["procedure_code"].apply(lambda c: (c == "90837").mean())
    volume = individual.groupby("clinician_name").size()
    therapists = clinicians.loc[~clinicians["prescriber"].astype(bool), "clinician_name"]
    peers = share[share.index.isin(therapists) & ~share.index.isin(outliers)].median()
    for clinician in outliers[outliers.isin(share.index)]:
        p.record_clinician("NORM", "code_mix_outlier", clinician,
                           f"90837 on {share[clinician]:.0%} of {volume[clinician]} individual sessions "
                           f"(other therapists' median {peers:.0%})")


def _quiet_patients(p: Planter, clinicians: list[str]) -> pd.Series:
    """Line count per commercial patient whose every line is untouched and billed by `clinicians`."""
    lines = p.lines
    untouched = ~lines["visit_id"].isin(p.used_visits) & lines["clinician_name"].isin(clinicians) & (
        lines["payer_type"] == "commercial")
    quiet = untouched.groupby(lines["patient_index"]).all()
    return lines["patient_index"].value_counts().reindex(quiet.index[quiet]).sort_index()


def _take_patients(p: Planter, counts: pd.Series, low: int, high: int) -> pd.Index:
    """Lines of the first patients (patient order, no random draw) whose total reaches `low` within `high`."""
    chosen: list[int] = []
    total = 0
    for patient, size in counts.items():
        if total >= low:
            break
        if total + size <= high:
            chosen.append(patient)
            total += size
    index = p.lines.index[p.lines["patient_index"].isin(chosen)]
    p.used_visits.update(p.lines.loc[index, "visit_id"].tolist())
    return index


def _self_pay_and_out_of_network(p: Planter) -> None:
    """Correct lines that are not ordinary in-network claims: self-pay clients and an out-of-network plan.

    Patients are chosen without the random generator, so the rest of the practice and its outcomes stay
    as they were. Self-pay lines are no finding at all and are not in the manifest; out-of-network lines
    are CRED-006 info notes (no error), recorded so the manifest stays exact.
    """
    stories = practice_config()["stories"]
    lines, clinicians = p.lines, p.draft.clinicians
    team0 = clinicians.loc[clinicians["team"] == 0]
    story_names = {story["clinician"] for story in stories.values() if "clinician" in story}
    fixed_mix = set(team0.loc[team0["mix"].map(lambda m: isinstance(m, list)), "clinician_name"])
    plain = [name for name in team0["clinician_name"] if name not in story_names | fixed_mix]

    self_pay = stories["self_pay"]
    index = _take_patients(p, _quiet_patients(p, plain), *self_pay["lines"])
    lines.loc[index, "payer"] = self_pay["payer"]
    lines.loc[index, "payer_type"] = "self_pay"
    lines.loc[index, "member_id"] = "SP" + lines.loc[index, "member_id"].str[3:]

    oon = stories["out_of_network"]
    index = _take_patients(p, _quiet_patients(p, [oon["clinician"]]), *oon["lines"])
    lines.loc[index, "payer"] = oon["payer"]
    lines.loc[index, "member_id"] = "ANT" + lines.loc[index, "member_id"].str[3:]
    enrollments = p.draft.enrollments
    own = enrollments[enrollments["clinician_name"] == oon["clinician"]].iloc[[0]]
    oon_row = own.assign(payer=oon["payer"], status=oon["status"], term_date=pd.NaT)
    p.draft.enrollments = pd.concat([enrollments, oon_row], ignore_index=True)
    p.record(index, "CRED", "out_of_network",
             f"{oon['clinician']} is out of network with {oon['payer']} on purpose (roster status "
             f"'{oon['status']}'): an info note, not an enrollment error")


PLANTS = (_credentialing, _data, _code_family, _time, _addon, _ptp, _units, _scope, _npi, _tele, _dx,
          _dup, _timely, _audit, _stacked, _consult, _repeat_evaluation, _norm, _self_pay_and_out_of_network)


def plant_problems(draft: Draft) -> pd.DataFrame:
    """Plant every family's problems into `draft` (in place) and return the manifest."""
    planter = Planter(draft)
    for plant in PLANTS:
        plant(planter)
    return planter.manifest()
