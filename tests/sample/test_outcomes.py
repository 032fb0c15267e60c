from __future__ import annotations

import pandas as pd

from bhdash.sample import SamplePractice


def test_first_nine_months_adjudicated_last_three_open(practice: SamplePractice) -> None:
    claims = practice.claims
    cutoff = pd.Timestamp("2026-07-31")
    late = claims[claims["service_date"] > cutoff]
    assert late["status"].isna().all() and late["paid_amount"].isna().all()
    insured = claims["payer"].notna() & claims["payer"].ne("Self Pay")  # patients pay self-pay lines
    submitted = claims["submitted_date"].notna() & insured
    early = claims[(claims["service_date"] <= cutoff) & submitted]
    assert early["status"].isin(["Paid", "Denied"]).all()
    assert len(early) > 14_000


def test_paid_and_denied_amounts(practice: SamplePractice) -> None:
    claims = practice.claims
    denied = claims[claims["status"] == "Denied"]
    paid = claims[claims["status"] == "Paid"]
    assert (denied["paid_amount"] == 0).all()
    assert denied["denial_reason"].str.fullmatch(r"CO-[0-9A-Z]+").all()
    assert (paid["paid_amount"] > 0).all() and paid["denial_reason"].isna().all()
    assert (paid["paid_amount"] < paid["charge"]).all()
    assert 0.04 < len(denied) / (len(denied) + len(paid)) < 0.12


def test_denials_follow_the_planted_defects(practice: SamplePractice) -> None:
    claims = practice.claims
    planted = practice.manifest["source_row"].dropna().astype(int) - 2
    adjudicated = claims["status"].notna()
    is_planted = claims.index.isin(planted)
    planted_rate = (claims.loc[is_planted & adjudicated, "status"] == "Denied").mean()
    clean_rate = (claims.loc[~is_planted & adjudicated, "status"] == "Denied").mean()
    assert planted_rate > 4 * clean_rate


def test_enrollment_gaps_draw_b7_and_cigna_is_strict_on_telehealth(practice: SamplePractice) -> None:
    claims = practice.claims
    manifest = practice.manifest.dropna(subset=["source_row"])

    def adjudicated(problem: str) -> pd.DataFrame:
        lines = claims.loc[manifest.loc[manifest["problem"] == problem, "source_row"].astype(int) - 2]
        return lines[lines["status"].notna()]

    never = adjudicated("never_enrolled")
    assert (never["denial_reason"] == "CO-B7").mean() > 0.8
    tele = adjudicated("tele_missing_modifier")
    assert len(tele) >= 5 and (tele["denial_reason"] == "CO-4").mean() > 0.8


def test_addons_fall_with_their_denied_primary(practice: SamplePractice) -> None:
    claims = practice.claims
    primary_denied = claims[(claims["line_no"] == 1) & (claims["status"] == "Denied")]["claim_id"]
    addons = claims[claims["claim_id"].isin(primary_denied)
                    & claims["procedure_code"].isin(["90833", "90836"])]
    assert len(addons) > 10 and (addons["status"] == "Denied").all()
