"""The full-text index of a large project made before it: opening does not wait for it,
it is built afterwards a batch at a time with progress and cancel, a cancelled build
resumes at the next opening, and no search answers from a half-built index."""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop.services.analysis import fulltext
from desktop.services.analysis import search as svc
from desktop.services.analysis.progress import Cancelled
from desktop.services.documents import documents
from desktop.services.project.project import Project

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "projects"
WORDS = ("talks", "ceasefire", "army", "rebels", "shelling", "envoy", "convoy", "market",
         "killed", "wounded", "village", "road", "river", "report", "witness")  # fmt: skip
EXTRA = 60  # documents added to the schema-v2 fixture, ~150,000 characters each


def make_old_project(path: Path) -> None:
    """The schema-v2 fixture (made before the index) grown past the size indexed
    while upgrading, written with sqlite3 as that version stored documents."""
    shutil.copy(FIXTURES / "schema-v2.tessera", path)
    rng = random.Random(7)
    conn = sqlite3.connect(path)
    with conn:
        for i in range(EXTRA):
            words = rng.choices(WORDS, k=22_000)
            if i % 7 == 0:
                words[rng.randrange(len(words))] = "negotiators"
            text = " ".join(words) + "."
            conn.execute(
                "INSERT INTO document (name, kind, text, sha256, length, imported_at, extra) "
                "VALUES (?, 'txt', ?, ?, ?, '2026-01-01 00:00:00', '{}')",
                (f"old-{i:03}.txt", text, hashlib.sha256(text.encode()).hexdigest(), len(text)),
            )
    conn.close()


@pytest.fixture
def old_project(tmp_path) -> Path:
    path = tmp_path / "old.tessera"
    make_old_project(path)
    return path


def scan(p, word: str) -> list[tuple[str, int]]:
    """What a search must find: every whole word, case folded, read from the texts."""
    rx = re.compile(rf"\b{word}\b", re.IGNORECASE)
    out = []
    for d in sorted(documents.list_documents(p), key=lambda d: (d.name, d.id)):
        out += [(d.name, m.start()) for m in rx.finditer(documents.get_text(p, d.id))]
    return out


def hits(p, query: str) -> list[tuple[str, int]]:
    return [(h.document, h.start) for h in svc.search(p, query).all(p)]


def fts_consistent(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO document_fts(document_fts, rank) VALUES ('integrity-check', 1)")
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def schema(path: Path) -> set:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'document_fts%'"
        )
        return {(t, n, " ".join((sql or "").split())) for t, n, sql in rows}
    finally:
        conn.close()


def test_opening_leaves_the_index_to_build_and_search_says_so(old_project):
    with Project.open(old_project) as p:
        st = fulltext.state(p)
        assert (st.pending, st.total) == (EXTRA + 3, EXTRA + 3)
        with pytest.raises(fulltext.IndexNotReady, match=r"indexing… 0 of 63 documents"):
            svc.search(p, "negotiators")
        # a regular expression reads the texts: it needs no index
        r = svc.search(p, r"negotiators", regex=True)
        assert len(r.all(p)) == len(scan(p, "negotiators")) > 0


def test_cancelled_build_resumes_at_the_next_opening_and_then_searches_right(
    old_project, tmp_path, monkeypatch
):
    monkeypatch.setattr(fulltext, "BATCH_CHARS", 1_000_000)  # about 7 documents a batch
    seen: list[fulltext.IndexState] = []

    def progress(st):
        seen.append(st)

    def cancel_after_two_batches():
        return len(seen) >= 3

    with Project.open(old_project) as p:
        with pytest.raises(Cancelled):
            fulltext.build(p, progress, cancel_after_two_batches)
        left = fulltext.state(p)
    assert seen[0].indexed == 0 and 0 < left.pending < left.total
    assert [s.indexed for s in seen] == sorted(s.indexed for s in seen)
    # what was indexed stays, consistent: a document deleted or imported meanwhile too
    with Project.open(old_project) as p:
        assert fulltext.state(p) == left
        pending = next(d for d in documents.list_documents(p) if d.name == "old-050.txt")
        done = next(d for d in documents.list_documents(p) if d.name == "old-000.txt")
        documents.delete_document(p, pending.id, confirm_codings=True)
        documents.delete_document(p, done.id, confirm_codings=True)
        documents.add_document(p, name="new.txt", text="The negotiators met.", kind="txt")
        seen.clear()
        final = fulltext.build(p, progress)
        assert final.ready and seen[-1].ready
        assert seen[0].pending == left.pending - 1  # resumed, without the deleted one
        for query in ("negotiators", "ceasefire", "envoy"):
            assert hits(p, query) == scan(p, query)
    assert fts_consistent(old_project)
    # a built index looks as a new project's does
    fresh = tmp_path / "fresh.tessera"
    Project.create(fresh).close()
    assert schema(old_project) == schema(fresh)


def test_read_only_the_search_says_how_to_get_the_index(old_project):
    with Project.open(old_project) as p:
        p.read_only = "the folder cannot be written to"  # as a read-only medium opens
        assert fulltext.build(p) == fulltext.state(p) and fulltext.state(p).pending == EXTRA + 3
        with pytest.raises(fulltext.IndexNotReady, match="read-only: open it once with write"):
            svc.search(p, "negotiators")


def test_a_small_old_project_is_indexed_while_upgrading(tmp_path):
    path = tmp_path / "small.tessera"
    shutil.copy(FIXTURES / "schema-v2.tessera", path)
    with Project.open(path) as p:
        assert fulltext.state(p).ready
        assert fulltext.build(p).ready
        assert hits(p, "ceasefire") == scan(p, "ceasefire")
    assert fts_consistent(path)


def test_the_command_line_builds_the_index_before_searching(old_project, capsys):
    from desktop.cli.main import main

    assert main(["search", str(old_project), "negotiators", "--format", "json"]) == 0
    out = capsys.readouterr()
    assert "indexing… 63 of 63 documents" in out.err
    import json

    with Project.open(old_project) as p:
        assert json.loads(out.out)["total"] == len(scan(p, "negotiators"))


def test_a_server_project_has_nothing_to_build(pg_url):
    """On PostgreSQL the index is computed from the documents themselves (a GIN index
    on their tsvector): there is no backlog, and the search finds what is imported."""
    with Project.create(pg_url) as p:
        documents.add_document(p, name="a.txt", text="The negotiators met.", kind="txt")
        seen: list = []
        assert fulltext.build(p, seen.append).ready and seen == []
        fulltext.require(p)
        assert hits(p, "negotiators") == scan(p, "negotiators") == [("a.txt", 4)]
