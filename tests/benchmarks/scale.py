"""Scale benchmark: a synthetic news corpus at growing sizes, every operation timed as a
whole process (start-up included) with its peak memory, and the growth exponent between
sizes (time ~ size ** exponent: 1 is linear, 0 is flat).

    .venv/bin/python -m tests.benchmarks.scale                     # 1k, 10k, 50k documents
    .venv/bin/python -m tests.benchmarks.scale --documents 1000 10000 --codings 100000 1000000
    .venv/bin/python -m tests.benchmarks.scale --quick             # 1k documents, 10k codings
    .venv/bin/python -m tests.benchmarks.scale --window 1000 10000 100000   # the window alone

The corpus: articles of 3-8 kB built from a news vocabulary, 33 codes in 3 groups, 3
coders; codings are short spans (a clause) spread over the documents, each coder coding
about the same passages with some disagreement. Operations:

- ``import``: ``tessera import P FOLDER`` of the article files (time per file);
- ``list``: every document as ``list_documents`` reads it;
- ``window``: ``tessera``'s main window opened on the project, to its first paint (a
  fresh interpreter: start-up, opening the file, the lists), against a bare Qt window
  that reads every listed row (name, kind, pages and codings counted) with sqlite3;
- ``export``/``codings import``: ``tessera export --what codings`` and ``tessera codings
  import`` of all codings into a copy of the project without them;
- ``agreement``: ``tessera agreement P --coders a,b,c --csv`` (pooled, per code);
- ``backup``: ``Project.open`` of a copy of the project with a changed file (it backs up
  the copy it opens: the first open of a copied project).

Not in the test suite's time budget; ``tests/benchmarks/test_scale_small.py`` runs the
1k version. ``run()`` returns rows for ``python -m tests.benchmarks`` as well."""

from __future__ import annotations

import argparse
import compileall
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODERS = ("ana", "ben", "cy")
GROUPS = ("Actors", "Events", "Places")
CODES_PER_GROUP = 11  # 33 codes
WORDS = (  # noqa: SIM905
    "ceasefire talks failed rebels civilians killed province monitor said government forces "
    "shelling displaced families negotiators accused withdrawal demanded hospital convoy "
    "border crossing village market police protest election minister spokesman attack army "
    "militia refugees aid agency report town night morning officials denied claims"
).split()


@dataclass
class Measure:
    operation: str
    size: int  # what the operation grows with (files, documents, codings)
    unit: str
    seconds: float
    peak_mb: float
    detail: str = ""
    documents: int = 0  # documents in the project


# -- the corpus ---------------------------------------------------------------------------


def article(rng: random.Random, i: int) -> str:
    target = rng.randint(3000, 8000)
    parts, n = [f"Article {i}."], 0
    while n < target:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18)))
        sentence = sentence[0].upper() + sentence[1:] + "."
        parts.append(sentence)
        n += len(sentence) + 1
        if rng.random() < 0.15:
            parts.append("\n\n")
    return " ".join(parts) + "\n"


def write_articles(folder: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"article {i:06}.txt").write_text(article(rng, i), "utf-8")


def new_project(path: Path) -> None:
    _run([sys.executable, "-m", "desktop.cli.main", "new", str(path)])
    code = (
        "import sys\n"
        "from desktop.services.project.project import Project\n"
        "from desktop.services.codebook import codebook\n"
        "from desktop.services.teams import coders\n"
        "p = Project.open(sys.argv[1]); p.actor = 'bench'\n"
        f"for g in {GROUPS!r}:\n"
        f"    for k in range({CODES_PER_GROUP}):\n"
        "        codebook.add_code(p, f'{g}/{g[:-1]} {k + 1}')\n"
        f"for c in {CODERS!r}:\n"
        "    coders.add_coder(p, c)\n"
        "p.close()\n"
    )
    _run([sys.executable, "-c", code, str(path)])


