"""Typed attributes of documents and of cases (REFI-QDA: variables): defining them and
setting their values. Title, author, date, source and url are built-in document
attributes: they cannot be renamed or deleted. Values are stored as canonical text
(``desktop.core.fields.canonical_value``), so they sort, filter and export the same way
everywhere; an empty value removes it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db import models as m
from desktop.core import wording
from desktop.core.fields import FIELD_TYPES, FieldValueError, canonical_value
from desktop.services.errors import ConfirmationNeeded, Conflict, NotFound, ServiceError
from desktop.services.project import audit

BUILTIN = ("title", "author", "date", "source", "url")
SCOPES = ("document", "case")


@dataclass(frozen=True)
class AttributeInfo:
    id: int
    name: str
    type: str
    choices: tuple[str, ...] = ()
    builtin: bool = False
    scope: str = "document"
    values: int = 0  # how many documents (or cases) have a value


def normal_type(kind: str) -> str:
    """The stored type for a name a user may type (``yes/no`` -> ``boolean``)."""
    low = (kind or "").strip().lower()
    low = {"yes/no": "boolean", "bool": "boolean", "number": "decimal", "int": "integer"}.get(
        low, low
    )
    if low not in FIELD_TYPES:
        raise ServiceError(
            f"unknown attribute type {kind!r}: use text, integer, decimal, date, choice or yes/no"
        )
    return low


def _value_table(scope: str):
    return m.AttributeValue if scope == "document" else m.CaseValue


def _owner_col(scope: str):
    return m.AttributeValue.document_id if scope == "document" else m.CaseValue.case_id


def _check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise ServiceError(f"attributes belong to documents or cases, not {scope!r}")


def _info(a: m.Attribute, values: int = 0) -> AttributeInfo:
    return AttributeInfo(a.id, a.name, a.type, tuple(a.choices or ()), bool(a.builtin), a.scope,
                         values)  # fmt: skip


def list_attributes(project, scope: str = "document") -> list[AttributeInfo]:
    _check_scope(scope)
    with project.session() as s:
        return attributes_in(s, scope)


def attributes_in(s: Session, scope: str = "document") -> list[AttributeInfo]:
    table = _value_table(scope)
    counts = dict(
        s.execute(select(table.attribute_id, func.count()).group_by(table.attribute_id)).all()
    )
    rows = s.scalars(
        select(m.Attribute).where(m.Attribute.scope == scope)
        .order_by(m.Attribute.sort_order, m.Attribute.id)
    )  # fmt: skip
    return [_info(a, counts.get(a.id, 0)) for a in rows]


def _find(s: Session, name: str, scope: str) -> m.Attribute:
    a = s.scalar(select(m.Attribute).where(m.Attribute.scope == scope, m.Attribute.name == name))
    if a is None:
        a = s.scalar(
            select(m.Attribute).where(
                m.Attribute.scope == scope, func.lower(m.Attribute.name) == name.strip().lower()
            )
        )
    if a is None:
        known = ", ".join(s.scalars(select(m.Attribute.name).where(m.Attribute.scope == scope)))
        raise NotFound(f"no {scope} attribute named {name!r} (attributes: {known or 'none'})")
    return a


def get_attribute(project, name: str, scope: str = "document") -> AttributeInfo:
    with project.session() as s:
        return _info(_find(s, name, scope))


def _snapshot(a: m.Attribute) -> dict:
    return {"scope": a.scope, "name": a.name, "type": a.type, "choices": list(a.choices or [])}


def add_attribute_in(
    s: Session, actor: str, name: str, kind: str = "text", choices: Iterable[str] = (),
    scope: str = "document",
) -> m.Attribute:  # fmt: skip
    _check_scope(scope)
    name = (name or "").strip()
    if not name:
        raise ServiceError("an attribute needs a name")
    kind = normal_type(kind)
    choices = [c.strip() for c in choices if c and c.strip()]
    if kind == "choice" and not choices:
        raise ServiceError(f"the choice attribute {name!r} needs its choices")
    if kind != "choice" and choices:
        raise ServiceError(f"only a choice attribute has choices ({name!r} is {kind})")
    taken = s.scalar(
        select(m.Attribute.name).where(
            m.Attribute.scope == scope, func.lower(m.Attribute.name) == name.lower()
        )
    )
    if taken is not None:
        raise Conflict(f"the {scope}s already have an attribute named {taken!r}")
    order = s.scalar(
        select(func.coalesce(func.max(m.Attribute.sort_order), -1) + 1).where(
            m.Attribute.scope == scope
        )
    )
    a = m.Attribute(scope=scope, name=name, type=kind, choices=choices, builtin=False,
                    sort_order=order)  # fmt: skip
    s.add(a)
    s.flush()
    audit.record(s, actor, "create", "attribute", a.id, None, _snapshot(a))
    return a


def add_attribute(
    project, name: str, kind: str = "text", choices: Iterable[str] = (), scope: str = "document"
) -> AttributeInfo:
    with project.session() as s:
        return _info(add_attribute_in(s, project.actor, name, kind, choices, scope))


def rename_attribute(project, name: str, new_name: str, scope: str = "document") -> AttributeInfo:
    new_name = (new_name or "").strip()
    if not new_name:
        raise ServiceError("an attribute needs a name")
    with project.session() as s:
        a = _find(s, name, scope)
        if a.builtin:
            raise ServiceError(f"{a.name!r} is a built-in attribute: it cannot be renamed")
        clash = s.scalar(
            select(m.Attribute.name).where(
                m.Attribute.scope == scope, func.lower(m.Attribute.name) == new_name.lower(),
                m.Attribute.id != a.id,
            )
        )  # fmt: skip
        if clash is not None:
            raise Conflict(f"the {scope}s already have an attribute named {clash!r}")
        old = _snapshot(a)
        a.name = new_name
        audit.record(s, project.actor, "update", "attribute", a.id, old, _snapshot(a))
        return _info(a)


def delete_attribute(
    project, name: str, *, scope: str = "document", confirm_values: bool = False
) -> int:
    """Delete an attribute; its values go with it (asked for first). Returns how many."""
    with project.session() as s:
        a = _find(s, name, scope)
        if a.builtin:
            raise ServiceError(f"{a.name!r} is a built-in attribute: it cannot be deleted")
        table = _value_table(scope)
        rows = s.execute(
            select(_owner_col(scope), table.value).where(table.attribute_id == a.id)
        ).all()
        if rows and not confirm_values:
            raise ConfirmationNeeded(
                f"{wording.count(len(rows), scope)} {wording.plural(len(rows), 'has', 'have')} a value of {a.name!r}; deleting it deletes {wording.plural(len(rows), 'it', 'them')}",
                len(rows),
            )
        old = _snapshot(a) | {"values": {str(o): v for o, v in rows}}
        audit.record(s, project.actor, "delete", "attribute", a.id, old, None)
        s.execute(delete(table).where(table.attribute_id == a.id))
        s.delete(a)
        return len(rows)


@dataclass(frozen=True)
class RemovedAttribute:
    """A deleted attribute with everything needed to define it again (undo)."""

    info: AttributeInfo
    sort_order: int
    values: dict[int, str]  # document (or case) id -> value


def remove_attribute(project, name: str, scope: str = "document") -> RemovedAttribute:
    """Delete an attribute and its values (the caller has asked the user); returns what
    ``restore_attribute`` needs to put them back."""
    with project.session() as s:
        a = _find(s, name, scope)
        table = _value_table(scope)
        values = dict(
            s.execute(
                select(_owner_col(scope), table.value).where(table.attribute_id == a.id)
            ).all()
        )
        removed = RemovedAttribute(_info(a, len(values)), a.sort_order, values)
    delete_attribute(project, removed.info.name, scope=scope, confirm_values=True)
    return removed


def restore_attribute(project, removed: RemovedAttribute) -> AttributeInfo:
    """Define a deleted attribute again in its old place, with its values (of the
    documents or cases that still exist), in one transaction."""
    a = removed.info
    with project.session() as s:
        new = add_attribute_in(s, project.actor, a.name, a.type, a.choices, a.scope)
        new.sort_order = removed.sort_order
        parent = m.Document if a.scope == "document" else m.Case
        alive = set(s.scalars(select(parent.id).where(parent.id.in_(list(removed.values)))))
        key = "document_id" if a.scope == "document" else "case_id"
        table = _value_table(a.scope)
        s.add_all(table(**{key: owner}, attribute_id=new.id, value=value)
                  for owner, value in removed.values.items() if owner in alive)  # fmt: skip
        s.flush()
        audit.record(
            s,
            project.actor,
            "update",
            "attribute",
            new.id,
            None,
            _snapshot(new) | {"values": {str(o): removed.values[o] for o in alive}},
        )
        return _info(new, len(alive))


def check_value(a: AttributeInfo | m.Attribute, raw: object) -> str | None:
    """The canonical text of ``raw`` for the attribute (None: no value); FieldValueError
    says what is wrong."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raw = "yes" if raw else "no"
    text = str(raw).strip()
    if text == "":
        return None
    return canonical_value(a.type, text, tuple(a.choices or ()))


