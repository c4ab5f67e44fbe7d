"""Benchmark: CSV export and import of 100,000 codings versus raw sqlite3 + csv.

    .venv/bin/python -m tests.benchmarks.bench_csv

Builds a project of 200 documents and 100,000 codings (10% with a typed field value) in
a temporary folder, then runs each measure in a fresh interpreter so that their memory
figures do not mix:

- export: ``export_codings`` to a file, against a bare sqlite3 loop over the same join
  (coding, document, coder) writing rows with the csv module. Target: at most 2x.
- import: ``import_codings_csv`` of that file into a copy of the project without its
  codings, against csv.reader plus dictionary look-ups plus one sqlite3 ``executemany``
  in one transaction. Target: at most 3x.
- memory: how much the peak resident size grows while exporting (MB). Streaming keeps it
  flat: target under 64 MB, whatever the number of codings.

Prints a table; ``run()`` returns the rows ({measure, baseline, value, ratio, target};
seconds or MB). Never asserted in tests: timings on a shared machine are noise-prone."""

from __future__ import annotations

import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODINGS = 100_000
DOCUMENTS = 200
EXPORT_TARGET = 2.0
IMPORT_TARGET = 3.0
MEMORY_TARGET_MB = 64.0

_WORDS = [
    "ceasefire",
    "talks",
    "failed",
    "rebels",
    "civilians",
    "killed",
    "Dera’a",
    "province",
    "monitor",
    "said",
    "government",
    "forces",
    "shelling",
    "displaced",
    "families",
    "Ḥamāh",
    "naïve",
    "café",
    "🔥",
    "negotiators",
    "accused",
    "withdrawal",
    "demanded",
    "hospital",
    "convoy",
]


def _current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:  # not Linux: the peak so far is the best there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return pages * resource.getpagesize() / 2**20


class RssGrowth:
    """Peak growth of the resident set while the block runs, sampled every 5 ms."""

    def __enter__(self) -> RssGrowth:
        import threading

        self.before = self.peak = _current_rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _current_rss_mb())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _current_rss_mb())

    @property
    def mb(self) -> float:
        return self.peak - self.before


def build_project(folder: Path, codings: int = CODINGS) -> Path:
    """A project with DOCUMENTS documents and ``codings`` codings by two coders."""
    from sqlalchemy import insert, select

    from db import models as m
    from desktop.services.documents import documents
    from desktop.services.project.project import Project
    from desktop.services.teams import coders

    rng = random.Random(7)
    path = folder / "bench.tessera"
    project = Project.create(path, template="conflict-news")
    lengths = {}
    for i in range(DOCUMENTS):
        text = " ".join(rng.choice(_WORDS) for _ in range(3000)) + "\n"
        third = len(text) // 3
        pages = [(0, third), (third, 2 * third), (2 * third, len(text))] if i % 4 == 0 else None
        doc = documents.add_document(
            project, name=f"article {i:03}.txt", text=text, kind="txt", pages=pages
        )
        lengths[doc.id] = (text, len(text))
    coder_ids = [coders.add_coder(project, name).id for name in ("ana", "ben")]
    with project.session() as s:
        code_ids = list(s.scalars(select(m.Code.id)))
        count_field = s.scalar(select(m.CodeField.id).where(m.CodeField.name == "count"))
        casualties = s.scalar(select(m.CodeField.code_id).where(m.CodeField.id == count_field))
    rows, seen = [], set()
    now = m.utcnow()
    doc_ids = list(lengths)
    while len(rows) < codings:
        did = rng.choice(doc_ids)
        text, length = lengths[did]
        start = rng.randrange(0, length - 200)
        end = start + rng.randrange(1, 200)
        # Every tenth coding is a Casualties coding with a count (a typed field value).
        code = casualties if len(rows) % 10 == 0 else rng.choice(code_ids)
        key = (did, code, rng.choice(coder_ids), start, end)
        if key in seen:
            continue
        seen.add(key)
        memo = 'memo, with "quotes"' if len(rows) % 50 == 1 else ""
        rows.append(
            {"document_id": did, "code_id": code, "coder_id": key[2], "start": start, "end": end,
             "quote": text[start:end], "memo": memo, "created_at": now, "updated_at": now}
        )  # fmt: skip
    with project.session() as s:
        conn = s.connection()
        ids = conn.execute(
            insert(m.Coding.__table__).returning(m.Coding.id, sort_by_parameter_order=True), rows
        ).scalars().all()  # fmt: skip
        values = [
            {"coding_id": cid, "field_id": count_field, "value": str(i % 97)}
            for i, cid in enumerate(ids)
            if i % 10 == 0
        ]
        conn.execute(insert(m.CodingValue.__table__), values)
    project.close()
    return path


def copy_without_codings(src: Path, dst: Path) -> Path:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    with sqlite3.connect(dst) as b:
        b.execute("DELETE FROM coding_value")
        b.execute("DELETE FROM coding")
    return dst


_JOIN = (
    'SELECT c.id, d.name, d.sha256, c.code_id, k.name, c.start, c."end", c.quote, c.memo, '
    "c.created_at, c.updated_at FROM coding c JOIN document d ON d.id = c.document_id "
    'JOIN coder k ON k.id = c.coder_id ORDER BY c.document_id, c.start, c."end", c.id'
)


