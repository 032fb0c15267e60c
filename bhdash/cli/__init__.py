"""`bhdash` command line: the same engine the dashboard runs."""

from bhdash.cli import check, dashboard, ingest, remit, report, sample, workspace  # noqa: F401  (registers commands)
from bhdash.cli.app import app

__all__ = ["app"]
