"""Workspace commands: `bhdash history`, `bhdash compare` and `bhdash workspace practices|export|delete`.

Every command takes `--workspace PATH` (default: $BHDASH_WORKSPACE, else the user's data folder). A
workspace problem (in use elsewhere, from a newer bhdash, damaged) prints one line and exits with 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bhdash.cli.app import app

if TYPE_CHECKING:
    from bhdash.workspace.record import UploadRecord
    from bhdash.workspace.store import Workspace

WorkspaceOption = Annotated[Path | None, typer.Option(
    "--workspace", help="Workspace file (default: $BHDASH_WORKSPACE, else the user's data folder).")]

workspace_app = typer.Typer(help="List, export or delete the practices kept in a workspace.",
                            no_args_is_help=True)
app.add_typer(workspace_app, name="workspace")


class HistoryFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@contextmanager
def opened(path: Path | None, *, read_only: bool = False) -> Iterator[Workspace]:
    """The workspace, or a one-line error and exit code 2."""
    from bhdash.workspace.store import Workspace, WorkspaceError

    try:
        with Workspace.open(path, read_only=read_only) as workspace:
            yield workspace
    except WorkspaceError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error


def save_record(path: Path | None, practice: str, record: UploadRecord, *, force: bool) -> None:
    """Store a check run; a file already stored in the practice is refused unless confirmed or forced."""
    from bhdash.workspace.store import DuplicateUploadError

    with opened(path) as workspace:
        try:
            upload_id = workspace.save_upload(practice, record, force=force)
        except DuplicateUploadError as duplicate:
            if not sys.stdin.isatty() or not typer.confirm(f"{duplicate}. Store it again?", err=True):
                typer.echo(f"error: {duplicate}; not saved again (use --force to store a second copy)",
                           err=True)
                raise typer.Exit(1) from duplicate
            upload_id = workspace.save_upload(practice, record, force=True)
        typer.echo(f"saved as upload {upload_id} of '{practice}' in {workspace.path} "
                   "(no patient names, birth dates or member IDs are stored)", err=True)


def _money(value: float) -> str:
    return "—" if value != value else f"${value:,.0f}"  # NaN is the only value unequal to itself


def _signed_money(value: float) -> str:
    """ASCII sign, so a decrease reads as one in any terminal."""
    return f"{'+' if value > 0 else '-' if value < 0 else ''}${abs(value):,.0f}"


@app.command("history")
def history_command(
    practice: Annotated[str, typer.Argument(help="Practice name.")],
    workspace: WorkspaceOption = None,
    output: Annotated[HistoryFormat, typer.Option("--format", help="table or json.")] = HistoryFormat.TABLE,
) -> None:
    """List a practice's uploads with their KPIs, oldest first."""
    import pandas as pd

    from bhdash.workspace.progress import history_table

    with opened(workspace, read_only=True) as opened_workspace:
        table = history_table(opened_workspace, practice)
    if output is HistoryFormat.JSON:
        records = json.loads(table.to_json(orient="records", date_format="iso"))
        typer.echo(json.dumps({"practice": practice, "uploads": records}, indent=2))
        return
    shown = pd.DataFrame({
        "upload": table["upload_id"],
        "file": table["file_name"],
        "period": table["period_start"].dt.strftime("%Y-%m-%d") + " – " + table["period_end"].dt.strftime(
            "%Y-%m-%d"),
        "analysed": table["analysed_at"].dt.strftime("%Y-%m-%d %H:%M"),
        "lines": table["claim_lines"].map("{:,}".format),
        "clean share": table["clean_line_share"].map(lambda v: "—" if v != v else f"{v:.1%}"),
        "findings": table["findings"].astype("int64"),
        "at risk": table["at_risk"].map(_money),
        "rules skipped": table["rules_skipped"].astype("int64"),
        "catalogue": table["catalogue_version"] + table["older_catalogue"].map({True: " (older)", False: ""}),
    })
    typer.echo(f"{practice}: {len(shown)} upload{'s' if len(shown) != 1 else ''}")
    typer.echo(shown.to_string(index=False))
    if table["older_catalogue"].any():
        typer.echo("(older): analysed under an earlier rule catalogue; re-check the file to compare like "
                   "with like.")