def add_codings(path: Path, n: int, seed: int = 2) -> int:
    """About ``n`` codings spread over all documents, stored with raw SQL (setup, not
    measured): coder ana codes passages, ben and cy code most of the same passages, with
    shifted ends and sometimes another code."""
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    docs = con.execute("SELECT id, length FROM document ORDER BY id").fetchall()
    codes = [r[0] for r in con.execute("SELECT id FROM code WHERE parent_id IS NOT NULL")]
    coders = [r[0] for r in con.execute("SELECT id FROM coder ORDER BY id")][: len(CODERS)]
    now = "2026-01-01 00:00:00.000000"
    rows, seen = [], set()
    per_passage = len(coders)
    while len(rows) < n:
        did, length = docs[rng.randrange(len(docs))]
        start = rng.randrange(0, max(1, length - 300))
        end = start + rng.randint(20, 250)
        code = rng.choice(codes)
        for i, coder in enumerate(coders):
            if i and rng.random() < 0.15:
                continue  # this coder missed it
            c = code if rng.random() < 0.9 else rng.choice(codes)
            s = max(0, start + rng.randint(-10, 10)) if i else start
            e = min(length, max(s + 1, end + rng.randint(-10, 10))) if i else end
            key = (did, c, coder, s, e)
            if key in seen:
                continue
            seen.add(key)
            rows.append((did, c, coder, s, e, "", now, now))
        if len(rows) > n - per_passage:
            break
    texts = {}
    out = []
    for did, c, coder, s, e, memo, a, b in rows:
        if did not in texts:
            if len(texts) > 2000:
                texts.clear()
            texts[did] = con.execute("SELECT text FROM document WHERE id = ?", (did,)).fetchone()[0]
        out.append((did, c, coder, s, e, texts[did][s:e], memo, a, b))
    with con:
        con.executemany(
            'INSERT INTO coding (document_id, code_id, coder_id, start, "end", quote, memo, '
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            out,
        )
    con.close()
    return len(out)


def bulk_project(path: Path, n: int, seed: int = 1) -> None:
    """A project of ``n`` synthetic articles stored with raw SQL (setup, much faster
    than importing files at 100,000), each coded about once. Its full-text index is
    not built: nothing measured here reads it."""
    from desktop.core.text import sha256_text

    new_project(path)
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    with con:
        for start in range(0, n, 5000):
            texts = [article(rng, i) for i in range(start, min(n, start + 5000))]
            con.executemany(
                "INSERT INTO document (name, kind, text, sha256, length, imported_at, extra) "
                "VALUES (?, 'txt', ?, ?, ?, '2026-01-01 00:00:00.000000', '{}')",
                [(f"article {start + k:06}.txt", t, sha256_text(t), len(t))
                 for k, t in enumerate(texts)],
            )  # fmt: skip
    con.close()
    add_codings(path, n, seed + 1)


def copy_without_codings(src: Path, dst: Path) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    with sqlite3.connect(dst) as b:
        b.execute("DELETE FROM coding_value")
        b.execute("DELETE FROM coding")
    b.close()


# -- measuring ----------------------------------------------------------------------------


def _run(args: list[str]) -> None:
    """Run a setup command in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args[:6]))} failed:\n{done.stderr[-3000:]}")


# A child's peak from wait4/getrusage includes its parent's at the fork (exec keeps the
# high-water mark of the memory it replaces), so each child writes its own VmHWM (the
# peak of its own address space) at exit, through a sitecustomize on its path.
_PEAK_HOOK = """
import atexit, os

def _write_peak():
    with open("/proc/self/status") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    with open(os.environ["TESSERA_PEAK_FILE"], "w") as out:
        out.write(str(kb))

if os.environ.get("TESSERA_PEAK_FILE"):
    atexit.register(_write_peak)
