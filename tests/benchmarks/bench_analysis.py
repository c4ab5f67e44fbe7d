"""Benchmark: corpus search, retrieval and co-occurrence at scale.

    .venv/bin/python -m tests.benchmarks.bench_analysis

Builds, in a temporary folder, a project of 1,000 documents of 30,000 characters
(30 MB; the issue's 10,000 would take too long on a shared machine, and the index
makes the first screen independent of the corpus size while the baseline grows with
it) and 1,000,000 codings over 50 codes (two of them with 100,000 each), then measures:

- import with the full-text index against the same import with the index's triggers
  removed (target: at most 1.5x);
- the first screen (50 hits) of a word search, against a Python ``re`` scan over all
  texts read from the file (targets: < 100 ms and at most 1/20 of the scan);
- a code's first screen of passages (< 100 ms), A AND B and A NEAR B with 100,000
  codings each (< 1 s), against raw sqlite3 reads of the same codings;
- the longest the window's event loop waits (a 5 ms timer's late ticks) while a
  co-occurrence, an A NEAR B or a search runs in the window's worker (< 50 ms);
- co-occurrence of 50 codes over 1,000,000 codings (overlapping, within N, in the
  same sentence), each in a fresh interpreter: time (< 2 s, with the CPU time beside
  it, which a busy machine inflates less) and peak memory growth (< 300 MB);
- the longest the event loop waits while the window shows a result: a search's
  ~130,000 hits (counted by the worker; baseline: by the window) and a code's
  100,000 passages (first screen read by the worker; baseline: by the window);
- opening a project made before the full-text index (the corpus in the schema-v2
  fixture) and building its index afterwards, against the one-statement rebuild the
  upgrade used to run.

``run()`` returns the rows ({measure, baseline, value, ratio, target}). Never asserted
in tests: timings on a shared machine are noise-prone."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DOCS = 1_000
DOC_CHARS = 30_000
IMPORT_SAMPLE = 300  # documents imported twice (with and without the index)
CODINGS = 1_000_000
CODES = 50
BIG = 100_000  # codings of each of the two codes combined with AND / NEAR

_VOCAB = ["ceasefire", "talks", "failed", "rebels", "civilians", "killed", "province", "monitor", "said", "government", "forces", "shelling", "displaced", "families", "negotiators", "accused", "army", "town", "village", "aid", "convoy", "envoy", "border", "militia", "statement", "sources", "reported", "attack", "wounded"]  # fmt: skip


def _texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words, size = [], 0
        while size < DOC_CHARS:
            w = rng.choice(_VOCAB) if rng.random() > 0.0005 else "Deraa"
            words.append(w)
            size += len(w) + 1
            if rng.random() < 0.06:
                words[-1] += "."
            if rng.random() < 0.01:
                words[-1] += "\n"
        out.append(f"doc {i} " + " ".join(words)[:DOC_CHARS])
    return out


def row(measure: str, baseline, value, target) -> dict:
    ratio = (value / baseline) if isinstance(baseline, float) and baseline else None
    return {"measure": measure, "baseline": baseline, "value": value,
            "ratio": round(ratio, 3) if ratio is not None else None, "target": target}  # fmt: skip


def _best_of(n: int, fn) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _import(path: Path, texts: list[str], *, index: bool) -> float:
    from desktop.services.documents import documents
    from desktop.services.project.project import Project

    with Project.create(path) as p:
        if not index:
            with p.session() as s:
                for name in ("document_fts_insert", "document_fts_delete", "document_fts_update"):
                    s.connection().exec_driver_sql(f"DROP TRIGGER {name}")
        t = time.perf_counter()
        for i, text in enumerate(texts):
            documents.add_document(p, name=f"d{i:05}.txt", text=text, kind="txt")
        return time.perf_counter() - t


def build(path: Path, texts: list[str]) -> None:
    from desktop.services.codebook import codebook
    from desktop.services.documents import documents
    from desktop.services.project.project import Project
    from desktop.services.teams import coders

    with Project.create(path) as p:
        p.actor = "bench"
        for i, text in enumerate(texts):
            documents.add_document(p, name=f"d{i:05}.txt", text=text, kind="txt")
        coder = coders.add_coder(p, "ana").id
        for k in range(CODES):
            codebook.add_code(p, f"C{k:02}")
    rng = np.random.default_rng(3)
    per_code = [BIG, BIG] + [(CODINGS - 2 * BIG) // (CODES - 2)] * (CODES - 2)
    code = np.repeat(np.arange(1, CODES + 1), per_code)
    n = len(code)
    doc = rng.integers(1, DOCS + 1, n)
    start = rng.integers(0, DOC_CHARS - 200, n)
    end = start + rng.integers(5, 150, n)
    conn = sqlite3.connect(path)
    conn.executemany(
        'INSERT OR IGNORE INTO coding(document_id, code_id, coder_id, start, "end", quote, memo, '
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, '', '', '2026-01-01', '2026-01-01')",
        zip(doc.tolist(), code.tolist(), [coder] * n, start.tolist(), end.tolist(), strict=True),
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


_COOC_CHILD = r"""
import json, resource, sys, time
from desktop.services.analysis.matrix import cooccurrence_matrix
from desktop.services.project.project import Project


