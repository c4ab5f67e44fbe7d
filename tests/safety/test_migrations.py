"""Migrations: every schema version keeps a fixture project made by
the code of that version (tests/fixtures/projects/schema-vN.tessera); each is upgraded to
the current schema and every row must survive: counts, text hashes, coding quotes, field
values, audit rows. A project from a newer Tessera is refused without being touched."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from db.integrity import integrity_check
from db.project_file import SCHEMA_VERSION
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from tests.safety.safety_helpers import db_rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"
VERSIONS = range(1, SCHEMA_VERSION + 1)
# columns that a later schema moved elsewhere: document.title ... became built-in
# attributes (their values in attribute_value)
MOVED = {("document", c) for c in ("title", "author", "date", "source", "url")}


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
        # every old column keeps its values, row for row (new columns may be added);
        # columns that became built-in attributes are checked in attribute_value
        kept = [c for c in old["columns"] if (table, c) not in MOVED]
        idx = [new["columns"].index(c) for c in kept]
        projected = sorted((tuple(r[i] for i in idx) for r in new["rows"]), key=repr)
        keep = [old["columns"].index(c) for c in kept]
        expected = sorted((tuple(r[i] for i in keep) for r in old["rows"]), key=repr)
        assert projected == expected, f"rows of {table} changed in the upgrade"
        for col in set(old["columns"]) - set(kept):
            moved = {(r[0], r[old["columns"].index(col)]) for r in old["rows"]
                     if r[old["columns"].index(col)] not in (None, "")}  # fmt: skip
            found = set(db_rows(path, (
                "SELECT v.document_id, v.value FROM attribute_value v JOIN attribute a "
                "ON a.id = v.attribute_id WHERE a.scope = 'document' AND a.builtin AND a.name = ?"
            ), (col,)))  # fmt: skip
            assert moved <= found, f"values of {table}.{col} were lost in the upgrade"


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


def test_v4_fixture_holds_the_study(tmp_path):
    from desktop.services.coding import memos
    from desktop.services.documents import attributes, cases, sets
    from desktop.services.documents.filter import DocumentFilter

    path = fixture_copy(4, tmp_path)
    with Project.open(path) as p:
        deraa = documents.find_document(p, "deraa.txt")
        assert deraa.title == "Dera'a talks" and deraa.source == "Wire"
        values = attributes.values_of(p, deraa.id)
        assert values["outlet"] == "Reuters" and values["words"] == "1204"
        assert DocumentFilter.parse("outlet = Reuters and published in 2018").document_ids(p) == [
            deraa.id
        ]
        [case] = cases.list_cases(p)
        assert case.values == {"country": "UK", "founded": "1851"} and len(case.documents) == 2
        assert {x.name for x in sets.list_sets(p)} == {"Phase 1", "core codes"}
        kinds = [x.kind for x in memos.list_memos(p)]
        assert kinds.count("journal") == 2 and "code" in kinds and "document" in kinds
        assert not codebook.find_code(p, "Casualties").is_codable


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


# -- an upgrade is all or nothing --------------------------------------------------------

_CHANGES = ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE", "PRAGMA APPLICATION_ID",
            "PRAGMA USER_VERSION")  # fmt: skip


class FailAfter:
    """Fails the upgrade of ``path`` just before its statement number ``n + 1`` that
    changes the file (so after exactly ``n`` of them ran), through SQLAlchemy's
    cursor events on every engine: the real migration runs up to that point."""

    def __init__(self, path: Path, n: int) -> None:
        self.path, self.n, self.seen, self.fired = str(path), n, 0, False

    def __call__(self, conn, _cursor, statement, *_rest) -> None:
        if conn.engine.url.database != self.path:
            return
        if not statement.lstrip().upper().startswith(_CHANGES):
            return
        if self.seen == self.n:
            self.fired = True
            raise sqlite3.OperationalError("disk I/O error (injected)")
        self.seen += 1


def before_upgrade_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.stem}.before-upgrade-v*{path.suffix}"))


def test_an_upgrade_failing_after_any_statement_leaves_the_old_file_whole(tmp_path):
    from sqlalchemy import Engine, event

    path = fixture_copy(1, tmp_path)
    before = snapshot(path)
    n = 0
    while True:
        hook = FailAfter(path, n)
        event.listen(Engine, "before_cursor_execute", hook)
        try:
            try:
                Project.open(path).close()
            except ServiceError as exc:
                assert hook.fired
                message = str(exc)
            else:
                assert not hook.fired
                break
        finally:
            event.remove(Engine, "before_cursor_execute", hook)
        # the message tells the truth: the file is as it was, and where the copy is
        assert "still at schema 1" in message and "before-upgrade-v1" in message
        assert "disk reported an error" in message
        assert db_rows(path, "PRAGMA user_version") == [(1,)]
        assert snapshot(path) == before, f"statement {n + 1}: the file was half upgraded"
        assert integrity_check(path) == []
        n += 1
    assert n >= 8, "the hook must have failed the upgrade at every statement"
    # after all those failures the upgrade went through, and exactly one copy of the
    # old file was kept, holding the old file's content
    assert db_rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    [copy] = before_upgrade_copies(path)
    assert snapshot(copy) == before
    with Project.open(path) as p:
        assert p.info()["codings"] == len(before["coding"]["rows"])


KILLER = """
import os, signal, sys
from sqlalchemy import Engine, event
from desktop.services.project.project import Project
path, n = sys.argv[1], int(sys.argv[2])
changes = {changes!r}
seen = [0]
def kill(conn, _c, statement, *_r):
    if conn.engine.url.database == path and statement.lstrip().upper().startswith(changes):
        if seen[0] == n:
            os.kill(os.getpid(), signal.SIGKILL)
        seen[0] += 1
