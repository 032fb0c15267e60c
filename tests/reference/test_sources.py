"""Source ids ("S56") resolve to full citations; views and exports show publishers in plain words."""

from __future__ import annotations

import re

import pytest

import bhdash.rules.catalogue  # noqa: F401  (registers the catalogue)
from bhdash.reference import load_table, sources, table_path
from bhdash.rules.registry import REGISTRY

REFERENCE_TABLES = sorted(
    path.name for path in table_path("").iterdir()
    if path.name.endswith(".csv") and path.name != "sources.csv"
)


def _cited_texts() -> list[str]:
    texts = [rule.source for rule in REGISTRY.values()]
    for name in REFERENCE_TABLES:
        table = load_table(name)
        if "source" in table.columns:
            texts += list(table["source"].dropna())
    return texts


def test_every_cited_id_has_a_full_citation():
    cited = {item.id for text in _cited_texts() for item in sources.cited(text)}
    assert len(cited) > 60
    for source_id in cited:
        item = sources.citation(source_id)
        assert item.title and item.publisher and item.date, source_id
        assert not sources.SOURCE_ID.search(f"{item.title} {item.publisher}"), source_id


def test_a_citation_prints_title_publisher_date_and_url():
    assert str(sources.citation("S18")) == (
        "Oceanside Medical Group Received Unallowable Medicare Payments for Psychotherapy Services. "
        "HHS Office of Inspector General, 2019. "
        "https://oig.hhs.gov/reports/all/2019/oceanside-medical-group-received-unallowable-medicare-payments-for-"
        "psychotherapy-services"
    )


def test_in_words_names_the_publishers_once_and_keeps_the_notes():
    assert sources.in_words("S18 (OIG Oceanside: 33 services/day); S24, S25, S105 (crisis bundles)") == (
        "HHS Office of Inspector General (OIG Oceanside: 33 services/day); "
        "AAPC, Novitas Solutions (crisis bundles)"
    )
    assert sources.in_words("AMA CPT 2025 code changes") == "AMA CPT 2025 code changes"


def test_no_bare_id_survives_in_words():
    for text in set(_cited_texts()):
        assert not sources.SOURCE_ID.search(sources.in_words(text)), text


def test_cited_lists_each_source_once_in_order():
    assert [item.id for item in sources.cited("S57, S56 (add-ons); S56")] == ["S57", "S56"]


def test_an_unknown_id_is_an_error_not_a_silent_gap():
    with pytest.raises(KeyError):
        sources.citation("S9999")


def test_rule_sources_cite_no_internal_notes():
    """A practice manager sees a rule's source in words: no research-note sections, file names or issues."""
    internal = re.compile(r"§|\.md\b|\.csv\b|\bissue \d|data contract")
    leaks = {rule_id: rule.source for rule_id, rule in REGISTRY.items() if internal.search(rule.source)}
    assert leaks == {}
    assert sources.in_words(REGISTRY["DUP-001"].source) == (
        "Novitas Solutions (CARC 18: exact duplicate claim or service)")
