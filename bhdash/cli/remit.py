"""`bhdash remit FILES...`: what 835 remittance files hold, for a person (table) or a script (json/csv).

Folders and zip archives are read whole. Exit 0 when at least one file was read, 2 when none was; each
unreadable file is named with its reason on stderr and the rest go on. The table never shows patient
names; json and csv are exports the user asked for and carry them.
"""

from __future__ import annotations

import io
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bhdash.cli.app import app

if TYPE_CHECKING:
    from bhdash.remit import RemitFile

_CSV_COLUMNS = ("file", "claim_id", "status", "patient_name", "procedure_code", "modifiers", "service_date",
                "charge", "paid", "units", "adjustments", "remarks")


class RemitFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def _table(files: list[RemitFile]) -> str:
    import pandas as pd

    readable = [item for item in files if item.error is None]
    frame = pd.DataFrame([{
        "file": Path(item.file).name, "payer": item.payer or "", "paid on": str(item.payment_date or ""),
        "payment": f"{item.payment_total:,.2f}", "claims": len(item.claims), "lines": item.line_count,
        "denied claims": sum(claim.status == "4" for claim in item.claims),
        "warnings": len(item.warnings),
    } for item in readable])
    out = [f"{len(readable)} of {len(files)} remittance file(s) read", ""]
    if not frame.empty:
        out += [frame.to_string(index=False), ""]
    for item in files:
        if item.error is not None:
            out.append(f"not read: {item.file}: {item.error}")
        out.extend(f"warning: {warning}" for warning in item.warnings)
    return "\n".join(out).rstrip("\n") + "\n"


def _csv(files: list[RemitFile]) -> str:
    import pandas as pd

    from bhdash.remit import remit_document

    claims = remit_document(files)["claims"]
    rows = [{
        "file": claim["file"], "claim_id": claim["claim_id"], "status": claim["status"],
        "patient_name": claim["patient_name"], "procedure_code": line["procedure_code"],
        "modifiers": " ".join(line["modifiers"]), "service_date": line["service_date"],
        "charge": line["charge"], "paid": line["paid"], "units": line["units"],
        "adjustments": " ".join(f"{a['group']}-{a['reason']} {a['amount']:.2f}" for a in line["adjustments"]),
        "remarks": " ".join(line["remarks"]),
    } for claim in claims for line in claim["lines"]]
    buffer = io.StringIO()
    pd.DataFrame(rows, columns=list(_CSV_COLUMNS)).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


@app.command("remit")
def remit_command(
    files: Annotated[list[Path], typer.Argument(help="835 files, folders of them, or zip archives.")],
    output: Annotated[RemitFormat, typer.Option("--format", help="table, json or csv.")] = RemitFormat.TABLE,
) -> None:
    """Read X12 835 remittance advice files; exit 0 when at least one was read, 2 when none."""
    from bhdash.arrow_memory import use_jemalloc
    from bhdash.remit import read_remittances, remit_document

    use_jemalloc()
    read = read_remittances(files)
    if output is not RemitFormat.TABLE:  # the table lists unreadable files itself
        for item in read:
            if item.error is not None:
                typer.echo(f"error: file '{item.file}': {item.error}", err=True)
    if output is RemitFormat.JSON:
        typer.echo(json.dumps(remit_document(read), indent=2))
    elif output is RemitFormat.CSV:
        typer.echo(_csv(read), nl=False)
    else:
        typer.echo(_table(read), nl=False)
    if not any(item.error is None for item in read):
        raise typer.Exit(2)