def status(key):
    # kB in /proc/self/status (Linux); the peak is per process image, so it starts
    # afresh in this interpreter (ru_maxrss would carry the parent's peak over exec)
    try:
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) for l in fh if l.startswith(key + ":"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


p = Project.open(sys.argv[1])
codes = [f"C{k:02}" for k in range(int(sys.argv[2]))]
kw = json.loads(sys.argv[3])
before = status("VmRSS")
try:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # the peak from here on
except OSError:
    pass
t, c = time.perf_counter(), time.process_time()
m = cooccurrence_matrix(p, codes, **kw)
seconds, cpu = time.perf_counter() - t, time.process_time() - c
peak = status("VmHWM")
p.close()
print(json.dumps({"seconds": seconds, "cpu": cpu, "growth_mb": (peak - before) / 1024,
                  "pairs": sum(map(sum, m.counts))}))
"""


_FRAMES_CHILD = r"""
import json, os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from desktop.services.analysis import matrix, retrieval, search
from desktop.services.project.project import Project
from desktop.ui.analysis.models import HitsModel
from desktop.ui.analysis.runner import QueryRunner
from desktop.ui.workers import TaskRunner

app = QApplication([])
host = QWidget()
runner = QueryRunner(TaskRunner(host), host)
p = Project.open(sys.argv[1])
codes = [f"C{k:02}" for k in range(int(sys.argv[2]))]
if sys.argv[3] == "frozen":
    from desktop.ui.analysis.window import keep_full_collections_short

    keep_full_collections_short()  # as the Analysis window does when it opens
queries = {
    "co-occurrence": lambda progress, cancelled: matrix.cooccurrence_matrix(
        p, codes, progress=progress, cancelled=cancelled),
    "A NEAR B": lambda progress, cancelled: retrieval.retrieve(
        p, retrieval.RetrievalQuery("C00", op="near", other="C01", within=50),
        progress=progress, cancelled=cancelled),
    # the search tab keeps every hit as HitsModel does
    "a search (130,000 hits)": lambda progress, cancelled: [
        HitsModel.row_of(h) for h in search.search(p, "ceasefire").hits(p, cancelled)],
}
out = {}
for name, work in queries.items():
    gaps, clock, done = [], QElapsedTimer(), []
    tick = QTimer()
    tick.setInterval(5)  # a frame's worth of events: how late does each tick come?

    def on_tick():
        gaps.append(clock.restart())

    tick.timeout.connect(on_tick)
    runner.finished.connect(lambda: done.append(1))
    clock.start()
    tick.start()
    runner.run(name, work, lambda _r: None)
    while not done:
        app.processEvents()
        time.sleep(0.001)
    tick.stop()
    runner.finished.disconnect()
    out[name] = max(gaps[1:] or [0])
p.close()
print(json.dumps(out))
"""


def _frame_rows(path: Path) -> list[dict]:
    """The longest the window's event loop waited while a query ran in its worker, as
    the Analysis window runs it (start-up objects frozen out of full collections), and
    the same without that as the baseline."""

    def child(mode: str) -> dict:
        done = subprocess.run([sys.executable, "-c", _FRAMES_CHILD, str(path), str(CODES), mode],
                              cwd=REPO, capture_output=True, text=True, check=True)  # fmt: skip
        return json.loads(done.stdout.strip().splitlines()[-1])

    plain, frozen = child("plain"), child("frozen")
    return [row(f"window: longest wait of the event loop while {name} runs in its worker, ms "
                "(baseline: no objects frozen)", float(plain[name]), float(ms), "< 50 ms")
            for name, ms in frozen.items()]  # fmt: skip


_FILL_CHILD = r"""
import json, os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from desktop.services.analysis import retrieval, search
from desktop.services.project.project import Project
from desktop.ui.analysis.models import HitsModel
from desktop.ui.analysis.passages import PassagesTab
from desktop.ui.analysis.search import SearchTab
from desktop.ui.workers import TaskRunner

app = QApplication([])
p = Project.open(sys.argv[1])
before = sys.argv[2] == "before"  # the window's thread counts the hits, reads passages


class Host(QWidget):  # what a tab uses of the Analysis window
    def __init__(self):
        super().__init__()
        self.runner, self.project, self.w = TaskRunner(self), p, None

    def code_paths(self):
        return ["C00", "C01"]

    def coder_names(self):
        return ["ana"]

    def set_names(self):
        return []

    def visible_coders(self):
        return None


def longest_wait(show):
    # the longest a 5 ms timer's tick comes late from the call on, while the window
    # takes the rows in and paints them (1 s), in ms
    gaps, clock, tick = [], QElapsedTimer(), QTimer()
    tick.setInterval(5)
    tick.timeout.connect(lambda: gaps.append(clock.restart()))
    clock.start()
    tick.start()
    for deadline, fn in ((0.05, None), (1.0, show)):
        if fn is not None:
            fn()
        end = time.perf_counter() + deadline
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)
    tick.stop()
    return float(max(gaps[1:] or [0]))


