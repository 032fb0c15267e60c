"""Payers on the sample practice: each payer with its type, settings and their origins; a setting changed
on the page recomputes the analysis exactly as `bhdash check --payers` does with the same file."""

from bhdash.analysis import analyze
from bhdash.app import session
from bhdash.payers import default_directory


def _table(app):
    return app.dataframe[0].value.set_index("payer")  # the settings table comes first on the page


def _missing_cigna_modifier(findings):
    return (
        (findings["rule"] == "TELE-002")
        & findings["payer"].str.contains("Cigna", na=False)
        & findings["message"].str.contains("without modifier", na=False)
    )


def test_payers_page_lists_each_payer_with_its_type_and_what_is_assumed(open_page, expected):
    app = open_page("pages/payers.py")
    table = _table(app)
    seen = default_directory().payer_file(expected.analysis.claims["payer"])
    assert sorted(table.index) == sorted(seen["payer"])
    assert table.loc["Medicare", "payer_type"] == "medicare"
    assert table.loc["Medicare", "unconfirmed"] == ""
    assert "Filing limit (days)" in table.loc["Aetna", "unconfirmed"]
    assert "Telehealth modifier" in table.loc["Cigna", "unconfirmed"]
    assumed = int((table["unconfirmed"] != "").sum())
    assert app.warning[0].value.startswith(f"{assumed} of {len(table)} payers have settings taken on trust")


def test_a_setting_changed_on_the_page_recomputes_like_the_cli(open_page, sample_app, expected):
    app = open_page("pages/payers.py")
    app.selectbox(key="payers_chosen").set_value("Cigna").run()
    modifier = next(box for box in app.text_input if box.key.startswith("modifiers_"))
    assert modifier.value == "95"
    modifier.set_value("none")
    next(button for button in app.button if button.key.startswith("save_")).click().run(timeout=900)
    try:
        assert not app.exception
        table = _table(app)
        assert table.loc["Cigna", "telehealth_modifiers"] == "none"
        assert "Telehealth modifier" not in table.loc["Cigna", "unconfirmed"]
        assert "Filing limit (days)" in table.loc["Cigna", "unconfirmed"]  # untouched: still assumed
        data = app.session_state[session.PAYERS_FILE].data
        shown = app.session_state["_loaded"].analysis.check.findings
        cli = analyze(expected.ingest, payers_file=data, history=expected.ingest).check.findings
        assert len(shown) == len(cli)
        before = expected.findings
        assert _missing_cigna_modifier(before).sum() > 0
        assert len(shown) == len(before) - int(_missing_cigna_modifier(before).sum())
        assert not _missing_cigna_modifier(shown).any()
    finally:
        sample_app.session_state[session.PAYERS_FILE] = None
        sample_app.switch_page("pages/overview.py").run(timeout=900)
