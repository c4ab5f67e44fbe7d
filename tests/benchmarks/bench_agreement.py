"""Benchmark: agreement over a project, 3 coders x 1,000,000 character units x 20 codes.

    .venv/bin/python -m tests.benchmarks.bench_agreement

Ten synthetic documents of 100,000 characters; per coder and code about 300 codings of
50 to 3,000 characters, the coders' spans jittered copies of a shared set (so agreement
is realistic, neither 0 nor 1). Each measure runs in a fresh interpreter so that peak
memory figures do not mix; only the computation is timed, not building the data.

Baselines, measured in the same run:
* the dense floor: the same report computed the plain numpy way, a coders x units 0/1
  matrix per document and code (``unitize``: diff + cumsum), then one ``np.bincount`` of
  the coding patterns. Ours sweeps the codings' ends instead of the units.
* the bare floor: only the ``np.bincount`` calls over precomputed pattern keys (20 codes x
  1,000,000 units), i.e. touching each unit once and nothing else.
* nltk's ``AnnotationTask`` (Krippendorff's alpha only) on 10,000 units of one code,
  scaled linearly to 1,000,000 units x 20 codes: what a reference implementation costs.

A second corpus, 3 coders x 200 documents x 20,000 characters x 20 codes (the size of a
typical team study), times the whole report (target: keep about 5 s), Krippendorff's
unitizing alpha on the codings' own offsets per code, document and pooled (target: under
5 s) and 1,000 bootstrap samples of alpha for each of the 20 codes (target: under 10 s),
each as a ratio to the report measured in the same run.

Targets: under 2 s and 500 MB for the character report. Prints a table; ``run()``
returns the rows. Never asserted in tests: timings on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TIME_TARGET_S = 2.0
REPORT_200_TARGET_S = 5.2
UNITIZING_TARGET_S = 5.0
BOOTSTRAP_TARGET_S = 10.0
MEMORY_TARGET_MB = 500.0

_SETUP = """
import json, resource, sys, time
import numpy as np
import os
rng = np.random.default_rng(2026)
DOCS = int(os.environ.get("BENCH_DOCS", 10))
LENGTH = int(os.environ.get("BENCH_LENGTH", 100_000))
SPANS = int(os.environ.get("BENCH_SPANS", 30))
CODES, CODERS = 20, 3
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
def make_text():
    out, n = [], 0
    while n < LENGTH:
        w = words[rng.integers(len(words))] + (". " if rng.random() < 0.08 else " ")
        out.append(w); n += len(w)
    return "".join(out)[:LENGTH]
documents = {f"doc{j}": make_text() for j in range(DOCS)}
coders = [f"coder{i}" for i in range(CODERS)]
codings = {c: [] for c in coders}
for d in documents:
    for k in range(CODES):
        starts = rng.integers(0, LENGTH - 3000, SPANS)
        lengths = rng.integers(50, 3000, SPANS)
        for c in coders:
            keep = rng.random(SPANS) < 0.85
            s = np.clip(starts + rng.integers(-40, 40, SPANS), 0, LENGTH - 1)
            e = np.clip(starts + lengths + rng.integers(-40, 40, SPANS), s + 1, LENGTH)
            codings[c] += [(d, f"code{k}", int(a), int(b)) for a, b, x in zip(s, e, keep) if x]
codes = [f"code{k}" for k in range(CODES)]
def report(seconds, **extra):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, **extra}))
"""

_OURS = """
from desktop.core.agreement import corpus_agreement
unit = sys.argv[1]
exclusive = codes[:5] if len(sys.argv) > 2 else None
t0 = time.perf_counter()
result = corpus_agreement(documents, codings, codes, unit=unit, exclusive=exclusive)
elapsed = time.perf_counter() - t0
pooled = result.find("code0")
report(elapsed, units=pooled.units, rows=len(result.rows),
       alpha=pooled.value("krippendorff_alpha"))
"""

_UNITIZING = """
from desktop.core.agreement.unitizing import corpus_unitizing
t0 = time.perf_counter()
rows = corpus_unitizing({d: len(t) for d, t in documents.items()}, codings, codes)
elapsed = time.perf_counter() - t0
report(elapsed, rows=len(rows), alpha=rows[0].u_alpha)
"""

_BOOTSTRAP = """
from desktop.core.agreement import corpus_agreement
from desktop.core.agreement.bootstrap import bootstrap_report
result = corpus_agreement(documents, codings, codes)
t0 = time.perf_counter()
intervals = bootstrap_report(result, samples=1000, seed=1)
elapsed = time.perf_counter() - t0
report(elapsed, codes=len(intervals))
"""

_DENSE = """
from desktop.core.agreement import ReliabilityData, reliability, unitize
from desktop.core.agreement.units import pattern_matrix
t0 = time.perf_counter()
by_doc = {d: {c: [] for c in coders} for d in documents}
for c in coders:
    for d, k, s, e in codings[c]:
        by_doc[d][c].append((k, s, e))
