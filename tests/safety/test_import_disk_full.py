"""A full disk during `tessera import` stops the batch at the first document that cannot
be written, with one message that says how far it got; nothing is half-written."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from db import models as m
from desktop.cli.main import main
from desktop.services.documents import documents
from desktop.services.project.project import Project


def _articles(folder, n):
    folder.mkdir()
    for i in range(n):
        (folder / f"a{i:03}.txt").write_text(f"Article {i}: talks resumed near the border.\n" * 40)


@pytest.fixture
def disk_full_after(monkeypatch):
    """A transaction that stores documents fails as a full disk fails when it would take
    the number of stored documents past `limit` (imports store documents in batches)."""
    stored = {"n": 0, "limit": None}

    def after_flush(session, context):
        added = sum(isinstance(obj, m.Document) for obj in session.new)
        session.info["new_documents"] = session.info.get("new_documents", 0) + added

    def before_commit(session):
        new = session.info.pop("new_documents", 0)
        if new:
            if stored["limit"] is not None and stored["n"] + new > stored["limit"]:
                raise sqlite3.OperationalError("database or disk is full")
            stored["n"] += new

    event.listen(Session, "after_flush", after_flush)
    event.listen(Session, "before_commit", before_commit)
    yield lambda limit: stored.update(limit=limit)
    event.remove(Session, "before_commit", before_commit)
    event.remove(Session, "after_flush", after_flush)


def test_a_full_disk_stops_the_import_with_one_message(tmp_path, capsys, disk_full_after):
    src = tmp_path / "news"
    _articles(src, 300)
    project = tmp_path / "p.tessera"
    assert main(["new", str(project)]) == 0
    capsys.readouterr()
    disk_full_after(40)
    assert main(["import", str(project), str(src)]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1, err  # one line, not one per remaining file
    assert "the disk is full: 40 of 300 files imported, nothing half-written" in err
    assert "a040.txt" in err  # where it stopped
    assert "error while reading" not in out + err
    disk_full_after(None)
    with Project.open(project) as p:
        docs = documents.list_documents(p)
        assert len(docs) == 40
        # exactly the first 40 files, each whole
        assert [d.name for d in docs] == [f"a{i:03}.txt" for i in range(40)]
        assert all(documents.get_text(p, d.id) == (src / d.name).read_text() for d in docs)


@pytest.fixture
def small_disk(tmp_path):
    """A real 1.5 MB file system (tmpfs), where the root user may mount one."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small file system here; the injected test covers it")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_really_full_disk_stops_the_import_with_one_message(tmp_path, small_disk, capsys):
    src = tmp_path / "news"
    src.mkdir()
    for i in range(60):
        (src / f"big{i:02}.txt").write_text(f"{i} " + "qualitative coding of texts " * 2000)
    project = small_disk / "p.tessera"
    assert main(["new", str(project)]) == 0
    capsys.readouterr()
    assert main(["import", str(project), str(src)]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1, err
    assert "the disk is full:" in err and "of 60 files imported, nothing half-written" in err
    imported = out.count("imported big")
    assert 0 < imported < 60
