"""Benchmark: the bundled build against the venv, as a user starts them.

    .venv/bin/python -m tests.benchmarks.bench_packaging
    TESSERA_BUNDLE=/tmp/dist/tessera .venv/bin/python -m tests.benchmarks.bench_packaging

* the bundle's unpacked size (the folder named by TESSERA_BUNDLE, else dist/tessera/ as
  ``./run bundle`` builds it; built here into a temporary folder when neither exists),
  target at most 200 MB;
* ``dist/tessera/tessera --version`` whole process against the venv's ``tessera --version``
  in the same rounds (they take turns, so a busy machine slows both alike), target at most
  1.5x. Cold start: the first run of each after the other's, medians of ROUNDS.
* ``tessera --help`` of the wheel installed into a fresh venv (built here, as
  tests/packaging/test_wheel.py builds it) against the clone's (the venv's ``tessera``,
  which ``./run`` runs), taking turns, target no slower (ratio at most 1.0).

To see what the bundle imports as it starts, build it with TESSERA_BUNDLE_IMPORTTIME=1 (the
program then reports its imports on stderr, as ``python -X importtime`` does).
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
HELP_ROUNDS = 15
MB = 1_000_000


def _bundle(tmp: Path) -> Path:
    named = os.environ.get("TESSERA_BUNDLE")
    if named:
        program = Path(named) / "tessera" if Path(named).is_dir() else Path(named)
        if not program.is_file():
            raise SystemExit(f"TESSERA_BUNDLE={named}: no bundled program tessera there")
        return program
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
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return seconds


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
        shutil.rmtree(Path(tmp) / "work", ignore_errors=True)
    return result


def measure_help(rounds: int = HELP_ROUNDS) -> dict[str, float]:
    """Median seconds of ``tessera --help``: the installed wheel's and the clone's."""
    from tests.packaging.test_wheel import build_sdist_and_wheel, install_wheel

    with tempfile.TemporaryDirectory(prefix="tessera-bench-wheel-") as tmp:
        _, wheel = build_sdist_and_wheel(Path(tmp))
        venv = install_wheel(wheel, Path(tmp) / "env")
        env = dict(os.environ, HOME=tmp, XDG_DATA_HOME=tmp, XDG_CONFIG_HOME=tmp)
        env.pop("PYTHONPATH", None)
        commands = {"wheel": [str(venv / "bin" / "tessera"), "--help"],
                    "clone": [*_venv_tessera(), "--help"]}  # fmt: skip
        for argv in commands.values():
            _seconds(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, argv in commands.items():
                times[name].append(_seconds(argv, env))
    return {name: statistics.median(v) for name, v in times.items()}


def run() -> list[dict]:
    t = measure()
    h = measure_help()
    return [
        {"measure": "bundle dist/tessera/ unpacked size (MB)", "baseline": 200,
         "value": round(t["size"] / MB, 1), "ratio": round(t["size"] / MB / 200, 2),
         "target": "<= 200 MB"},
        {"measure": "dist/tessera/tessera --version vs venv tessera --version, whole process (s)",
         "baseline": round(t["venv"], 3), "value": round(t["bundle"], 3),
         "ratio": round(t["bundle"] / t["venv"], 2), "target": "ratio <= 1.5"},
        {"measure": "installed wheel's tessera --help vs the clone's, whole process (s)",
         "baseline": round(h["clone"], 3), "value": round(h["wheel"], 3),
         "ratio": round(h["wheel"] / h["clone"], 2), "target": "ratio <= 1.0"},
    ]  # fmt: skip


def main() -> None:
    for r in run():
        print(f"{r['measure']}: {r['value']} / {r['baseline']} = {r['ratio']}  ({r['target']})")


if __name__ == "__main__":
    main()
