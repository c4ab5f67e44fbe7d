"""The one benchmark report (python -m tests.benchmarks): a module that fails or hangs
is a row saying so, and the rest of the report goes on."""

from __future__ import annotations

import textwrap

from tests.benchmarks.__main__ import discover, run_module, select, table, verdict

GOOD = """
def run():
    return [{"measure": "widgets (s)", "baseline": 2.0, "value": 1.0, "ratio": 0.5, "target": "< 1.5 s"},
            {"measure": "memory (MB)", "baseline": 10.0, "value": 30.0, "ratio": None, "target": 20}]
"""
BAD = "def run():\n    raise RuntimeError('no test data here')\n"
SLOW = "import time\ndef run():\n    time.sleep(30)\n"


def test_a_failing_module_is_a_row_and_the_rest_goes_on(tmp_path, monkeypatch):
    pkg = tmp_path / "fakebench"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name, src in (("bench_good", GOOD), ("bench_bad", BAD), ("bench_slow", SLOW)):
        (pkg / f"{name}.py").write_text(textwrap.dedent(src))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    results = [
        (n, *run_module(f"fakebench.{n}", timeout=5))
        for n in ("bench_bad", "bench_slow", "bench_good")
    ]
    bad, slow, good = results
    assert bad[1] == [] and "RuntimeError: no test data here" in bad[2]
    assert slow[1] == [] and "did not finish within 5 s" in slow[2]
    assert good[2] is None and len(good[1]) == 2
    out = table(results)
    assert "FAILED" in out and "no test data here" in out and "widgets (s)" in out
    lines = out.splitlines()
    widgets = next(ln for ln in lines if "widgets" in ln)
    memory = next(ln for ln in lines if "memory" in ln)
    assert widgets.rstrip().endswith("yes") and memory.rstrip().endswith("NO")
    assert "3.00" in memory  # the ratio is computed when a module leaves it out


def test_every_benchmark_module_is_found_and_only_selects():
    names = discover()
    assert "bench_storage" in names
    assert select(names, ["storage"]) == ["bench_storage"]
    assert select(names, ["bench_storage.py"]) == ["bench_storage"]


def test_targets_are_read_as_bounds():
    assert verdict({"target": "ratio <= 0.65", "value": 30, "baseline": 60}) == "yes"
    assert verdict({"target": "value < 300 MB", "value": 350, "baseline": 1}) == "NO"
    assert verdict({"target": "(information)", "value": 1, "baseline": 1}) == ""
    assert verdict({"target": None, "value": 1, "baseline": 1}) == ""