"""


def _timed(args: list[str]) -> tuple[float, float]:
    """Seconds and the process's own peak resident memory (MB)."""
    with tempfile.TemporaryDirectory(prefix="tessera-peak-") as hook:
        Path(hook, "sitecustomize.py").write_text(_PEAK_HOOK)
        peak_file = Path(hook, "peak")
        env = dict(os.environ, PYTHONPATH=f"{REPO}{os.pathsep}{hook}",
                   QT_QPA_PLATFORM="offscreen", TESSERA_PEAK_FILE=str(peak_file))  # fmt: skip
        t0 = time.perf_counter()
        done = subprocess.run(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
        seconds = time.perf_counter() - t0
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, args[:6]))} failed:\n{done.stderr[-3000:]}")
        peak = int(peak_file.read_text()) / 1024 if peak_file.exists() else float("nan")
    return seconds, peak


def _painted(args: list[str]) -> tuple[float, float, float]:
    """Seconds from starting a process to its first paint, its peak memory (MB) and its
    CPU seconds by then."""
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    t0 = time.time()
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("PAINTED ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"{' '.join(map(str, args[:6]))} failed:\n{done.stderr[-3000:]}")
    _, when, kb, cpu = line.split()
    return float(when) - t0, int(kb) / 1024, float(cpu)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "desktop.cli.main", *args]


_LIST = (
    "import sys\n"
    "from desktop.services.project.project import Project\n"
    "from desktop.services.documents import documents\n"
    "p = Project.open(sys.argv[1]); docs = documents.list_documents(p); p.close()\n"
    "assert docs\n"
)
# painted: the clock, the peak memory and the CPU time so far (what a busy machine does
# not change), then out at once (not waiting for the
# backup a first open starts in the background)
_PAINTED = (
    "import os, time\n"
    "with open('/proc/self/status') as fh:\n"
    "    kb = next(int(x.split()[1]) for x in fh if x.startswith('VmHWM:'))\n"
    "import resource; ru = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print('PAINTED', time.time(), kb, ru.ru_utime + ru.ru_stime, flush=True)\n"
    "os._exit(0)\n"
)
# The window as a user opens it (the coder already known), to its first paint
_PAINT = (
    "import sys\n"
    "from PySide6.QtCore import QSettings\n"
    "from PySide6.QtWidgets import QApplication\n"
    "from desktop.services.project.project import Project\n"
    "from desktop.ui.look import apply_style\n"
    "from desktop.ui.workbench.main_window import MainWindow, project_key\n"
    "app = QApplication([]); apply_style(app)\n"
    "s = QSettings(sys.argv[2], QSettings.Format.IniFormat)\n"
    "s.setValue('projects/' + project_key(sys.argv[1]) + '/coder', 'ana')\n"
    "w = MainWindow(Project.open(sys.argv[1]), settings=s); w.resize(1280, 800); w.show()\n"
    "app.processEvents(); w.repaint()\n"
    "assert w.documents_panel.model.rowCount() > 0\n" + _PAINTED
)
# its floor: a bare Qt window, and every row the list shows read with sqlite3
_BARE_WINDOW = (
    "import sqlite3, sys\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([]); w = QMainWindow(); w.resize(1280, 800); w.show()\n"
    "rows = sqlite3.connect(sys.argv[1]).execute(\n"
    "    'SELECT d.id, d.name, d.kind,'\n"
    "    ' (SELECT count(*) FROM page p WHERE p.document_id = d.id),'\n"
    "    ' (SELECT count(*) FROM coding c WHERE c.document_id = d.id)'\n"
    "    ' FROM document d ORDER BY lower(d.name), d.name, d.id').fetchall()\n"
    "app.processEvents(); w.repaint()\n"
    "assert rows\n" + _PAINTED
)
_OPEN = (
    "import sys\n"
    "from desktop.services.project.project import Project\n"
    "Project.open(sys.argv[1]).close()\n"
)


