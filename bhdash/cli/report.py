"""`bhdash report CLAIMS`: the client-ready report (PDF or self-contained HTML) on the engine `check` runs."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bhdash.cli.app import app
from bhdash.cli.check import _as_of, analyze_files

if TYPE_CHECKING:
    from bhdash.whatif import Scenario


class ReportFormat(StrEnum):
    PDF = "pdf"
    HTML = "html"


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"expected YYYY-MM-DD, got '{value}'", param_hint=option) from error


def _scenario(path: Path | None) -> Scenario | None:
    if path is None:
        return None
    from bhdash.whatif import scenario_from_json

    try:
        return scenario_from_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        typer.echo(f"error: file '{path}': {error}", err=True)
        raise typer.Exit(2) from error


def _logo(path: Path | None) -> bytes | None:
    """The logo's bytes, or None after a one-line warning: a bad logo never stops the report."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError as error:
        typer.echo(
            f"warning: logo '{path}' could not be read ({error.strerror}); the report has no logo.", err=True
        )
        return None
    from bhdash.reportpack import logo_data_uri

    if logo_data_uri(data) is None:
        typer.echo(f"warning: logo '{path}' is not a PNG image; the report has no logo.", err=True)
        return None
    return data


@app.command("report")
def report_command(
    claims: Annotated[Path, typer.Argument(help="Claims export: .xlsx, .xlsm, .xls or .csv.")],
    roster: Annotated[
        Path | None, typer.Option("--roster", help="Clinician roster / payer enrollments file.")
    ] = None,
    payers: Annotated[Path | None, typer.Option("--payers", help="Practice payer CSV.")] = None,
    norms: Annotated[Path | None, typer.Option("--norms", help="Practice code-mix norms CSV.")] = None,
    history: Annotated[
        Path | None,
        typer.Option("--history", help="Adjudicated claims export that trains the denial-risk model."),
    ] = None,
    remit: Annotated[list[Path] | None, typer.Option(
        "--remit", help="835 remittance file, folder or zip (repeatable); outcomes for --history, else for "
                        "the claims file.")] = None,
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="What-if scenario JSON (saved from the dashboard's What-if page)."),
    ] = None,
    practice: Annotated[
        str | None, typer.Option("--practice", help="Practice name for the cover and header.")
    ] = None,
    prepared_by: Annotated[str | None, typer.Option("--prepared-by", help="Who prepared the report.")] = None,
    prepared_for: Annotated[
        str | None, typer.Option("--prepared-for", help="Who the report is for (default: the practice).")
    ] = None,
    logo: Annotated[Path | None, typer.Option("--logo", help="PNG logo for the cover.")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First date of service, YYYY-MM-DD.")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last date of service, YYYY-MM-DD.")] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Reference date YYYY-MM-DD (default: the latest date of service)."),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help='Override a column mapping: "Session Start=start_time" (repeatable).'),
    ] = None,
    identified: Annotated[
        bool,
        typer.Option("--identified", help="Put patient names in the example rows (default: de-identified)."),
    ] = False,
    output: Annotated[ReportFormat, typer.Option("--format", help="pdf or html.")] = ReportFormat.PDF,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default: report.pdf / report.html).")
    ] = None,
) -> None:
    """Write the consultant's report; exit 0 when written, 2 on unusable input or no browser for the PDF."""
    import pandas as pd

    from bhdash.errors import InputFileError
    from bhdash.metrics import Filters
    from bhdash.norms import load_norms
    from bhdash.payers import PayerDirectory
    from bhdash.reportpack import (
        BrowserMissing,
        ReportOptions,
        build_report,
        practice_name_from,
        report_html,
        report_pdf,
    )

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    if start is not None and end is not None and start > end:
        raise typer.BadParameter("--from is after --to", param_hint="--from")
    moment = _as_of(as_of)
    chosen = _scenario(scenario)
    picture = _logo(logo)
    analysis = analyze_files(
        claims, roster=roster, payers=payers, norms=norms, history=history, as_of=moment, map_options=map_,
        remit=remit,
    )
    try:
        directory = PayerDirectory.load(payers) if payers is not None else None
        norm_table = load_norms(norms) if norms is not None else None
    except InputFileError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    options = ReportOptions(
        practice=practice or practice_name_from(claims.name),
        prepared_by=prepared_by,
        prepared_for=prepared_for,
        prepared_on=dt.date.today(),
        logo=picture,
        identified=identified,
        filters=Filters(start=pd.Timestamp(start) if start else None, end=pd.Timestamp(end) if end else None),
        scenario=chosen,
    )
    report = build_report(analysis, options, payers=directory, norms_table=norm_table)
    target = out or Path(f"report.{output.value}")
    if output is ReportFormat.HTML:
        content = report_html(report)
    else:
        try:
            content = report_pdf(report)
        except BrowserMissing as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
    target.write_bytes(content)
    kind = "identified (contains patient names)" if identified else "de-identified"
    typer.echo(f"wrote {target} ({len(report.clinicians)} clinician report cards, {kind})", err=True)
