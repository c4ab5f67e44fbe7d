"""The audit trail: every change to codes and codings is written in the same
transaction as the change itself, so the log can never disagree with the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from db import models as m


def record(
    s: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    s.add(
        m.AuditEntry(
            actor=actor or "",
            action=action,
            entity=entity,
            entity_id=entity_id,
            old=_jsonable(old),
            new=_jsonable(new),
        )
    )


def record_many(
    s: Session,
    actor: str,
    action: str,
    entity: str,
    changes: list[tuple[int | None, dict[str, Any] | None, dict[str, Any] | None]],
) -> None:
    """One entry per (entity id, old, new), written in one statement (an import that
    adds thousands of rows records each without an ORM object per entry)."""
    if changes:
        s.execute(
            insert(m.AuditEntry.__table__),
            [
                {"at": m.utcnow(), "actor": actor or "", "action": action, "entity": entity,
                 "entity_id": eid, "old": _jsonable(old), "new": _jsonable(new)}
                for eid, old, new in changes
            ],
        )  # fmt: skip


def max_coding_id(s: Session) -> int:
    """The largest coding id now; codings inserted after it get larger ids."""
    from sqlalchemy import func

    return s.scalar(select(func.max(m.Coding.id))) or 0


def record_bulk_codings(
    s: Session, actor: str, action: str, since_id: int, info: dict[str, Any]
) -> int:
    """One entry for codings inserted in bulk (import, merge) since ``since_id``: it names
    the id range it covers, and ``history(entity='coding', entity_id=N)`` finds it for
    every N in that range. Returns the number of codings it covers."""
    from sqlalchemy import func

    first, last, count = s.execute(
        select(func.min(m.Coding.id), func.max(m.Coding.id), func.count()).where(
            m.Coding.id > since_id
        )
    ).one()
    if count:
        record(
            s,
            actor,
            action,
            "coding",
            None,
            None,
            {**info, "first_id": first, "last_id": last, "count": count},
        )
    return count


def _jsonable(d: dict[str, Any] | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in d.items()}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    old: dict | None
    new: dict | None


def history(
    project, *, entity: str | None = None, entity_id: int | None = None, limit: int | None = None
) -> list[AuditRow]:
    with project.session() as s:
        q = select(m.AuditEntry).order_by(m.AuditEntry.id)
        if entity:
            q = q.where(m.AuditEntry.entity == entity)
        if entity_id is not None:
            own = m.AuditEntry.entity_id == entity_id
            # codings inserted in bulk are covered by one entry naming their id range
            covered = (
                m.AuditEntry.entity_id.is_(None)
                & (m.AuditEntry.new["first_id"].as_integer() <= entity_id)
                & (m.AuditEntry.new["last_id"].as_integer() >= entity_id)
            )
            q = q.where(own | covered) if entity == "coding" else q.where(own)
        if limit:
            q = q.limit(limit)
        return [
            AuditRow(e.id, e.at, e.actor, e.action, e.entity, e.entity_id, e.old, e.new)
            for e in s.scalars(q)
        ]