def measure_window(project: Path, n_docs: int, log=print) -> list[Measure]:
    """The window's first paint on ``project`` and its floor, each a whole process."""
    settings = project.with_suffix(".ini")
    compileall.compile_dir(REPO / "desktop", quiet=1)  # bytecode, as installed
    compileall.compile_dir(REPO / "db", quiet=1)
    # a project the user worked on before: a command opened it (checked and backed it
    # up) and closed it, so the window's open finds it sealed sound and skips the check
    subprocess.run([sys.executable, "-m", "desktop.cli.main", "info", str(project)],
                   cwd=REPO, check=True, capture_output=True)  # fmt: skip
    _painted([sys.executable, "-c", _BARE_WINDOW, str(project)])  # warm: files in the cache
    base, base_peak, base_cpu = _painted([sys.executable, "-c", _BARE_WINDOW, str(project)])
    seconds, peak, cpu = _painted([sys.executable, "-c", _PAINT, str(project), str(settings)])
    settings.unlink(missing_ok=True)
    out = [
        Measure("bare window + sqlite3", n_docs, "documents", base, base_peak,
                f"every listed row, no Tessera; {base_cpu:.2f} s CPU"),
        Measure("window first paint", n_docs, "documents", seconds, peak,
                f"{seconds / base:.2f}x the bare window; {cpu:.2f} s CPU"),
    ]  # fmt: skip
    for m in out:
        log(m)
    return out


def measure_windows(sizes: list[int], log=print) -> list[Measure]:
    """``measure_window`` on a bulk-made project of each size."""
    out: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="tessera-scale-") as tmp:
        for n in sizes:
            project = Path(tmp) / f"w{n}.tessera"
            bulk_project(project, n)
            out += measure_window(project, n, log)
            project.unlink()
    return out


def measure_size(folder: Path, n_docs: int, codings: list[int], log=print) -> list[Measure]:
    out: list[Measure] = []
    src = folder / f"articles-{n_docs}"
    write_articles(src, n_docs)
    project = folder / f"p{n_docs}.tessera"
    new_project(project)
    seconds, peak = _timed(_cli("import", str(project), str(src)))
    out.append(Measure("import documents", n_docs, "files", seconds, peak,
                       f"{1000 * seconds / n_docs:.2f} ms/file"))  # fmt: skip
    log(out[-1])
    shutil.rmtree(src)
    seconds, peak = _timed([sys.executable, "-c", _LIST, str(project)])
    out.append(Measure("list documents", n_docs, "documents", seconds, peak))
    log(out[-1])
    out += measure_window(project, n_docs, log)
    for n in codings:
        p = folder / f"p{n_docs}-{n}.tessera"
        shutil.copy(project, p)
        made = add_codings(p, n)
        csv = folder / f"c{n_docs}-{n}.csv"
        seconds, peak = _timed(_cli("export", str(p), "--what", "codings", "-o", str(csv)))
        out.append(Measure("export codings", made, "codings", seconds, peak, f"{n_docs:,} docs",
                           n_docs))  # fmt: skip
        log(out[-1])
        target = folder / "import-target.tessera"
        copy_without_codings(p, target)
        seconds, peak = _timed(_cli("codings", "import", str(target), str(csv)))
        out.append(Measure("codings import", made, "codings", seconds, peak, f"{n_docs:,} docs",
                           n_docs))  # fmt: skip
        log(out[-1])
        target.unlink()
        csv.unlink()
        seconds, peak = _timed(_cli("agreement", str(p), "--coders", ",".join(CODERS), "--csv"))
        out.append(Measure("agreement", made, "codings", seconds, peak, f"{n_docs:,} docs",
                           n_docs))  # fmt: skip
        log(out[-1])
        p.unlink()
    # the first open of a copied project backs it up
    copy = folder / f"copy{n_docs}.tessera"
    shutil.copy(project, copy)
    size_mb = copy.stat().st_size / 2**20
    seconds, peak = _timed([sys.executable, "-c", _OPEN, str(copy)])
    out.append(Measure("open a copy (backup)", n_docs, "documents", seconds, peak,
                       f"{size_mb:.0f} MB file"))  # fmt: skip
    log(out[-1])
    for f in folder.glob(f"copy{n_docs}*"):
        if f.is_file():
            f.unlink()
    project.unlink()
    return out


