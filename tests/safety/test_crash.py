"""Crash safety: a process writing to a project is killed with SIGKILL
at a random moment (several seeds). Afterwards the project opens, PRAGMA integrity_check
is ok, everything committed before the kill is there, and nothing is half-written: no
document without its pages, none whose text does not match its sha256, no coding whose
quote differs from its document's text.

"Committed before the kill" is what an observer could see: the lines a worker prints
after each commit, or the rows another connection reads just before the kill."""

from __future__ import annotations

import csv
import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db.integrity import integrity_check
from desktop.services.codebook import codebook
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders
from tests.safety.safety_helpers import PYTHON, REPO, db_rows

SEEDS = (1, 2, 3)
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def assert_sound(path: Path) -> None:
    """Opens, passes the integrity check, and holds no half-written row."""
    assert integrity_check(path) == []
    with Project.open(path) as p:
        p.info()
    for did, text, sha, length in db_rows(path, "SELECT id, text, sha256, length FROM document"):
        assert hashlib.sha256(text.encode()).hexdigest() == sha, f"document {did}: text/sha256"
        assert len(text) == length, f"document {did}: length"
    # a paged document has all its pages, covering its text
    for did, n, last_end, length in db_rows(
        path,
        "SELECT d.id, count(p.id), max(p.char_end), d.length FROM document d "
        "JOIN page p ON p.document_id = d.id GROUP BY d.id",
    ):
        assert last_end == length, f"document {did}: {n} pages end at {last_end} of {length}"
    bad = db_rows(
        path,
        "SELECT c.id FROM coding c JOIN document d ON d.id = c.document_id "
        'WHERE substr(d.text, c.start + 1, c."end" - c.start) <> c.quote',
    )
    assert bad == []


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def read_lines_until(proc: subprocess.Popen, n: int, deadline: float) -> list[str]:
    lines: list[str] = []
    while len(lines) < n and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
    return lines