def set_values_in(
    s: Session, actor: str, owner_id: int, values: Mapping[str, object], scope: str = "document"
) -> dict[str, str | None]:
    """Set (or with None/"" clear) values by attribute name inside an open session; every
    value is checked before any is written. Returns the old values of those changed."""
    table = _value_table(scope)
    owner = _owner_col(scope)
    checked: list[tuple[m.Attribute, str | None]] = []
    problems = []
    for name, raw in values.items():
        a = _find(s, name, scope)
        try:
            checked.append((a, check_value(a, raw)))
        except FieldValueError as exc:
            problems.append(f"{a.name}: {exc}")
    if problems:
        raise ServiceError("; ".join(problems))
    current = dict(
        s.execute(select(table.attribute_id, table.value).where(owner == owner_id)).all()
    )
    old: dict[str, str | None] = {}
    new: dict[str, str | None] = {}
    for a, value in checked:
        before = current.get(a.id)
        if before == value:
            continue
        old[a.name], new[a.name] = before, value
        s.execute(delete(table).where(owner == owner_id, table.attribute_id == a.id))
        if value is not None:
            key = "document_id" if scope == "document" else "case_id"
            s.add(table(**{key: owner_id}, attribute_id=a.id, value=value))
    if new:
        s.flush()
        audit.record(s, actor, "update", f"{scope}_attributes", owner_id, old, new)
    return old


