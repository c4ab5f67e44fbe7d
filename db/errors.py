"""Storage errors: what went wrong with a project's storage, said so a user understands.

``StorageError`` (and ``error_factory``, which the services replace with their own error
type) is what the db layer raises when it refuses a write or finds the file gone;
``describe_error`` tells which SQLite, PostgreSQL or OS errors mean "the disk is full",
"the file is read-only", "the project is in use", "the file is damaged" or "the
connection to the server was lost", and ``restate_lost_commit`` corrects what such a
message says about the last change once the server has answered."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

# How long a connection waits for another process's write before giving up (the file
# engines set it; the "in use" message says it).
BUSY_TIMEOUT_MS = 10_000


class StorageError(Exception):
    """Storage refused a read or a write; ``kind`` names why, str() says it to a user.

    kinds: disk_full, read_only, in_use, missing, moved, damaged, io."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# The services replace this with a factory of their own error type (a ServiceError), so
# that a failure detected here reaches the user as a message, never as a traceback.
error_factory: Callable[[str, str], Exception] = StorageError


_DISK_FULL = ("database or disk is full", "no space left on device")
_READ_ONLY = ("readonly database", "read-only file system", "permission denied")
_IN_USE = ("database is locked", "database table is locked", "database schema is locked")
_DAMAGED = ("malformed", "file is not a database", "file is encrypted or is not a database")


def describe_error(exc: BaseException, path: Path | str | None = None) -> StorageError | None:
    """A StorageError with a user's explanation for a storage failure (a sqlite3 error,
    an OSError, or either wrapped by SQLAlchemy), or None if ``exc`` is something else
    (a bug, a constraint violation, ...)."""
    if isinstance(exc, StorageError):
        return exc
    orig = getattr(exc, "orig", None)
    if orig is not None and orig is not exc:
        return describe_error(orig, path)
    where = f"{path}: " if path else ""
    saved = " Everything saved before is intact."
    if isinstance(exc, OSError):
        import errno

        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return StorageError(
                "disk_full", f"{where}the disk is full; free some space and try again.{saved}"
            )
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StorageError(
                "read_only",
                f"{where}the project file (or its folder) is read-only; copy the project "
                f"somewhere you can write to, or change its permissions.{saved}",
            )
        if exc.errno == errno.ENOENT:
            return StorageError(
                "missing",
                f"{where}the project file or its folder is gone (moved, deleted or disconnected).",
            )
        return StorageError(
            "io", f"{where}the disk reported an error ({exc.strerror or exc}).{saved}"
        )
    if type(exc).__module__.startswith("psycopg"):
        return _describe_server_error(exc, where, saved)
    if not isinstance(exc, sqlite3.Error):
        return None
    text = str(exc).lower()
    code = getattr(exc, "sqlite_errorname", "") or ""
    if code == "SQLITE_FULL" or any(s in text for s in _DISK_FULL):
        return StorageError(
            "disk_full",
            f"{where}the disk is full; the last change was not saved. Free some space and try again.{saved}",
        )
    if code.startswith("SQLITE_READONLY") or any(s in text for s in _READ_ONLY):
        return StorageError(
            "read_only",
            f"{where}the project file (or its folder) is read-only, so changes cannot be "
            f"saved; copy the project somewhere you can write to.{saved}",
        )
    if (
        code.startswith("SQLITE_BUSY")
        or code.startswith("SQLITE_LOCKED")
        or any(s in text for s in _IN_USE)
    ):
        return StorageError(
            "in_use",
            f"{where}the project is in use by another Tessera window or command and stayed "
            f"busy for {BUSY_TIMEOUT_MS // 1000} s; try again when it has finished.{saved}",
        )
    if (
        code.startswith("SQLITE_CORRUPT")
        or code == "SQLITE_NOTADB"
        or any(s in text for s in _DAMAGED)
    ):
        return StorageError(
            "damaged",
            f"{where}the project file is damaged; bring back a backup with "
            f"`tessera restore` (File > Restore in the window).",
        )
    if code.startswith("SQLITE_CANTOPEN") or "unable to open database file" in text:
        return StorageError(
            "missing",
            f"{where}the project file cannot be opened: it, or its folder, is gone or not "
            f"accessible (moved, deleted, disconnected, or no permission).",
        )
    if code.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return StorageError(
            "io", f"{where}the disk reported an error while reading or saving.{saved}"
        )
    return None


# What a lost connection's message says about the last change. When the connection
# went during COMMIT, the client cannot know from the error whether the server committed:
# ``commit_outcome`` asks the server afterwards, and ``restate_lost_commit`` says what it
# answered instead of NOT_SAVED.
NOT_SAVED = "the last change was not saved. Try again when the server can be reached."
SAVED_ANYWAY = (
    "this happened as the last change was being saved, and the server did save the last "
    "change all the same: it need not be made again."
)
MAYBE_SAVED = (
    "this happened as the last change was being saved, and whether the server saved it "
    "cannot be known until the server can be reached again: look at what is stored "
    "before making it again."
)


def restate_lost_commit(message: str, outcome: str | None) -> str:
    """A lost connection's ``message`` with what ``commit_outcome`` found instead of
    the blanket NOT_SAVED (which stays for "aborted")."""
    if outcome == "aborted":
        return message
    said = SAVED_ANYWAY if outcome == "committed" else MAYBE_SAVED
    return message.replace(NOT_SAVED, said)


def _describe_server_error(exc: BaseException, where: str, saved: str) -> StorageError | None:
    """The same explanations for a PostgreSQL server's refusals (by SQLSTATE)."""
    state = getattr(exc, "sqlstate", None) or ""
    said = (str(exc).strip().splitlines() or [""])[0]
    if state in ("28P01", "28000"):
        return StorageError("permission", f"{where}the server refused the login ({said}).")
    if (
        state.startswith("08")
        or state in ("57P01", "57P02", "57P03")
        or (not state and type(exc).__name__ == "OperationalError")
    ):
        return StorageError(
            "connection",
            f"{where}the connection to the server failed or was lost ({said}); {NOT_SAVED}{saved}",
        )
    if state == "53100":
        return StorageError(
            "disk_full", f"{where}the server's disk is full; the last change was not saved.{saved}"
        )
    if state == "25006":
        return StorageError(
            "read_only",
            f"{where}the server accepts only reads now (a read-only replica or transaction).{saved}",
        )
    if state == "42501":
        return StorageError(
            "permission",
            f"{where}your database role may not do this ({said}); ask the project's owner.{saved}",
        )
    if state in ("40001", "40P01", "55P03"):
        return StorageError(
            "in_use",
            f"{where}another coder changed the same thing at the same moment; the last change "
            f"was not saved. Try again.{saved}",
        )
    return None
