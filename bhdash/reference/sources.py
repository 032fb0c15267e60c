"""The published sources behind rules and payer settings, resolved from their short ids ("S56").

Rules and reference rows cite sources by the ids of the research notes' source list; a practice manager
cannot look those up. `sources.csv` holds one row per id with its full citation. Main views show
`in_words` (who published it, in plain words); the full citations (`cited`) sit one click away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bhdash.reference import load_table

SOURCE_ID = re.compile(r"\bS\d+\b")
_ID_RUN = re.compile(r"\bS\d+(?:\s*,\s*S\d+)*\b")


@dataclass(frozen=True)
class Citation:
    id: str
    title: str
    publisher: str
    url: str
    date: str

    def __str__(self) -> str:
        return f"{self.title}. {self.publisher}, {self.date}." + (f" {self.url}" if self.url else "")


@cache
def _citations() -> dict[str, Citation]:
    table = load_table("sources.csv").fillna("")
    return {
        row.id: Citation(row.id, row.title, row.publisher, row.url, row.date) for row in table.itertuples()
    }


def citation(source_id: str) -> Citation:
    """The full citation of one source id; KeyError for an id the table does not hold."""
    return _citations()[source_id]


def cited(text: object) -> list[Citation]:
    """The citations a source text refers to, in order of first mention."""
    return [citation(source_id) for source_id in dict.fromkeys(SOURCE_ID.findall(str(text)))]


def in_words(text: object) -> str:
    """A source text with each run of ids ("S56, S57") replaced by its publishers in plain words."""

    def publishers(run: re.Match[str]) -> str:
        names = dict.fromkeys(
            name
            for source_id in SOURCE_ID.findall(run.group())
            for name in citation(source_id).publisher.split("; ")
        )
        return ", ".join(names)

    return _ID_RUN.sub(publishers, str(text))


def citation_list(text: object) -> str:
    """The full citations of a source text, one per line, for an export cell or a report."""
    return "\n".join(str(item) for item in cited(text))
