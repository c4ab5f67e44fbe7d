"""Anchor examples of a code: short passages that show what the code means, typed in or
taken from a coding's quote (the example then remembers the coding)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from desktop.services.errors import NotFound, ServiceError
from desktop.services.project import audit


@dataclass(frozen=True)
class ExampleInfo:
    id: int
    code_id: int
    text: str
    coding_id: int | None
    sort_order: int


def _example_info(e: m.CodeExample) -> ExampleInfo:
    return ExampleInfo(e.id, e.code_id, e.text, e.coding_id, e.sort_order)


def list_examples(project, code_id: int) -> list[ExampleInfo]:
    with project.session() as s:
        q = select(m.CodeExample).where(m.CodeExample.code_id == code_id)
        return [
            _example_info(e)
            for e in s.scalars(q.order_by(m.CodeExample.sort_order, m.CodeExample.id))
        ]


def insert_example(
    s: Session, actor: str, code_id: int, text: str, coding_id: int | None
) -> m.CodeExample:
    if s.get(m.Code, code_id) is None:
        raise NotFound(f"no code with id {code_id}")
    text = (text or "").strip()
    if not text:
        raise ServiceError("an example needs some text")
    order = s.scalar(
        select(func.coalesce(func.max(m.CodeExample.sort_order), -1) + 1).where(
            m.CodeExample.code_id == code_id
        )
    )
    ex = m.CodeExample(code_id=code_id, text=text, coding_id=coding_id, sort_order=order)
    s.add(ex)
    s.flush()
    audit.record(
        s,
        actor,
        "create",
        "code_example",
        ex.id,
        None,
        {"code_id": code_id, "text": text, "coding_id": coding_id},
    )
    return ex


def add_example(project, code_id: int, text: str, *, coding_id: int | None = None) -> ExampleInfo:
    """Add an anchor example to a code (undo: remove_example)."""
    with project.session() as s:
        return _example_info(insert_example(s, project.actor, code_id, text, coding_id))


def add_example_from_coding(project, code_id: int, coding_id: int) -> ExampleInfo:
    """Add the quote of a coding as an anchor example of a code; the example remembers
    the coding it came from."""
    with project.session() as s:
        coding = s.get(m.Coding, coding_id)
        if coding is None:
            raise NotFound(f"no coding with id {coding_id}")
        return _example_info(insert_example(s, project.actor, code_id, coding.quote, coding_id))


def update_example(project, example_id: int, text: str) -> str:
    """Change an example's text; returns the old text."""
    text = (text or "").strip()
    if not text:
        raise ServiceError("an example needs some text")
    with project.session() as s:
        ex = s.get(m.CodeExample, example_id)
        if ex is None:
            raise NotFound(f"no example with id {example_id}")
        old = ex.text
        if old != text:
            ex.text = text
            audit.record(
                s, project.actor, "update", "code_example", ex.id, {"text": old}, {"text": text}
            )
        return old


def remove_example(project, example_id: int) -> ExampleInfo:
    """Delete an example; returns it whole for restore_example (undo)."""
    with project.session() as s:
        ex = s.get(m.CodeExample, example_id)
        if ex is None:
            raise NotFound(f"no example with id {example_id}")
        info = _example_info(ex)
        audit.record(
            s,
            project.actor,
            "delete",
            "code_example",
            ex.id,
            {"code_id": ex.code_id, "text": ex.text},
            None,
        )
        s.delete(ex)
        return info


def restore_example(project, info: ExampleInfo) -> ExampleInfo:
    """Put a removed example back with its id and place."""
    with project.session() as s:
        if s.get(m.Code, info.code_id) is None:
            raise NotFound(f"no code with id {info.code_id}")
        coding_id = info.coding_id if info.coding_id and s.get(m.Coding, info.coding_id) else None
        free = s.get(m.CodeExample, info.id) is None
        ex = m.CodeExample(
            id=info.id if free else None, code_id=info.code_id, text=info.text,
            coding_id=coding_id, sort_order=info.sort_order,
        )  # fmt: skip
        s.add(ex)
        s.flush()
        audit.record(
            s,
            project.actor,
            "restore",
            "code_example",
            ex.id,
            None,
            {"code_id": ex.code_id, "text": ex.text},
        )
        return _example_info(ex)
