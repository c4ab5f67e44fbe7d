"""Benchmark: storage. What a coder feels on every click and on every open.

    .venv/bin/python -m tests.benchmarks.bench_storage

* saving one coding (p95 of 300): ``codings.apply_coding`` (checks, quote, audit entry,
  one transaction) against a raw sqlite3 INSERT + COMMIT of the same row on the same
  file and settings (WAL, synchronous=NORMAL).
* opening a project of 2,000 documents and 100,000 codings: ``Project.open`` +
  ``list_documents`` + ``list_codes`` against raw sqlite3 queries returning the same
  facts (documents with page and coding counts, codes with coding counts).
* the backup made on open, on the same project: unchanged (nothing to do) against one
  ``os.stat``; changed (a new backup) against SQLite's backup API copying the file.

Baselines are measured in the same run. Prints a table; ``run()`` returns the rows.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

SAVES = 300
DOCS = 2_000
CODINGS = 100_000
CODES = 60


def row(measure: str, baseline: float, value: float, target) -> dict:
    return {
        "measure": measure,
        "baseline": round(baseline, 4),
        "value": round(value, 4),
        "ratio": round(value / baseline, 2) if baseline else None,
        "target": target,
    }


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def _save_one_coding(folder: Path) -> list[dict]:
    from desktop.services.codebook import codebook
    from desktop.services.coding import codings
    from desktop.services.documents import documents
    from desktop.services.project.project import Project
    from desktop.services.teams import coders

    path = folder / "save.tessera"
    text = "The talks failed and the ceasefire held for two days. " * 400
    with Project.create(path) as p:
        p.actor = "ana"
        ana = coders.add_coder(p, "ana")
        code = codebook.add_code(p, "Talks")
        doc = documents.add_document(p, name="d.txt", text=text, kind="txt")
        ours, ours_cpu = [], []
        for i in range(SAVES):
            t, c = time.perf_counter(), time.process_time()
            codings.apply_coding(
                p, document_id=doc.id, code_id=code.id, coder_id=ana.id, start=i, end=i + 40
            )
            ours.append((time.perf_counter() - t) * 1000)
            ours_cpu.append((time.process_time() - c) * 1000)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    raw, raw_cpu = [], []
    for i in range(SAVES):
        t, c = time.perf_counter(), time.process_time()
        conn.execute(
            'INSERT INTO coding (document_id, code_id, coder_id, start, "end", quote, memo, created_at, updated_at) '
            "VALUES (?, ?, ?, ?, ?, ?, '', datetime('now'), datetime('now'))",
            (doc.id, code.id, ana.id, 1000 + i, 1040 + i, text[1000 + i : 1040 + i]),
        )
        conn.commit()
        raw.append((time.perf_counter() - t) * 1000)
        raw_cpu.append((time.process_time() - c) * 1000)
    conn.close()
    # CPU time beside wall time: on a shared machine the wall clock includes waiting
    # for a core, which says nothing about our code.
    return [
        row(
            "save one coding, p95 ms (baseline: raw sqlite3 insert+commit)",
            p95(raw),
            p95(ours),
            "< 5 ms",
        ),
        row("  same, CPU ms p95 (baseline: raw, CPU)", p95(raw_cpu), p95(ours_cpu), "< 5 ms"),
    ]


def build_big_project(path: Path, docs: int = DOCS, n_codings: int = CODINGS) -> None:
    """A project of ``docs`` documents (a few paged) and ``n_codings`` codings, written
    with raw SQL after Project.create made the schema (building it through the services
    would take minutes and is not what is measured)."""
    from desktop.core.text import sha256_text
    from desktop.services.codebook import codebook
    from desktop.services.project.project import Project

    rng = random.Random(6)
    with Project.create(path) as p:
        for i in range(CODES):
            codebook.add_code(p, f"Group {i // 10}/Code {i}")
    conn = sqlite3.connect(path)
    code_ids = [r[0] for r in conn.execute("SELECT id FROM code WHERE parent_id IS NOT NULL")]
    conn.execute(
        "INSERT INTO coder (name, color, created_at) VALUES ('ana', '#4c78a8', datetime('now'))"
    )
    words = [
        "the",
        "talks",
        "failed",
        "ceasefire",
        "envoy",
        "rebels",
        "city",
        "people",
        "killed",
        "displaced",
        "said",
        "reported",
    ]
    doc_rows, page_rows = [], []
    for d in range(1, docs + 1):
        text = " ".join(rng.choice(words) for _ in range(700)) + f" ({d})"
        doc_rows.append((d, f"doc{d:05}.txt", "txt", text, sha256_text(text), len(text)))
        if d % 10 == 0:
            third = len(text) // 3
            page_rows += [(d, 1, 0, third), (d, 2, third, 2 * third), (d, 3, 2 * third, len(text))]
    conn.executemany(
        "INSERT INTO document (id, name, kind, text, sha256, length, imported_at, extra) "
        "VALUES (?, ?, ?, ?, ?, ?, datetime('now'), '{}')",
        doc_rows,
    )
    conn.executemany(
        "INSERT INTO page (document_id, number, char_start, char_end) VALUES (?, ?, ?, ?)",
        page_rows,
    )
    texts = {r[0]: r[3] for r in doc_rows}
    seen = set()
    coding_rows = []
    while len(coding_rows) < n_codings:
        d = rng.randint(1, docs)
        start = rng.randint(0, len(texts[d]) - 200)
        end = start + rng.randint(5, 190)
        code = rng.choice(code_ids)
        if (d, code, start, end) in seen:
            continue
        seen.add((d, code, start, end))
        coding_rows.append((d, code, start, end, texts[d][start:end]))
    conn.executemany(
        'INSERT INTO coding (document_id, code_id, coder_id, start, "end", quote, memo, created_at, updated_at) '
        "VALUES (?, ?, 1, ?, ?, ?, '', datetime('now'), datetime('now'))",
        coding_rows,
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _best_of(n: int, fn) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _open_big(path: Path) -> list[dict]:
    from desktop.services.codebook import codebook
    from desktop.services.documents import documents
    from desktop.services.project import backups
    from desktop.services.project.project import Project

    def ours() -> None:
        with Project.open(path) as p:
            documents.list_documents(p)
            codebook.list_codes(p)

    def raw() -> None:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version").fetchone()
        pages = dict(conn.execute("SELECT document_id, count(*) FROM page GROUP BY document_id"))
        counts = dict(conn.execute("SELECT document_id, count(*) FROM coding GROUP BY document_id"))
        meta: dict[int, dict] = {}  # the built-in attributes (title, author, ...)
        for did, name, value in conn.execute(
            "SELECT v.document_id, a.name, v.value FROM attribute_value v "
            "JOIN attribute a ON a.id = v.attribute_id WHERE a.builtin"
        ):
            meta.setdefault(did, {})[name] = value
        docs = [
            (*r, meta.get(r[0], {}), pages.get(r[0], 0), counts.get(r[0], 0))
            for r in conn.execute(
                "SELECT id, name, kind, sha256, length, source_path FROM document ORDER BY name"
            )
        ]
        per_code = dict(conn.execute("SELECT code_id, count(*) FROM coding GROUP BY code_id"))
        codes = [(*r, per_code.get(r[0], 0)) for r in conn.execute("SELECT * FROM code")]
        assert len(docs) == DOCS and codes
        conn.close()

    ours()  # warm the page cache for both
    open_row = row(
        f"open {DOCS:,} docs/{CODINGS:,} codings + list documents and codes, s (baseline: raw sqlite3)",
        _best_of(3, raw),
        _best_of(3, ours),
        "< 1 s",
    )

    with Project.open(path) as p:
        t = time.perf_counter()
        made = backups.backup_on_open(p)
        changed = time.perf_counter() - t
        assert made is not None
        t = time.perf_counter()
        assert backups.backup_on_open(p) is None
        unchanged = time.perf_counter() - t

    def copy_with_backup_api() -> None:
        target = path.with_name("copy.tessera")
        src, dst = sqlite3.connect(path), sqlite3.connect(target)
        src.backup(dst)
        dst.close()
        src.close()
        target.unlink()

    stat_s = _best_of(5, lambda: os.stat(path))
    copy_s = _best_of(1, copy_with_backup_api)
    size_mb = path.stat().st_size / 1e6
    return [
        open_row,
        row(
            "backup on open, unchanged project, ms (baseline: one os.stat)",
            stat_s * 1000,
            unchanged * 1000,
            "< 50 ms",
        ),
        row(
            f"backup on open, changed {size_mb:.0f} MB project, s (baseline: sqlite3 backup API copy)",
            copy_s,
            changed,
            None,
        ),  # fmt: skip
    ]


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="tessera-bench-storage-") as tmp:
        folder = Path(tmp)
        rows = _save_one_coding(folder)
        big = folder / "big.tessera"
        build_big_project(big)
        rows += _open_big(big)
    return rows


def main() -> None:
    rows = run()
    width = max(len(r["measure"]) for r in rows)
    print(f"{'measure':<{width}}  {'baseline':>9}  {'value':>9}  {'ratio':>6}  target")
    for r in rows:
        print(
            f"{r['measure']:<{width}}  {r['baseline']:>9}  {r['value']:>9}  {r['ratio']!s:>6}  {r['target'] or ''}"
        )


if __name__ == "__main__":
    main()
