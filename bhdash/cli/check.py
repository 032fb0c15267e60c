"""`bhdash check CLAIMS`: run every rule on a claims export and print or save the report."""

from __future__ import annotations

import threading
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer

from bhdash.cli.app import app
from bhdash.cli.ingest import parse_map_options
from bhdash.cli.workspace import WorkspaceOption, save_record

if TYPE_CHECKING:
    from bhdash.analysis import Analysis


class CheckFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"expected YYYY-MM-DD, got '{value}'", param_hint="--as-of") from error


def _read_remittances(paths: list[Path]) -> list:
    """The --remit files; none readable is unusable input (exit 2), a few unreadable ones are warnings."""
    from bhdash.errors import InputFileError
    from bhdash.remit import read_remittances

    read = read_remittances(paths)
    if not any(item.error is None for item in read):
        first = read[0] if read else None
        raise InputFileError(f"no 835 remittance could be read ({first.error if first else 'no files'})",
                             file=first.file if first else ", ".join(map(str, paths)))
    return read


# From a quarter of a megabyte (several thousand lines), calamine parses a workbook, without holding
# the GIL, for a good part of the time scikit-learn takes to import, so the analysis is prepared
# meanwhile. A smaller file, or a CSV (parsed holding the GIL), goes without: a check of a small export
# without outcomes never loads scikit-learn.
_PREPARE_WHILE_PARSING_BYTES = 256 * 1024
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def _parse_hides_preparation(claims: Path) -> bool:
    try:
        large = claims.stat().st_size >= _PREPARE_WHILE_PARSING_BYTES
    except OSError:  # a missing file is reported by the reader
        return False
    return large and claims.suffix.lower() in _WORKBOOK_SUFFIXES


def analyze_files(
    claims: Path,
    *,
    roster: Path | None = None,
    payers: Path | None = None,
    norms: Path | None = None,
    history: Path | None = None,
    as_of: date | None = None,
    map_options: list[str] | None = None,
    remit: list[Path] | None = None,
) -> Analysis:
    """Read and check the files as `bhdash check` does (`bhdash report` uses the same); unusable input
    prints one line naming file, sheet, row and column and exits with code 2."""
    from bhdash.analysis import analyze, prepare_analysis
    from bhdash.arrow_memory import use_jemalloc
    from bhdash.collector import settle
    from bhdash.errors import InputFileError
    from bhdash.ingest import ingest

    use_jemalloc()
    settle()
    if _parse_hides_preparation(claims):
        threading.Thread(target=prepare_analysis, name="prepare-analysis", daemon=True).start()
    overrides = parse_map_options(map_options or [])
    try:
        ingested = ingest(claims, roster=roster, mapping_overrides=overrides or None)
        past = ingest(history, roster=roster, mapping_overrides=overrides or None) if history else None
        remittances = _read_remittances(remit) if remit else None
        return analyze(ingested, payers_file=payers, norms_file=norms, history=past,
                       remittances=remittances, as_of=as_of)
    except InputFileError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error


@app.command("check")
def check_command(
    claims: Annotated[Path, typer.Argument(
        help="Claims export: .xlsx, .xlsm, .xls or .csv (roster sheets inside the workbook are used).")],
    roster: Annotated[Path | None, typer.Option(
        "--roster", help="Clinician roster / payer enrollments file.")] = None,
    payers: Annotated[Path | None, typer.Option(
        "--payers", help="Practice payer CSV laid over the shipped payer table.")] = None,
    norms: Annotated[Path | None, typer.Option("--norms", help="Practice code-mix norms CSV.")] = None,
    history: Annotated[Path | None, typer.Option(
        "--history", help="Adjudicated claims export that trains the denial-risk model (default: the "
        "claims file's own paid and denied lines, as in the dashboard).")] = None,
    remit: Annotated[list[Path] | None, typer.Option(
        "--remit", help="835 remittance file, folder or zip (repeatable); outcomes for --history, else for "
                        "the claims file.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Reference date YYYY-MM-DD (default: the latest date of service).")] = None,
    map_: Annotated[list[str] | None, typer.Option(
        "--map", help='Override a column mapping: "Session Start=start_time" (repeatable).')] = None,
    output: Annotated[CheckFormat, typer.Option("--format", help="table, json, csv or xlsx.")] = (
        CheckFormat.TABLE),
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the report to this file instead of stdout (required for xlsx).")] = None,
    save: Annotated[str | None, typer.Option(
        "--save", help="Keep this run in the workspace under this practice name (no patient data is kept).",
    )] = None,
    workspace: WorkspaceOption = None,
    force: Annotated[bool, typer.Option(
        "--force", help="With --save: store the run even if this very file is already stored.")] = False,
) -> None:
    """Check claim lines for denials and audit risk; exit 0 whatever is found, 2 on unusable input."""
    moment = _as_of(as_of)
    from bhdash.report import findings_csv, findings_xlsx, render_table
    from bhdash.workspace.record import file_digest, record_analysis

    if output is CheckFormat.XLSX and out is None:
        raise typer.BadParameter("the xlsx format needs --out FILE.xlsx", param_hint="--out")
    analysis = analyze_files(claims, roster=roster, payers=payers, norms=norms, history=history, as_of=moment,
                             map_options=map_, remit=remit)
    if save is not None:
        from bhdash.norms import load_norms

        record = record_analysis(analysis, file_name=claims.name, digest=file_digest(claims),
                                 norms=load_norms(norms) if norms is not None else None)
        save_record(workspace, save, record, force=force)
    if output is CheckFormat.JSON:
        _write_json(analysis, out)
        return
    if output is CheckFormat.CSV:
        content: str | bytes = findings_csv(analysis)
    elif output is CheckFormat.XLSX:
        content = findings_xlsx(analysis)
    else:
        content = render_table(analysis)
    if out is not None:
        out.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        typer.echo(f"wrote {out}", err=True)
    elif isinstance(content, bytes):
        typer.echo(content.decode("utf-8-sig"), nl=False)
    else:
        typer.echo(content, nl=False)


def _write_json(analysis: Analysis, out: Path | None) -> None:
    """The JSON report streamed to the file or stdout: a 1M-line report never sits in memory whole."""
    from bhdash.report import write_findings_json

    if out is None:
        stdout = click.get_binary_stream("stdout")
        write_findings_json(analysis, stdout)
        stdout.flush()
        return
    with out.open("wb") as handle:
        write_findings_json(analysis, handle)
    typer.echo(f"wrote {out}", err=True)
