"""NORM: clinician-level code-mix outliers against payer norms (statistics in bhdash.norms)."""

from __future__ import annotations

import pandas as pd

from bhdash.norms import NATIONAL_REFERENCE, NormSettings, code_mix, flagged_clinicians, load_norms
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import clinician_hits, rule

_FAMILY_LABELS = {
    "individual_psychotherapy": "individual psychotherapy (90832/90834/90837)",
    "established_em": "established-patient E/M",
}


def _settings(ctx: CheckContext) -> NormSettings:
    defaults = NormSettings()
    return NormSettings(
        alpha=float(ctx.setting("norm_alpha", defaults.alpha)),
        materiality_pp=float(ctx.setting("norm_materiality_pp", defaults.materiality_pp)),
        min_volume=int(ctx.setting("norm_min_volume", defaults.min_volume)),
        correction=str(ctx.setting("norm_correction", defaults.correction)),
    )

_CORRECTION_LABELS = {"holm": "Holm", "bh": "BH"}


@rule(
    id="NORM-001", family="NORM", severity="warning",
    title="Code mix far from the payer norm",
    rationale="Payers and CMS compare each clinician's share of a code (90837 above all) with peers and "
              "send letters, record requests or pre-payment reviews to outliers. Flagged only when an "
              "exact binomial test (Holm-corrected) and a materiality threshold agree, above a minimum "
              "volume, so a clinician with a handful of sessions is never called an outlier. A payer type "
              "with no norm of its own for a code family is compared with the national (Medicare) "
              "reference, and the finding says so.",
    fix="Check that the documented times support the codes billed; if they do, keep the documentation "
        "ready for a record request. If not, code to the documented time.",
    source="S114, S115, S116, S117 (90837 share thresholds in payer letters); S127, S128, S129 (CMS "
           "comparative billing reports); each finding names the norm it used and its source",
    needs=("clinician_name", "procedure_code", "payer"),
    clinician_level=True,
)
def norm_001(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    norms = ctx.norms if ctx.norms is not None else load_norms()
    # Only the columns code_mix reads: assigning to the whole claims frame copied every column.
    read = [column for column in ("clinician_name", "clinician_credential", "procedure_code", "service_date")
            if column in claims.columns]
    scoped = claims[read].assign(payer_type=ctx.line_payers["payer_type"])
    settings = _settings(ctx)
    flagged = flagged_clinicians(code_mix(scoped, norms, on=ctx.as_of, settings=settings))
    if flagged.empty:
        return clinician_hits(pd.Series([], dtype="string"), pd.Series([], dtype="string"))
    family = flagged["code_family"].map(_FAMILY_LABELS).fillna(flagged["code_family"].str.replace("_", " "))
    direction = flagged["difference_pp"].gt(0).map({True: "above", False: "below"})
    p_text = flagged["p_value"].map(lambda p: "p < 0.001" if p < 0.001 else f"p = {p:.3f}")
    payer_type = flagged["payer_type"].str.replace("_", " ")
    basis = flagged["basis"].astype(str)
    national = basis.str.endswith(NATIONAL_REFERENCE)
    basis_text = (basis + " norm").where(~national, "national Medicare reference ("
                                         + basis.str.removesuffix(NATIONAL_REFERENCE) + "), as there is no "
                                         + payer_type + " norm")
    message = (
        flagged["code"] + " is " + (flagged["observed_share"] * 100).round(1).astype(str) + "% of "
        + flagged["volume"].astype(str) + " " + family + " services for " + payer_type
        + " (expected " + (flagged["expected_share"] * 100).round(1).astype(str) + "%, "
        + basis_text + "; " + flagged["difference_pp"].abs().round(1).astype(str)
        + " pp " + direction + "; " + p_text + ", " + _CORRECTION_LABELS[settings.correction] + "-adjusted "
        + flagged["p_adjusted"].map(lambda p: f"{p:.2g}") + ")"
    )
    return clinician_hits(flagged["clinician"], message, code=flagged["code"])