def set_values(
    project, owner_id: int, values: Mapping[str, object], scope: str = "document"
) -> dict[str, str | None]:
    """Set a document's (or case's) attribute values by name; returns the old ones (for undo)."""
    _check_scope(scope)
    with project.session() as s:
        parent = m.Document if scope == "document" else m.Case
        if s.get(parent, owner_id) is None:
            raise NotFound(f"no {scope} with id {owner_id}")
        return set_values_in(s, project.actor, owner_id, values, scope)


def values_of(project, owner_id: int, scope: str = "document") -> dict[str, str]:
    """{attribute name: value} of one document or case (only those with a value)."""
    with project.session() as s:
        return values_in(s, [owner_id], scope).get(owner_id, {})


def values_in(
    s: Session, owner_ids: Iterable[int] | None = None, scope: str = "document"
) -> dict[int, dict[str, str]]:
    """{owner id: {attribute name: value}} for the given owners (all when None)."""
    table = _value_table(scope)
    owner = _owner_col(scope)
    q = select(owner, m.Attribute.name, table.value).join(
        m.Attribute, m.Attribute.id == table.attribute_id
    )
    if owner_ids is not None:
        ids = list(owner_ids)
        q = q.where(owner.in_(ids))
    out: dict[int, dict[str, str]] = {}
    for oid, name, value in s.execute(q):
        out.setdefault(oid, {})[name] = value
    return out


def all_values(project, scope: str = "document") -> dict[int, dict[str, str]]:
    with project.session() as s:
        return values_in(s, None, scope)


@dataclass(frozen=True)
class ChoiceEdit:
    """What ``edit_choices`` changed: the choices before and the values it rewrote or
    cleared (owner id -> value before), all ``restore_choices`` needs to undo it."""

    name: str
    scope: str
    choices: tuple[str, ...]
    values: dict[int, str]


