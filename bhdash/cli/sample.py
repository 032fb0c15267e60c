"""`bhdash sample`: write the built-in sample practice (or a larger benchmark set) to a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bhdash.cli.app import app
from bhdash.sample import DEFAULT_MONTHS, DEFAULT_SEED


@app.command()
def sample(
    seed: Annotated[int, typer.Option(help="Random seed; the same seed always gives the same files.")] = (
        DEFAULT_SEED),
    months: Annotated[int, typer.Option(min=1, max=12, help="Months of service, ending 10/31/2026.")] = (
        DEFAULT_MONTHS),
    out: Annotated[Path, typer.Option(help="Folder to write the files into.")] = Path("sample_data"),
    lines: Annotated[int | None, typer.Option(min=100, help="Approximate claim lines (benchmarks).")] = None,
    clean: Annotated[bool, typer.Option("--clean", help="No planted problems or credential gaps.")] = False,
) -> None:
    """Write the sample practice in three vendor layouts plus roster, manifest and README."""
    from bhdash.sample import generate_practice
    from bhdash.sample.generator import draft_practice
    from bhdash.sample.layouts import write_sample

    scale = 1.0
    if lines is not None:
        scale = lines / len(draft_practice(seed=seed, months=months).lines)
    practice = generate_practice(seed=seed, months=months, plant=not clean, scale=scale)
    paths = write_sample(practice, out)
    typer.echo(f"{len(practice.claims):,} claim lines, {len(practice.manifest):,} planted problem records "
               f"(seed {seed}, as of {practice.as_of:%Y-%m-%d})")
    for path in paths.values():
        typer.echo(f"  {path}  {path.stat().st_size / 1024:,.0f} KB")
