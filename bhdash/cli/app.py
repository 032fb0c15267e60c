"""The typer application every `bhdash` command registers on.

Plain help and errors (no rich formatting): rich costs half a second of import on every `bhdash --help`,
and usage errors stay one-line messages. Pretty tracebacks are off so a crash never prints local variables
(which can hold patient names) whatever typer's default.
"""

import typer

app = typer.Typer(
    name="bhdash",
    help="Coding and credentialing checks for behavioral-health claims.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """Coding and credentialing checks for behavioral-health claims."""
