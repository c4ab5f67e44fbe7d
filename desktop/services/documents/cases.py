"""Cases (an interviewee, an event, an outlet): each has its own attributes (case
attributes, see ``attributes``) and documents belong to it (REFI-QDA: Case)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db import models as m
from desktop.services.documents import attributes
from desktop.services.errors import Conflict, NotFound, ServiceError
from desktop.services.project import audit


@dataclass(frozen=True)
class CaseInfo:
    id: int
    name: str
    memo: str = ""
    documents: tuple[int, ...] = ()
    values: dict[str, str] = field(default_factory=dict)
    guid: str | None = None


def list_cases(project) -> list[CaseInfo]:
    with project.session() as s:
        return cases_in(s)


def cases_in(s: Session) -> list[CaseInfo]:
    docs: dict[int, list[int]] = {}
    for cid, did in s.execute(select(m.CaseDocument.case_id, m.CaseDocument.document_id)):
        docs.setdefault(cid, []).append(did)
    values = attributes.values_in(s, None, "case")
    return [
        CaseInfo(
            c.id,
            c.name,
            c.memo or "",
            tuple(sorted(docs.get(c.id, ()))),
            values.get(c.id, {}),
            c.guid,
        )  # fmt: skip
        for c in s.scalars(select(m.Case).order_by(m.Case.name))
    ]


def _find(s: Session, name: str) -> m.Case:
    c = s.scalar(select(m.Case).where(m.Case.name == name))
    if c is None:
        c = s.scalar(select(m.Case).where(func.lower(m.Case.name) == name.strip().lower()))
    if c is None:
        raise NotFound(f"no case named {name!r}")
    return c


def get_case(project, name: str) -> CaseInfo:
    with project.session() as s:
        cid = _find(s, name).id
        return next(c for c in cases_in(s) if c.id == cid)


def add_case_in(
    s: Session, actor: str, name: str, memo: str = "", guid: str | None = None
) -> m.Case:
    name = (name or "").strip()
    if not name:
        raise ServiceError("a case needs a name")
    if s.scalar(select(m.Case.id).where(func.lower(m.Case.name) == name.lower())):
        raise Conflict(f"a case named {name!r} already exists")
    c = m.Case(name=name, memo=memo or "", guid=guid)
    s.add(c)
    s.flush()
    audit.record(s, actor, "create", "case", c.id, None, {"name": name, "memo": memo or ""})
    return c


def add_case(project, name: str, memo: str = "", values: dict | None = None) -> CaseInfo:
    with project.session() as s:
        c = add_case_in(s, project.actor, name, memo)
        if values:
            attributes.set_values_in(s, project.actor, c.id, values, "case")
    return get_case(project, name)


def update_case(
    project, name: str, *, new_name: str | None = None, memo: str | None = None
) -> None:
    with project.session() as s:
        c = _find(s, name)
        old = {"name": c.name, "memo": c.memo}
        if new_name is not None:
            new_name = new_name.strip()
            if not new_name:
                raise ServiceError("a case needs a name")
            clash = s.scalar(select(m.Case.id).where(
                func.lower(m.Case.name) == new_name.lower(), m.Case.id != c.id))  # fmt: skip
            if clash:
                raise Conflict(f"a case named {new_name!r} already exists")
            c.name = new_name
        if memo is not None:
            c.memo = memo
        audit.record(
            s, project.actor, "update", "case", c.id, old, {"name": c.name, "memo": c.memo}
        )


def delete_case(project, name: str) -> None:
    """Delete a case and its attribute values; its documents stay in the project."""
    with project.session() as s:
        c = _find(s, name)
        info = next(i for i in cases_in(s) if i.id == c.id)
        audit.record(s, project.actor, "delete", "case", c.id,
                     {"name": c.name, "memo": c.memo, "documents": list(info.documents),
                      "values": info.values}, None)  # fmt: skip
        s.delete(c)


def set_documents(project, name: str, documents: Iterable[int], *, add: bool = True) -> int:
    """Add documents to (or with add=False remove them from) a case; returns how many changed."""
    ids = set(documents)
    with project.session() as s:
        c = _find(s, name)
        known = set(s.scalars(select(m.Document.id).where(m.Document.id.in_(ids))))
        if ids - known:
            raise NotFound(f"no document with id {min(ids - known)}")
        have = set(
            s.scalars(select(m.CaseDocument.document_id).where(m.CaseDocument.case_id == c.id))
        )
        changed = ids - have if add else ids & have
        if add:
            s.add_all(m.CaseDocument(case_id=c.id, document_id=d) for d in sorted(changed))
        else:
            s.execute(delete(m.CaseDocument).where(
                m.CaseDocument.case_id == c.id, m.CaseDocument.document_id.in_(changed)))  # fmt: skip
        if changed:
            audit.record(s, project.actor, "add" if add else "remove", "case_document", c.id,
                         None if add else {"documents": sorted(changed)},
                         {"documents": sorted(changed)} if add else None)  # fmt: skip
        return len(changed)


def set_values(project, name: str, values: dict) -> dict:
    with project.session() as s:
        c = _find(s, name)
        return attributes.set_values_in(s, project.actor, c.id, values, "case")


def remove_case(project, name: str) -> CaseInfo:
    """Delete a case (the caller has asked the user); returns what ``restore_case``
    needs to bring it back with its memo, values and documents."""
    info = get_case(project, name)
    delete_case(project, info.name)
    return info


def restore_case(project, info: CaseInfo) -> None:
    """Make a deleted case again, with its identity, memo, values and the documents of
    it that still exist, in one transaction."""
    with project.session() as s:
        c = add_case_in(s, project.actor, info.name, info.memo, info.guid)
        known = {a.name for a in attributes.attributes_in(s, "case")}
        values = {k: v for k, v in info.values.items() if k in known}
        if values:
            attributes.set_values_in(s, project.actor, c.id, values, "case")
        alive = s.scalars(select(m.Document.id).where(m.Document.id.in_(list(info.documents))))
        s.add_all(m.CaseDocument(case_id=c.id, document_id=d) for d in sorted(alive))