host = Host()
out = {}
tab = SearchTab(host)
tab.resize(1100, 700)
tab.show()
host.runner.wait(60000)
r = search.search(p, "ceasefire")
hits = [HitsModel.row_of(h) for h in r.hits(p)]


def counted():
    counts = {}
    for h in hits:
        counts[h[0]] = counts.get(h[0], 0) + 1
    return counts


def show_hits():
    if before:  # as the tab did: the hits passed over, counted on the window's thread
        tab._show((r, [h if type(h) is tuple else h for h in hits], counted()))
    else:
        tab._show((r, hits, counts))


counts = counted()
out["search"] = longest_wait(show_hits)
out["hits"] = tab.model.rowCount()
ptab = PassagesTab(host)
ptab.resize(1100, 700)
ptab.show()
res = retrieval.retrieve(p, retrieval.RetrievalQuery("C00"))
first = None if before else ptab.table.model_.first_page_of(p, res, "sentence")
done = (res, res.counts_by_code(), res.counts_by_document(), first)
out["passages"] = longest_wait(lambda: ptab._show(done, "sentence"))
out["rows"] = ptab.table.model().rowCount()
p.close()
print(json.dumps(out))
"""


def _fill_rows(path: Path) -> list[dict]:
    """How long the window stops when a result is shown: the search tab given every
    hit of a common word, the passages tab a code's 100,000 passages with their
    sentences; against counting the hits and reading the first screen of passages on
    the window's thread (the baseline)."""

    def child(mode: str) -> dict:
        done = subprocess.run([sys.executable, "-c", _FILL_CHILD, str(path), mode],
                              cwd=REPO, capture_output=True, text=True, check=True)  # fmt: skip
        return json.loads(done.stdout.strip().splitlines()[-1])

    base, got = child("before"), child("now")
    return [
        row(f"window: showing a search's {got['hits']:,} hits, longest wait of the event loop, "
            "ms (baseline: hits counted per document on the window's thread)",
            base["search"], got["search"], "< 50 ms"),
        row(f"window: showing {got['rows']:,} passages with their sentences, longest wait, ms "
            "(baseline: first screen read on the window's thread)",
            base["passages"], got["passages"], "< 50 ms"),
    ]  # fmt: skip