def measure_export_baseline(project: Path, out: Path) -> dict:
    with RssGrowth() as growth:
        t0 = time.perf_counter()
        _baseline_export(project, out)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "growth_mb": growth.mb}


def _baseline_export(project: Path, out: Path) -> None:
    import csv

    con = sqlite3.connect(project)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("id", "document", "sha256", "code", "coder", "start", "end", "quote", "memo",
                    "created", "updated"))  # fmt: skip
        for row in con.execute(_JOIN):
            w.writerow(row)
    con.close()


def measure_export(project: Path, out: Path) -> dict:
    from desktop.services.exchange.exchange import export_codings
    from desktop.services.project.project import Project

    p = Project.open(project)
    p.info()  # connect and load the models before measuring
    with RssGrowth() as growth:
        t0 = time.perf_counter()
        n = export_codings(p, out)
        seconds = time.perf_counter() - t0
    p.close()
    return {"seconds": seconds, "growth_mb": growth.mb, "rows": n}


def measure_import_baseline(project: Path, csv_path: Path) -> dict:
    import csv

    t0 = time.perf_counter()
    con = sqlite3.connect(project)
    docs = dict(con.execute("SELECT sha256, id FROM document"))
    coder_ids = dict(con.execute("SELECT name, id FROM coder"))
    code_ids = {}
    for cid, parent, name in con.execute(
        "SELECT id, parent_id, name FROM code ORDER BY parent_id IS NOT NULL, id"
    ):
        code_ids[cid] = (parent, name)
    paths = {}
    for cid in code_ids:
        names, cur = [], cid
        while cur is not None:
            parent, name = code_ids[cur]
            names.append(name)
            cur = parent
        paths["/".join(reversed(names))] = cid
    now = time.strftime("%Y-%m-%d %H:%M:%S.000000")
    with csv_path.open(encoding="utf-8", newline="") as fh:
        r = csv.reader(fh)
        header = next(r)
        ix = {name: i for i, name in enumerate(header)}
        rows = [
            (docs[v[ix["document_sha256"]]], paths[v[ix["code"]]], coder_ids[v[ix["coder"]]],
             int(v[ix["start"]]), int(v[ix["end"]]), v[ix["text"]], v[ix["memo"]], now, now)
            for v in r
        ]  # fmt: skip
    with con:
        con.executemany(
            'INSERT INTO coding (document_id, code_id, coder_id, start, "end", quote, memo, '
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    con.close()
    return {"seconds": time.perf_counter() - t0, "rows": len(rows)}


def measure_import(project: Path, csv_path: Path) -> dict:
    from desktop.services.exchange.csv_import import import_codings_csv
    from desktop.services.project.project import Project

    p = Project.open(project)
    t0 = time.perf_counter()
    report = import_codings_csv(p, csv_path)
    seconds = time.perf_counter() - t0
    p.close()
    return {"seconds": seconds, "rows": report.imported}


MEASURES = {
    "export_baseline": measure_export_baseline,
    "export": measure_export,
    "import_baseline": measure_import_baseline,
    "import": measure_import,
}


def _measure(name: str, *paths: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_csv", "--measure", name, *map(str, paths)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(codings: int = CODINGS) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="tessera-bench-csv-") as tmp:
        folder = Path(tmp)
        project = build_project(folder, codings)
        base_exp = _measure("export_baseline", project, folder / "baseline.csv")
        exp = _measure("export", project, folder / "codings.csv")
        base_imp = _measure(
            "import_baseline",
            copy_without_codings(project, folder / "b.tessera"),
            folder / "codings.csv",
        )
        imp = _measure(
            "import", copy_without_codings(project, folder / "i.tessera"), folder / "codings.csv"
        )
        assert exp["rows"] == codings and imp["rows"] == codings, (exp, imp)

    def row(measure, baseline, value, target):
        return {"measure": measure, "baseline": round(baseline, 3), "value": round(value, 3),
                "ratio": round(value / baseline, 2) if baseline else None, "target": target}  # fmt: skip

    return [
        row(f"export {codings:,} codings (s)", base_exp["seconds"], exp["seconds"], EXPORT_TARGET),
        row(f"import {codings:,} codings (s)", base_imp["seconds"], imp["seconds"], IMPORT_TARGET),
        row("export memory growth (MB)", base_exp["growth_mb"], exp["growth_mb"], MEMORY_TARGET_MB),
    ]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        print(json.dumps(MEASURES[argv[1]](*map(Path, argv[2:]))))
        return 0
    codings = int(argv[0]) if argv else CODINGS
    rows = run(codings)
    print(f"{'measure':<32} {'baseline':>9} {'value':>9} {'ratio':>6} {'target':>7}  ok")
    for r in rows:
        is_mb = "MB" in r["measure"]
        ok = r["value"] <= r["target"] if is_mb else (r["ratio"] or 0) <= r["target"]
        target = f"{r['target']:.0f} MB" if is_mb else f"{r['target']}x"
        print(
            f"{r['measure']:<32} {r['baseline']:>9} {r['value']:>9} {r['ratio']!s:>6} {target:>7}  {'yes' if ok else 'NO'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