def edit_choices(
    project, name: str, choices: Iterable[str], renamed: Mapping[str, str] | None = None, *,
    scope: str = "document", clear_removed: bool = False,
) -> ChoiceEdit:  # fmt: skip
    """Give a choice attribute a new list of choices. ``renamed`` maps a choice before to
    its new text: the values holding it follow. A removed choice some documents (or
    cases) hold is refused with ConfirmationNeeded saying how many, unless
    ``clear_removed``: then those values are cleared."""
    _check_scope(scope)
    new = [c.strip() for c in choices if c and c.strip()]
    if not new:
        raise ServiceError("a choice attribute needs at least one choice")
    lowered = [c.lower() for c in new]
    twice = sorted({c for c in new if lowered.count(c.lower()) > 1})
    if twice:
        raise Conflict(f"the choice {twice[0]!r} is listed twice")
    renames = {o.strip().lower(): n.strip() for o, n in (renamed or {}).items()}
    with project.session() as s:
        a = _find(s, name, scope)
        if a.type != "choice":
            raise ServiceError(f"{a.name!r} is a {a.type} attribute: only a choice has choices")
        before = tuple(a.choices or ())
        for old, target in renames.items():
            if old not in {c.lower() for c in before}:
                raise NotFound(f"{a.name!r} has no choice {old!r} (choices: {', '.join(before)})")
            if target.lower() not in lowered:
                raise ServiceError(f"{old!r} is renamed to {target!r}, which is not a choice")
        table, owner = _value_table(scope), _owner_col(scope)
        rows = dict(s.execute(select(owner, table.value).where(table.attribute_id == a.id)).all())
        kept = {c.lower(): c for c in new}
        rewrite: dict[int, str | None] = {}
        gone: dict[str, int] = {}
        for oid, value in rows.items():
            low = value.lower()
            target = renames.get(low) or kept.get(low)
            if target is None:
                gone[value] = gone.get(value, 0) + 1
                rewrite[oid] = None
            elif target != value:
                rewrite[oid] = target
        if gone and not clear_removed:
            n = sum(gone.values())
            which = ", ".join(repr(v) for v in sorted(gone))
            raise ConfirmationNeeded(
                f"{wording.count(n, scope)} {wording.plural(n, 'holds', 'hold')} the removed "
                f"{wording.plural(len(gone), 'choice', 'choices')} {which} of {a.name!r}; "
                f"removing {wording.plural(len(gone), 'it', 'them')} clears "
                f"{wording.plural(n, 'that value', 'those values')}",
                n,
            )
        old = _snapshot(a)
        key = "document_id" if scope == "document" else "case_id"
        for oid, value in rewrite.items():
            s.execute(delete(table).where(owner == oid, table.attribute_id == a.id))
            if value is not None:
                s.add(table(**{key: oid}, attribute_id=a.id, value=value))
        a.choices = new
        s.flush()
        audit.record(s, project.actor, "update", "attribute", a.id,
                     old | {"values": {str(o): rows[o] for o in rewrite}},
                     _snapshot(a) | {"values": {str(o): v for o, v in rewrite.items()}})  # fmt: skip
        return ChoiceEdit(a.name, scope, before, {o: rows[o] for o in rewrite})


def restore_choices(project, edit: ChoiceEdit) -> None:
    """Put back the choices and the values an ``edit_choices`` changed (undo)."""
    with project.session() as s:
        a = _find(s, edit.name, edit.scope)
        table, owner = _value_table(edit.scope), _owner_col(edit.scope)
        parent = m.Document if edit.scope == "document" else m.Case
        alive = set(s.scalars(select(parent.id).where(parent.id.in_(list(edit.values)))))
        old = _snapshot(a)
        key = "document_id" if edit.scope == "document" else "case_id"
        for oid in alive:
            s.execute(delete(table).where(owner == oid, table.attribute_id == a.id))
            s.add(table(**{key: oid}, attribute_id=a.id, value=edit.values[oid]))
        a.choices = list(edit.choices)
        s.flush()
        audit.record(s, project.actor, "update", "attribute", a.id, old,
                     _snapshot(a) | {"values": {str(o): edit.values[o] for o in alive}})  # fmt: skip


def choice_counts(project, name: str, scope: str = "document") -> dict[str, int]:
    """{choice: how many documents (or cases) hold it} of a choice attribute."""
    with project.session() as s:
        a = _find(s, name, scope)
        table = _value_table(scope)
        held = dict(s.execute(select(table.value, func.count()).where(
            table.attribute_id == a.id).group_by(table.value)).all())  # fmt: skip
        return {c: held.get(c, 0) for c in a.choices or ()}
