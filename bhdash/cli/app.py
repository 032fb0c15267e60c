"""The typer application every `bhdash` command registers on."""

import typer

app = typer.Typer(
    name="bhdash",
    help="Coding and credentialing checks for behavioral-health claims.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """Coding and credentialing checks for behavioral-health claims."""
