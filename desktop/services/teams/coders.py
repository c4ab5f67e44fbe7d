"""Coders: every coding belongs to one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from db import models as m
from desktop.services.errors import Conflict, NotFound, ServiceError

PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#9d755d", "#eeca3b")


@dataclass(frozen=True)
class CoderInfo:
    id: int
    name: str
    color: str
    codings: int = 0


def list_coders(project) -> list[CoderInfo]:
    with project.session() as s:
        counts = dict(
            s.execute(select(m.Coding.coder_id, func.count()).group_by(m.Coding.coder_id)).all()
        )
        return [
            CoderInfo(c.id, c.name, c.color, counts.get(c.id, 0))
            for c in s.scalars(select(m.Coder).order_by(m.Coder.name))
        ]


def find_coder(project, name: str) -> CoderInfo | None:
    with project.session() as s:
        c = s.scalar(select(m.Coder).where(m.Coder.name == name))
        return CoderInfo(c.id, c.name, c.color) if c else None


def get_coder(project, coder_id: int) -> CoderInfo:
    with project.session() as s:
        c = s.get(m.Coder, coder_id)
        if c is None:
            raise NotFound(f"no coder with id {coder_id}")
        return CoderInfo(c.id, c.name, c.color)


def add_coder(project, name: str, color: str | None = None) -> CoderInfo:
    name = name.strip()
    if not name:
        raise ServiceError("a coder needs a name")
    with project.session() as s:
        if s.scalar(select(m.Coder).where(m.Coder.name == name)):
            raise Conflict(f"a coder named {name!r} already exists")
        n = s.scalar(select(func.count()).select_from(m.Coder)) or 0
        c = m.Coder(name=name, color=color or PALETTE[n % len(PALETTE)])
        s.add(c)
        s.flush()
        return CoderInfo(c.id, c.name, c.color)


def get_or_add_coder(project, name: str) -> CoderInfo:
    return find_coder(project, name.strip()) or add_coder(project, name)
