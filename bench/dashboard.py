"""How fast the dashboard answers after the first load, measured with AppTest on the sample practice.

    python bench/dashboard.py [--repeat 3]

Loads the sample practice once (BHDASH_OPEN_SAMPLE=1) and waits for the denial-risk model, which trains in
the background, then times every page switch and a few filter changes; each figure is the wall time of one
full script run (entrypoint + page), the same work a browser interaction triggers. Target (issue 5):
under a second after the first load; the What-if scenario (issue 6) also under a second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from machine import speed_line  # bench/machine.py
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "Start": "pages/start.py",
    "Overview": "pages/overview.py",
    "Findings": "pages/findings.py",
    "Clinicians": "pages/clinicians.py",
    "Credentialing": "pages/credentialing.py",
    "Denial risk": "pages/denial_risk.py",
    "What-if": "pages/what_if.py",
    "Rules": "pages/rules.py",
}
TARGET_SECONDS = 1.0


def _run_entrypoint_every_time() -> None:
    """As under `streamlit run`: AppTest would otherwise run page files alone after the first run, because
    a `pages/` folder sits next to the entrypoint (see tests/app/conftest.py)."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _pick_first(app: AppTest, key: str) -> None:
    widget = app.multiselect(key=key)
    widget.set_value(widget.options[:1]).run()


def _clear(app: AppTest) -> None:
    app.multiselect(key="filter_payers").set_value([])
    app.multiselect(key="filter_clinicians").set_value([])
    app.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(speed_line())
    os.environ["BHDASH_OPEN_SAMPLE"] = "1"
    _run_entrypoint_every_time()
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    first = _timed(app.run)
    if app.exception:
        raise SystemExit(f"the app raised: {app.exception[0].message}")
    job = app.session_state["_loaded"].model
    model = _timed(lambda: job.future.result() if job is not None else None)
    app.run()  # as the sidebar's poll does in a browser once the model is ready
    print(f"first load (read + check + Overview's findings): {first:.2f} s; the denial-risk model's figures "
          f"{model:.2f} s later")
    results: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for title, path in PAGES.items():
            results.setdefault(f"switch to {title}", []).append(
                _timed(lambda p=path: app.switch_page(p).run())
            )
    app.switch_page(PAGES["Overview"]).run()
    for _ in range(args.repeat):
        results.setdefault("filter: one payer (Overview)", []).append(
            _timed(lambda: _pick_first(app, "filter_payers"))
        )
        results.setdefault("filter: one clinician (Overview)", []).append(
            _timed(lambda: _pick_first(app, "filter_clinicians"))
        )
        results.setdefault("filter: cleared (Overview)", []).append(_timed(lambda: _clear(app)))
    app.switch_page(PAGES["What-if"]).run()
    for attempt in range(args.repeat):
        suffix = "" if attempt == 0 else " (again, cached)"
        for label in ("90837 outliers to the norm", "Fix the enrollment gaps", "A blank scenario"):
            preset = next(button for button in app.button if button.label == label)
            results.setdefault(f"what-if: {label}{suffix}", []).append(
                _timed(lambda b=preset: b.click().run())
            )
    if app.exception:
        raise SystemExit(f"the app raised: {app.exception[0].message}")
    width = max(len(name) for name in results)
    print(f"{'interaction':<{width}}  median s  worst s  vs {TARGET_SECONDS:.0f} s target")
    for name, times in results.items():
        worst = max(times)
        print(
            f"{name:<{width}}  {statistics.median(times):8.3f}  {worst:7.3f}  {worst / TARGET_SECONDS:5.2f}×"
        )
    worst_overall = max(max(times) for times in results.values())
    print(
        f"slowest interaction after first load: {worst_overall:.3f} s "
        f"({'within' if worst_overall < TARGET_SECONDS else 'OVER'} the {TARGET_SECONDS:.0f} s target)"
    )


if __name__ == "__main__":
    main()
