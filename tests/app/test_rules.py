"""Rules on the sample practice: the whole catalogue with ran/skipped status."""

from bhdash.model import FAMILY_NAMES
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
