"""Planted problems: every family present at realistic rates, and the clean practice really clean."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhdash.model import FAMILIES
from bhdash.npi import valid_npi_mask
from bhdash.payers import default_directory
from bhdash.reference.icd10cm import dx_status
from bhdash.sample import SamplePractice

TIME_BANDS = {"90832": (16, 37), "90834": (38, 52), "90837": (53, 10_000), "90846": (26, 10_000),
              "90847": (26, 10_000)}
PRESCRIBER_ONLY = ("99212", "99213", "99214", "99215", "90792", "90833", "90836", "90838")


def _planted_lines(practice: SamplePractice, problem: str | None = None) -> pd.DataFrame:
    manifest = practice.manifest
    if problem is not None:
        manifest = manifest[manifest["problem"] == problem]
    return practice.claims.loc[manifest["source_row"].dropna().astype(int) - 2]


def test_every_rule_family_is_planted(practice: SamplePractice) -> None:
    assert set(practice.manifest["family"]) == set(FAMILIES)


def test_planted_lines_are_a_few_percent(practice: SamplePractice) -> None:
    planted = practice.manifest["source_row"].dropna().nunique()
    assert 0.01 < planted / len(practice.claims) < 0.05


def test_manifest_points_at_the_lines_it_describes(practice: SamplePractice) -> None:
    manifest = practice.manifest.dropna(subset=["source_row"])
    lines = practice.claims.loc[manifest["source_row"].astype(int) - 2]
    assert (lines["claim_id"].to_numpy() == manifest["claim_id"].to_numpy()).all()
    assert (lines["procedure_code"].to_numpy() == manifest["code"].to_numpy()).all()


def test_only_planted_npis_fail_the_check_digit(practice: SamplePractice) -> None:
    claims = practice.claims
    invalid = set(claims.index[~valid_npi_mask(claims["clinician_npi"])])
    assert invalid == set(_planted_lines(practice, "npi_typo").index)
    assert len(invalid) >= 5
    assert valid_npi_mask(practice.roster.clinicians["npi"]).all()


def test_planted_values_carry_the_defect(practice: SamplePractice) -> None:
    short = _planted_lines(practice, "over_band")
    assert ((short["procedure_code"] == "90837") & (short["minutes"] < 53)
            | (short["procedure_code"] == "90834") & (short["minutes"] < 38)).all()
    assert (_planted_lines(practice, "units_over_limit")["units"] == 2).all()
    assert _planted_lines(practice, "unparseable_date")["service_date"].isna().all()
    assert _planted_lines(practice, "missing_minutes")["minutes"].isna().all()
    headers = _planted_lines(practice, "dx_header_code")
    assert (dx_status(headers["dx_1"], headers["service_date"])["status"] == "category").all()
    assert (_planted_lines(practice, "dx_z_code_alone")["dx_1"] == "Z63.0").all()
    assert (_planted_lines(practice, "deleted_code")["procedure_code"] == "99354").all()
    late = _planted_lines(practice, "late_submission")
    lag = (late["submitted_date"] - late["service_date"]).dt.days
    assert (lag.gt(90) | late["submitted_date"].isna()).all()


def test_credentialing_stories_change_the_roster(practice: SamplePractice) -> None:
    enrollments = practice.roster.enrollments
    clinicians = practice.roster.clinicians.set_index("clinician_name")
    assert enrollments[(enrollments["clinician_name"] == "Alex Kim")
                       & (enrollments["payer"] == "UnitedHealthcare")].empty
    termed = enrollments[(enrollments["clinician_name"] == "Daniel Wu") & (enrollments["payer"] == "Cigna")]
    assert termed["term_date"].tolist() == [pd.Timestamp("2026-06-30")]
    adams = enrollments[(enrollments["clinician_name"] == "Rachel Adams") & (enrollments["payer"] == "Aetna")]
    assert adams["effective_date"].tolist() == [pd.Timestamp("2026-03-16")]
    assert clinicians.at["Olivia Turner", "license_expiration"] == pd.Timestamp("2026-08-31")
    assert 0 < (clinicians.at["Samuel Ortiz", "license_expiration"] - practice.as_of).days <= 45
    before = _planted_lines(practice, "billed_before_effective")
    assert len(before) > 5 and (before["service_date"] < pd.Timestamp("2026-03-16")).all()


def test_clean_practice_has_no_manifest(clean_practice: SamplePractice) -> None:
    assert clean_practice.manifest.empty


def test_clean_lines_have_valid_identifiers_and_diagnoses(clean_practice: SamplePractice) -> None:
    claims = clean_practice.claims
    assert valid_npi_mask(claims["clinician_npi"]).all()
    assert claims["dx_1"].str.startswith("F").all()
    for slot in ("dx_1", "dx_2"):
        coded = claims[claims[slot].notna()]
        assert (dx_status(coded[slot], coded["service_date"])["status"] == "billable").all()
    assert claims["service_date"].notna().all() and claims["payer"].notna().all()
    assert (claims["units"] == 1).all()
    lag = (claims["submitted_date"] - claims["service_date"]).dt.days
    assert lag.between(1, 5).all()


def test_clean_time_bands(clean_practice: SamplePractice) -> None:
    claims = clean_practice.claims
    for code, (low, high) in TIME_BANDS.items():
        minutes = claims.loc[(claims["procedure_code"] == code) & (claims["line_no"] == 1), "minutes"]
        assert minutes.between(low, high).all(), code
    crisis = claims[claims["procedure_code"] == "90839"]
    extended = crisis["claim_id"].isin(claims.loc[claims["procedure_code"] == "90840", "claim_id"])
    assert crisis.loc[~extended, "minutes"].between(30, 74).all()
    assert crisis.loc[extended, "minutes"].between(75, 104).all() and extended.any()
    assert ((claims["end_time"] - claims["start_time"]).dt.total_seconds() / 60 == claims["minutes"]).all()


def test_clean_addons_and_pairs(clean_practice: SamplePractice) -> None:
    claims = clean_practice.claims
    codes_per_claim = claims.groupby("claim_id")["procedure_code"].agg(set)
    interactive = codes_per_claim[codes_per_claim.map(lambda codes: "90785" in codes)]
    assert len(interactive) > 50
    assert interactive.map(lambda codes: bool(codes & {"90791", "90832", "90834", "90837"})).all()
    assert not interactive.map(lambda codes: bool(codes & {"90839", "90840", "90846", "90847"})).any()
    same_day = claims.groupby(["patient_id", "service_date", "clinician_name"])["procedure_code"].agg(set)
    psychotherapy = {"90832", "90834", "90837"}
    assert not same_day.map(lambda codes: "90791" in codes and bool(codes & psychotherapy)).any()
    assert not same_day.map(lambda codes: bool(codes & {"99213", "99214", "99215"})
                            and bool(codes & psychotherapy)).any()
    keys = ["patient_id", "service_date", "clinician_npi", "procedure_code", "modifier_1", "modifier_2",
            "units"]
    assert not claims.duplicated(keys).any()


def test_clean_scope_and_enrollment(clean_practice: SamplePractice) -> None:
    claims = clean_practice.claims
    prescriber_codes = claims["procedure_code"].isin(PRESCRIBER_ONLY)
    assert claims.loc[prescriber_codes, "clinician_credential"].isin(["MD", "PMHNP"]).all()
    assert not ((claims["clinician_credential"] == "LPC-A") & (claims["payer_type"] == "medicare")).any()
    enrollments = clean_practice.roster.enrollments
    covered = claims.merge(enrollments, on=["clinician_name", "payer"], how="left")
    inside = (covered["effective_date"] <= covered["service_date"]) & (
        covered["term_date"].isna() | (covered["service_date"] <= covered["term_date"]))
    assert inside.all()
    expiration = clean_practice.roster.clinicians["license_expiration"]
    assert (expiration > clean_practice.as_of + pd.Timedelta(days=90)).all()


def test_clean_telehealth_follows_each_payer(clean_practice: SamplePractice) -> None:
    claims = clean_practice.claims
    settings = default_directory().settings_for(claims["payer"])
    tele = claims["pos"].isin(["02", "10"])
    modifiers = claims[["modifier_1", "modifier_2"]].apply(lambda row: set(row.dropna()), axis=1)
    wants = settings["telehealth_modifiers"].map(set)
    assert (modifiers[tele] >= wants[tele]).all()
    assert not modifiers[~tele].map(lambda mods: "95" in mods).any()
    medicare_tele = tele & (claims["payer_type"] == "medicare")
    assert medicare_tele.any() and not modifiers[medicare_tele].map(lambda mods: "95" in mods).any()


def test_clean_days_have_no_overlaps_and_stay_under_ten_hours(clean_practice: SamplePractice) -> None:
    claims = clean_practice.claims
    sessions = claims[(claims["line_no"] == 1) & (claims["procedure_code"] != "90853")]
    sessions = sessions.sort_values(["clinician_name", "service_date", "start_time"])
    previous_end = sessions.groupby(["clinician_name", "service_date"])["end_time"].shift()
    assert not (sessions["start_time"] < previous_end).any()
    assert sessions.groupby(["clinician_name", "service_date"])["minutes"].sum().max() <= 600
    groups = claims[claims["procedure_code"] == "90853"]
    assert (groups["start_time"] >= pd.Timedelta(hours=18)).all()
    assert np.isin(groups["clinician_name"].unique(), ["Marcus Green", "Daniel Wu"]).all()


def test_new_situations_are_in_the_sample(practice: SamplePractice) -> None:
    stacked = _planted_lines(practice, "stacked_psychotherapy")
    assert len(stacked) == 2 and (stacked["procedure_code"] == "90834").all()
    assert (_planted_lines(practice, "repeat_evaluation")["procedure_code"] == "90791").all()
    claims = practice.claims
    consults = claims[claims["procedure_code"] == "99244"]
    assert len(consults) == 2
    same_visit = claims.merge(consults[["claim_id"]], on="claim_id")
    assert set(same_visit["procedure_code"]) == {"99244", "90833"}
