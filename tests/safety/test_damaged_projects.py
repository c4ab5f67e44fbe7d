"""A damaged project never pushes good backups out and its damage does not spread: it is
named at once, writes and copies are refused until the user restores or chooses to go
on. A file in a read-only folder or medium opens read-only and checks as sound."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from db.integrity import integrity_check
from desktop.cli.main import main
from desktop.services.codebook import codebook
from desktop.services.errors import ServiceError
from desktop.services.project import backup_folder, backups
from desktop.services.project.project import Project
from desktop.services.teams import teams
from tests.safety.safety_helpers import seed


def damage(path: Path, table: str = "code") -> None:
    """Overwrite the b-tree page header of ``table``, as a bad sector would."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (pageno,) = conn.execute(
        "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' LIMIT 1", (table,)
    ).fetchone()
    (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((pageno - 1) * page_size)
        fh.write(b"\xa5" * 12)
    assert integrity_check(path, quick=True)


@pytest.fixture
def with_good_backups(tmp_path) -> tuple[Path, list[backup_folder.BackupInfo]]:
    path = tmp_path / "study.tessera"
    made = []
    with Project.create(path) as p:
        seed(p)
        p.update_settings(backups_keep=4)
        for i in range(3):
            codebook.add_code(p, f"Round {i}")
            made.append(backups.backup_on_open(p))
    assert all(made)
    return path, made


def test_opening_a_damaged_project_many_times_keeps_every_good_backup(with_good_backups, capsys):
    path, good = with_good_backups
    damage(path)
    for _ in range(12):
        assert main(["info", str(path)]) == 0  # reading goes on, with the damage named
        err = capsys.readouterr().err
        assert "the project file is damaged" in err
        assert f"tessera restore {path} 1" in err  # the newest good backup is offered
        # a backup made by hand is refused too: the copy fails its check
        assert main(["backups", str(path), "--now"]) == 1
        assert "no backup was made" in capsys.readouterr().err
    listed = backup_folder.list_backups(path)
    assert [b.path for b in listed] == [b.path for b in reversed(good)]
    assert all(integrity_check(b.path) == [] for b in listed)
    # and the newest good one brings the project back
    assert main(["restore", str(path), "1"]) == 0
    assert integrity_check(path) == []
    with Project.open(path) as p:
        assert not p.damage and p.info()["codings"] == 2


def test_a_damaged_project_refuses_writes_and_copies_until_the_user_chooses(
    with_good_backups, tmp_path, capsys, monkeypatch
):
    path, _good = with_good_backups
    damage(path)
    before = path.read_bytes()
    assert main(["codes", "add", str(path), "Spreading"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "will not write" in err and "Traceback" not in err
    out = tmp_path / "ana.tessera"
    assert main(["copy-for-coder", str(path), "ana", "-o", str(out)]) == 1
    assert "cannot make a copy for a coder" in capsys.readouterr().err
    assert not out.exists()
    assert path.read_bytes() == before
    with Project.open(path) as p:
        with pytest.raises(ServiceError, match="damaged"):
            teams.copy_for_coder(p, "ana", out)
        with pytest.raises(ServiceError, match="damaged"):
            backups.backup_on_open(p)
    # the explicit choice to go on
    monkeypatch.setenv("TESSERA_WRITE_DAMAGED", "1")
    assert main(["coders", "add", str(path), "bo"]) == 0
    assert "writing to the damaged file anyway" in capsys.readouterr().err


def test_tessera_application_id_without_its_tables_is_refused_with_a_message(tmp_path, capsys):
    path = tmp_path / "hollow.tessera"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE coding_value")
    conn.execute("DROP TABLE coding")
    conn.close()
    with pytest.raises(ServiceError, match="incomplete: the table.* coding, coding_value"):
        Project.open(path)
    for argv in (["info", str(path)], ["check", str(path)], ["codes", "add", str(path), "X"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "are missing" in err and "Traceback" not in err


# -- read-only folder or medium -----------------------------------------------------------


@pytest.fixture
def read_only_medium(tmp_path):
    """A real file system mounted read-only (root may mount a tmpfs here) holding a
    project last used in WAL mode: SQLite cannot create its -shm there."""
    mnt = tmp_path / "medium"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a file system here")
    path = mnt / "study.tessera"
    with Project.create(path) as p:
        seed(p)
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    yield path
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_check_on_a_read_only_medium_says_ok_not_damaged(read_only_medium, capsys):
    assert main(["check", str(read_only_medium)]) == 0
    out = capsys.readouterr().out
    assert "ok (schema" in out and "read-only" in out


def test_a_read_only_medium_opens_read_only_reads_and_exports(read_only_medium, tmp_path, capsys):
    path = read_only_medium
    assert main(["info", str(path)]) == 0
    captured = capsys.readouterr()
    assert re.search(r"^codings\s+2$", captured.out, re.M)
    assert "read-only" in captured.err and "Traceback" not in captured.err
    out = tmp_path / "codings.csv"
    assert main(["export", str(path), "--what", "codings", "-o", str(out)]) == 0
    assert len(out.read_text("utf-8").splitlines()) == 3  # header and two codings
    assert main(["codes", "add", str(path), "Not saved"]) == 1
    assert "read-only" in capsys.readouterr().err
    with Project.open(path) as p:
        assert p.read_only and not p.damage
        assert p.info()["codings"] == 2
