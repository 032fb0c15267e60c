"""Code-mix statistics against payer norms: known cases, corrections, overrides and peer percentiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest, false_discovery_control

from bhdash.errors import InputFileError
from bhdash.norms import (
    NormSettings,
    _adjust,
    audit_exposure,
    code_mix,
    exact_binomial_p,
    flagged_clinicians,
    load_norms,
    norms_in_effect,
    peer_metrics,
)

FORTY_PERCENT_NORM = (
    b"payer_type,code_family,code,expected_share,basis,source\n"
    b"commercial,individual_psychotherapy,90832,0.20,estimate,test norm\n"
    b"commercial,individual_psychotherapy,90834,0.40,estimate,test norm\n"
    b"commercial,individual_psychotherapy,90837,0.40,estimate,test norm\n"
)


def _sessions(clinician: str, counts: dict[str, int], payer_type: str = "commercial",
              credential: str | None = None) -> pd.DataFrame:
    codes = [code for code, count in counts.items() for _ in range(count)]
    return pd.DataFrame({
        "clinician_name": clinician, "payer_type": payer_type, "procedure_code": codes,
        "clinician_credential": credential, "service_date": pd.Timestamp("2025-05-01"),
        "patient_id": [f"{clinician}-{i % 10}" for i in range(len(codes))],
    })


def test_95_percent_90837_over_200_sessions_against_a_40_percent_norm_is_flagged() -> None:
    claims = _sessions("Outlier", {"90837": 190, "90834": 10})
    mix = code_mix(claims, load_norms(FORTY_PERCENT_NORM))
    row = mix.set_index("code").loc["90837"]
    assert row["volume"] == 200
    assert row["observed_share"] == pytest.approx(0.95)
    assert row["expected_share"] == pytest.approx(0.40)
    assert row["p_value"] < 1e-40
    assert bool(row["flagged"])
    flagged = flagged_clinicians(mix)
    assert flagged[["clinician", "code"]].values.tolist() == [["Outlier", "90837"]]


def test_55_percent_90837_over_12_sessions_is_not_flagged() -> None:
    claims = _sessions("Small", {"90837": 7, "90834": 5})  # 58%: closest to 55% with 12 sessions
    mix = code_mix(claims, load_norms(FORTY_PERCENT_NORM))
    assert not mix["flagged"].any()
    # Even without the minimum volume the exact test does not call it significant.
    loose = code_mix(claims, load_norms(FORTY_PERCENT_NORM), settings=NormSettings(min_volume=1))
    row = loose.set_index("code").loc["90837"]
    assert row["p_value"] > 0.2
    assert not loose["flagged"].any()


def test_test_and_threshold_must_both_agree() -> None:
    # 46% over 4,000 sessions: highly significant, but only 6 pp above the norm.
    claims = _sessions("Busy", {"90837": 1840, "90834": 1440, "90832": 720})
    mix = code_mix(claims, load_norms(FORTY_PERCENT_NORM)).set_index("code")
    assert bool(mix.loc["90837", "significant"]) and not bool(mix.loc["90837", "material"])
    assert not mix["flagged"].any()
    # 20 pp above with 20 sessions: material, volume under the minimum of 30.
    small = code_mix(_sessions("New", {"90837": 12, "90834": 8}), load_norms(FORTY_PERCENT_NORM))
    assert small["material"].any() and not small["significant"].any()


def test_holm_and_bh_adjustments() -> None:
    p = np.array([0.01, 0.04, 0.03])
    np.testing.assert_allclose(_adjust(p, "holm"), [0.03, 0.06, 0.06])
    np.testing.assert_allclose(_adjust(p, "bh"), [0.03, 0.04, 0.04])
    with pytest.raises(ValueError, match="unknown multiple-comparison"):
        _adjust(p, "bonferroni-ish")


def test_shipped_norms_pick_the_rows_in_effect_and_normalise() -> None:
    norms = load_norms()
    medicare_2016 = norms_in_effect(norms, pd.Timestamp("2016-06-01"))
    medicare_2016 = medicare_2016[(medicare_2016["payer_type"] == "medicare")
                                  & (medicare_2016["code_family"] == "individual_psychotherapy")]
    assert set(medicare_2016["basis"]) == {"measured"}
    assert medicare_2016.set_index("code").loc["90837", "expected_share"] == pytest.approx(
        0.3414 / (0.2195 + 0.4391 + 0.3414))
    current = norms_in_effect(norms, pd.Timestamp("2025-06-01"))
    medicare = current[(current["payer_type"] == "medicare")
                       & (current["code_family"] == "individual_psychotherapy")]
    assert set(medicare["basis"]) == {"estimate"}
    assert medicare["expected_share"].sum() == pytest.approx(1.0)
    assert medicare.set_index("code").loc["90837", "expected_share"] == pytest.approx(0.36 / 0.99)


def test_credential_specific_norm_wins_over_the_all_credential_norm() -> None:
    claims = pd.concat([
        _sessions("Psychiatrist", {"99214": 30, "99213": 10}, payer_type="medicare", credential="MD"),
        _sessions("Nurse", {"99214": 30, "99213": 10}, payer_type="medicare", credential="PMHNP"),
    ])
    mix = code_mix(claims, load_norms())
    psychiatrist = mix[mix["clinician"] == "Psychiatrist"].set_index("code")
    nurse = mix[mix["clinician"] == "Nurse"].set_index("code")
    assert sorted(psychiatrist.index) == ["99212", "99213", "99214", "99215"]
    assert psychiatrist.loc["99214", "expected_share"] == pytest.approx(0.60)
    assert sorted(nurse.index) == ["99213", "99214", "99215"]
    assert nurse.loc["99214", "expected_share"] == pytest.approx(0.550)
    assert nurse.loc["99214", "observed_share"] == pytest.approx(0.75)


def test_user_norms_replace_the_shipped_group_only() -> None:
    norms = load_norms(FORTY_PERCENT_NORM, filename="mine.csv")
    commercial = norms[(norms["payer_type"] == "commercial")]
    shares = commercial.set_index("code")["expected_share"].to_dict()
    assert shares == {"90832": 0.2, "90834": 0.4, "90837": 0.4}
    assert set(commercial["source"]) == {"test norm"}
    shipped_medicare = load_norms().query("payer_type == 'medicare'")
    assert len(norms[norms["payer_type"] == "medicare"]) == len(shipped_medicare)


@pytest.mark.parametrize(("text", "message", "row", "column"), [
    (b"payer_type,code\ncommercial,90837\n", "code_family, expected_share", 1, None),
    (b"payer_type,code_family,code,expected_share\nmedicare,x,90837,0.4\nvip,x,90834,0.5\n",
     "unknown payer_type 'vip'", 3, "payer_type"),
    (b"payer_type,code_family,code,expected_share\ncommercial,x,90837,forty\n",
     "expected_share must be a number", 2, "expected_share"),
    (b"payer_type,code_family,code,expected_share\ncommercial,x,90837,1.4\n",
     "expected_share must be a number", 2, "expected_share"),
])
def test_bad_norm_files_name_the_row_and_column(
    text: bytes, message: str, row: int, column: str | None,
) -> None:
    with pytest.raises(InputFileError, match=message) as raised:
        load_norms(text, filename="norms.csv")
    assert raised.value.file == "norms.csv"
    assert raised.value.row == row
    assert raised.value.column == column


def test_audit_exposure_counts_services_away_from_the_norm() -> None:
    mix = code_mix(_sessions("Outlier", {"90837": 190, "90834": 10}), load_norms(FORTY_PERCENT_NORM))
    # |0.95-0.40| + |0.05-0.40| + |0-0.20| = 1.10; half of it times 200 sessions = 110 services.
    assert audit_exposure(mix) == {"flagged_groups": 1, "services_off_norm": pytest.approx(110.0),
                                   "flagged_services_off_norm": pytest.approx(110.0)}


def test_peer_metrics_per_clinician_with_percentiles() -> None:
    claims = pd.concat([
        _sessions("A", {"90837": 8, "90834": 2}),
        _sessions("B", {"90837": 2, "90834": 7, "90791": 1}),
        _sessions("C", {"90837": 5, "90853": 5}),
    ], ignore_index=True)
    claims.loc[claims["clinician_name"] == "C", "patient_id"] = "C-only"
    allowed = pd.Series(100.0, index=claims.index)
    metrics = peer_metrics(claims, allowed).set_index("clinician")
    assert metrics.loc["A", "share_90837"] == pytest.approx(0.8)
    assert metrics.loc["B", "share_90837"] == pytest.approx(2 / 9)
    assert metrics.loc["C", "share_90837"] == pytest.approx(1.0)
    assert metrics.loc["C", "services_per_patient"] == pytest.approx(10.0)
    assert metrics.loc["A", "services_per_patient"] == pytest.approx(1.0)
    assert metrics.loc["C", "allowed_per_patient"] == pytest.approx(1000.0)
    assert metrics.loc["C", "group_rate"] == pytest.approx(0.5)
    assert metrics.loc["B", "evaluation_rate"] == pytest.approx(0.1)
    percentiles = metrics["share_90837_percentile"].to_dict()
    assert percentiles == pytest.approx({"C": 100.0, "A": 200 / 3, "B": 100 / 3})
    # Median share is 0.8 (A): C exceeds it by 0.2 over 5 psychotherapy sessions.
    assert metrics.loc["C", "outlier_score"] == pytest.approx(1.0)
    assert metrics.index[0] == "C"


def test_billing_below_the_norm_is_off_norm_but_not_an_audit_outlier() -> None:
    claims = _sessions("Short sessions", {"90834": 150, "90832": 40, "90837": 10})
    mix = code_mix(claims, load_norms(FORTY_PERCENT_NORM)).set_index("code")
    assert bool(mix.loc["90837", "flagged"]) and mix.loc["90837", "difference_pp"] == pytest.approx(-35.0)
    assert bool(mix.loc["90834", "flagged"]) and not bool(mix.loc["90834", "audit_focus"])
    assert not mix["audit_flag"].any()
    assert flagged_clinicians(mix.reset_index()).empty
    assert audit_exposure(mix.reset_index())["flagged_groups"] == 0


def test_vectorized_exact_test_matches_scipy_binomtest() -> None:
    cases = [(190, 200, 0.4), (7, 12, 0.4), (0, 30, 0.1), (30, 30, 0.5), (1840, 4000, 0.4), (3, 9, 0.333333),
             (0, 10, 0.0), (10, 10, 1.0), (4, 10, 0.0)]
    counts, volumes, shares = (np.array(values) for values in zip(*cases, strict=True))
    expected = [binomtest(k, n, p).pvalue for k, n, p in cases]
    np.testing.assert_allclose(exact_binomial_p(counts, volumes, shares), expected, rtol=1e-6, atol=1e-300)


def test_each_exact_p_value_is_the_one_computed_alone_to_the_last_bit() -> None:
    """`_binomial_p` keeps p-values across calls, so a value must not depend on the tests beside it: tests
    sharing a volume and share, and volumes from 0 to 2,997 in one batch (summed over rows as wide as the
    largest volume, these short ones came out a bit or two apart)."""
    cases = [(12, 40, 0.35), (20, 40, 0.35), (14, 40, 0.35), (743, 2997, 0.0884), (135, 162, 0.8698),
             (288, 394, 0.8277), (71, 136, 0.5338), (3, 7, 0.5), (0, 0, 0.2), (40, 40, 0.35),
             (1, 2400, 0.004)]
    counts, volumes, shares = (np.array(values) for values in zip(*cases, strict=True))
    together = exact_binomial_p(counts, volumes, shares)
    alone = [exact_binomial_p(counts[i:i + 1], volumes[i:i + 1], shares[i:i + 1])[0]
             for i in range(len(cases))]
    assert together.tolist() == alone
    expected = [binomtest(k, n, p).pvalue if n else 1.0 for k, n, p in cases]
    np.testing.assert_allclose(together, expected, rtol=1e-9)


def test_exact_p_value_of_an_impossible_count_is_0_and_of_an_unknown_share_missing() -> None:
    p_values = exact_binomial_p(np.array([5, -1, 3]), np.array([4, 10, 10]), np.array([0.5, 0.5, np.nan]))
    assert p_values[:2].tolist() == [0.0, 0.0]
    assert np.isnan(p_values[2])


def test_benjamini_hochberg_matches_scipy() -> None:
    p_values = np.array([0.001, 0.04, 0.03, 0.2, 0.04, 0.9, 0.008])
    np.testing.assert_allclose(_adjust(p_values, "bh"), false_discovery_control(p_values, method="bh"))
    assert _adjust(p_values, "holm")[0] == pytest.approx(0.007)


def test_payer_type_without_its_own_norm_is_compared_with_the_national_reference() -> None:
    codes = ["99215"] * 30 + ["99214"] * 20 + ["90837"] * 10
    claims = pd.DataFrame({"clinician_name": "Ana Diaz", "clinician_credential": "LCSW",
                           "payer_type": "medicare_advantage", "procedure_code": codes,
                           "service_date": pd.Timestamp("2026-03-02")})
    mix = code_mix(claims)
    em = mix[mix["code_family"] == "established_em"].set_index("code")
    assert em.loc["99215", "expected_share"] == pytest.approx(0.062, abs=1e-3)
    assert set(em["basis"]) == {"measured, national reference"}
    assert em["source"].str.startswith("no medicare advantage norm for this code family").all()
    psychotherapy = mix[mix["code_family"] == "individual_psychotherapy"]
    assert set(psychotherapy["basis"]) == {"estimate, national reference"}
    self_pay = code_mix(claims.assign(payer_type="self_pay"))
    assert self_pay.empty


def test_p_values_kept_from_earlier_counts_are_the_ones_computed_afresh() -> None:
    """A what-if recount reuses the p-values of the groups it did not change (bhdash.norms._P_VALUES)."""
    from bhdash import norms

    counts, volumes, shares = pd.Series([3, 40, 7, 40]), pd.Series([10, 100, 50, 100]), pd.Series(
        [0.2, 0.31, 0.1, 0.31])
    norms._P_VALUES.clear()
    first = norms._binomial_p(counts, volumes, shares)
    assert len(norms._P_VALUES) == 3  # the repeated (40, 100, 0.31) test is computed once
    later = norms._binomial_p(pd.Series([40, 8]), pd.Series([100, 50]), pd.Series([0.31, 0.1]))
    assert len(norms._P_VALUES) == 4
    assert later[0] == first[1]
    expected = [binomtest(k, n, p).pvalue for k, n, p in ((3, 10, 0.2), (40, 100, 0.31), (7, 50, 0.1),
                                                          (40, 100, 0.31))]
    np.testing.assert_allclose(first, expected, rtol=1e-6)
    np.testing.assert_allclose(later[1], binomtest(8, 50, 0.1).pvalue, rtol=1e-6)
