"""Codings: a passage [start, end) of a document (code points) coded with a code by a
coder. Each change is one transaction and one audit entry."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import models as m
from desktop.services.errors import Conflict, NotFound, ServiceError
from desktop.services.project import audit


@dataclass(frozen=True)
class CodingInfo:
    id: int
    document_id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    quote: str
    memo: str
    created_at: datetime
    updated_at: datetime
    values: tuple[tuple[int, str], ...] = ()  # (field_id, value) of typed fields


def _info(c: m.Coding, values: tuple[tuple[int, str], ...] = ()) -> CodingInfo:
    return CodingInfo(
        c.id, c.document_id, c.code_id, c.coder_id, c.start, c.end, c.quote, c.memo or "",
        c.created_at, c.updated_at, values,
    )  # fmt: skip


def snapshot(c: m.Coding) -> dict:
    return {
        "document_id": c.document_id, "code_id": c.code_id, "coder_id": c.coder_id,
        "start": c.start, "end": c.end, "quote": c.quote, "memo": c.memo or "",
    }  # fmt: skip


class CategoryNotCodable(ServiceError):
    """The code is a category: applying it is refused."""


def insert_coding(
    s: Session, actor: str, *, document_id: int, code_id: int, coder_id: int, start: int, end: int,
    memo: str = "", coding_id: int | None = None, created_at: datetime | None = None,
    quote: str | None = None,
) -> m.Coding:  # fmt: skip
    """Insert inside an open session (used by apply, undo and bulk import)."""
    if start >= end:
        raise ServiceError(f"a coding needs start < end (got {start}, {end})")
    # One round trip checks the document, the range, the code, the coder and duplicates:
    # saving a coding is the action a coder repeats all day.
    code_ok = select(m.Code.is_codable).where(m.Code.id == code_id).scalar_subquery()
    coder_ok = select(m.Coder.id).where(m.Coder.id == coder_id).scalar_subquery()
    dup = (
        select(m.Coding.id)
        .where(
            m.Coding.document_id == document_id,
            m.Coding.code_id == code_id,
            m.Coding.coder_id == coder_id,
            m.Coding.start == start,
            m.Coding.end == end,
        )  # fmt: skip
        .scalar_subquery()
    )
    row = s.execute(
        select(
            m.Document.length,
            func.substr(m.Document.text, start + 1, end - start),
            code_ok,
            coder_ok,
            dup,
        ).where(m.Document.id == document_id)  # fmt: skip
    ).first()
    if row is None:
        raise NotFound(f"no document with id {document_id}")
    length, actual, found_code, found_coder, dup_id = row
    if not (0 <= start < end <= length):
        raise ServiceError(
            f"the range [{start}, {end}) is outside the document (0 to {length} characters)"
        )
    if quote is not None and quote != actual:
        raise ServiceError("the quoted text differs from the document at those offsets")
    if found_code is None:
        raise NotFound(f"no code with id {code_id}")
    # A category organises the codebook and is never applied; undo may still restore a
    # coding (coding_id given) made before its code became one.
    if not found_code and coding_id is None:
        name = s.scalar(select(m.Code.name).where(m.Code.id == code_id))
        raise CategoryNotCodable(
            f"{name!r} is a category (it organises the codebook and is not applied to "
            "text): choose one of its codes, or make it codable in its properties"
        )
    if found_coder is None:
        raise NotFound(f"no coder with id {coder_id}")
    if dup_id is not None:
        raise Conflict("this passage is already coded with this code by this coder")
    now = m.utcnow()
    c = m.Coding(
        id=coding_id, document_id=document_id, code_id=code_id, coder_id=coder_id,
        start=start, end=end, quote=actual, memo=memo or "", created_at=created_at or now,
        updated_at=now,
    )  # fmt: skip
    s.add(c)
    try:
        s.flush()
    except IntegrityError as exc:
        # the check above passed, then another client saved the same coding first (two
        # windows of one coder on a server): the database kept one, this one is refused
        if not _same_span_clash(exc):
            raise
        raise Conflict(
            "this passage was just coded with this code by this coder in another window "
            "or session; it is stored once. Nothing else was changed."
        ) from exc
    audit.record(s, actor, "create", "coding", c.id, None, snapshot(c))
    return c


def _same_span_clash(exc: IntegrityError) -> bool:
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:
        return getattr(diag, "constraint_name", None) == "uq_coding_span"
    return "UNIQUE constraint failed: coding.document_id" in str(exc.orig)


def apply_coding(
    project, *, document_id: int, code_id: int, coder_id: int, start: int, end: int, memo: str = ""
) -> CodingInfo:
    with project.session() as s:
        c = insert_coding(
            s, project.actor, document_id=document_id, code_id=code_id, coder_id=coder_id,
            start=start, end=end, memo=memo,
        )  # fmt: skip
        return _info(c)


def _values(s: Session, coding_id: int) -> tuple[tuple[int, str], ...]:
    return tuple(
        s.execute(
            select(m.CodingValue.field_id, m.CodingValue.value)
            .where(m.CodingValue.coding_id == coding_id)
            .order_by(m.CodingValue.field_id)
        ).all()
    )


def remove_coding(project, coding_id: int) -> CodingInfo:
    """Delete a coding; returns all of it (with field values) so it can be restored."""
    with project.session() as s:
        c = s.get(m.Coding, coding_id)
        if c is None:
            raise NotFound(f"no coding with id {coding_id}")
        info = _info(c, _values(s, coding_id))
        audit.record(s, project.actor, "delete", "coding", c.id, snapshot(c), None)
        s.delete(c)
        return info


def reinsert_coding(s: Session, actor: str, info: CodingInfo) -> m.Coding:
    """Inside an open session: put a removed coding back with its id (if still free),
    memo, creation time and the values of fields that still exist."""
    free = s.get(m.Coding, info.id) is None
    c = insert_coding(
        s, actor, document_id=info.document_id, code_id=info.code_id,
        coder_id=info.coder_id, start=info.start, end=info.end, memo=info.memo,
        coding_id=info.id if free else None, created_at=info.created_at,
    )  # fmt: skip
    for field_id, value in info.values:
        if s.get(m.CodeField, field_id) is not None:
            s.add(m.CodingValue(coding_id=c.id, field_id=field_id, value=value))
    s.flush()
    return c


def restore_coding(project, info: CodingInfo) -> CodingInfo:
    """Put a removed coding back, with its id, memo, values and creation time (undo)."""
    with project.session() as s:
        c = reinsert_coding(s, project.actor, info)
        return _info(c, _values(s, c.id))


def set_memo(project, coding_id: int, memo: str) -> str:
    """Set a coding's memo; returns the old memo."""
    with project.session() as s:
        c = s.get(m.Coding, coding_id)
        if c is None:
            raise NotFound(f"no coding with id {coding_id}")
        old = c.memo or ""
        if old != memo:
            c.memo = memo
            c.updated_at = m.utcnow()
            audit.record(s, project.actor, "update", "coding", c.id, {"memo": old}, {"memo": memo})
        return old


