"""Codings import in chunks inside one transaction: the same outcome as all at once
(duplicates found across chunks and across documents no longer in memory, codes and
coders created once, a bad row anywhere stores nothing), with memory flat in rows."""

from __future__ import annotations

import random
import tracemalloc

import pytest

from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.exchange import csv_import
from desktop.services.project.project import Project
from desktop.services.teams import coders

TEXT = "Rebels said talks failed near the border crossing at dawn.\n" * 4


@pytest.fixture
def proj(tmp_path):
    p = Project.create(tmp_path / "p.tessera", template="conflict-news")
    p.actor = "importer"
    for i in range(30):
        documents.add_document(p, name=f"d{i:02}.txt", text=f"{i} " + TEXT, kind="txt")
    coders.add_coder(p, "ana")
    yield p
    p.close()


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(csv_import, "CHUNK_ROWS", 7)


def rows_for(n: int, seed: int = 1) -> list[tuple[str, str, str, int, int]]:
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        doc = f"d{rng.randrange(30):02}.txt"
        start = rng.randrange(0, 200)
        key = (doc, "Actors", "ana", start, start + rng.randrange(1, 30))
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def write(tmp_path, rows, name="in.csv"):
    path = tmp_path / name
    lines = ["document,code,coder,start,end"] + [",".join(map(str, r)) for r in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def stored(p) -> set[tuple]:
    names = {d.id: d.name for d in documents.list_documents(p)}
    return {(names[c.document_id], c.start, c.end) for c in codings.list_codings(p)}


def test_chunks_find_duplicates_across_chunks_and_in_the_project(proj, tmp_path, small_chunks):
    rows = rows_for(60)
    codings.apply_coding(proj, document_id=documents.find_document(proj, rows[5][0]).id,
                         code_id=_code(proj, "Actors"), coder_id=_coder(proj, "ana"),
                         start=rows[5][3], end=rows[5][4])  # fmt: skip
    path = write(tmp_path, rows + [rows[0], rows[40], rows[5]])  # repeats at the end
    report = csv_import.import_codings_csv(proj, path)
    assert report.imported == 59
    assert report.skipped == [
        (7, "already in the project"),
        (62, "the same coding as line 2"),
        (63, "the same coding as line 42"),
        (64, "already in the project"),
    ]
    assert stored(proj) == {(d, s, e) for d, _, _, s, e in rows}


def test_a_bad_row_after_chunks_were_inserted_stores_nothing(proj, tmp_path, small_chunks):
    rows = rows_for(50)
    bad = rows[:45] + [("d01.txt", "Actors", "ana", 5, 999_999)] + rows[45:]
    before = proj.info()["codings"]
    with pytest.raises(csv_import.CodingsImportRefused) as caught:
        csv_import.import_codings_csv(proj, write(tmp_path, bad))
    assert [line for line, _ in caught.value.report.errors] == [47]
    assert proj.info()["codings"] == before


def test_codes_and_coders_created_once_across_chunks(proj, tmp_path, small_chunks):
    rows = [(d, "New/Sub", "zoe", s, e) for d, _, _, s, e in rows_for(40)]
    rows += [rows[3]]
    report = csv_import.import_codings_csv(proj, write(tmp_path, rows), create_missing=True)
    assert report.imported == 40 and report.skipped == [(42, "the same coding as line 5")]
    assert report.created_codes == ["New", "New/Sub"] and report.created_coders == ["zoe"]


def test_memory_does_not_grow_with_the_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_import, "CHUNK_ROWS", 2_000)  # small enough to show it
    p = Project.create(tmp_path / "m.tessera", template="conflict-news")
    p.actor = "importer"
    text = "word " * 4000
    for i in range(20):
        documents.add_document(p, name=f"d{i:02}.txt", text=f"{i} " + text, kind="txt")
    coders.add_coder(p, "ana")

    def peak(n: int) -> int:
        rows = [(f"d{i % 20:02}.txt", "Actors", "ana", i // 20, i // 20 + 10 + i % 7)
                for i in range(n)]  # fmt: skip
        path = write(tmp_path, rows, f"{n}.csv")
        with p.session() as s:
            s.execute(csv_import.m.CodingValue.__table__.delete())
            s.execute(csv_import.m.Coding.__table__.delete())
        tracemalloc.start()
        report = csv_import.import_codings_csv(p, path)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert report.imported == n
        return top

    small, large = peak(20_000), peak(80_000)
    p.close()
    assert large < 1.5 * small, (small, large)  # 4x the rows, about the same memory


def _code(p, path):
    from desktop.services.codebook import codebook

    return next(c.id for c in codebook.list_codes(p) if c.path == path)


def _coder(p, name):
    return next(c.id for c in coders.list_coders(p) if c.name == name)
