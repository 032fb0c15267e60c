"""`bhdash sample`: write the built-in sample practice (or a larger benchmark set) to a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bhdash.cli.app import app
from bhdash.cli.workspace import opened
from bhdash.sample import DEFAULT_MONTHS, DEFAULT_SEED
from bhdash.workspace.campaign import DEMO_MONTHS, DEMO_PRACTICE, MAX_DEMO_MONTHS


@app.command()
def sample(
    seed: Annotated[int, typer.Option(help="Random seed; the same seed always gives the same files.")] = (
        DEFAULT_SEED),
    months: Annotated[int, typer.Option(min=1, max=12, help="Months of service, ending 10/31/2026.")] = (
        DEFAULT_MONTHS),
    out: Annotated[Path, typer.Option(help="Folder to write the files into.")] = Path("sample_data"),
    lines: Annotated[int | None, typer.Option(min=100, help="Approximate claim lines (benchmarks).")] = None,
    clean: Annotated[bool, typer.Option("--clean", help="No planted problems or credential gaps.")] = False,
    workspace: Annotated[Path | None, typer.Option(
        "--workspace", help="Instead of files, seed this workspace with the demo practice: monthly uploads "
                            "with a fix campaign in month 4.")] = None,
    uploads: Annotated[int, typer.Option(
        min=1, max=MAX_DEMO_MONTHS, help="With --workspace: how many monthly uploads.")] = DEMO_MONTHS,
    report: Annotated[bool, typer.Option(
        "--report/--no-report", help="Also build the example PDF report (needs Chromium).")] = True,
) -> None:
    """Write the sample practice in three vendor layouts plus roster, manifest and README.

    With --workspace, save the sample as monthly uploads of a demo practice instead (deterministic)."""
    if workspace is not None:
        from bhdash.workspace.demo import demo_scale, seed_demo

        with opened(workspace) as seeded:
            scale = 1.0 if lines is None else demo_scale(lines, seed=seed, months=uploads)
            ids = seed_demo(seeded, seed=seed, months=uploads, scale=scale)
        typer.echo(f"saved {len(ids)} monthly uploads of '{DEMO_PRACTICE}' in {workspace} "
                   f"(uploads {ids[0]}–{ids[-1]})")
        return
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
        if path.is_dir():
            files = list(path.glob("*.835"))
            size = sum(file.stat().st_size for file in files)
            typer.echo(f"  {path}/  {len(files)} files, {size / 1024:,.0f} KB")
        else:
            typer.echo(f"  {path}  {path.stat().st_size / 1024:,.0f} KB")
    if report:
        from bhdash.reportpack import BrowserMissing
        from bhdash.reportpack.example import write_example_report

        try:
            written = write_example_report(out)
        except BrowserMissing as error:
            typer.echo(f"  example report not written: {error}")
        else:
            typer.echo(f"  {written}  {written.stat().st_size / 1024:,.0f} KB")
