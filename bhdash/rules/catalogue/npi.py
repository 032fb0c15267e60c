"""NPI: check digit (CMS Luhn over the implied 80840 prefix) and agreement with the roster (§7)."""

from __future__ import annotations

import pandas as pd

from bhdash.npi import npi_check_digit, valid_npi_mask
from bhdash.rules.catalogue._lookup import by_clinician, clinician_table, text
from bhdash.rules.engine import CheckContext
from bhdash.rules.registry import clinician_hits, hits, rule


def _why_invalid(npis: pd.Series) -> pd.Series:
    """A short explanation per invalid NPI: wrong shape, or the check digit it should have had."""
    values = text(npis)
    shaped = values.str.fullmatch(r"[12]\d{9}").fillna(False).astype(bool)
    reason = pd.Series("is not 10 digits starting with 1 or 2", index=npis.index)
    expected = values[shaped].map(lambda npi: str(npi_check_digit(npi[:9])))
    return reason.mask(shaped, "fails the check digit (last digit should be " + expected.reindex(npis.index)
                       .fillna("") + ")")


@rule(
    id="NPI-001", family="NPI", severity="error",
    title="Rendering NPI invalid",
    rationale="An NPI is 10 digits starting with 1 or 2 with a Luhn check digit; payers reject claims with "
              "an invalid NPI before adjudication (CARC 16 + rendering-NPI remark).",
    fix="Correct the rendering NPI in the EHR's provider setup (look it up in NPPES).",
    source="S97, S98, S99",
    needs=("clinician_npi",),
)
def invalid_npi(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    npis = claims["clinician_npi"]
    codes, uniques = pd.factorize(npis)
    valid_unique = valid_npi_mask(pd.Series(uniques)).to_numpy()
    bad = pd.Series((codes >= 0) & ~valid_unique[codes] if len(uniques) else False, index=claims.index)
    subset = npis[bad]
    return hits(subset.index, "Rendering NPI " + text(subset) + " " + _why_invalid(subset) + ".")


@rule(
    id="NPI-002", family="NPI", severity="error",
    title="Rendering NPI differs from the roster",
    rationale="The NPI on the line must be the rendering clinician's own; a different NPI means the claim "
              "goes out under someone else's enrollment or is rejected (CARC 16/B7).",
    fix="Use the clinician's NPI from the roster (or fix the roster if the claim is right).",
    source="S97, S98 (NPI check digit); the clinician's NPI in the roster (NPPES)",
    needs=("clinician_npi", "clinician_name"),
    needs_roster=("clinicians.npi",),
)
def npi_mismatch(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    roster = clinician_table(ctx)
    if "npi" not in roster.columns:
        return hits(pd.Index([]), pd.Series(dtype="string"))
    expected = text(by_clinician(claims, roster["npi"]))
    actual = text(claims["clinician_npi"])
    differs = (expected.notna() & actual.notna() & (expected != actual)).fillna(False)
    message = ("NPI " + actual[differs] + " on the line; the roster has " + expected[differs] + " for "
               + claims.loc[differs, "clinician_name"].astype(str) + ".")
    return hits(claims.index[differs], message)


@rule(
    id="NPI-003", family="NPI", severity="error",
    title="Roster NPI invalid",
    rationale="A roster NPI that fails the check digit is rejected on every claim the clinician renders.",
    fix="Correct the NPI in the roster and the EHR's provider setup (look it up in NPPES).",
    source="S97, S98, S99",
    needs=(),
    needs_roster=("clinicians.npi",),
    clinician_level=True,
)
def roster_npi_invalid(claims: pd.DataFrame, ctx: CheckContext) -> pd.DataFrame:
    roster = clinician_table(ctx)
    if "npi" not in roster.columns:
        return clinician_hits(pd.Series(dtype="object"), pd.Series(dtype="object"))
    npis = roster["npi"]
    bad = npis.notna() & ~valid_npi_mask(npis)
    names = roster.index[bad].to_series()
    message = names + "'s roster NPI " + text(npis[bad]) + " " + _why_invalid(npis[bad]) + "."
    return clinician_hits(names, message)
