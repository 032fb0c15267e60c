"""A CSV the parser refuses becomes one line that names the row, for every CSV bhdash reads."""

from __future__ import annotations

import pytest

from bhdash.errors import InputFileError
from bhdash.norms import load_norms
from bhdash.payers import PayerDirectory

RAGGED = b"payer,payer_type\nAetna,commercial\nCigna,commercial,extra,cells\n"
NOT_UTF8 = b"payer,payer_type\n\xff\xfeAetna,commercial\n"


@pytest.mark.parametrize(("load", "what"), [(PayerDirectory.load, "payer CSV"), (load_norms, "norms CSV")])
def test_a_ragged_row_is_named_in_one_line(load, what: str) -> None:
    with pytest.raises(InputFileError) as raised:
        load(RAGGED, "mine.csv")
    message = str(raised.value)
    assert message == (f"file 'mine.csv', row 3: not a readable {what}: this row has 4 fields where the rows "
                       "before it have 2")
    assert "\n" not in message


def test_text_that_is_not_utf8_names_the_byte() -> None:
    with pytest.raises(InputFileError) as raised:
        PayerDirectory.load(NOT_UTF8, "mine.csv")
    assert str(raised.value) == ("file 'mine.csv': not a readable payer CSV: the text is not UTF-8 "
                                 "(it holds the byte 0xff); save it as CSV UTF-8")


def test_a_path_is_named_by_its_file_name(tmp_path) -> None:
    path = tmp_path / "payers.csv"
    path.write_bytes(RAGGED)
    with pytest.raises(InputFileError) as raised:
        PayerDirectory.load(path)
    assert raised.value.file == "payers.csv"
