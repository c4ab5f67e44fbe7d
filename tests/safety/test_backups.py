"""Rotating backups on open, listing them, and restoring one."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from db.integrity import integrity_check
from desktop.cli.main import main
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.errors import ServiceError
from desktop.services.project import backup_folder, backups
from desktop.services.project.project import Project
from tests.safety.safety_helpers import db_rows


def test_first_open_makes_a_backup_and_an_unchanged_project_makes_no_second(project):
    first = backups.backup_on_open(project)
    assert first is not None and first.path.parent == backup_folder.backups_dir(project.path)
    assert first.path.parent.name == "study.tessera.backups"
    assert integrity_check(first.path) == []
    assert db_rows(first.path, "SELECT count(*) FROM coding") == [(2,)]
    assert backups.backup_on_open(project) is None
    project.close()
    # closing checkpoints the -wal into the file: the bytes move, the content does not
    with Project.open(project.path) as again:
        assert backups.backup_on_open(again) is None
    assert len(backup_folder.list_backups(project.path)) == 1


def test_a_change_makes_a_new_backup_even_when_size_and_mtime_look_the_same(project):
    backups.backup_on_open(project)
    st = os.stat(project.path)
    project.update_settings(theme="dark")  # an in-place update: same page count
    project.close()
    os.utime(project.path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as a sync tool would
    with Project.open(project.path) as again:
        made = backups.backup_on_open(again)
    assert made is not None
    assert len(backup_folder.list_backups(project.path)) == 2


def test_backups_rotate_keeping_the_setting(project):
    project.update_settings(backups_keep=3)
    code = codebook.add_code(project, "Rotation")
    made = []
    for i in range(6):
        codebook.update_code(project, code.id, description=f"v{i}")
        made.append(backups.backup_on_open(project))
    assert all(made)
    listed = backup_folder.list_backups(project.path)
    assert [b.path for b in listed] == [b.path for b in reversed(made[-3:])]
    assert not made[0].path.exists()


def test_backups_can_be_turned_off(project):
    project.update_settings(backups_keep=0)
    assert backups.backup_on_open(project) is None
    assert backup_folder.list_backups(project.path) == []


def test_a_backup_is_consistent_while_another_connection_writes(project):
    conn = sqlite3.connect(project.path)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE project SET name = 'uncommitted'")
    made = backups.backup_on_open(project)  # readers do not wait for a writer in WAL mode
    conn.rollback()
    conn.close()
    assert db_rows(made.path, "SELECT name FROM project") == [("study",)]


def test_restore_brings_the_content_back_and_backs_up_the_current_file_first(project):
    before = backups.backup_on_open(project)
    c = codings.list_codings(project)[0]
    codings.remove_coding(project, c.id)
    assert len(codings.list_codings(project)) == 1
    result = backups.restore(project.path, before.path)
    # the open project sees the restored content through SQLite
    assert len(codings.list_codings(project)) == 2
    assert result.safety_copy is not None and result.safety_copy.reason == "before-restore"
    assert db_rows(result.safety_copy.path, "SELECT count(*) FROM coding") == [(1,)]
    assert integrity_check(project.path) == []
    # and a second window opening it now works as usual
    project.close()
    with Project.open(project.path) as again:
        assert len(codings.list_codings(again)) == 2
        assert backups.backup_on_open(again) is None  # its content is already a backup


def test_restore_replaces_a_damaged_file_and_keeps_the_damaged_one_aside(project):
    good = backups.backup_on_open(project)
    project.close()
    for extra in ("-wal", "-shm"):
        project.path.with_name(project.path.name + extra).unlink(missing_ok=True)
    data = bytearray(project.path.read_bytes())
    data[4096 : 4096 * 3] = b"\xff" * (4096 * 2)  # wreck the schema pages
    project.path.write_bytes(bytes(data))
    result = backups.restore(project.path, good.name)
    assert result.safety_copy.reason == "damaged"
    assert result.safety_copy.path.read_bytes() == bytes(data)
    assert integrity_check(project.path) == []
    with Project.open(project.path) as again:
        assert again.info()["codings"] == 2


def test_restore_recreates_a_deleted_project_file(project):
    good = backups.backup_on_open(project)
    project.close()
    project.path.unlink()
    result = backups.restore(project.path, good.path)
    assert result.safety_copy is None
    with Project.open(project.path) as again:
        assert again.info()["documents"] == 2


def test_restore_refuses_a_damaged_backup_and_a_non_project(project, tmp_path):
    good = backups.backup_on_open(project)
    broken = tmp_path / "broken.tessera"
    shutil.copy(good.path, broken)
    with open(broken, "r+b") as fh:
        fh.seek(4096)
        fh.write(b"\x00" * 8192)
    with pytest.raises(ServiceError, match="damaged|cannot"):
        backups.restore(project.path, broken)
    notes = tmp_path / "notes.tessera"
    notes.write_text("hello")
    with pytest.raises(ServiceError, match="not a Tessera project"):
        backups.restore(project.path, notes)
    with pytest.raises(ServiceError, match="no backup number 9"):
        backups.restore(project.path, "9")
    assert project.info()["codings"] == 2


def test_backup_failure_is_a_message_and_the_project_stays_usable(project, monkeypatch):
    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "_copy_to_file", full)
    with pytest.raises(ServiceError, match="the disk is full"):
        backups.backup_on_open(project)
    monkeypatch.undo()
    assert [
        p for p in backup_folder.backups_dir(project.path).iterdir() if p.suffix == ".tessera"
    ] == []
    assert project.info()["codings"] == 2


def test_cli_backups_restore_and_numbers(project, capsys):
    path = str(project.path)
    backups.backup_on_open(project)
    c = codings.list_codings(project)[0]
    codings.set_memo(project, c.id, "changed after the backup")
    project.close()
    assert main(["backups", path]) == 0
    out = capsys.readouterr().out
    assert " 1  " in out and ".open.tessera" in out
    assert main(["restore", path, "1"]) == 0
    out = capsys.readouterr().out
    assert "restored" in out and "as it was is backed up" in out
    assert db_rows(project.path, "SELECT memo FROM coding WHERE id = ?", (c.id,)) == [("",)]
    assert main(["backups", path, "--keep", "4"]) == 0
    assert "keeping the newest 4" in capsys.readouterr().out
    assert main(["restore", path, "42"]) == 1
    assert "no backup number 42" in capsys.readouterr().err


def test_backups_are_hashed_through_a_file_and_leave_no_temporary_files(project):
    first = backups.backup_on_open(project)
    assert first is not None and integrity_check(first.path) == []
    assert db_rows(first.path, "SELECT count(*) FROM coding") == [(2,)]
    project.update_settings(touched=True)
    assert backups.backup_on_open(project) is not None
    assert backups.backup_on_open(project) is None
    leftovers = [
        p.name
        for p in backup_folder.backups_dir(project.path).iterdir()
        if ".copy" in p.name or ".partial" in p.name
    ]
    assert leftovers == []


def test_a_minimum_interval_spares_the_rotation_in_scripts(project):
    assert backups.backup_on_open(project, min_interval=60) is not None
    project.update_settings(changed=1)
    assert backups.backup_on_open(project, min_interval=60) is None  # too soon
    assert backups.backup_on_open(project) is not None  # without it, the change is kept


def test_the_open_hook_warns_instead_of_failing(project, monkeypatch):
    said = []
    assert backups.backup_on_open_or_warn(project, said.append) is not None
    monkeypatch.setattr(
        backups,
        "_make",
        lambda *a, **k: (_ for _ in ()).throw(OSError(30, "Read-only file system")),
    )
    project.update_settings(changed=2)
    assert backups.backup_on_open_or_warn(project, said.append) is None
    assert len(said) == 1 and "no backup was made" in said[0] and "read-only" in said[0]


def test_restoring_a_copy_from_before_an_upgrade_upgrades_it_at_once(tmp_path):
    import shutil as sh

    from db.project_file import SCHEMA_VERSION
    from tests.safety.test_migrations import FIXTURES

    path = tmp_path / "old.tessera"
    sh.copy(FIXTURES / "schema-v1.tessera", path)
    with Project.open(path) as p:
        old_copy = p.backup_before_upgrade
        codebook.add_code(p, "Added after the upgrade")
        [listed] = [b for b in backup_folder.list_backups(path) if b.reason == "before-upgrade"]
        assert listed.path == old_copy
        backups.restore(path, "1")
        assert db_rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        # the open project goes on working on the restored, upgraded content
        assert codebook.find_code(p, "Added after the upgrade") is None
        codebook.add_code(p, "Added after the restore")
    assert integrity_check(path) == []


def test_backups_stay_within_the_disk_budget_keeping_the_newest(project, capsys):
    from desktop.services.documents import documents

    project.update_settings(backups_budget=2.5)
    code = codebook.add_code(project, "Budget")
    for i in range(6):
        documents.add_document(
            project, name=f"big{i}.txt", text=f"{i} " + "words " * 20_000, kind="txt"
        )
        codebook.update_code(project, code.id, description=f"v{i}")
        assert backups.backup_on_open(project) is not None
    listed = backup_folder.list_backups(project.path)
    used = sum(b.size for b in listed)
    (pages,) = db_rows(project.path, "PRAGMA page_count")[0]
    assert used <= 2.5 * pages * 4096
    assert 1 <= len(listed) < 6
    assert db_rows(listed[0].path, "SELECT count(*) FROM document") == [(2 + 6,)]  # the newest
    project.close()
    assert main(["backups", str(project.path)]) == 0
    out = capsys.readouterr().out
    assert f"{len(listed)} backups in the folder take" in out and "2.5 x the project's" in out


def test_the_newest_good_backup_is_kept_even_over_the_budget(project):
    project.update_settings(backups_budget=0.01)
    first = backups.backup_on_open(project)
    codebook.add_code(project, "Again")
    second = backups.backup_on_open(project)
    assert [b.path for b in backup_folder.list_backups(project.path)] == [second.path]
    assert not first.path.exists()


def test_a_backup_never_holds_the_database_in_memory(project):
    import tracemalloc

    from desktop.services.documents import documents

    for i in range(40):
        documents.add_document(project, name=f"m{i}.txt", text=f"{i} " + "x" * 500_000, kind="txt")
    size = os.path.getsize(project.path) + os.path.getsize(f"{project.path}-wal")
    assert size > 20_000_000
    tracemalloc.start()
    try:
        made = backups.backup_on_open(project)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert made is not None and integrity_check(made.path, quick=True) == []
    assert peak < size / 10, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB project"
