"""The PDF: the report's print HTML printed to PDF by headless Chromium.

Chromium lays out the same HTML the interactive report uses (CSS paged media gives Letter paper, the
practice name in the header and "Page n of N" in the footer) and draws the charts with plotly.js as
vectors, so the PDF's charts are the dashboard's charts, sharp at any zoom. Chrome or Chromium is the one
thing the PDF needs beyond pip: found on PATH (chromium, chromium-browser, google-chrome) or named by the
BROWSER_PATH environment variable, as kaleido finds it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSER_NAMES: tuple[str, ...] = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)
INSTALL_HINT = "install Chromium (Debian/Ubuntu: apt-get install chromium) or set BROWSER_PATH to Chrome"
PRINT_TIMEOUT_SECONDS = 180


class BrowserMissing(RuntimeError):
    """No Chrome or Chromium to print the PDF with; the message says what to install."""


def find_browser() -> str | None:
    """The Chrome/Chromium executable: BROWSER_PATH when it names one, else the first on PATH."""
    named = os.environ.get("BROWSER_PATH")
    if named:
        return named if Path(named).is_file() and os.access(named, os.X_OK) else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str) -> bytes:
    """Print one HTML document to PDF bytes with headless Chromium.

    The HTML and the browser profile live in a private temporary folder (mode 700) removed at once:
    an identified report's patient names exist on disk only while the browser reads them.
    """
    browser = find_browser()
    if browser is None:
        raise BrowserMissing(
            f"the PDF report needs Chrome or Chromium, and none was found: {INSTALL_HINT}. "
            "The HTML report (--format html) works without it."
        )
    with tempfile.TemporaryDirectory(prefix="bhdash-report-") as folder:
        page = Path(folder) / "report.html"
        target = Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--no-first-run",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            raise BrowserMissing(
                f"Chromium ({browser}) could not print the PDF ({type(error).__name__}); {INSTALL_HINT}."
            ) from error
        if not target.exists() or target.stat().st_size == 0:
            raise BrowserMissing(f"Chromium ({browser}) printed no PDF; {INSTALL_HINT}.")
        return target.read_bytes()
