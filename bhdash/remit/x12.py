"""X12 tokenizer: separators read from the ISA, then segments split into elements.

No well-kept X12 library fits: the PyPI candidates (linuxforhealth-x12, badx12, edi-835-parser) have
had no release in years, and the 835 needs only separators and segment order, not a schema engine.
The ISA is fixed-width (106 characters), so its separators sit at known positions: position 3 the
element separator, 82 the repetition separator (ISA11), 104 the component separator (ISA16) and 105
the segment terminator. A bare `ST` transaction (no envelope) is read with the usual `*`, `:`, `~`.
"""

from __future__ import annotations

from dataclasses import dataclass

ISA_LENGTH = 106
_ISA_ELEMENTS = 16


class X12Error(ValueError):
    """The text cannot be tokenized as X12; the message says why in a practice manager's words."""


@dataclass(frozen=True)
class Separators:
    element: str
    component: str
    repetition: str | None
    segment: str


BARE_SEPARATORS = Separators(element="*", component=":", repetition="^", segment="~")


def _usable(character: str) -> bool:
    return not character.isalnum() and character not in " "


def separators(text: str) -> Separators:
    """The separators of an interchange (from its ISA) or of a bare ST transaction."""
    if text.startswith("ISA"):
        if len(text) < ISA_LENGTH:
            raise X12Error(
                f"truncated: the ISA envelope header has {len(text)} of its {ISA_LENGTH} characters")
        element = text[3]
        if not _usable(element) or text[:104].count(element) != _ISA_ELEMENTS:
            raise X12Error(
                "the ISA envelope header is not the fixed 106 characters X12 requires, so its separators "
                "cannot be read; ask the clearinghouse for a standard 005010 file")
        component, terminator = text[104], text[105]
        repetition = text[82] if _usable(text[82]) else None
        found = {element, component, terminator}
        if len(found) < 3 or not all(_usable(character) for character in found):
            raise X12Error(
                f"the ISA declares unusable separators (element '{element}', component '{component}', "
                f"segment '{terminator}')")
        return Separators(element=element, component=component, repetition=repetition, segment=terminator)
    if text.startswith("ST") and len(text) > 2 and _usable(text[2]):
        element = text[2]
        terminator = "~" if "~" in text else "\n"
        return Separators(element=element, component=":", repetition="^", segment=terminator)
    raise X12Error("not an X12 file: it does not start with an ISA envelope or an ST transaction")


def segments(text: str) -> tuple[list[list[str]], Separators]:
    """Every segment as its list of elements (element 0 is the segment ID), with the separators used."""
    text = text.lstrip("\ufeff \t\r\n")
    found = separators(text)
    result: list[list[str]] = []
    for raw in text.split(found.segment):
        raw = raw.strip("\r\n \t")
        if raw:
            result.append(raw.split(found.element))
    return result, found