@app.command("compare")
def compare_command(
    practice: Annotated[str, typer.Argument(help="Practice name.")],
    before: Annotated[int | None, typer.Option(
        "--from", help="Earlier upload id (default: the one before --to).")] = None,
    after: Annotated[int | None, typer.Option("--to", help="Later upload id (default: latest).")] = None,
    workspace: WorkspaceOption = None,
    output: Annotated[HistoryFormat, typer.Option("--format", help="table or json.")] = HistoryFormat.TABLE,
) -> None:
    """Findings new, resolved and persisting between two uploads; money at risk by family and clinician."""
    import pandas as pd

    from bhdash.workspace.compare import compare_uploads

    with opened(workspace, read_only=True) as opened_workspace:
        uploads = opened_workspace.uploads(practice)["upload_id"].tolist()
        if before is None or after is None:
            if len(uploads) < 2:
                typer.echo(f"error: '{practice}' has {len(uploads)} upload(s); comparing needs two", err=True)
                raise typer.Exit(2)
            after = uploads[-1] if after is None else after
            earlier = [upload for upload in uploads if upload != after]
            before = earlier[-1] if before is None else before
        for chosen in (before, after):
            opened_workspace.upload(practice, chosen)
        comparison = compare_uploads(before, after, opened_workspace.table("lines", [before, after]),
                                     opened_workspace.table("findings", [before, after]))
    counts = comparison.counts()
    if output is HistoryFormat.JSON:
        document = {
            "practice": practice, "from": before, "to": after, "counts": counts,
            "findings": json.loads(comparison.findings.drop(columns=["upload_id"]).to_json(
                orient="records", date_format="iso")),
            "by_family": json.loads(comparison.by_family.to_json(orient="records")),
            "by_clinician": json.loads(comparison.by_clinician.to_json(orient="records")),
        }
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo(f"{practice}: upload {before} → upload {after}")
    typer.echo("  " + ", ".join(f"{count} {change}" for change, count in counts.items()))
    for title, table in (("Money at risk by family", comparison.by_family),
                         ("Money at risk by clinician", comparison.by_clinician)):
        typer.echo(f"\n{title}:")
        if table.empty:
            typer.echo("  (none)")
            continue
        shown = table.assign(**{column: table[column].map(_money) for column in ("before", "after")},
                             change=table["change"].map(_signed_money))
        typer.echo(shown.to_string(index=False))
    changed = comparison.findings[comparison.findings["change"].isin(["new", "resolved"])]
    if not changed.empty:
        typer.echo("\nNew and resolved findings:")
        listed = changed.sort_values(["change", "rule", "service_date"])[
            ["change", "rule", "severity", "claim_id", "code", "service_date", "clinician", "amount"]]
        listed = listed.assign(service_date=pd.to_datetime(listed["service_date"]).dt.strftime("%Y-%m-%d"),
                               amount=listed["amount"].map(_money))
        typer.echo(listed.to_string(index=False))


@workspace_app.command("practices")
def practices_command(workspace: WorkspaceOption = None) -> None:
    """List the practices in the workspace with their number of uploads."""
    with opened(workspace, read_only=True) as opened_workspace:
        table = opened_workspace.practices()
        typer.echo(f"workspace {opened_workspace.path}")
    if table.empty:
        typer.echo("no practices yet")
        return
    typer.echo(table[["name", "uploads", "latest_analysis"]].to_string(index=False))


@workspace_app.command("export")
def export_command(
    practice: Annotated[str, typer.Argument(help="Practice name.")],
    out: Annotated[Path, typer.Option("--out", help="Workbook to write (.xlsx).")],
    workspace: WorkspaceOption = None,
) -> None:
    """Write everything the workspace keeps about a practice to an xlsx, one sheet per table."""
    from bhdash.workspace.export import practice_workbook

    with opened(workspace, read_only=True) as opened_workspace:
        content = practice_workbook(opened_workspace, practice)
    out.write_bytes(content)
    typer.echo(f"wrote {out}", err=True)


@workspace_app.command("delete")
def delete_command(
    practice: Annotated[str, typer.Argument(help="Practice name.")],
    upload: Annotated[int | None, typer.Option("--upload", help="Delete only this upload.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Delete a practice with all its uploads, or one upload; the rows are removed from the file."""
    what = (f"upload {upload} of '{practice}'" if upload is not None
            else f"practice '{practice}' and all its uploads")
    if not yes and not typer.confirm(f"Delete {what}?", err=True):
        raise typer.Exit(1)
    with opened(workspace) as opened_workspace:
        if upload is not None:
            opened_workspace.upload(practice, upload)
            opened_workspace.delete_upload(upload)
        else:
            opened_workspace.delete_practice(practice)
    typer.echo(f"deleted {what}", err=True)
