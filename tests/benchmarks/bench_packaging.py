"""Benchmark: the bundled build against the venv, as a user starts them.

    .venv/bin/python -m tests.benchmarks.bench_packaging

* the bundle's unpacked size (dist/tessera/, built by ``./run bundle``; built here into a
  temporary folder when it is missing), target at most 200 MB;
* ``dist/tessera/tessera --version`` whole process against the venv's ``tessera --version``
  in the same rounds (they take turns, so a busy machine slows both alike), target at most
  1.5x. Cold start: the first run of each after the other's, medians of ROUNDS.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 7
MB = 1_000_000


def _bundle(tmp: Path) -> Path:
    built = REPO / "dist" / "tessera" / "tessera"
    if built.is_file():
        return built
    from tests.packaging.test_bundle import build_bundle

    program, seconds = build_bundle(tmp / "dist", tmp / "work")
    print(f"bundle built in {seconds:.0f} s", file=sys.stderr)
    return program


def _venv_tessera() -> list[str]:
    script = Path(sys.executable).with_name("tessera")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "desktop.cli.main"]


def _seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def size_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def measure(rounds: int = ROUNDS) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="tessera-bench-packaging-") as tmp:
        bundle = _bundle(Path(tmp))
        env = dict(os.environ, HOME=tmp, XDG_DATA_HOME=tmp, XDG_CONFIG_HOME=tmp)
        env.pop("PYTHONPATH", None)
        commands = {"bundle": [str(bundle), "--version"], "venv": [*_venv_tessera(), "--version"]}
        for argv in commands.values():  # bytecode compiled, files in the page cache once
            _seconds(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, argv in commands.items():
                times[name].append(_seconds(argv, env))
        result = {name: statistics.median(v) for name, v in times.items()}
        result["size"] = size_bytes(bundle.parent)
        if not (REPO / "dist" / "tessera").is_dir():
            shutil.rmtree(Path(tmp) / "work", ignore_errors=True)
    return result


def run() -> list[dict]:
    t = measure()
    return [
        {"measure": "bundle dist/tessera/ unpacked size (MB)", "baseline": 200,
         "value": round(t["size"] / MB, 1), "ratio": round(t["size"] / MB / 200, 2),
         "target": "<= 200 MB"},
        {"measure": "dist/tessera/tessera --version vs venv tessera --version, whole process (s)",
         "baseline": round(t["venv"], 3), "value": round(t["bundle"], 3),
         "ratio": round(t["bundle"] / t["venv"], 2), "target": "ratio <= 1.5"},
    ]  # fmt: skip


def main() -> None:
    for r in run():
        print(f"{r['measure']}: {r['value']} / {r['baseline']} = {r['ratio']}  ({r['target']})")


if __name__ == "__main__":
    main()
