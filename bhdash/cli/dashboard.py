"""`bhdash dashboard`: start the Streamlit app, optionally straight on the sample practice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

from bhdash.cli.app import app

APP_ENTRYPOINT = Path(__file__).resolve().parents[2] / "streamlit_app.py"


@app.command()
def dashboard(
    sample: bool = typer.Option(False, "--sample", help="Open on the built-in sample practice."),
    port: int = typer.Option(8501, help="Port to serve on."),
) -> None:
    """Start the dashboard in the browser."""
    env = dict(os.environ)
    if sample:
        env["BHDASH_OPEN_SAMPLE"] = "1"
    command = [sys.executable, "-m", "streamlit", "run", str(APP_ENTRYPOINT), "--server.port", str(port)]
    # From the project folder, so Streamlit reads its .streamlit/config.toml (upload limit, no tracebacks).
    raise typer.Exit(subprocess.call(command, env=env, cwd=APP_ENTRYPOINT.parent))
