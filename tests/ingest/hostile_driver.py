"""Run `bhdash check` (and `bhdash ingest` for values) on every file of a folder, in this one process.

Usage: python -m tests.ingest.hostile_driver FOLDER RESULTS.jsonl [NAME …]  (NAMEs: also preview values)
Each file's stdout and stderr are taken at the descriptor level, so anything a native library
prints is caught too. If a file crashes the process, the results stop at the file before it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from bhdash.cli import app


def _run(arguments: list[str]) -> tuple[int, str, str]:
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            app(arguments, prog_name="bhdash")
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        out.seek(0)
        err.seek(0)
        return code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")


def main() -> None:
    folder, results = Path(sys.argv[1]), Path(sys.argv[2])
    with_values = set(sys.argv[3:])
    with results.open("w") as sink:
        for path in sorted(folder.iterdir()):
            code, out, err = _run(["check", str(path), "--format", "json"])
            record = {"name": path.name, "code": code, "stderr": err}
            if code == 0:
                report = json.loads(out)
                record["lines"] = report["summary"]["claim_lines"]
                record["warnings"] = report["warnings"]
            if code == 0 and path.name in with_values:
                ingest_code, ingest_out, ingest_err = _run(
                    ["ingest", str(path), "--format", "json", "--preview", "20"]
                )
                record["ingest_code"], record["ingest_stderr"] = ingest_code, ingest_err
                record["preview"] = json.loads(ingest_out)["preview"] if ingest_code == 0 else None
            sink.write(json.dumps(record) + "\n")
            sink.flush()


if __name__ == "__main__":
    main()