def _old_project_rows(folder: Path, texts: list[str]) -> list[dict]:
    """A project made before the full-text index (the schema-v2 fixture holding the
    corpus): opening it (the upgrade) and building its index afterwards, a batch per
    transaction, against the one-statement rebuild the upgrade used to run."""
    import hashlib
    import shutil

    from desktop.services.analysis import fulltext
    from desktop.services.project.project import Project

    path = folder / "old.tessera"
    shutil.copy(REPO / "tests" / "fixtures" / "projects" / "schema-v2.tessera", path)
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO document (name, kind, text, sha256, length, imported_at, extra) "
            "VALUES (?, 'txt', ?, ?, ?, '2026-01-01 00:00:00', '{}')",
            ((f"old{i:05}.txt", t, hashlib.sha256(t.encode()).hexdigest(), len(t))
             for i, t in enumerate(texts)),
        )  # fmt: skip
    conn.close()
    t = time.perf_counter()
    p = Project.open(path)
    opened = time.perf_counter() - t
    steps: list = []
    t = time.perf_counter()
    fulltext.build(p, steps.append)
    built = time.perf_counter() - t
    p.close()
    conn = sqlite3.connect(path)
    t = time.perf_counter()
    with conn:
        conn.execute("INSERT INTO document_fts(document_fts) VALUES ('rebuild')")
    rebuild = time.perf_counter() - t
    conn.close()
    n = len(texts) + 3
    return [
        row(f"open a schema-v2 project of {n:,} documents (upgrade, index left to build), s "
            "(baseline: the one-statement index rebuild the upgrade used to run)",
            rebuild, opened, "fast"),
        row(f"build that index after opening, {len(steps)} progress reports, s "
            "(baseline: one-statement rebuild)", rebuild, built, "in a worker"),
    ]  # fmt: skip


def _search_rows(path: Path) -> list[dict]:
    from desktop.services.analysis import search as svc
    from desktop.services.project.project import Project

    word = re.compile(r"(?<![^\W_])negotiators(?![^\W_])", re.IGNORECASE)

    def scan() -> int:
        conn = sqlite3.connect(path)
        n = sum(len(word.findall(t)) for (t,) in conn.execute("SELECT text FROM document"))
        conn.close()
        return n

    with Project.open(path) as p:
        prepare = _best_of(1, lambda: svc.prepare_folding(p))  # once per session, in a worker
        first = _best_of(3, lambda: svc.search(p, "negotiators").first(p, 50))
        rare = _best_of(3, lambda: svc.search(p, "Deraa").first(p, 50))
        exact_all = _best_of(3, lambda: svc.search(p, "negotiators", exact=True).all(p))
        folded_all = _best_of(3, lambda: svc.search(p, "negotiators").all(p))
    baseline = _best_of(2, scan)
    return [
        row(
            f"search: first 50 hits of a common word, {DOCS} docs x 30k chars, ms "
            "(baseline: re scan of all texts)",
            baseline * 1000,
            first * 1000,
            "ratio <= 0.05",
        ),  # fmt: skip
        row(
            "search: first 50 hits of a rare word, ms (baseline: re scan)",
            baseline * 1000,
            rare * 1000,
            "< 100 ms",
        ),
        row(
            "search: every hit of a word, folded (default), ms (baseline: --exact)",
            exact_all * 1000,
            folded_all * 1000,
            "ratio <= 1.3",
        ),  # fmt: skip
        row(
            "search: learning which texts fold beyond the index, once per session, ms "
            "(baseline: re scan)",
            baseline * 1000,
            prepare * 1000,
            "in a worker",
        ),  # fmt: skip
    ]


