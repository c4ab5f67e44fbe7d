"""Benchmark: the bulk paths as users run them, whole process (start-up included).

    .venv/bin/python -m tests.benchmarks.bench_bulk_cli

``tessera codings import P FILE.csv`` of 100,000 codings and ``tessera export P --what
codings -o FILE.csv``, each in a fresh interpreter (bytecode compiled), against a fresh
interpreter running raw sqlite3 + csv doing the same work (the scripts of bench_csv),
timed in the same run; best of three. Targets: import at most 3x, export at most 2x."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks import bench_csv

REPO = Path(__file__).resolve().parents[2]
IMPORT_TARGET = 3.0
EXPORT_TARGET = 2.0
REPEAT = 3

_RAW_EXPORT = (
    "import sys; from pathlib import Path; from tests.benchmarks.bench_csv import "
    "_baseline_export; _baseline_export(Path(sys.argv[1]), Path(sys.argv[2]))"
)
_RAW_IMPORT = (
    "import sys; from pathlib import Path; from tests.benchmarks.bench_csv import "
    "measure_import_baseline; measure_import_baseline(Path(sys.argv[1]), Path(sys.argv[2]))"
)


def _timed(args: list[str], prepare=None) -> float:
    """Best wall time of REPEAT runs of the command (``prepare()`` before each)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    best = float("inf")
    for _ in range(REPEAT):
        if prepare is not None:
            prepare()
        t0 = time.perf_counter()
        done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
        best = min(best, seconds)
    return best


def run(codings: int = bench_csv.CODINGS) -> list[dict]:
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="tessera-bench-bulk-") as tmp:
        folder = Path(tmp)
        project = bench_csv.build_project(folder, codings)
        subprocess.run([py, "-m", "compileall", "-q", "desktop", "db"], cwd=REPO, check=False)
        out = folder / "codings.csv"
        export = _timed([py, "-m", "desktop.cli.main", "export", str(project), "--what",
                         "codings", "-o", str(out)])  # fmt: skip
        raw_export = _timed([py, "-c", _RAW_EXPORT, str(project), str(folder / "raw.csv")])
        target = folder / "target.tessera"
        raw_target = folder / "raw.tessera"

        def fresh(dst: Path):
            return lambda: (dst.unlink(missing_ok=True),
                            bench_csv.copy_without_codings(project, dst))  # fmt: skip

        imp = _timed([py, "-m", "desktop.cli.main", "codings", "import", str(target), str(out)],
                     fresh(target))  # fmt: skip
        raw_imp = _timed([py, "-c", _RAW_IMPORT, str(raw_target), str(out)], fresh(raw_target))

    def row(measure, baseline, value, target):
        return {"measure": measure, "baseline": round(baseline, 3), "value": round(value, 3),
                "ratio": round(value / baseline, 2), "target": target}  # fmt: skip

    return [
        row(
            f"codings import {codings:,}, whole process (s)",
            raw_imp,
            imp,
            f"ratio <= {IMPORT_TARGET:g}",
        ),
        row(
            f"export codings {codings:,}, whole process (s)",
            raw_export,
            export,
            f"ratio <= {EXPORT_TARGET:g}",
        ),
    ]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else bench_csv.CODINGS
    for r in run(n):
        print(f"{r['measure']:<48} raw {r['baseline']:>7} tessera {r['value']:>7} "
              f"ratio {r['ratio']:>5} (target {r['target']}x)")  # fmt: skip