event.listen(Engine, "before_cursor_execute", kill)
Project.open(path).close()
print("upgraded")
"""


def test_an_upgrade_killed_at_any_statement_opens_afterwards(tmp_path):
    """SIGKILL (nothing of Python's clean-up runs) before each statement of the
    upgrade, in a real process: the project then opens, whole, every time."""
    import subprocess
    import sys

    from tests.safety.safety_helpers import REPO

    script = KILLER.format(changes=_CHANGES)
    before = snapshot(FIXTURES / "schema-v1.tessera")
    n = 0
    while True:
        work = tmp_path / f"k{n}"
        work.mkdir()
        path = fixture_copy(1, work)
        done = subprocess.run(
            [sys.executable, "-c", script, str(path), str(n)],
            capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        )  # fmt: skip
        if done.returncode == 0:
            assert "upgraded" in done.stdout
            break
        assert done.returncode == -9, done.stderr
        # the killed upgrade left the old file: it is whole and still at schema 1 ...
        assert db_rows(path, "PRAGMA user_version") == [(1,)]
        assert snapshot(path) == before, f"killed at statement {n + 1}: half upgraded"
        # ... and opening it now upgrades it, with one copy of the old file
        with Project.open(path) as p:
            assert p.info()["codings"] == len(before["coding"]["rows"])
        assert db_rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        assert len(before_upgrade_copies(path)) == 1
        n += 1
    assert n >= 8


def test_v8_fixture_keeps_its_original_file(tmp_path):
    from desktop.services.documents import originals

    path = fixture_copy(8, tmp_path)
    kept = (FIXTURES.parent / "pdfs" / "unmapped-glyphs.pdf").read_bytes()
    with Project.open(path) as p:
        envoy = documents.find_document(p, "envoy.pdf")
        assert originals.read_original(p, envoy.id) == kept
        assert p.info()["originals"] == 1
        assert originals.info_of(p, documents.find_document(p, "deraa.txt").id) is None


@pytest.mark.parametrize("version", range(1, 8))
def test_a_project_from_before_originals_opens_with_none(version, tmp_path):
    from desktop.services.documents import originals

    path = fixture_copy(version, tmp_path)
    with Project.open(path) as p:
        assert p.info()["originals"] == 0
        assert all(originals.info_of(p, d.id) is None for d in documents.list_documents(p))
