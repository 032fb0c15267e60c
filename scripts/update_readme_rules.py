"""Rewrite the rule list in README.md from the registered catalogue (run after adding or changing a rule).

Usage: python scripts/update_readme_rules.py
"""

from __future__ import annotations

from pathlib import Path

from bhdash.metrics import rule_list_markdown

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- rules:start -->\n", "<!-- rules:end -->\n"


def main() -> None:
    text = README.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(head + START + rule_list_markdown() + END + tail)
    print(f"updated the rule list in {README}")


if __name__ == "__main__":
    main()
