"""CARC/RARC reference (reference/carc_rarc.csv): plain descriptions and the rule family preventing each.

A CARC arrives as a bare code ("50") or with its group ("CO-50"); both resolve to the same row.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from bhdash.reference import load_table


@cache
def _carcs() -> pd.DataFrame:
    table = load_table("carc_rarc.csv")
    return table[table["kind"] == "CARC"].set_index("code")


def carc_table() -> pd.DataFrame:
    """CARC rows indexed by code: description, usual_group, denial (yes/no), prevented_by, source."""
    return _carcs().copy()


def reason_code(code: str) -> str:
    """"CO-50" → "50"; a bare code is returned as is."""
    return code.split("-", 1)[1] if "-" in code else code


def describe(codes: pd.Series) -> pd.Series:
    """Plain description per CARC (group prefix allowed); unknown codes say so with the code."""
    descriptions = _carcs()["description"].to_dict()
    return pd.Series([descriptions.get(reason_code(code), f"reason code {code} (not in bhdash's CARC table)")
                      if isinstance(code, str) else None for code in codes], index=codes.index, dtype=object)


def preventing_families(codes: pd.Series) -> pd.Series:
    """The bhdash rule families whose finding on a line would have prevented each CARC (empty list
    when no check can catch it, e.g. authorization or eligibility)."""
    families = {code: [family for family in text.split(";") if family]
                for code, text in _carcs()["prevented_by"].fillna("").items()}
    return pd.Series([families.get(reason_code(code), []) if isinstance(code, str) else [] for code in codes],
                     index=codes.index, dtype=object)


def normal_adjustment(group: str, reason: str) -> bool:
    """True for adjustments that are not a denial: normal contractual ones (CO-45) and patient shares
    (PR-1/2/3, or any PR code not listed as a denial); PR-204 "not covered" stays a denial."""
    denial = _carcs()["denial"].get(reason)
    if denial == "yes":
        return False
    return group == "PR" or denial == "no"
