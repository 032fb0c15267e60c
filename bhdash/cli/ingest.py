"""`bhdash ingest FILE`: show how an export is read — layout, column mapping, row accounting, preview.

The preview never shows patient names, dates of birth, member ids or patient keys.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bhdash.cli.app import app


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def parse_map_options(options: list[str]) -> dict[str, str]:
    """["Session Start=start_time", …] -> {"Session Start": "start_time"}."""
    overrides: dict[str, str] = {}
    for option in options:
        source, separator, field = option.rpartition("=")
        if not separator or not source.strip() or not field.strip():
            raise typer.BadParameter(f"expected \"Source Column=field\", got '{option}'", param_hint="--map")
        overrides[source.strip()] = field.strip()
    return overrides


@app.command("ingest")
def ingest_command(
    file: Annotated[Path, typer.Argument(help="Claims export: .xlsx, .xlsm, .xls or .csv.")],
    roster: Annotated[
        Path | None, typer.Option("--roster", help="Clinician roster / payer enrollments file.")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help='Override a column mapping: "Session Start=start_time" '
            '(repeatable; "=ignore" leaves a column unmapped).',
        ),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = OutputFormat.TABLE,
    preview: Annotated[int, typer.Option("--preview", min=0, help="Claim lines to preview.")] = 5,
) -> None:
    """Read a claims export and show the recognized layout, column mapping, row accounting and a preview."""
    from bhdash.arrow_memory import use_jemalloc
    from bhdash.cli.ingest_view import render_table, report
    from bhdash.errors import InputFileError
    from bhdash.ingest import ingest

    use_jemalloc()
    overrides = parse_map_options(map_ or [])
    try:
        result = ingest(file, roster=roster, mapping_overrides=overrides or None)
    except InputFileError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    data = report(result, preview)
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        typer.echo(render_table(data))
