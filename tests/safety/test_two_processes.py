"""Two processes, one project: both write at once and every write is
there; or, if one holds the project longer than the busy timeout, the other says clearly
that the project is in use. Never a corrupted file or a lost write."""

from __future__ import annotations

import sqlite3
import subprocess
import time

import pytest

from db import engine as db_engine
from db import errors as db_errors
from db.integrity import integrity_check
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project import storage_errors
from desktop.services.project.project import Project
from tests.safety.safety_helpers import PYTHON, REPO, db_rows

storage_errors.install()


@pytest.fixture
def long_doc_project(tmp_path):
    path = tmp_path / "shared.tessera"
    with Project.create(path) as p:
        codebook.add_code(p, "Talks")
        documents.add_document(p, name="long.txt", text="word " * 400, kind="txt")
    return path


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "tests.safety.workers", *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_two_writer_processes_lose_no_coding(long_doc_project):
    path = str(long_doc_project)
    procs = [start("codings", path, "ana", "200"), start("codings", path, "ben", "200")]
    # a third process reads while they write
    with Project.open(path) as reader:
        while any(p.poll() is None for p in procs):
            codings.list_codings(reader)
            time.sleep(0.05)
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    reported = {int(line.split()[1]) for out, _ in outs for line in out.splitlines()}
    assert len(reported) == 400
    stored = {r[0] for r in db_rows(long_doc_project, "SELECT id FROM coding")}
    assert stored == reported
    per_coder = db_rows(
        long_doc_project,
        "SELECT coder.name, count(*) FROM coding JOIN coder ON coder.id = coder_id GROUP BY 1 ORDER BY 1",
    )
    assert per_coder == [("ana", 200), ("ben", 200)]
    audited = db_rows(long_doc_project, "SELECT count(*) FROM audit_log WHERE entity = 'coding'")
    assert audited == [(400,)]
    assert integrity_check(long_doc_project) == []


def test_a_project_held_longer_than_the_busy_timeout_is_reported_in_use(
    long_doc_project, monkeypatch
):
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", 200)  # what the connection waits
    monkeypatch.setattr(db_errors, "BUSY_TIMEOUT_MS", 200)  # what the message says
    holder = sqlite3.connect(long_doc_project)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long import
    try:
        with Project.open(long_doc_project) as p:
            with pytest.raises(ServiceError, match="in use by another Tessera"):
                codebook.add_code(p, "Waiting")
            holder.rollback()
            codebook.add_code(p, "Waiting")  # once it is free, the same action works
    finally:
        holder.close()
    assert [r[0] for r in db_rows(long_doc_project, "SELECT name FROM code ORDER BY id")] == [
        "Talks",
        "Waiting",
    ]


def test_two_projects_objects_in_one_process_see_each_others_writes(long_doc_project):
    with Project.open(long_doc_project) as a, Project.open(long_doc_project) as b:
        codebook.add_code(a, "From A")
        assert codebook.find_code(b, "From A") is not None
        codebook.add_code(b, "From B")
        assert codebook.find_code(a, "From B") is not None
