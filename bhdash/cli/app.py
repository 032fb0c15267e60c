"""The typer application every `bhdash` command registers on.

Plain help and errors (no rich formatting): rich costs half a second of import on every `bhdash --help`,
and usage errors stay one-line messages. Pretty tracebacks are off so a crash never prints local variables
(which can hold patient names) whatever typer's default, and an unexpected error is one line, no traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

DEBUG_VARIABLE = "BHDASH_DEBUG"


class GuardedTyper(typer.Typer):
    """A Typer app that never prints a traceback (which can show patients' names in local variables).

    An unexpected failure becomes one line on stderr and exit code 1; set BHDASH_DEBUG=1 to get the
    plain traceback, still without local variables.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as error:  # the last line of defence: anything not already a clean message
            if os.environ.get(DEBUG_VARIABLE):
                raise
            typer.echo(
                f"error: bhdash stopped on an internal error ({type(error).__name__}); "
                f"run again with {DEBUG_VARIABLE}=1 for details and report it",
                err=True,
            )
            sys.exit(1)


app = GuardedTyper(
    name="bhdash",
    help="Coding and credentialing checks for behavioral-health claims.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main() -> None:
    """Coding and credentialing checks for behavioral-health claims."""
