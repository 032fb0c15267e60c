from __future__ import annotations

import pandas as pd
import pytest

from bhdash.model import CLAIM_COLUMNS, PAYER_TYPES
from bhdash.norms import load_norms, norms_in_effect
from bhdash.sample import SamplePractice, generate_practice


def _fingerprint(practice: SamplePractice) -> tuple[int, int]:
    claims = int(pd.util.hash_pandas_object(practice.claims, index=True).sum())
    manifest = int(pd.util.hash_pandas_object(practice.manifest.astype(str), index=True).sum())
    return claims, manifest


def test_same_seed_gives_the_same_practice() -> None:
    first = generate_practice(seed=3, months=2, scale=0.3)
    second = generate_practice(seed=3, months=2, scale=0.3)
    pd.testing.assert_frame_equal(first.claims, second.claims)
    pd.testing.assert_frame_equal(first.manifest, second.manifest)
    assert _fingerprint(first) == _fingerprint(second)


def test_different_seed_gives_a_different_practice() -> None:
    assert _fingerprint(generate_practice(seed=3, months=2, scale=0.3)) != _fingerprint(
        generate_practice(seed=4, months=2, scale=0.3))


def test_fixed_period_and_as_of(practice: SamplePractice) -> None:
    assert practice.as_of == pd.Timestamp("2026-11-15")
    assert practice.period_start == pd.Timestamp("2025-11-01")
    assert practice.period_end == pd.Timestamp("2026-10-31")
    dates = practice.claims["service_date"].dropna()
    assert dates.min() >= practice.period_start
    assert dates.max() <= practice.period_end


def test_claims_follow_the_data_contract(practice: SamplePractice) -> None:
    claims = practice.claims
    assert tuple(claims.columns) == CLAIM_COLUMNS
    for column in ("service_date", "patient_dob", "submitted_date"):
        assert claims[column].dtype == "datetime64[ns]"
        assert (claims[column].dropna() == claims[column].dropna().dt.normalize()).all()
    for column in ("start_time", "end_time"):
        assert claims[column].dtype == "timedelta64[ns]"
    for column in ("minutes", "units", "charge", "paid_amount", "line_no"):
        assert claims[column].dtype == "float64"
    for column in ("claim_id", "procedure_code", "modifier_1", "dx_1", "pos", "clinician_npi", "payer_type"):
        assert pd.api.types.is_string_dtype(claims[column])
    assert claims["source_row"].tolist() == list(range(2, len(claims) + 2))
    assert {"medicare", "medicaid", "commercial"} <= set(claims["payer_type"].dropna()) <= set(PAYER_TYPES)
    assert claims["dx_1"].dropna().str.fullmatch(r"[A-Z]\d{2}(\.[0-9A-Z]{1,4})?").all()
    assert claims["pos"].dropna().isin(["02", "10", "11"]).all()


def test_volume_and_code_mix(practice: SamplePractice) -> None:
    claims = practice.claims
    assert 20_000 <= len(claims) <= 30_000
    assert len(practice.roster.clinicians) == 12
    assert set(practice.roster.clinicians["credential"]) == {
        "MD", "PMHNP", "PHD", "PSYD", "LCSW", "LPC", "LMHC", "LMFT", "LPC-A"}
    assert claims["payer"].nunique() == 8  # six insurers, plus the self-pay and out-of-network stories
    codes = set(claims["procedure_code"])
    assert {"90791", "90792", "90832", "90833", "90834", "90836", "90837", "90838", "90839", "90840",
            "90846", "90847", "90853", "90785", "99213", "99214", "99215"} <= codes
    telehealth = claims["pos"].isin(["02", "10"]).mean()
    assert 0.3 < telehealth < 0.6
    assert 550 <= claims["patient_id"].nunique() <= 700


def test_em_and_addon_share_a_claim(clean_practice: SamplePractice) -> None:
    claims = clean_practice.claims
    addons = claims[claims["procedure_code"].isin(["90833", "90836", "90838"])]
    em_claims = set(claims.loc[claims["procedure_code"].str.match(r"992\d\d"), "claim_id"])
    assert len(addons) > 500
    assert addons["claim_id"].isin(em_claims).all()
    assert (addons["line_no"] == 2).all()


def test_two_clinicians_are_clear_90837_outliers(practice: SamplePractice) -> None:
    claims = practice.claims
    individual = claims[claims["procedure_code"].isin(["90832", "90834", "90837"])]
    share = individual.groupby("clinician_name")["procedure_code"].apply(lambda c: (c == "90837").mean())
    volume = individual.groupby("clinician_name").size()
    assert share["Ellen Brooks"] > 0.9 and volume["Ellen Brooks"] > 1_500
    assert share["Priya Shah"] > 0.75 and volume["Priya Shah"] > 1_500
    others = share.drop(["Ellen Brooks", "Priya Shah"])[volume >= 100]
    assert len(others) == 8
    assert others.between(0.3, 0.6).all()


def test_clean_code_mix_stays_near_the_norms(clean_practice: SamplePractice) -> None:
    """Without planted outliers every therapist is within 10 points of the payer-type 90837 norm."""
    norms = norms_in_effect(load_norms(), clean_practice.as_of)
    norms = norms[(norms["code"] == "90837") & (norms["credential"] == "")].set_index("payer_type")
    claims = clean_practice.claims
    individual = claims[claims["procedure_code"].isin(["90832", "90834", "90837"])]
    share = individual.groupby(["clinician_name", "payer_type"])["procedure_code"].apply(
        lambda c: (c == "90837").mean())
    volume = individual.groupby(["clinician_name", "payer_type"]).size()
    share = share[volume >= 100]
    expected = share.index.get_level_values("payer_type").map(norms["expected_share"])
    assert (abs(share.to_numpy() - expected.to_numpy()) < 0.10).all()


@pytest.mark.parametrize("months", [1, 3])
def test_shorter_periods_end_on_the_same_day(months: int) -> None:
    short = generate_practice(months=months, scale=0.2)
    assert short.period_end == pd.Timestamp("2026-10-31")
    assert short.claims["service_date"].min() >= pd.Timestamp("2026-11-01") - pd.DateOffset(months=months)
