"""Named sets of documents and of codes (REFI-QDA: Set with MemberSource/MemberCode).
A set can be made from a document filter ("outlet = Reuters and date in 2018")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db import models as m
from desktop.services.errors import Conflict, NotFound, ServiceError
from desktop.services.project import audit


@dataclass(frozen=True)
class SetInfo:
    id: int
    name: str
    memo: str = ""
    documents: tuple[int, ...] = ()
    codes: tuple[int, ...] = ()
    guid: str | None = None


def list_sets(project) -> list[SetInfo]:
    with project.session() as s:
        return sets_in(s)


def sets_in(s: Session) -> list[SetInfo]:
    docs: dict[int, list[int]] = {}
    for sid, did in s.execute(select(m.SetDocument.set_id, m.SetDocument.document_id)):
        docs.setdefault(sid, []).append(did)
    codes: dict[int, list[int]] = {}
    for sid, cid in s.execute(select(m.SetCode.set_id, m.SetCode.code_id)):
        codes.setdefault(sid, []).append(cid)
    return [
        SetInfo(
            x.id,
            x.name,
            x.memo or "",
            tuple(sorted(docs.get(x.id, ()))),
            tuple(sorted(codes.get(x.id, ()))),
            x.guid,
        )  # fmt: skip
        for x in s.scalars(select(m.ItemSet).order_by(m.ItemSet.name))
    ]


def _find(s: Session, name: str) -> m.ItemSet:
    x = s.scalar(select(m.ItemSet).where(m.ItemSet.name == name))
    if x is None:
        x = s.scalar(select(m.ItemSet).where(func.lower(m.ItemSet.name) == name.strip().lower()))
    if x is None:
        raise NotFound(f"no set named {name!r}")
    return x


def get_set(project, name: str) -> SetInfo:
    with project.session() as s:
        sid = _find(s, name).id
        return next(x for x in sets_in(s) if x.id == sid)


def add_set_in(
    s: Session, actor: str, name: str, memo: str = "", guid: str | None = None
) -> m.ItemSet:
    name = (name or "").strip()
    if not name:
        raise ServiceError("a set needs a name")
    if s.scalar(select(m.ItemSet.id).where(func.lower(m.ItemSet.name) == name.lower())):
        raise Conflict(f"a set named {name!r} already exists")
    x = m.ItemSet(name=name, memo=memo or "", guid=guid)
    s.add(x)
    s.flush()
    audit.record(s, actor, "create", "set", x.id, None, {"name": name, "memo": memo or ""})
    return x


def add_set(project, name: str, memo: str = "") -> SetInfo:
    with project.session() as s:
        sid = add_set_in(s, project.actor, name, memo).id
    return next(x for x in list_sets(project) if x.id == sid)


def rename_set(project, name: str, new_name: str) -> None:
    new_name = (new_name or "").strip()
    if not new_name:
        raise ServiceError("a set needs a name")
    with project.session() as s:
        x = _find(s, name)
        clash = s.scalar(select(m.ItemSet.id).where(
            func.lower(m.ItemSet.name) == new_name.lower(), m.ItemSet.id != x.id))  # fmt: skip
        if clash:
            raise Conflict(f"a set named {new_name!r} already exists")
        audit.record(s, project.actor, "update", "set", x.id, {"name": x.name}, {"name": new_name})
        x.name = new_name


def delete_set(project, name: str) -> None:
    """Delete a set (its documents and codes stay in the project)."""
    with project.session() as s:
        x = _find(s, name)
        members = next(i for i in sets_in(s) if i.id == x.id)
        audit.record(s, project.actor, "delete", "set", x.id,
                     {"name": x.name, "memo": x.memo, "documents": list(members.documents),
                      "codes": list(members.codes)}, None)  # fmt: skip
        s.delete(x)


def _change(
    project, name: str, *, documents: Iterable[int] = (), codes: Iterable[int] = (), add: bool
) -> int:
    docs, code_ids = set(documents), set(codes)
    with project.session() as s:
        x = _find(s, name)
        known = set(s.scalars(select(m.Document.id).where(m.Document.id.in_(docs))))
        if docs - known:
            raise NotFound(f"no document with id {min(docs - known)}")
        known = set(s.scalars(select(m.Code.id).where(m.Code.id.in_(code_ids))))
        if code_ids - known:
            raise NotFound(f"no code with id {min(code_ids - known)}")
        have_d = set(
            s.scalars(select(m.SetDocument.document_id).where(m.SetDocument.set_id == x.id))
        )
        have_c = set(s.scalars(select(m.SetCode.code_id).where(m.SetCode.set_id == x.id)))
        if add:
            new_d, new_c = docs - have_d, code_ids - have_c
            s.add_all(m.SetDocument(set_id=x.id, document_id=d) for d in sorted(new_d))
            s.add_all(m.SetCode(set_id=x.id, code_id=c) for c in sorted(new_c))
        else:
            new_d, new_c = docs & have_d, code_ids & have_c
            s.execute(delete(m.SetDocument).where(
                m.SetDocument.set_id == x.id, m.SetDocument.document_id.in_(new_d)))  # fmt: skip
            s.execute(delete(m.SetCode).where(
                m.SetCode.set_id == x.id, m.SetCode.code_id.in_(new_c)))  # fmt: skip
        if new_d or new_c:
            what = {"documents": sorted(new_d), "codes": sorted(new_c)}
            audit.record(s, project.actor, "add" if add else "remove", "set_member", x.id,
                         None if add else what, what if add else None)  # fmt: skip
        return len(new_d) + len(new_c)


def add_members(
    project, name: str, *, documents: Iterable[int] = (), codes: Iterable[int] = ()
) -> int:
    """Add documents and codes to a set; returns how many were not in it yet."""
    return _change(project, name, documents=documents, codes=codes, add=True)


def remove_members(
    project, name: str, *, documents: Iterable[int] = (), codes: Iterable[int] = ()
) -> int:
    return _change(project, name, documents=documents, codes=codes, add=False)


def set_from_filter(project, name: str, condition: str) -> SetInfo:
    """A new set holding the documents the filter selects now (it does not follow later
    changes: a set is a fixed list)."""
    from desktop.services.documents.filter import DocumentFilter

    ids = DocumentFilter.parse(condition).document_ids(project)
    with project.session() as s:
        add_set_in(s, project.actor, name, f"made from the filter: {condition}")
    add_members(project, name, documents=ids)
    return get_set(project, name)


def remove_set(project, name: str) -> SetInfo:
    """Delete a set (the caller has asked the user); returns what ``restore_set`` needs
    to bring it back with its memo and members."""
    info = get_set(project, name)
    delete_set(project, info.name)
    return info


def restore_set(project, info: SetInfo) -> None:
    """Make a deleted set again, with its identity, memo and the members that still
    exist, in one transaction."""
    with project.session() as s:
        x = add_set_in(s, project.actor, info.name, info.memo, info.guid)
        docs = s.scalars(select(m.Document.id).where(m.Document.id.in_(list(info.documents))))
        codes = s.scalars(select(m.Code.id).where(m.Code.id.in_(list(info.codes))))
        s.add_all(m.SetDocument(set_id=x.id, document_id=d) for d in sorted(docs))
        s.add_all(m.SetCode(set_id=x.id, code_id=c) for c in sorted(codes))