def exponents(measures: list[Measure]) -> list[tuple[Measure, float | None, str]]:
    """Each measure with its growth exponent log(t2/t1)/log(n2/n1) against the previous
    measure of the same operation, and what grew: the codings (same documents) or the
    documents (for codings operations: the same codings in more documents)."""
    rows = []
    seen: list[Measure] = []
    for m in measures:
        exp, axis = None, ""
        same_size = [p for p in seen if p.operation == m.operation and p.documents != m.documents
                     and abs(math.log(m.size / p.size)) < 0.1]  # fmt: skip
        same_docs = [p for p in seen if p.operation == m.operation and p.documents == m.documents
                     and abs(math.log(m.size / p.size)) > 0.1]  # fmt: skip
        if m.documents and same_size and same_size[-1].seconds > 0:
            p = same_size[-1]
            exp = math.log(m.seconds / p.seconds) / math.log(m.documents / p.documents)
            axis = "documents"
        elif same_docs and same_docs[-1].seconds > 0:
            p = same_docs[-1]
            exp = math.log(m.seconds / p.seconds) / math.log(m.size / p.size)
            axis = m.unit
        rows.append((m, exp, axis))
        seen.append(m)
    return rows


def table(measures: list[Measure]) -> str:
    lines = [f"{'operation':<22} {'size':>10} {'':<10} {'seconds':>8} {'peak MB':>8} "
             f"{'exponent':>8} {'(per)':<10} detail"]  # fmt: skip
    for m, exp, axis in exponents(measures):
        e = f"{exp:.2f}" if exp is not None else ""
        lines.append(f"{m.operation:<22} {m.size:>10,} {m.unit:<10} {m.seconds:>8.2f} "
                     f"{m.peak_mb:>8.0f} {e:>8} {axis:<10} {m.detail}")  # fmt: skip
    return "\n".join(lines)


def measure(sizes: list[tuple[int, list[int]]], log=print) -> list[Measure]:
    with tempfile.TemporaryDirectory(prefix="tessera-scale-") as tmp:
        out: list[Measure] = []
        for n_docs, codings in sizes:
            out += measure_size(Path(tmp), n_docs, codings, log=log)
    return out


def run() -> list[dict]:
    """Rows for ``python -m tests.benchmarks`` (the 1k and 10k sizes)."""
    measures = measure([(1000, [100_000]), (10_000, [100_000])], log=lambda m: None)
    return [
        {"measure": f"{m.operation} {m.size:,} {m.unit} (s)", "baseline": None,
         "value": round(m.seconds, 2), "ratio": round(exp, 2) if exp is not None else None,
         "target": 1.0}
        for m, exp, _ in exponents(measures)
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.benchmarks.scale", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--documents", type=int, nargs="+", default=[1000, 10_000, 50_000])
    ap.add_argument("--codings", type=int, nargs="+", default=[100_000],
                    help="codings per size (default 100,000); 1,000,000 is added at 10,000 "
                         "documents unless --codings is given")  # fmt: skip
    ap.add_argument("--quick", action="store_true", help="1,000 documents, 10,000 codings")
    ap.add_argument("--window", type=int, nargs="+", metavar="DOCUMENTS",
                    help="only the window's first paint, on projects of these sizes made "
                         "with raw SQL (fast enough for 100,000 documents)")  # fmt: skip
    args = ap.parse_args(argv)
    if args.window:
        measures = measure_windows(args.window, log=lambda m: print(
            f"  {m.operation}: {m.size:,} {m.unit} {m.seconds:.2f} s {m.peak_mb:.0f} MB "
            f"{m.detail}", flush=True))  # fmt: skip
        print()
        print(table(measures))
        return 0
    if args.quick:
        sizes = [(1000, [10_000])]
    else:
        given = sys.argv[1:] if argv is None else argv
        default = "--codings" not in given
        sizes = [
            (n, [*args.codings, 1_000_000] if default and n == 10_000 else list(args.codings))
            for n in args.documents
        ]
    measures = measure(sizes, log=lambda m: print(f"  {m.operation}: {m.size:,} {m.unit} "
                                                   f"{m.seconds:.2f} s {m.peak_mb:.0f} MB "
                                                   f"{m.detail}", flush=True))  # fmt: skip
    print()
    print(table(measures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
