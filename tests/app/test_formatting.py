"""Formatting helpers of the dashboard glue: st.metric reads the delta's sign to pick arrow and colour."""

from bhdash.app.formatting import count_change, money_change


def test_money_change_signs_are_ascii_so_streamlit_sees_decreases() -> None:
    assert money_change(-10512.4) == "-$10,512"
    assert money_change(10512.4) == "+$10,512"
    assert money_change(0.2) is None


def test_count_change_keeps_digits_and_ascii_sign() -> None:
    assert count_change(-93.2, 1) == "-93.2"
    assert count_change(1500) == "+1,500"
    assert count_change(0.01, 1) is None


def test_markdown_and_html_in_user_text_are_escaped():
    from bhdash.app.formatting import plain

    assert plain("sheet '**Q1**' [x](javascript:alert(1)) <b>$5</b> &lt;") == (
        "sheet '\\*\\*Q1\\*\\*' \\[x\\]\\(javascript\\:alert\\(1\\)\\) \\<b\\>\\$5\\</b\\> \\&lt;"
    )
