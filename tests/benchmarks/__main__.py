"""One benchmark report: every tests/benchmarks/bench_*.py, one table.

    .venv/bin/python -m tests.benchmarks                 # all of them
    .venv/bin/python -m tests.benchmarks --only storage  # one (repeat --only for more)
    .venv/bin/python -m tests.benchmarks --json out.json # the rows as JSON as well

Each module exposes ``run() -> list[dict]`` with the keys measure, baseline, value,
ratio and target; the baseline is measured in the same run. Each module runs in its own
interpreter (its memory figures stay its own, and a crash or a hang is that module's
row in the table, not the end of the report), with a time limit per module."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
MARK = "@@tessera-bench-rows@@"
DEFAULT_TIMEOUT_S = 300

_CHILD = f"""
import importlib, json, sys
rows = importlib.import_module(sys.argv[1]).run()
print({MARK!r} + json.dumps(rows, default=str), flush=True)
"""


def discover() -> list[str]:
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def select(names: list[str], only: list[str] | None) -> list[str]:
    if not only:
        return names
    out = []
    for want in only:
        key = want.removesuffix(".py").removeprefix("bench_")
        match = [n for n in names if n.removeprefix("bench_") == key]
        if not match:
            raise SystemExit(
                f"no benchmark {want!r}; there are: {', '.join(n.removeprefix('bench_') for n in names)}"
            )
        out += [m for m in match if m not in out]
    return out


_TIMEOUT = re.compile(r"^TIMEOUT_S\s*=", re.M)


def module_timeout(name: str, default: float) -> float:
    """A module that needs longer than the default says so in ``TIMEOUT_S`` (read in its
    own interpreter: the module may compute it from its settings)."""
    path = HERE / f"{name}.py"
    if "." in name or not path.is_file() or not _TIMEOUT.search(path.read_text("utf-8")):
        return default
    done = subprocess.run(
        [sys.executable, "-c", f"import tests.benchmarks.{name} as m; print(m.TIMEOUT_S)"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    try:
        return max(default, float(done.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return default


def run_module(name: str, timeout: float) -> tuple[list[dict], str | None, float]:
    """(rows, error or None, seconds) of one module (``bench_x`` here, or a dotted
    module name), run in a fresh interpreter."""
    module = name if "." in name else f"tests.benchmarks.{name}"
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, module],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return [], f"did not finish within {timeout:.0f} s", time.monotonic() - start
    seconds = time.monotonic() - start
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARK):
            try:
                rows = json.loads(line[len(MARK) :])
            except ValueError as exc:
                return [], f"unreadable rows ({exc})", seconds
            if not isinstance(rows, list):
                return [], "run() did not return a list", seconds
            return rows, None, seconds
    tail = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
    reason = tail[-1] if tail else f"exit status {done.returncode}, no rows"
    return [], reason, seconds


_BOUND = re.compile(r"^\s*(ratio|value)?\s*(<=|>=|<|>|≤|≥)?\s*([0-9][0-9_,.]*)")


def verdict(row: dict) -> str:
    """'yes'/'NO' when the target is a bound we can read: a number (the value at most
    that), "< 5 ms", "ratio <= 0.65", "value < 300 MB"; '' for none or words."""
    target, value = row.get("target"), row.get("value")
    if target is None or value is None or isinstance(value, str):
        return ""
    if isinstance(target, (int, float)):
        return "yes" if value <= target else "NO"
    m = _BOUND.match(str(target))
    if not m or (m.group(1) is None and m.group(2) is None):
        return ""
    subject = ratio_of(row) if m.group(1) == "ratio" else value
    if not isinstance(subject, (int, float)):
        return ""
    op, number = m.group(2) or "<=", float(m.group(3).rstrip(".").replace(",", "").replace("_", ""))
    ok = {"<": subject < number, "<=": subject <= number, "≤": subject <= number,
          ">": subject > number, ">=": subject >= number, "≥": subject >= number}[op]  # fmt: skip
    return "yes" if ok else "NO"


def fmt_num(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        if x == 0:
            return "0"
        if abs(x) >= 100:
            return f"{x:,.0f}"
        if abs(x) >= 1:
            return f"{x:.2f}"
        return f"{x:.3g}"
    return str(x)


def fmt_target(target) -> str:
    if target is None:
        return ""
    if isinstance(target, (int, float)):
        return f"≤ {target:g}"
    return str(target)


def ratio_of(r: dict):
    if r.get("ratio") is not None:
        return r["ratio"]
    b, v = r.get("baseline"), r.get("value")
    if isinstance(b, (int, float)) and isinstance(v, (int, float)) and b:
        return v / b
    return None


def table(results: list[tuple[str, list[dict], str | None, float]]) -> str:
    lines = []
    head = ("benchmark", "measure", "baseline", "value", "ratio", "target", "met")
    body = []
    for name, rows, error, seconds in results:
        short = name.removeprefix("bench_")
        if error:
            body.append((short, f"FAILED after {seconds:.0f} s: {error}", "", "", "", "", ""))
            continue
        for r in rows:
            value = r.get("value")
            body.append((
                short, str(r.get("measure", "?")), fmt_num(r.get("baseline")), fmt_num(value),
                fmt_num(ratio_of(r)), fmt_target(r.get("target")), verdict(r),
            ))  # fmt: skip
        body.append((short, f"({seconds:.0f} s)", "", "", "", "", ""))
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    widths[1] = min(widths[1], 100)
    right = {2, 3, 4}

    def line(row) -> str:
        cells = []
        for i, cell in enumerate(row):
            cell = cell if len(cell) <= widths[i] else cell[: widths[i] - 1] + "…"
            cells.append(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]))
        return "  ".join(cells).rstrip()

    lines.append(line(head))
    lines.append("  ".join("-" * w for w in widths))
    previous = None
    for row in body:
        if previous is not None and row[0] != previous:
            lines.append("")
        lines.append(line(row if row[0] != previous else ("", *row[1:])))
        previous = row[0]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this benchmark (e.g. storage); repeatable",
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds allowed per module"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    args = parser.parse_args(argv)
    names = discover()
    if args.list:
        print("\n".join(n.removeprefix("bench_") for n in names))
        return 0
    chosen = select(names, args.only)
    results = []
    started = time.monotonic()
    for name in chosen:
        print(f"running {name} …", file=sys.stderr, flush=True)
        rows, error, seconds = run_module(name, module_timeout(name, args.timeout))
        results.append((name, rows, error, seconds))
    print(table(results))
    print(f"\n{len(chosen)} benchmark(s) in {time.monotonic() - started:.0f} s; "
          f"ratio = value / baseline; met = the value is within the target")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(
            [{"benchmark": n, "rows": r, "error": e, "seconds": round(s, 1)} for n, r, e, s in results],
            indent=1, default=str,
        ), "utf-8")  # fmt: skip
    return 1 if any(error for _, _, error, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
