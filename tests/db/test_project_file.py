from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from db.project_file import APPLICATION_ID, SCHEMA_VERSION
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from desktop.services.teams import coders

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_project_is_wal_with_foreign_keys_and_stamped(tmp_path):
    path = tmp_path / "p.tessera"
    Project.create(path, template="conflict-news").close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"document", "coding", "code", "coder", "page", "audit_log"} <= tables
    with Project.open(path) as p, p.session() as s:
        assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_create_refuses_to_overwrite(tmp_path):
    path = tmp_path / "p.tessera"
    path.write_text("precious")
    with pytest.raises(ServiceError, match="already exists"):
        Project.create(path)
    assert path.read_text() == "precious"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"just some notes\n", "not a Tessera project"),
        (b"", "not a Tessera project"),
        (b"SQLite format 3\x00" + b"\x00" * 50, "cannot be read"),
    ],
)
def test_non_project_files_are_refused_untouched(tmp_path, content, message):
    path = tmp_path / "notes.tessera"
    path.write_bytes(content)
    before = digest(path)
    with pytest.raises(ServiceError, match=message):
        Project.open(path)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.tessera"]


def test_other_programs_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(ServiceError, match="another program"):
        Project.open(path)
    assert digest(path) == before


def test_project_from_newer_tessera_is_refused_untouched(tmp_path):
    path = tmp_path / "future.tessera"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = digest(path)
    with pytest.raises(ServiceError, match="newer Tessera"):
        Project.open(path)
    assert digest(path) == before


def test_older_schema_is_upgraded_after_a_backup_and_keeps_every_row(tmp_path):
    path = tmp_path / "old.tessera"
    shutil.copy(FIXTURES / "schema-v1.tessera", path)
    original = digest(path)
    with Project.open(path) as p:
        assert p.backup_before_upgrade is not None
        backup = p.backup_before_upgrade
        info = p.info()
        assert info["schema_version"] == SCHEMA_VERSION
        assert (info["documents"], info["codes"], info["coders"], info["codings"]) == (1, 2, 1, 1)
        [doc] = documents.list_documents(p)
        text = documents.get_text(p, doc.id)
        assert hashlib.sha256(text.encode()).hexdigest() == doc.sha256
        [coding] = codings.list_codings(p)
        assert coding.quote == text[coding.start : coding.end] == "At least 12 people were killed"
        assert codebook.get_code(p, coding.code_id).path == "Casualties/Killed"
        # the new tables work on the upgraded file
        p.actor = "ana"
        codebook.add_code(p, "Casualties/Injured")
        assert coders.find_coder(p, "ana") is not None
    assert backup.parent == path.parent
    # the backup is the old file, byte for byte in content: still schema 1
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM coding").fetchone()[0] == 1
    conn.close()
    assert digest(path) != original


def test_a_broken_template_leaves_no_half_made_project(tmp_path):
    tpl = tmp_path / "broken.json"
    tpl.write_text('{"codes": [{"name": "A"}, {"name": "A"}]}', "utf-8")  # duplicate sibling
    path = tmp_path / "p.tessera"
    with pytest.raises(ServiceError):
        Project.create(path, template=str(tpl))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.json"]
    tpl.write_text("{not json", "utf-8")
    with pytest.raises(ServiceError, match="cannot be read"):
        Project.create(path, template=str(tpl))
    assert not path.exists()
