"""The file system says no: disk full, read-only file, the project's
folder removed while open. Each gives a ServiceError whose message says so, never a
traceback, and everything committed before stays intact."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess

import pytest
from sqlalchemy import create_engine, event

from db import engine as db_engine
from db import project_file
from db.integrity import integrity_check
from desktop.cli.main import main
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project import storage_errors
from desktop.services.project.project import Project
from tests.safety.safety_helpers import db_rows, seed

storage_errors.install()


def inject(project: Project, message: str, *, on: str = "INSERT"):
    """Make the next statement starting with ``on`` fail as SQLite would."""

    def fail(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith(on):
            raise sqlite3.OperationalError(message)

    event.listen(project.engine, "before_cursor_execute", fail)
    return lambda: event.remove(project.engine, "before_cursor_execute", fail)


@pytest.mark.parametrize(
    "sqlite_message, words",
    [
        ("database or disk is full", "the disk is full"),
        ("attempt to write a readonly database", "read-only"),
        ("database is locked", "in use by another Tessera"),
        ("disk I/O error", "the disk reported an error"),
        ("database disk image is malformed", "damaged"),
    ],
)
def test_injected_storage_failures_become_messages_and_lose_nothing(project, sqlite_message, words):
    before = project.info()
    doc = documents.list_documents(project)[0]
    code = codebook.list_codes(project)[-1]
    remove = inject(project, sqlite_message)
    with pytest.raises(ServiceError, match=words) as caught:
        codings.apply_coding(
            project, document_id=doc.id, code_id=code.id, coder_id=1, start=20, end=30
        )
    assert "Traceback" not in str(caught.value)
    remove()
    assert project.info() == before
    assert integrity_check(project.path) == []
    # and the next action works
    codings.apply_coding(project, document_id=doc.id, code_id=code.id, coder_id=1, start=20, end=30)


class CommitFails(sqlite3.Connection):
    """A connection whose COMMIT fails the way a full disk makes it fail."""

    failing = False

    def commit(self):
        if CommitFails.failing:
            raise sqlite3.OperationalError("database or disk is full")
        super().commit()


def test_disk_full_at_commit_is_a_message_and_rolls_back(tmp_path):
    path = tmp_path / "p.tessera"
    Project.create(path).close()
    engine = create_engine(f"sqlite:///{path}", connect_args={"factory": CommitFails})
    event.listen(engine, "connect", db_engine._on_connect)
    p = Project(path, engine)
    CommitFails.failing = True
    try:
        with pytest.raises(ServiceError, match="disk is full"):
            codebook.add_code(p, "Never stored")
    finally:
        CommitFails.failing = False
    assert codebook.find_code(p, "Never stored") is None
    codebook.add_code(p, "Stored")
    p.close()
    assert integrity_check(path) == []


@pytest.fixture
def small_disk(tmp_path):
    """A real 1.5 MB file system (tmpfs), where the root user may mount one."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small file system here; the injected tests cover it")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_really_full_disk_stops_imports_with_a_message_and_keeps_what_was_saved(small_disk):
    path = small_disk / "full.tessera"
    with Project.create(path) as p:
        seed(p, n_docs=1)
        stored = 0
        with pytest.raises(ServiceError, match="the disk is full"):
            for i in range(1000):
                text = f"{i} " + "qualitative coding of texts " * 2000
                documents.add_document(p, name=f"big{i}.txt", text=text, kind="txt")
                stored += 1
        assert stored > 3
    # free some space: the project opens and holds exactly what was stored
    for extra in small_disk.glob("*.backups"):
        shutil.rmtree(extra)
    assert integrity_check(path) == []
    assert db_rows(path, "SELECT count(*) FROM document") == [(1 + stored,)]
    assert db_rows(path, "SELECT count(*) FROM document WHERE length(text) <> length") == [(0,)]


def test_read_only_project_opens_read_only_untouched(tmp_path, monkeypatch):
    path = tmp_path / "ro.tessera"
    with Project.create(path) as p:
        seed(p)
    before = path.read_bytes()
    monkeypatch.setattr(project_file.os, "access", lambda p, mode: str(p) != str(path))
    with Project.open(path) as p:
        assert "read-only" in p.read_only
        assert p.info()["codings"] == 2  # it can be read
        with pytest.raises(ServiceError, match="read-only"):
            codebook.add_code(p, "Not saved")
    assert path.read_bytes() == before


def test_read_only_folder_opens_read_only(tmp_path, monkeypatch):
    path = tmp_path / "ro.tessera"
    Project.create(path).close()
    monkeypatch.setattr(project_file.os, "access", lambda p, mode: str(p) != str(tmp_path))
    with Project.open(path) as p:
        assert re.search("folder .* is read-only", p.read_only)
        with pytest.raises(ServiceError, match="read-only"):
            codebook.add_code(p, "Not saved")


def test_cli_prints_a_sentence_not_a_traceback(tmp_path, monkeypatch, capsys):
    path = tmp_path / "ro.tessera"
    Project.create(path).close()
    monkeypatch.setattr(project_file.os, "access", lambda p, mode: False)
    assert main(["codes", "add", str(path), "Anything"]) == 1
    err = capsys.readouterr().err
    assert "read-only" in err and "Traceback" not in err


def test_folder_removed_while_open_refuses_the_write_with_a_message(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    p = Project.create(folder / "p.tessera")
    seed(p, n_docs=1)
    shutil.rmtree(folder)
    with pytest.raises(ServiceError, match="project file is gone"):
        codebook.add_code(p, "Lost?")
    p.close()


def test_folder_moved_while_open_keeps_what_was_committed(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    p = Project.create(folder / "p.tessera")
    seed(p, n_docs=1)
    codebook.add_code(p, "Before the move")
    moved = tmp_path / "moved"
    folder.rename(moved)
    with pytest.raises(ServiceError, match="project file is gone"):
        codebook.add_code(p, "After the move")
    p.close()
    with Project.open(moved / "p.tessera") as again:
        paths = {c.path for c in codebook.list_codes(again)}
    assert "Before the move" in paths and "After the move" not in paths


def test_file_replaced_while_open_is_not_written_into(tmp_path):
    path = tmp_path / "p.tessera"
    p = Project.create(path)
    other = tmp_path / "other.tessera"
    Project.create(other).close()
    shutil.move(other, path)  # e.g. a sync tool puts another version in place
    with pytest.raises(ServiceError, match="replaced by another file"):
        codebook.add_code(p, "Into which file?")
    p.close()
    with Project.open(path) as again:
        assert codebook.find_code(again, "Into which file?") is None


@pytest.mark.skipif(
    not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
    reason="root ignores file permissions",
)
def test_really_read_only_file(tmp_path):
    path = tmp_path / "ro.tessera"
    Project.create(path).close()
    path.chmod(0o444)
    with pytest.raises(ServiceError, match="read-only"):
        Project.open(path)