def get_coding(project, coding_id: int) -> CodingInfo:
    with project.session() as s:
        c = s.get(m.Coding, coding_id)
        if c is None:
            raise NotFound(f"no coding with id {coding_id}")
        return _info(c, _values(s, coding_id))


def list_codings(
    project,
    *,
    document_id: int | None = None,
    code_ids: list[int] | None = None,
    coder_ids: list[int] | None = None,
    with_values: bool = False,
) -> list[CodingInfo]:
    """Codings in document order (document, start, end)."""
    with project.session() as s:
        q = select(m.Coding).order_by(
            m.Coding.document_id, m.Coding.start, m.Coding.end, m.Coding.id
        )
        if document_id is not None:
            q = q.where(m.Coding.document_id == document_id)
        if code_ids is not None:
            q = q.where(m.Coding.code_id.in_(code_ids))
        if coder_ids is not None:
            q = q.where(m.Coding.coder_id.in_(coder_ids))
        rows = [_info(c) for c in s.scalars(q)]
        if with_values and rows:
            vals: dict[int, list[tuple[int, str]]] = {}
            for cid, fid, v in s.execute(
                select(m.CodingValue.coding_id, m.CodingValue.field_id, m.CodingValue.value)
            ):
                vals.setdefault(cid, []).append((fid, v))
            rows = [replace(r, values=tuple(sorted(vals.get(r.id, [])))) for r in rows]
        return rows


def list_document_codings(
    project, document_id: int, *, coder_ids: list[int] | None = None, text: str | None = None
) -> list[CodingInfo]:
    """One document's codings in document order, read lightly for a viewer: no ORM
    objects, no field values, and ``created_at``/``updated_at`` left None. Given the
    document's ``text``, quotes are sliced from it instead of read (they are equal:
    ``insert_coding`` checks it), which saves reading every quote again."""
    c = m.Coding
    cols = [c.id, c.code_id, c.coder_id, c.start, c.end, c.memo]
    if text is None:
        cols.append(c.quote)
    q = select(*cols).where(c.document_id == document_id).order_by(c.start, c.end, c.id)
    if coder_ids is not None:
        q = q.where(c.coder_id.in_(coder_ids))
    with project.session() as s:
        rows = s.execute(q).all()
    if text is None:
        return [CodingInfo(i, document_id, k, r, a, b, quote, memo or "", None, None)
                for i, k, r, a, b, memo, quote in rows]  # fmt: skip
    return [CodingInfo(i, document_id, k, r, a, b, text[a:b], memo or "", None, None)
            for i, k, r, a, b, memo in rows]  # fmt: skip
