"""Separators come from the ISA's fixed positions, or the usual ones for a bare ST transaction."""

import pytest

from bhdash.remit.x12 import X12Error, segments, separators

ISA = ("ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*LAKEVIEWBH     *260115*1200*^*00501*"
       "000000001*0*P*:~")


def test_separators_are_read_from_the_fixed_width_isa() -> None:
    odd = ISA.replace("*", "|").replace(":~", ">\n")
    found = separators(odd)
    assert (found.element, found.component, found.repetition, found.segment) == ("|", ">", "^", "\n")


def test_segments_split_on_the_declared_terminator_and_ignore_line_breaks() -> None:
    parsed, found = segments("\ufeff" + ISA + "\r\nGS*HP*A~\r\nST*835*1~")
    assert found.segment == "~"
    assert [elements[0] for elements in parsed] == ["ISA", "GS", "ST"]
    assert parsed[2] == ["ST", "835", "1"]


def test_a_bare_transaction_uses_the_usual_separators() -> None:
    parsed, found = segments("ST*835*0001~BPR*I*0*C*NON~SE*3*0001~")
    assert (found.element, found.component, found.segment) == ("*", ":", "~")
    assert parsed[1] == ["BPR", "I", "0", "C", "NON"]


@pytest.mark.parametrize(("text", "reason"), [
    ("ISA*00*short~", "truncated: the ISA envelope header has 13 of its 106 characters"),
    ("Claim,Paid\n1,2\n" + " " * 100, "not an X12 file"),
    (ISA.replace(":~", "*~"), "unusable separators"),
])
def test_unreadable_envelopes_say_why(text: str, reason: str) -> None:
    with pytest.raises(X12Error, match=reason):
        separators(text)