def _retrieval_rows(path: Path) -> list[dict]:
    from desktop.services.analysis.retrieval import RetrievalQuery, retrieve
    from desktop.services.project.project import Project

    def raw(code_ids) -> None:
        conn = sqlite3.connect(path)
        conn.execute(
            f'SELECT id, document_id, start, "end" FROM coding WHERE code_id IN ({",".join(map(str, code_ids))})'
        ).fetchall()
        conn.close()

    with Project.open(path) as p:

        def screen(q: RetrievalQuery) -> None:
            retrieve(p, q).page(p, 0, 50, context="sentence")

        one = _best_of(3, lambda: screen(RetrievalQuery("C10")))
        both = _best_of(2, lambda: screen(RetrievalQuery("C00", op="and", other="C01")))
        near = _best_of(2, lambda: screen(RetrievalQuery("C00", op="near", other="C01", within=50)))
    raw_one = _best_of(3, lambda: raw([11]))
    raw_two = _best_of(2, lambda: raw([1, 2]))
    n_one = (CODINGS - 2 * BIG) // (CODES - 2)
    return [
        row(
            f"retrieve: first screen of a code ({n_one:,} of {CODINGS:,} codings), ms "
            "(baseline: raw sqlite3 read of its codings)",
            raw_one * 1000,
            one * 1000,
            "< 100 ms",
        ),  # fmt: skip
        row(
            f"retrieve: A AND B, {BIG:,} codings each, s (baseline: raw read of both)",
            raw_two,
            both,
            "< 1 s",
        ),
        row(
            f"retrieve: A NEAR B within 50, {BIG:,} each, s (baseline: raw read of both)",
            raw_two,
            near,
            "< 1 s",
        ),
    ]


def _cooccurrence_rows(path: Path) -> list[dict]:
    def child(kw: dict) -> dict:
        done = subprocess.run([sys.executable, "-c", _COOC_CHILD, str(path), str(CODES), json.dumps(kw)],
                              cwd=REPO, capture_output=True, text=True, check=True)  # fmt: skip
        return json.loads(done.stdout.strip().splitlines()[-1])

    def raw() -> None:
        conn = sqlite3.connect(path)
        conn.execute('SELECT document_id, code_id, start, "end" FROM coding').fetchall()
        conn.close()

    baseline = _best_of(1, raw)
    rows = []
    for label, kw in (("overlapping", {}), ("within 100 characters", {"within": 100}),
                      ("in the same sentence", {"same": "sentence"})):  # fmt: skip
        got = child(kw)
        rows.append(row(
            f"co-occurrence of {CODES} codes over {CODINGS:,} codings, {label}, s in a fresh "
            f"process (CPU {got['cpu']:.2f} s; baseline: raw sqlite3 fetch of the codings)",
            baseline, got["seconds"], "< 2 s",
        ))  # fmt: skip
        if not kw:
            rows.append(row("co-occurrence, overlapping: peak memory growth, MB", None,
                            round(got["growth_mb"], 1), "value < 300 MB"))  # fmt: skip
    return rows


def run() -> list[dict]:
    texts = _texts(DOCS)
    with tempfile.TemporaryDirectory(prefix="tessera-bench-analysis-") as tmp:
        folder = Path(tmp)
        plain = _import(folder / "plain.tessera", texts[:IMPORT_SAMPLE], index=False)
        indexed = _import(folder / "indexed.tessera", texts[:IMPORT_SAMPLE], index=True)
        rows = [row(f"import {IMPORT_SAMPLE} docs of 30k chars with the full-text index, s "
                    "(baseline: without it)", plain, indexed, "ratio <= 1.5")]  # fmt: skip
        path = folder / "big.tessera"
        build(path, texts)
        rows += _search_rows(path)
        rows += _retrieval_rows(path)
        rows += _cooccurrence_rows(path)
        rows += _frame_rows(path)
        rows += _fill_rows(path)
        rows += _old_project_rows(folder, texts)
    return rows


def main() -> None:
    rows = run()
    width = max(len(r["measure"]) for r in rows)
    print(f"{'measure':<{width}}  {'baseline':>9}  {'value':>9}  {'ratio':>6}  target")
    for r in rows:
        b = f"{r['baseline']:.3f}" if isinstance(r["baseline"], float) else ""
        print(
            f"{r['measure']:<{width}}  {b:>9}  {r['value']:>9.3f}  {r['ratio']!s:>6}  {r['target'] or ''}"
        )


if __name__ == "__main__":
    main()