pooled = {k: np.zeros(2 ** CODERS, dtype=np.int64) for k in codes}
for d, text in documents.items():
    matrices = unitize(len(text), None, by_doc[d], codes)
    for k, m in matrices.items():
        keys = (m.astype(np.int64) << np.arange(CODERS)[:, None]).sum(axis=0)
        counts = np.bincount(keys, minlength=2 ** CODERS)
        pooled[k] += counts
        present = np.flatnonzero(counts)
        reliability(ReliabilityData(pattern_matrix(present, CODERS), (0, 1), counts[present],
                                    tuple(coders), True))
for k, counts in pooled.items():
    present = np.flatnonzero(counts)
    result = reliability(ReliabilityData(pattern_matrix(present, CODERS), (0, 1),
                                         counts[present], tuple(coders), True))
elapsed = time.perf_counter() - t0
dense_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the floor's keys
all_keys = []
for d, text in documents.items():
    for m in unitize(len(text), None, by_doc[d], codes).values():
        all_keys.append((m.astype(np.int64) << np.arange(CODERS)[:, None]).sum(axis=0))
t1 = time.perf_counter()
for keys in all_keys:
    np.bincount(keys, minlength=2 ** CODERS)
floor = time.perf_counter() - t1
report(elapsed, units=int(pooled["code0"].sum()), bincount_seconds=floor, dense_peak_mb=dense_peak)
"""

_NLTK = """
from nltk.metrics.agreement import AnnotationTask
from desktop.core.agreement import unitize
SUBSET = 10_000
d = "doc0"
per_coder = {c: [(k, s, e) for dd, k, s, e in codings[c] if dd == d] for c in coders}
m = unitize(LENGTH, None, per_coder, ["code0"])["code0"][:, :SUBSET]
data = [(c, u, int(m[i, u])) for i, c in enumerate(coders) for u in range(SUBSET)]
t0 = time.perf_counter()
alpha = AnnotationTask(data).alpha()
elapsed = time.perf_counter() - t0
scale = (DOCS * LENGTH / SUBSET) * CODES
report(elapsed * scale, measured_seconds=elapsed, alpha=alpha)
"""


STUDY = {"BENCH_DOCS": "200", "BENCH_LENGTH": "20000", "BENCH_SPANS": "6"}


def _measure(script: str, *args: str, env: dict[str, str] | None = None) -> dict:
    import os

    out = subprocess.run(
        [sys.executable, "-c", _SETUP + script, *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    ours = _measure(_OURS, "char")
    dense = _measure(_DENSE)
    reference = _measure(_NLTK)
    with_set = _measure(_OURS, "char", "exclusive")
    words = _measure(_OURS, "word")
    sentences = _measure(_OURS, "sentence")
    study = _measure(_OURS, "char", env=STUDY)
    unitizing = _measure(_UNITIZING, env=STUDY)
    boot = _measure(_BOOTSTRAP, env=STUDY)
    assert ours["units"] == dense["units"] == 1_000_000

    def row(measure, baseline, value, target=None):
        return {
            "measure": measure,
            "baseline": round(baseline, 3),
            "value": round(value, 3),
            "ratio": round(value / baseline, 3) if baseline else None,
            "target": target,
        }

    chars = "3 coders x 1M char units x 20 codes"
    return [
        row(f"seconds, {chars} (baseline: dense 0/1 matrices + bincount)",
            dense["seconds"], ours["seconds"], TIME_TARGET_S),
        row(f"seconds, {chars} (baseline: bare np.bincount of precomputed patterns)",
            dense["bincount_seconds"], ours["seconds"]),
        row(f"peak MB, {chars} (baseline: dense)", dense["dense_peak_mb"], ours["peak_mb"],
            MEMORY_TARGET_MB),
        row(f"seconds, {chars} (baseline: nltk AnnotationTask alpha, 10k units x 1 code scaled)",
            reference["seconds"], ours["seconds"]),
        row(f"seconds, {chars} + a set of 5 exclusive codes (baseline: without the set)",
            ours["seconds"], with_set["seconds"], TIME_TARGET_S),
        row("seconds, same texts by word units incl. tokenizing (baseline: char units)",
            ours["seconds"], words["seconds"]),
        row("seconds, same texts by sentence units incl. training Punkt (baseline: char units)",
            ours["seconds"], sentences["seconds"]),
        row("seconds, report 3 coders x 200 docs x 20k chars x 20 codes (baseline: the "
            "1M-unit report)", ours["seconds"], study["seconds"], REPORT_200_TARGET_S),
        row("seconds, unitizing alpha on that study, per code/doc/pooled (baseline: its report)",
            study["seconds"], unitizing["seconds"], UNITIZING_TARGET_S),
        row("seconds, bootstrap 1,000 samples x 20 codes (baseline: its report)",
            study["seconds"], boot["seconds"], BOOTSTRAP_TARGET_S),
    ]  # fmt: skip


def main() -> None:
    rows = run()
    width = max(len(r["measure"]) for r in rows)
    print(f"{'measure':<{width}}  {'baseline':>9}  {'value':>9}  {'ratio':>7}  target")
    for r in rows:
        target = "" if r["target"] is None else f"< {r['target']:g}"
        print(f"{r['measure']:<{width}}  {r['baseline']:>9.3f}  {r['value']:>9.3f}  "
              f"{r['ratio']:>7.3f}  {target}")  # fmt: skip


if __name__ == "__main__":
    main()
