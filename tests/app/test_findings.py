"""Findings on the sample practice: counts, the table, in-page filters and the rule detail."""

from tests.app.conftest import metric_values


def test_findings_table_holds_every_finding(open_page, expected):
    app = open_page("pages/findings.py")
    findings = expected.findings
    shown = metric_values(app)
    assert shown["Findings"] == f"{len(findings):,}"
    assert shown["Errors"] == f"{int((findings['severity'] == 'error').sum()):,}"
    assert shown["Claim lines involved"] == f"{findings['line_index'].dropna().nunique():,}"
    table = app.dataframe[0].value
    assert len(table) == len(findings)
    assert list(table.columns[:4]) == ["severity", "rule", "row", "service_date"]
    assert set(table["row"].dropna().astype(int)) == set(findings["row"].dropna().astype(int))


def test_severity_and_family_filters_narrow_the_table(open_page, expected):
    app = open_page("pages/findings.py")
    findings = expected.findings
    app.multiselect(key="findings_severity").set_value(["error"]).run()
    family = findings.loc[findings["severity"] == "error", "family"].value_counts().index[0]
    app.multiselect(key="findings_family").set_value([family]).run()
    wanted = findings[(findings["severity"] == "error") & (findings["family"] == family)]
    assert metric_values(app)["Findings"] == f"{len(wanted):,}"
    assert len(app.dataframe[0].value) == len(wanted)
    app.multiselect(key="findings_severity").set_value([]).run()
    app.multiselect(key="findings_family").set_value([]).run()
    assert len(app.dataframe[0].value) == len(findings)


def test_rule_detail_shows_rationale_fix_and_source(open_page, expected):
    app = open_page("pages/findings.py")
    rule = expected.findings["rule"].value_counts().index[0]
    app.selectbox(key="findings_rule_detail").set_value(rule).run()
    from bhdash.reference import sources
    from bhdash.rules.registry import REGISTRY

    text = "\n".join(block.value for block in app.markdown)
    assert f"#### {rule} · {REGISTRY[rule].title}" in text
    assert REGISTRY[rule].rationale in text
    assert f"**Source.** {sources.in_words(REGISTRY[rule].source)}" in text
    assert all(str(item) in text for item in sources.cited(REGISTRY[rule].source))
    assert not sources.SOURCE_ID.search(text)
    examples = app.dataframe[1].value
    assert len(examples) == min(10, int((expected.findings["rule"] == rule).sum()))


def test_export_button_is_offered(open_page):
    app = open_page("pages/findings.py")
    assert [button.label for button in app.get("download_button")] == ["Export these findings (Excel)"]


def test_rule_detail_follows_the_selected_finding(open_page):
    app = open_page("pages/findings.py")
    table = app.dataframe[0].value
    shown = app.selectbox(key="findings_rule_detail").value
    position = next(index for index, rule in enumerate(table["rule"]) if rule != shown)
    try:
        app.session_state["findings_table"] = {"selection": {"rows": [position], "columns": [], "cells": []}}
        app.run()
        assert app.selectbox(key="findings_rule_detail").value == table.iloc[position]["rule"]
        # the user may still pick another rule while the finding stays selected
        app.selectbox(key="findings_rule_detail").set_value(shown).run()
        assert app.selectbox(key="findings_rule_detail").value == shown
    finally:
        app.session_state["findings_table"] = {"selection": {"rows": [], "columns": [], "cells": []}}
        app.run()
