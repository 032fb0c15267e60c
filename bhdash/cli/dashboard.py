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
    host: str = typer.Option(
        "127.0.0.1",
        help="Address to listen on. The default serves this computer only: the dashboard shows patient data "
        "and has no login. See the README before using 0.0.0.0.",
    ),
) -> None:
    """Start the dashboard in the browser (on this computer only unless --host says otherwise)."""
    env = dict(os.environ)
    if sample:
        env["BHDASH_OPEN_SAMPLE"] = "1"
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP_ENTRYPOINT),
        "--server.port", str(port), "--server.address", host,
    ]
    # From the project folder, so Streamlit reads its .streamlit/config.toml (upload limit, no tracebacks).
    raise typer.Exit(subprocess.call(command, env=env, cwd=APP_ENTRYPOINT.parent))
