"""Refusing writes to a project that must not be changed (a damaged or read-only file):
a guard on each engine, and the check run before every statement."""

from __future__ import annotations

import re

from db import errors


class WriteGuard:
    """Refuses writes through an engine while ``refusal`` is set (a damaged or
    read-only project): the message says why and what to do. Reads go on."""

    def __init__(self) -> None:
        self.refusal: str | None = None
        self.kind = "damaged"


_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|VACUUM|REINDEX)\b", re.I)


def refuse_writes(guard: WriteGuard):
    """The ``before_cursor_execute`` listener that raises the guard's refusal for a
    statement that writes."""

    def check(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        if guard.refusal is not None and _WRITE.match(statement):
            raise errors.error_factory(guard.kind, guard.refusal)

    return check
