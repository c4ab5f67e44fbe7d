"""Migrations: every schema version keeps a fixture project made by
the code of that version (tests/fixtures/projects/schema-vN.tessera); each is upgraded to
the current schema and every row must survive: counts, text hashes, coding quotes, field
values, audit rows. A project from a newer Tessera is refused without being touched."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from db.engine import integrity_check
from db.project_file import SCHEMA_VERSION
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from tests.safety.safety_helpers import db_rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"
VERSIONS = range(1, SCHEMA_VERSION + 1)


def fixture_copy(version: int, tmp_path: Path) -> Path:
    src = FIXTURES / f"schema-v{version}.tessera"
    if not src.exists():
        pytest.fail(
            f"no fixture project for schema {version}: write tests/fixtures/make_schema_v{version}.py"
        )
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    return dst


def snapshot(path: Path) -> dict:
    """Everything a user made, table by table, read without going through our code."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name <> 'alembic_version'"
        )]  # fmt: skip
        out = {}
        for t in tables:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')]
            out[t] = {
                "columns": cols,
                "rows": sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr),
            }
        return out
    finally:
        conn.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_fixture_is_at_its_schema_version(version, tmp_path):
    path = fixture_copy(version, tmp_path)
    assert db_rows(path, "PRAGMA user_version") == [(version,)]
    assert integrity_check(path) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_each_fixture_upgrades_keeping_every_row(version, tmp_path):
    path = fixture_copy(version, tmp_path)
    before = snapshot(path)
    assert sum(len(t["rows"]) for t in before.values()) > 5
    with Project.open(path) as p:
        assert (p.backup_before_upgrade is not None) == (version < SCHEMA_VERSION)
        # read through the services: texts, hashes, pages, quotes
        for d in documents.list_documents(p):
            text = documents.get_text(p, d.id)
            assert hashlib.sha256(text.encode()).hexdigest() == d.sha256
            pages = documents.get_pages(p, d.id)
            if pages:
                assert pages[0][0] == 0 and pages[-1][1] == len(text)
        for c in codings.list_codings(p, with_values=True):
            assert documents.get_text(p, c.document_id)[c.start : c.end] == c.quote
        paths = {c.path for c in codebook.list_codes(p)}
        assert "Casualties/Killed" in paths
    after = snapshot(path)
    assert db_rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert integrity_check(path) == []
    for table, old in before.items():
        assert table in after, f"table {table} was dropped"
        new = after[table]
        # every old column keeps its values, row for row (new columns may be added)
        idx = [new["columns"].index(c) for c in old["columns"]]
        projected = sorted((tuple(r[i] for i in idx) for r in new["rows"]), key=repr)
        assert projected == old["rows"], f"rows of {table} changed in the upgrade"


@pytest.mark.parametrize("version", VERSIONS)
def test_an_upgraded_fixture_has_the_schema_of_a_new_project(version, tmp_path):
    path = fixture_copy(version, tmp_path)
    Project.open(path).close()
    fresh = tmp_path / "fresh.tessera"
    Project.create(fresh).close()

    def schema(p: Path) -> set:
        return {
            (t, n, " ".join((sql or "").split()))
            for t, n, sql in db_rows(
                p, "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            )
        }

    assert schema(path) == schema(fresh)


def test_v2_fixture_holds_the_rich_data(tmp_path):
    path = fixture_copy(2, tmp_path)
    with Project.open(path) as p:
        info = p.info()
        assert info["documents"] == 3 and info["codings"] == 4 and info["coders"] == 2
        [c1] = [
            c for c in codings.list_codings(p, with_values=True) if c.memo.startswith("count 12")
        ]
        assert len(c1.values) == 5
        assert any("\U0001f525" in documents.get_text(p, d.id) for d in documents.list_documents(p))
        assert sum(d.pages for d in documents.list_documents(p)) == 3
        examples = [e for c in codebook.list_codes(p) for e in c.examples]
        assert len(examples) == 2
    actions = db_rows(path, "SELECT DISTINCT entity || ':' || action FROM audit_log ORDER BY 1")
    assert {"coding:create", "coding:delete", "coding:update", "code:update"} <= {
        a for (a,) in actions
    }


def test_newer_project_is_refused_untouched_with_no_files_beside_it(tmp_path):
    path = fixture_copy(SCHEMA_VERSION, tmp_path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ServiceError, match="newer Tessera"):
        Project.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_a_failed_upgrade_leaves_the_old_file_and_says_where_the_copy_is(tmp_path, monkeypatch):
    path = fixture_copy(1, tmp_path)
    before = snapshot(path)
    from db import project_file

    def broken(*_a, **_k):
        raise RuntimeError("migration bug")

    monkeypatch.setattr(project_file, "_upgrade", broken)
    with pytest.raises(ServiceError, match="upgrading it to the current schema failed .* a copy"):
        Project.open(path)
    monkeypatch.undo()
    assert snapshot(path) == before
    assert db_rows(path, "PRAGMA user_version") == [(1,)]
