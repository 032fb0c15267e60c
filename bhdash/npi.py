"""NPI check-digit validation (CMS standard: Luhn over the implied 80840 prefix)."""

from __future__ import annotations

import numpy as np
import pandas as pd

_PREFIX_CONSTANT = 24  # the Luhn contribution of the implied "80840" prefix


def npi_check_digit(first_nine: str) -> int:
    """Check digit for the first nine digits of an NPI."""
    total = _PREFIX_CONSTANT
    for position, char in enumerate(reversed(first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    return (10 - total % 10) % 10


def is_valid_npi(npi: str | None) -> bool:
    if not isinstance(npi, str) or len(npi) != 10 or not npi.isdigit() or npi[0] not in "12":
        return False
    return npi_check_digit(npi[:9]) == int(npi[9])


def valid_npi_mask(npis: pd.Series) -> pd.Series:
    """Vectorized is_valid_npi: True where the value is a 10-digit NPI with a correct check digit."""
    text = npis.astype("string")
    shaped = text.str.fullmatch(r"[12]\d{9}").fillna(False).astype(bool)
    result = pd.Series(False, index=npis.index)
    if not shaped.any():
        return result
    digits = np.array([list(map(int, value)) for value in text[shaped]], dtype=np.int64)
    body = digits[:, :9][:, ::-1]
    doubled = body[:, 0::2] * 2
    doubled = doubled // 10 + doubled % 10
    total = _PREFIX_CONSTANT + doubled.sum(axis=1) + body[:, 1::2].sum(axis=1)
    expected = (10 - total % 10) % 10
    result.loc[shaped] = expected == digits[:, 9]
    return result
