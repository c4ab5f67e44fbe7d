"""The translation of storage failures into sentences, and `tessera check`."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from db.errors import describe_error
from db.integrity import integrity_check
from desktop.cli.main import main
from desktop.services.errors import ServiceError
from desktop.services.project import storage_errors
from desktop.services.project.project import Project


@pytest.mark.parametrize(
    "exc, kind, words",
    [
        (sqlite3.OperationalError("database or disk is full"), "disk_full", "the disk is full"),
        (OSError(errno.ENOSPC, "No space left on device"), "disk_full", "the disk is full"),
        (
            sqlite3.OperationalError("attempt to write a readonly database"),
            "read_only",
            "read-only",
        ),
        (OSError(errno.EROFS, "Read-only file system"), "read_only", "read-only"),
        (OSError(errno.EACCES, "Permission denied"), "read_only", "read-only"),
        (sqlite3.OperationalError("database is locked"), "in_use", "in use"),
        (sqlite3.DatabaseError("database disk image is malformed"), "damaged", "tessera restore"),
        (sqlite3.DatabaseError("file is not a database"), "damaged", "damaged"),
        (sqlite3.OperationalError("unable to open database file"), "missing", "gone"),
        (sqlite3.OperationalError("disk I/O error"), "io", "the disk reported an error"),
        (
            OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")),
            "disk_full",
            "full",
        ),
    ],
)
def test_storage_failures_are_named(exc, kind, words):
    failure = storage_errors.translate(exc, "/data/study.tessera")
    assert failure is not None and failure.kind == kind
    assert isinstance(failure, ServiceError)
    assert words in str(failure) and "/data/study.tessera" in str(failure)


@pytest.mark.parametrize(
    "exc",
    [
        sqlite3.IntegrityError("UNIQUE constraint failed: code.name"),
        sqlite3.OperationalError("no such table: nope"),
        ValueError("a bug"),
    ],
)
def test_other_errors_are_left_alone(exc):
    assert describe_error(exc) is None
    assert storage_errors.translate(exc) is None
    with pytest.raises(type(exc)), storage_errors.guard():
        raise exc


def test_guard_turns_a_full_disk_into_a_service_error():
    with (
        pytest.raises(storage_errors.StorageFailure, match="the disk is full") as caught,
        storage_errors.guard("x.tessera"),
    ):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert caught.value.kind == "disk_full"


def test_cli_check_reports_ok_and_damage(tmp_path, capsys):
    path = tmp_path / "p.tessera"
    Project.create(path, template="conflict-news").close()
    assert main(["check", str(path)]) == 0
    assert "ok (schema" in capsys.readouterr().out
    for extra in ("-wal", "-shm"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    (pageno,) = conn.execute(
        "SELECT pageno FROM dbstat WHERE name = 'code' AND pagetype = 'leaf' LIMIT 1"
    ).fetchone()
    conn.close()
    data = bytearray(path.read_bytes())
    start = (pageno - 1) * 4096
    data[start : start + 12] = b"\xa5" * 12  # the b-tree page header of the code table
    path.write_bytes(bytes(data))
    assert integrity_check(path)
    assert main(["check", str(path)]) == 1
    assert "damaged" in capsys.readouterr().err