@POSIX
@pytest.mark.parametrize("seed", SEEDS)
def test_killed_while_adding_paged_documents(tmp_path, seed):
    path = tmp_path / "crash.tessera"
    Project.create(path).close()
    rng = random.Random(seed)
    proc = subprocess.Popen(
        [PYTHON, "-m", "tests.safety.workers", "documents", str(path), "200", f"s{seed}-"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        lines = read_lines_until(proc, rng.randint(5, 120), time.monotonic() + 30)
    finally:
        kill(proc)
    committed = {line.split()[1] for line in lines}
    assert committed, "the worker committed nothing before the deadline"
    assert_sound(path)
    stored = {r[0] for r in db_rows(path, "SELECT sha256 FROM document")}
    assert committed <= stored
    assert db_rows(path, "SELECT count(*) FROM document d WHERE NOT EXISTS "
                         "(SELECT 1 FROM page p WHERE p.document_id = d.id)") == [(0,)]  # fmt: skip


@POSIX
@pytest.mark.parametrize("seed", SEEDS)
def test_killed_while_applying_codings(tmp_path, seed):
    path = tmp_path / "crash.tessera"
    with Project.create(path) as p:
        codebook.add_code(p, "Talks")
        documents.add_document(p, name="long.txt", text="word " * 2000, kind="txt")
    rng = random.Random(seed)
    proc = subprocess.Popen(
        [PYTHON, "-m", "tests.safety.workers", "codings", str(path), "ana", "2000"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        lines = read_lines_until(proc, rng.randint(5, 300), time.monotonic() + 30)
    finally:
        kill(proc)
    committed = {int(line.split()[1]) for line in lines}
    assert committed
    assert_sound(path)
    stored = {r[0] for r in db_rows(path, "SELECT id FROM coding")}
    assert committed <= stored
    # each coding has its audit entry: they were written in the same transaction
    audited = {
        r[0] for r in db_rows(path, "SELECT entity_id FROM audit_log WHERE entity = 'coding'")
    }
    assert audited == stored


# -- through the CLI ---------------------------------------------------------------------


def tessera(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "desktop.cli.main", *args], cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw,
    )  # fmt: skip


def kill_when(proc: subprocess.Popen, path: Path, rng: random.Random, ready, limit_s: float = 20):
    """SIGKILL ``proc`` at a random moment after ``ready(path)`` first holds; returns
    what the project held (by a reader's look) just before the kill."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and proc.poll() is None and not ready(path):
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.6))
    seen = db_rows(path, "SELECT sha256 FROM document")
    kill(proc)
    return {r[0] for r in seen}


def some_documents(path: Path) -> bool:
    try:
        return db_rows(path, "SELECT count(*) FROM document")[0][0] > 0
    except Exception:
        return False


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_cli_bulk_import_of_200_files_killed(tmp_path, seed, shared_dir):
    pytest.importorskip("desktop.core.importers")
    folder = tmp_path / "files"
    folder.mkdir()
    for i in range(200):
        body = f"Article {i} (seed {seed}).\r\nThe talks \u201cfailed\u201d; {i} people fled \U0001f525.\n"
        (folder / f"a{i:03}.txt").write_text(body * (5 + i % 13), "utf-8")
    for pdf in sorted((shared_dir / "pdfs").glob("*.pdf"))[:2]:
        (folder / pdf.name).write_bytes(pdf.read_bytes())  # paged documents among them
    path = tmp_path / "import.tessera"
    Project.create(path).close()
    proc = tessera("import", str(path), str(folder))
    committed = kill_when(proc, path, random.Random(seed), some_documents)
    assert committed
    assert_sound(path)
    stored = {r[0] for r in db_rows(path, "SELECT sha256 FROM document")}
    assert committed <= stored
    if seed != SEEDS[0]:
        return
    # finishing the import afterwards imports the rest and skips what is there
    done = subprocess.run(
        [PYTHON, "-m", "desktop.cli.main", "import", str(path), str(folder)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    assert db_rows(path, "SELECT count(*) FROM document")[0][0] >= 200
    assert_sound(path)


def codings_csv(path: Path, doc_name: str, text: str, n: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["document", "code", "coder", "start", "end"])
        for i in range(n):
            start = i % (len(text) - 10)
            w.writerow(
                [doc_name, f"Bulk/C{i % 20}", "importer", start, start + 1 + (i // 20000) + i % 7]
            )


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS[:2])
def test_cli_codings_import_of_100000_rows_killed_is_all_or_nothing(tmp_path, seed):
    cli = REPO / "desktop" / "cli" / "exchange.py"
    if not cli.exists() or "codings" not in cli.read_text("utf-8"):
        pytest.skip("`tessera codings import` has not landed")
    path = tmp_path / "bulk.tessera"
    text = "".join(f"Sentence {i} of a long report on the talks. " for i in range(3000))
    with Project.create(path) as p:
        p.actor = "ana"
        doc = documents.add_document(p, name="report.txt", text=text, kind="txt")
        coders.add_coder(p, "importer")
        codebook.add_code(p, "Kept")
        codebook.add_code(p, "Bulk/C0")
    before = db_rows(path, "SELECT count(*) FROM coding")[0][0]
    data = tmp_path / "codings.csv"
    codings_csv(data, doc.name, text, 100_000)
    proc = tessera("codings", "import", str(path), str(data), "--create-missing")
    rng = random.Random(seed)
    wal = path.with_name(path.name + "-wal")
    if seed == 1:  # while the rows are being checked, before anything is written
        time.sleep(rng.uniform(0.3, 1.0))
    else:  # while the one transaction is being written (its pages fill the -wal)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if wal.exists() and wal.stat().st_size > 0:
                break
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.4))
    finished_first = proc.poll() is not None
    kill(proc)
    assert_sound(path)
    after = db_rows(path, "SELECT count(*) FROM coding")[0][0]
    assert after - before in (0, 100_000), f"{after - before} of 100,000 rows: a partial import"
    if finished_first:
        assert after - before == 100_000
    assert [
        r[0] for r in db_rows(path, "SELECT name FROM code WHERE parent_id IS NULL ORDER BY name")
    ][:1] == ["Bulk"]


def make_merge_sources(folder: Path, n_sources: int, per_source: int) -> tuple[Path, list[Path]]:
    """A target and ``n_sources`` coders' copies of it, each with ``per_source`` codings
    of its own coder (written with SQL: building them through the services is slow)."""
    import shutil
    import sqlite3

    from desktop.services.teams import teams

    base = folder / "target.tessera"
    texts = [
        f"Report {d}: " + "the talks failed and people fled the city. " * 60 for d in range(10)
    ]
    with Project.create(base) as p:
        for d, text in enumerate(texts):
            documents.add_document(p, name=f"r{d}.txt", text=text, kind="txt")
        for k in range(5):
            codebook.add_code(p, f"Theme/T{k}")
    sources = []
    for i in range(n_sources):
        src = folder / f"coder{i}.tessera"
        shutil.copy(base, src)
        with Project.open(src) as p:
            coder = teams.add_coder(p, f"coder{i}")
        conn = sqlite3.connect(src)
        docs = conn.execute("SELECT id, text FROM document ORDER BY id").fetchall()
        codes = [r[0] for r in conn.execute("SELECT id FROM code WHERE parent_id IS NOT NULL")]
        rows = []
        for j in range(per_source):
            did, text = docs[j % len(docs)]
            start = (j * 7) % (len(text) - 50)
            end = start + 10 + j % 30
            rows.append((did, codes[j % len(codes)], coder.id, start, end, text[start:end]))
        conn.executemany(
            'INSERT INTO coding (document_id, code_id, coder_id, start, "end", quote, memo, '
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '', datetime('now'), datetime('now'))",
            rows,
        )
        conn.commit()
        conn.close()
        sources.append(src)
    return base, sources


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_cli_merge_killed_merges_each_source_whole_or_not_at_all(tmp_path, seed):
    if "merge" not in (REPO / "desktop" / "cli" / "teams.py").read_text("utf-8"):
        pytest.skip("`tessera merge` has not landed")
    per_source = 1500
    target, sources = make_merge_sources(tmp_path, 4, per_source)
    digests = {s: hashlib.sha256(s.read_bytes()).hexdigest() for s in sources}
    proc = tessera("merge", str(target), *map(str, sources))
    rng = random.Random(seed)
    wal = target.with_name(target.name + "-wal")
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 0:
            break
        time.sleep(0.005)
    time.sleep(rng.uniform(0.0, 0.45))  # the four sources are written within ~0.5 s
    kill(proc)
    assert_sound(target)
    per_coder = dict(db_rows(
        target, "SELECT coder.name, count(coding.id) FROM coder LEFT JOIN coding ON coding.coder_id = coder.id GROUP BY coder.name"
    ))  # fmt: skip
    for i in range(len(sources)):
        assert per_coder.get(f"coder{i}", 0) in (0, per_source), per_coder
    # the sources are never changed
    for s in sources:
        for extra in ("-wal", "-shm"):
            s.with_name(s.name + extra).unlink(missing_ok=True)
        assert hashlib.sha256(s.read_bytes()).hexdigest() == digests[s]


@POSIX
@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9, 1.2])
def test_tessera_new_killed_leaves_no_half_made_project(tmp_path, delay):
    path = tmp_path / "new.tessera"
    proc = tessera("new", str(path), "--template", "conflict-news")
    time.sleep(delay)
    kill(proc)
    if path.exists():  # finished (or far enough): then it is a whole project
        assert integrity_check(path) == []
        with Project.open(path) as p:
            assert p.info()["schema_version"] >= 1
    # and a new attempt works, whatever the kill left behind
    if not path.exists():
        subprocess.run([PYTHON, "-m", "desktop.cli.main", "new", str(path)], cwd=REPO, check=True,
                       capture_output=True, timeout=120)  # fmt: skip
    with Project.open(path) as p:
        p.info()


def test_a_create_that_fails_leaves_nothing(tmp_path, monkeypatch):
    from db import project_file
    from desktop.services.errors import ServiceError

    def full(*_a, **_k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(project_file, "_upgrade", full)
    path = tmp_path / "new.tessera"
    with pytest.raises((ServiceError, sqlite3.OperationalError), match="disk is full"):
        Project.create(path)
    assert list(tmp_path.iterdir()) == []
