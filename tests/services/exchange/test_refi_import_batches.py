"""A REFI-QDA import written in batches gives what one write gives: duplicates, memos and
repeated texts are recognised across writes (asked of the project, write by write)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.exchange import refi_store
from desktop.services.exchange.refi_import import import_qdpx
from desktop.services.project.project import Project
from tests.services.exchange.test_refi_exchange import (
    G_USER,
    G_USER2,
    NVIVO_WIN,
    make_qdpx,
    memos,
)


@pytest.fixture
def empty(project_target):
    p = Project.create(project_target)
    p.actor = "tester"
    yield p
    p.close()


@pytest.fixture(scope="module")
def samples(shared_dir: Path) -> Path:
    return shared_dir / "refi" / "samples"


@pytest.fixture
def tiny_batches(monkeypatch):
    """Writes after every document and every 2 codings: what a file of thousands of
    documents, or one text with thousands of codings, goes through."""
    monkeypatch.setattr(refi_store, "BATCH_DOCUMENTS", 1)
    monkeypatch.setattr(refi_store, "BATCH_CODINGS", 2)


def test_a_coding_twice_in_the_file_across_writes_is_still_one(
    empty, tmp_path, tiny_batches
) -> None:
    # The duplicates are written in a later batch than the codings they repeat, and one
    # of them brings the memo the first lacked.
    path = make_qdpx(
        tmp_path,
        users=[("ana", G_USER), ("ana", G_USER2)],
        selections=[(0, 3, G_USER), (4, 7, G_USER), (8, 11, G_USER), (0, 3, G_USER2),
                    (4, 7, G_USER2), (8, 11, G_USER2)],
        notes={0: "first", 3: "second", 4: "filled"},
    )  # fmt: skip
    report = import_qdpx(empty, path, add_codes=True)
    assert (report.codings_imported, report.codings_duplicate) == (3, 3)
    assert report.memo_conflicts == [] and report.codings_memo_filled == 0
    assert any(
        "twice with different memos; the first, 'first', is kept" in w for w in report.warnings
    )
    assert sorted(memos(empty).values()) == ["filled", "first"]
    assert empty.info()["codings"] == 3


def test_small_writes_store_the_same_project(empty, samples, tiny_batches) -> None:
    """A file read in many small writes gives what one write gives, and a second import
    finds every coding already there (asked of the project, write by write)."""
    report = import_qdpx(empty, samples / NVIVO_WIN, add_codes=True)
    assert (report.codings_imported, len(report.documents_added)) == (303, 2)
    again = import_qdpx(empty, samples / NVIVO_WIN)
    assert (again.codings_imported, again.codings_duplicate) == (0, 303)
    assert [name for name, _ in again.documents_matched] == [
        "videos_selection",
        "videos_10_selected",
    ]
    assert empty.info()["codings"] == 303


def test_sources_with_one_text_in_different_writes_are_one_document(
    empty, tmp_path, tiny_batches
) -> None:
    same = (
        f'<TextSource guid="66666666-6666-4666-8666-66666666666{i}" name="copy {i}" '
        f'plainTextPath="internal://s.txt"/>'
        for i in range(2)
    )
    report = import_qdpx(empty, make_qdpx(tmp_path, extra_sources="".join(same)), add_codes=True)
    assert report.documents_added == ["doc"] and report.codings_imported == 1
    assert sum("has the same text as 'doc'" in w for w in report.warnings) == 2
