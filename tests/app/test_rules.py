"""Rules on the sample practice: the whole catalogue with ran/skipped status."""

from bhdash.model import FAMILY_NAMES
from bhdash.reference import sources
from bhdash.rules.registry import REGISTRY
from tests.app.conftest import metric_values


def test_rules_page_lists_the_catalogue_with_status(open_page, expected):
    app = open_page("pages/rules.py")
    status = expected.analysis.check.rules
    shown = metric_values(app)
    assert shown["Rules in the catalogue"] == f"{len(REGISTRY):,}"
    assert shown["Ran on this data"] == f"{int((status['status'] == 'ran').sum()):,}"
    assert shown["Skipped"] == f"{int((status['status'] == 'skipped').sum()):,}"
    assert shown["Rules with findings"] == f"{int((status['findings'] > 0).sum()):,}"
    table = app.dataframe[0].value
    assert len(table) == len(REGISTRY)
    assert dict(zip(table["id"], table["status"], strict=True)) == dict(
        zip(status["id"], status["status"], strict=True)
    )


def test_rules_family_filter(open_page):
    app = open_page("pages/rules.py")
    app.multiselect(key="rules_family").set_value(["TIME"]).run()
    table = app.dataframe[0].value
    assert set(table["family"]) == {FAMILY_NAMES["TIME"]}
    assert len(table) == sum(rule.family == "TIME" for rule in REGISTRY.values())
    app.multiselect(key="rules_family").set_value([]).run()


def test_rules_page_shows_sources_in_words_with_full_citations_one_click_away(open_page):
    app = open_page("pages/rules.py")
    table = app.dataframe[0].value
    assert not table["source_in_words"].str.contains(sources.SOURCE_ID).any()
    rule = next(rule for rule in REGISTRY.values() if "S18" in rule.source)
    position = list(table["id"]).index(rule.id)
    app.session_state["rules_table"] = {"selection": {"rows": [position], "columns": [], "cells": []}}
    app.run()
    text = "\n".join(block.value for block in app.markdown)
    assert f"**Source.** {sources.in_words(rule.source)}" in text
    assert str(sources.citation("S18")) in text
    assert [expander.label for expander in app.expander if expander.label.startswith("Full citations")]
    assert not sources.SOURCE_ID.search(text)
    app.session_state["rules_table"] = {"selection": {"rows": [], "columns": [], "cells": []}}
