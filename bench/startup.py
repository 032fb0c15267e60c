"""Start-up cost of the CLI: `bhdash --help` and `bhdash check --help` against a bare interpreter.

Run: python bench/startup.py [--repeat N]. Prints the best wall time of each over N runs, the ratio to
`python -c pass`, and whether the target holds (under 0.5 s absolute, i.e. under 15x the bare interpreter).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 0.5
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "bhdash --help": [sys.executable, "-m", "bhdash.cli", "--help"],
    "bhdash check --help": [sys.executable, "-m", "bhdash.cli", "check", "--help"],
}


def best_of(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    timings = {label: best_of(command, repeat) for label, command in COMMANDS.items()}
    bare = timings["python -c pass"]
    for label, seconds in timings.items():
        verdict = "" if label == "python -c pass" else (
            "  target met" if seconds < TARGET_SECONDS else f"  over the {TARGET_SECONDS} s target")
        print(f"{label:<22} {seconds:6.3f} s  {seconds / bare:5.1f}x bare{verdict}")


if __name__ == "__main__":
    main()
