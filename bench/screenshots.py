"""Screenshots of every dashboard page at 1440×900 on the sample practice, in light and dark theme.

For each page two PNGs are written: `<theme>_<nn>_<page>.png`, the 1440×900 view a user first sees, and
`…_full.png`, the whole page (the viewport is stretched to the content height, since Streamlit scrolls
inside its main container rather than the document).

    python bench/screenshots.py [--out bench/screenshots] [--theme light|dark|both]

Starts `streamlit run` headless on a free port with BHDASH_OPEN_SAMPLE=1, drives Debian's Chromium
(/usr/bin/chromium) with Playwright through the sidebar navigation (one browser session, so the sample is
read once), and writes full-page PNGs. The output folder is git-ignored.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from streamlit_ui import go_to, serve, wait_for_app_run  # noqa: E402

PAGES = (
    "Start", "Payers", "Overview", "Findings", "Clinicians", "Credentialing", "Denial risk", "Denials",
    "What-if", "Report", "Progress", "Practices", "Rules",
)
VIEWPORT = {"width": 1440, "height": 900}
CONTENT_HEIGHT = (
    "() => Math.ceil(document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
    ".getBoundingClientRect().height) + 160"
)


def capture(out: Path, themes: list[str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with serve(open_sample=True) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for theme in themes:
            context = browser.new_context(viewport=VIEWPORT, color_scheme=theme)
            page = context.new_page()
            page.goto(f"{url}/")
            wait_for_app_run(page)
            page.get_by_test_id("stPlotlyChart").first.wait_for(timeout=300_000)  # sample read and checked
            for title in PAGES:
                started = time.perf_counter()
                go_to(page, title)
                if title == "What-if":  # show a worked scenario, as in a client meeting
                    page.get_by_role("button", name="Fix the enrollment gaps").click()
                    wait_for_app_run(page)
                page.wait_for_timeout(2500)  # let plotly and the data grids finish drawing
                slug = title.lower().replace(" ", "_").replace("-", "")
                stem = f"{theme}_{PAGES.index(title) + 1:02d}_{slug}"
                path = out / f"{stem}.png"
                page.screenshot(path=str(path))
                height = page.evaluate(CONTENT_HEIGHT)
                full = {"width": VIEWPORT["width"], "height": max(height, VIEWPORT["height"])}
                page.set_viewport_size(full)
                page.wait_for_timeout(2500)
                page.screenshot(path=str(out / f"{stem}_full.png"))
                page.set_viewport_size(VIEWPORT)
                written += [path, out / f"{stem}_full.png"]
                print(f"{stem}: {time.perf_counter() - started:.2f} s")
            context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "screenshots")
    parser.add_argument("--theme", choices=["light", "dark", "both"], default="both")
    args = parser.parse_args()
    themes = ["light", "dark"] if args.theme == "both" else [args.theme]
    written = capture(args.out, themes)
    print(f"{len(written)} screenshots in {args.out}")


if __name__ == "__main__":
    main()
