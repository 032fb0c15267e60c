"""Time the workspace: saving a ~25k-line upload, and the Progress figures over 24 stored uploads.

Usage: python bench/workspace.py [--lines 25000] [--uploads 24] [--repeat 3]
The sample practice is generated and analysed once (not timed); then the analysis is recorded and saved
(`record_analysis` + `save_upload`, what `--save` and the Start page's button do), and a practice of
`--uploads` copies of it is read back into every Progress figure. Prints median wall times and their
ratio to the 1 s target (ratio < 1 passes). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.0


def _median(action, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds (CPU time shows the cost on a machine other processes share)."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=25_000)
    parser.add_argument("--uploads", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()

    import pandas as pd

    from bhdash.analysis import analyze
    from bhdash.ingest import IngestResult, IngestSource
    from bhdash.norms import code_mix, load_norms
    from bhdash.sample import generate_practice
    from bhdash.sample.generator import draft_practice
    from bhdash.workspace.progress import progress_figures
    from bhdash.workspace.record import record_analysis
    from bhdash.workspace.store import Workspace

    scale = arguments.lines / len(draft_practice().lines)
    practice = generate_practice(scale=scale)
    ingested = IngestResult(claims=practice.claims, roster=practice.roster,
                            source=IngestSource(file="bench", sheet=None, header_row=1, layout=None),
                            mapping=[], skipped=pd.DataFrame(), rows_read=len(practice.claims))
    analysis = analyze(ingested, as_of=practice.as_of)
    mix = code_mix(analysis.claims, load_norms(), on=analysis.as_of,
                   credentials=analysis.roster.credentials_for(analysis.claims))
    print(f"upload: {len(analysis.claims):,} claim lines, {len(analysis.check.findings):,} findings")

    with tempfile.TemporaryDirectory() as folder, Workspace.open(Path(folder) / "bench.duckdb") as workspace:
        counter = iter(range(1_000_000))

        def save() -> None:
            record = record_analysis(analysis, file_name="bench.xlsx", digest=f"d{next(counter)}", mix=mix)
            workspace.save_upload("Bench", record)

        saving, saving_cpu = _median(save, arguments.repeat)
        print(f"save one upload (record + write): {saving:.3f} s wall, {saving_cpu:.3f} s CPU  "
              f"ratio {saving / TARGET_SECONDS:.2f}")
        while len(workspace.uploads("Bench")) < arguments.uploads:
            save()
        progress, progress_cpu = _median(lambda: progress_figures(workspace, "Bench"), arguments.repeat)
        print(f"Progress figures for {arguments.uploads} uploads: {progress:.3f} s wall, "
              f"{progress_cpu:.3f} s CPU  ratio {progress / TARGET_SECONDS:.2f}")


if __name__ == "__main__":
    main()
