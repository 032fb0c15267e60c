import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from bhdash.npi import is_valid_npi, npi_check_digit, valid_npi_mask


def test_cms_worked_examples() -> None:
    assert npi_check_digit("123456789") == 3
    assert is_valid_npi("1234567893")
    assert is_valid_npi("1558598797")
    assert not is_valid_npi("1234567890")


def test_shape_rules() -> None:
    assert not is_valid_npi("3234567893")  # must start with 1 or 2
    assert not is_valid_npi("123456789")
    assert not is_valid_npi(None)
    assert not is_valid_npi("12345678a3")


def test_mask_matches_scalar_and_keeps_index() -> None:
    values = pd.Series(["1234567893", "1234567890", None, "1558598797", "12"], index=[10, 11, 12, 13, 14])
    mask = valid_npi_mask(values)
    assert mask.tolist() == [True, False, False, True, False]
    assert mask.index.tolist() == [10, 11, 12, 13, 14]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9).map(lambda s: "1" + s[1:]))
def test_generated_check_digit_validates_and_any_other_digit_fails(first_nine: str) -> None:
    digit = npi_check_digit(first_nine)
    assert is_valid_npi(first_nine + str(digit))
    wrong = (digit + 1) % 10
    assert not is_valid_npi(first_nine + str(wrong))
    pair = pd.Series([first_nine + str(digit), first_nine + str(wrong)])
    assert valid_npi_mask(pair).tolist() == [True, False]
