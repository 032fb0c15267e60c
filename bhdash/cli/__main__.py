"""`python -m bhdash.cli`: the `bhdash` command without the installed entry point (e.g. from a checkout)."""

from bhdash.cli import app

app()
