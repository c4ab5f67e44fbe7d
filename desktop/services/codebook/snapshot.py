"""Snapshots of a part of the codebook, and putting one back: the inverse of every
destructive codebook action (delete a code tree, merge codes).

A snapshot holds, for a set of codes, every row that belongs to them: the codes
themselves, their typed fields and anchor examples, their codings and the field values
of those codings (plus values of their fields on other codings, and examples elsewhere
that point at their codings). :func:`restore_code_tree` writes those rows back with the
same ids, so references held by an undo stack, a window or another coder's file stay
valid."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import models as m
from desktop.services.errors import ServiceError
from desktop.services.project import audit


def row_dict(obj) -> dict:
    """Every column of an ORM row, by attribute name."""
    return {col.key: getattr(obj, col.key) for col in obj.__table__.columns}


@dataclass(frozen=True)
class CodeTreeSnapshot:
    """Rows as they were. ``codes`` come parents before children."""

    root_id: int | None
    codes: tuple[dict, ...]
    fields: tuple[dict, ...]
    examples: tuple[dict, ...]
    codings: tuple[dict, ...]
    values: tuple[dict, ...]

    @property
    def code_ids(self) -> list[int]:
        return [c["id"] for c in self.codes]

    @property
    def coding_count(self) -> int:
        return len(self.codings)


def subtree_ids_in(s: Session, code_id: int) -> list[int]:
    """``code_id`` and all its descendants, parents before children."""
    by_parent: dict[int | None, list[int]] = {}
    for cid, parent in s.execute(
        select(m.Code.id, m.Code.parent_id).order_by(m.Code.sort_order, m.Code.id)
    ):
        by_parent.setdefault(parent, []).append(cid)
    out: list[int] = []

    def walk(cid: int) -> None:
        out.append(cid)
        for child in by_parent.get(cid, []):
            walk(child)

    walk(code_id)
    return out


def take_snapshot(
    s: Session, code_ids: Iterable[int], root_id: int | None = None
) -> CodeTreeSnapshot:
    """Everything that belongs to ``code_ids`` (see the module docstring)."""
    ids = list(dict.fromkeys(code_ids))
    codes = {c.id: row_dict(c) for c in s.scalars(select(m.Code).where(m.Code.id.in_(ids)))}
    ordered = _parents_first(codes)
    fields = [
        row_dict(f)
        for f in s.scalars(
            select(m.CodeField).where(m.CodeField.code_id.in_(ids)).order_by(m.CodeField.id)
        )
    ]
    codings = [
        row_dict(c)
        for c in s.scalars(select(m.Coding).where(m.Coding.code_id.in_(ids)).order_by(m.Coding.id))
    ]
    coding_ids = [c["id"] for c in codings]
    field_ids = [f["id"] for f in fields]
    values = [
        row_dict(v)
        for v in s.scalars(
            select(m.CodingValue)
            .where(m.CodingValue.coding_id.in_(coding_ids) | m.CodingValue.field_id.in_(field_ids))
            .order_by(m.CodingValue.coding_id, m.CodingValue.field_id)
        )
    ]
    examples = [
        row_dict(e)
        for e in s.scalars(
            select(m.CodeExample)
            .where(m.CodeExample.code_id.in_(ids) | m.CodeExample.coding_id.in_(coding_ids))
            .order_by(m.CodeExample.id)
        )
    ]
    return CodeTreeSnapshot(
        root_id, tuple(ordered), tuple(fields), tuple(examples), tuple(codings), tuple(values)
    )


def _parents_first(codes: dict[int, dict]) -> list[dict]:
    out: list[dict] = []
    seen: set[int] = set()

    def add(cid: int) -> None:
        if cid in seen:
            return
        parent = codes[cid]["parent_id"]
        if parent in codes:
            add(parent)
        seen.add(cid)
        out.append(codes[cid])

    for cid in sorted(codes, key=lambda i: (codes[i]["sort_order"], i)):
        add(cid)
    return out


def _upsert(s: Session, model, row: dict, key) -> bool:
    """Write ``row`` over the stored one (or insert it). True if it was inserted."""
    obj = s.get(model, key)
    if obj is None:
        s.add(model(**row))
        s.flush()
        return True
    for k, v in row.items():
        setattr(obj, k, v)
    s.flush()
    return False


def restore_in(s: Session, actor: str, snap: CodeTreeSnapshot) -> None:
    """Put ``snap`` back inside an open session (see restore_code_tree)."""
    try:
        ids = [r["id"] for r in snap.codes]
        # Codes of the snapshot that sit elsewhere now step aside first, so that a code
        # that took the place of another (a merge into the parent) cannot block it.
        for row in snap.codes:
            obj = s.get(m.Code, row["id"])
            if obj is not None and (obj.name, obj.parent_id) != (row["name"], row["parent_id"]):
                obj.name = f"{obj.name} (restoring {obj.id})"
        s.flush()
        for row in snap.codes:
            if row["parent_id"] is not None and s.get(m.Code, row["parent_id"]) is None:
                raise ServiceError(
                    f"cannot restore {row['name']!r}: its parent code no longer exists"
                )
            clash = s.scalar(
                select(m.Code.id).where(
                    m.Code.name == row["name"],
                    m.Code.id.not_in(ids),
                    m.Code.parent_id.is_(None)
                    if row["parent_id"] is None
                    else m.Code.parent_id == row["parent_id"],
                )
            )
            if clash is not None:
                raise ServiceError(
                    f"cannot restore {row['name']!r}: another code of that name is there now"
                )
            inserted = _upsert(s, m.Code, row, row["id"])
            audit.record(s, actor, "restore", "code", row["id"], None, _brief(row, inserted))
        for row in snap.fields:
            _upsert(s, m.CodeField, row, row["id"])
        for row in snap.codings:
            if s.get(m.Document, row["document_id"]) is None:
                raise ServiceError("cannot restore: a coded document has been deleted since")
            if s.get(m.Coder, row["coder_id"]) is None:
                raise ServiceError("cannot restore: a coder has been deleted since")
            current = s.get(m.Coding, row["id"])
            before = _coding_brief(row_dict(current)) if current is not None else None
            _upsert(s, m.Coding, row, row["id"])
            if before != _coding_brief(row):
                audit.record(s, actor, "restore", "coding", row["id"], before, _coding_brief(row))
        restored = {c["id"] for c in snap.codings}
        coding_ids = restored | {v["coding_id"] for v in snap.values}
        values_before = _values_of(s, coding_ids)
        for v in s.scalars(select(m.CodingValue).where(m.CodingValue.coding_id.in_(restored))):
            s.delete(v)
        s.flush()
        for row in snap.values:
            if (
                s.get(m.Coding, row["coding_id"]) is None
                or s.get(m.CodeField, row["field_id"]) is None
            ):
                continue
            _upsert(s, m.CodingValue, row, (row["coding_id"], row["field_id"]))
        values_after = _values_of(s, coding_ids)
        for cid in sorted(coding_ids):
            old, new = values_before.get(cid, {}), values_after.get(cid, {})
            if old != new:
                audit.record(s, actor, "update", "coding", cid, {"values": old}, {"values": new})
        for row in snap.examples:
            if s.get(m.Code, row["code_id"]) is None:
                continue
            if row["coding_id"] is not None and s.get(m.Coding, row["coding_id"]) is None:
                row = {**row, "coding_id": None}
            _upsert(s, m.CodeExample, row, row["id"])
    except IntegrityError as exc:
        raise ServiceError(f"cannot restore the codes: {exc.orig}") from exc


def _values_of(s: Session, coding_ids: set[int]) -> dict[int, dict[str, str]]:
    """{coding id: {field name: value}} for the audit log."""
    out: dict[int, dict[str, str]] = {}
    q = (
        select(m.CodingValue.coding_id, m.CodeField.name, m.CodingValue.value)
        .join(m.CodeField, m.CodeField.id == m.CodingValue.field_id)
        .where(m.CodingValue.coding_id.in_(coding_ids))
    )
    for cid, name, value in s.execute(q):
        out.setdefault(cid, {})[name] = value
    return out


def restore_code_tree(project, snap: CodeTreeSnapshot) -> list[int]:
    """Put the rows of ``snap`` back with their ids, in one transaction: the inverse of
    delete_code_tree and merge_codes. Codes still present are set back to their
    recorded state. Returns the restored code ids."""
    with project.session() as s:
        restore_in(s, project.actor, snap)
    return snap.code_ids


def _brief(row: dict, inserted: bool) -> dict:
    keys = ("name", "parent_id", "color", "description", "inclusion", "exclusion", "sort_order")
    return {**{k: row[k] for k in keys}, "reinserted": inserted}


def _coding_brief(row: dict) -> dict:
    keys = ("document_id", "code_id", "coder_id", "start", "end", "quote", "memo")
    return {k: row[k] for k in keys}
