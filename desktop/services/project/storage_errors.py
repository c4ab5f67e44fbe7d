"""When the file system says no: storage failures (disk full, read-only file, project in
use, file gone or damaged) turned into ServiceErrors whose message a user understands.

``install()`` makes every SQLAlchemy engine raise ``StorageFailure`` instead of a raw
OperationalError for those cases, so the CLI and the window print a sentence instead of
a traceback. It is idempotent; call it once at start-up (the CLI does, through
desktop/cli/safety.py; the window should too). ``translate`` and ``guard`` are for code
that touches files or sqlite3 directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event

import db.errors as db_errors
from db.errors import StorageError, describe_error
from db.server_engine import mask_url
from desktop.services.errors import ServiceError


class StorageFailure(ServiceError):
    """The disk, the file or another process refused; ``kind`` says which
    (disk_full, read_only, in_use, missing, moved, damaged, io)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def translate(exc: BaseException, path: Path | str | None = None) -> StorageFailure | None:
    """The StorageFailure that explains ``exc``, or None if it is no storage failure."""
    if isinstance(exc, StorageFailure):
        return exc
    described = describe_error(exc, path)
    if described is None:
        return None
    return StorageFailure(described.kind, str(described))


@contextmanager
def guard(path: Path | str | None = None) -> Iterator[None]:
    """Re-raise storage failures inside the block as StorageFailure."""
    try:
        yield
    except ServiceError:
        raise
    except Exception as exc:
        failure = translate(exc, path)
        if failure is None:
            raise
        raise failure from exc


def _path_of(engine: Engine | None) -> str | None:
    if engine is None:
        return None
    if engine.dialect.name == "postgresql":
        return mask_url(engine.url)  # a server: its URL, never its password
    return engine.url.database or None


def _on_error(ctx) -> StorageFailure | None:
    if ctx.original_exception is None or ctx.is_pre_ping:
        # a pooled connection that a ping found dead (the server restarted, dropped
        # it): the pool replaces it and the action goes on; only if that fails too is
        # the user told
        return None
    described = describe_error(ctx.original_exception, _path_of(ctx.engine))
    if described is None:
        return None
    failure = StorageFailure(described.kind, str(described))
    failure.__cause__ = ctx.original_exception
    raise failure


_installed = False


def install() -> None:
    """Translate storage failures of every engine in this process (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Engine, "handle_error", _on_error)
    db_errors.error_factory = StorageFailure
    _installed = True


__all__ = ["StorageError", "StorageFailure", "guard", "install", "translate"]
