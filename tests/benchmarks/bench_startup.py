"""Benchmark: start-up of the ``tessera`` command, whole process, as a user runs it.

    .venv/bin/python -m tests.benchmarks.bench_startup

* ``tessera --help``: building the parser lists every command without importing any
  command group (no SQLAlchemy, numpy, nltk, pdfplumber or Qt).
* ``tessera info PROJECT``: the cheapest command that opens a project.

Each is a fresh interpreter running what the console script runs
(``from desktop.cli.main import main``), with bytecode already compiled (every command is
run once before timing). The baseline is a bare ``python -c "import sqlalchemy.orm"``,
the floor that any command opening a project pays, timed in the same rounds (the three
commands take turns, so a busy machine slows them alike). Medians of ROUNDS.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 9
TESSERA = "import sys; from desktop.cli.main import main; sys.exit(main())"


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=f"{REPO}{os.pathsep}{path}" if path else str(REPO))


def _seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(rounds: int = ROUNDS) -> dict[str, float]:
    """Median wall-clock seconds of the baseline, ``--help`` and ``info``."""
    env = _env()
    compileall.compile_dir(REPO / "desktop", quiet=1)
    compileall.compile_dir(REPO / "db", quiet=1)
    with tempfile.TemporaryDirectory(prefix="tessera-bench-startup-") as tmp:
        project = str(Path(tmp) / "startup.tessera")
        subprocess.run([sys.executable, "-c", TESSERA, "new", project], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        commands = {
            "baseline": [sys.executable, "-c", "import sqlalchemy.orm"],
            "help": [sys.executable, "-c", TESSERA, "--help"],
            "info": [sys.executable, "-c", TESSERA, "info", project],
        }
        for argv in commands.values():  # warm: bytecode written, files in the page cache
            _seconds(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, argv in commands.items():
                times[name].append(_seconds(argv, env))
    return {name: statistics.median(values) for name, values in times.items()}


def run() -> list[dict]:
    t = measure()
    base = t["baseline"]
    return [
        {"measure": "tessera --help, whole process (s) vs python -c 'import sqlalchemy.orm'",
         "baseline": round(base, 3), "value": round(t["help"], 3),
         "ratio": round(t["help"] / base, 2), "target": "ratio <= 0.6"},
        {"measure": "tessera info PROJECT, whole process (s) vs python -c 'import sqlalchemy.orm'",
         "baseline": round(base, 3), "value": round(t["info"], 3),
         "ratio": round(t["info"] / base, 2), "target": "ratio <= 1.6"},
    ]  # fmt: skip


def main() -> None:
    for r in run():
        print(f"{r['measure']}: {r['value']} s / {r['baseline']} s = {r['ratio']}  ({r['target']})")


if __name__ == "__main__":
    main()
