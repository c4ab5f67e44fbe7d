"""Typed code fields and the values codings carry for them.

A code may define fields (integer, decimal, text, date, choice, boolean). A coding of a
code carries values for the code's own fields *and those of its ancestors*: a coder
applying ``Casualties/Killed`` enters the ``count`` that ``Casualties`` defines. These
are the code's *effective* fields, ancestors' first. So that a coding never sees two
fields of one name, a field name must be unique (ignoring case) along every line from the
root to a leaf: adding ``count`` to a code whose ancestor or descendant has a ``count`` is
refused.

Values are stored as the canonical text of desktop.core.fields.canonical_value. Each
change returns what it replaced, so an undo command can put it back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from desktop.core import wording
from desktop.core.fields import FieldValueError, canonical_value
from desktop.services.codebook.field_specs import (  # noqa: F401  (part of this module's API)
    check_type,
    clean_choices,
    format_field_specs,
    parse_field_specs,
)
from desktop.services.codebook.snapshot import row_dict, subtree_ids_in
from desktop.services.errors import ConfirmationNeeded, Conflict, NotFound, ServiceError
from desktop.services.project import audit


@dataclass(frozen=True)
class FieldInfo:
    id: int
    code_id: int
    name: str
    type: str
    choices: tuple[str, ...] = ()
    required: bool = False
    sort_order: int = 0


@dataclass(frozen=True)
class FieldSnapshot:
    """A deleted field and the values codings had for it (restore_field puts it back)."""

    field: dict
    values: tuple[dict, ...]

    @property
    def value_count(self) -> int:
        return len(self.values)


def field_info(f: m.CodeField) -> FieldInfo:
    return FieldInfo(
        f.id, f.code_id, f.name, f.type, tuple(f.choices or ()), bool(f.required), f.sort_order
    )


# -- reading ----------------------------------------------------------------------


def _ancestors(s: Session, code_id: int) -> list[int]:
    """``code_id``'s ancestors from the root down, then ``code_id`` itself."""
    chain: list[int] = []
    cur: int | None = code_id
    while cur is not None:
        chain.append(cur)
        cur = s.scalar(select(m.Code.parent_id).where(m.Code.id == cur))
        if cur in chain:  # defensive: a cycle would loop forever
            break
    return list(reversed(chain))


def own_fields_in(s: Session, code_id: int) -> list[m.CodeField]:
    q = select(m.CodeField).where(m.CodeField.code_id == code_id)
    return list(s.scalars(q.order_by(m.CodeField.sort_order, m.CodeField.id)))


def effective_in(s: Session, code_id: int) -> list[m.CodeField]:
    """The fields a coding of ``code_id`` carries, ancestors' first (inside a session)."""
    if s.get(m.Code, code_id) is None:
        raise NotFound(f"no code with id {code_id}")
    out: list[m.CodeField] = []
    for cid in _ancestors(s, code_id):
        out.extend(own_fields_in(s, cid))
    return out


def list_fields(project, code_id: int) -> list[FieldInfo]:
    """The fields ``code_id`` defines itself."""
    with project.session() as s:
        if s.get(m.Code, code_id) is None:
            raise NotFound(f"no code with id {code_id}")
        return [field_info(f) for f in own_fields_in(s, code_id)]


def effective_fields(project, code_id: int) -> list[FieldInfo]:
    """The fields a coding of ``code_id`` carries: its ancestors' (root first), then its own."""
    with project.session() as s:
        return [field_info(f) for f in effective_in(s, code_id)]


def fields_by_code(project) -> dict[int, list[FieldInfo]]:
    """Every code's effective fields (inherited included), by code id; codes without any
    field map to an empty list."""
    with project.session() as s:
        parents = dict(s.execute(select(m.Code.id, m.Code.parent_id)).all())
        own: dict[int, list[FieldInfo]] = {}
        for f in s.scalars(select(m.CodeField).order_by(m.CodeField.sort_order, m.CodeField.id)):
            own.setdefault(f.code_id, []).append(field_info(f))
    out: dict[int, list[FieldInfo]] = {}

    def effective(cid: int) -> list[FieldInfo]:
        if cid not in out:
            parent = parents.get(cid)
            out[cid] = [*(effective(parent) if parent is not None else []), *own.get(cid, [])]
        return out[cid]

    for cid in parents:
        effective(cid)
    return out


def get_field(project, field_id: int) -> FieldInfo:
    with project.session() as s:
        f = s.get(m.CodeField, field_id)
        if f is None:
            raise NotFound(f"no field with id {field_id}")
        return field_info(f)


# -- defining fields ----------------------------------------------------------------


def _name_clash(
    s: Session, code_id: int, name: str, exclude: int | None = None
) -> m.CodeField | None:
    """A field of the same name (ignoring case) on the code, an ancestor or a descendant.
    Compared in Python: SQLite's lower() folds only ASCII letters."""
    ids = set(_ancestors(s, code_id)) | set(subtree_ids_in(s, code_id))
    key = name.casefold()
    for f in s.scalars(select(m.CodeField).where(m.CodeField.code_id.in_(ids))):
        if f.id != exclude and f.name.casefold() == key:
            return f
    return None


def _clash_message(s: Session, clash: m.CodeField, name: str) -> str:
    owner = s.get(m.Code, clash.code_id)
    return (
        f"a field named {name!r} already applies here (defined on {owner.name!r}); "
        "field names must be unique along a branch of the codebook"
    )


def insert_field(
    s: Session, actor: str, code_id: int, name: str, field_type: str, *,
    choices=(), required: bool = False, field_id: int | None = None, sort_order: int | None = None,
) -> m.CodeField:  # fmt: skip
    """Add a field inside an open session (used by add_field and the importers)."""
    if s.get(m.Code, code_id) is None:
        raise NotFound(f"no code with id {code_id}")
    name = (name or "").strip()
    if not name:
        raise ServiceError("a field needs a name")
    t = check_type(field_type)
    items = clean_choices(t, choices)
    clash = _name_clash(s, code_id, name)
    if clash is not None:
        raise Conflict(_clash_message(s, clash, name))
    if sort_order is None:
        sort_order = s.scalar(
            select(func.coalesce(func.max(m.CodeField.sort_order), -1) + 1).where(
                m.CodeField.code_id == code_id
            )
        )
    f = m.CodeField(
        id=field_id,
        code_id=code_id,
        name=name,
        type=t,
        choices=items,
        required=bool(required),
        sort_order=sort_order,
    )
    s.add(f)
    s.flush()
    audit.record(s, actor, "create", "code_field", f.id, None, _field_dict(f))
    return f


def add_field(
    project, code_id: int, name: str, field_type: str, *, choices=(), required: bool = False
) -> FieldInfo:
    """Define a field on a code (its sub-codes inherit it). Undo: delete_field."""
    with project.session() as s:
        return field_info(
            insert_field(
                s, project.actor, code_id, name, field_type, choices=choices, required=required
            )
        )


def _field_dict(f: m.CodeField) -> dict:
    return {
        "code_id": f.code_id,
        "name": f.name,
        "type": f.type,
        "choices": list(f.choices or []),
        "required": bool(f.required),
    }


def update_field(project, field_id: int, **changes: Any) -> tuple[dict, dict]:
    """Change a field's name, type, choices or required flag; returns (old, new) so that
    ``update_field(project, field_id, **old)`` undoes it. Stored values are re-checked:
    a change that would leave a value invalid (a removed choice, text in a number
    field) is refused with the number of values in the way."""
    allowed = {"name", "type", "choices", "required"}
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError(f"cannot change {', '.join(sorted(unknown))} of a field")
    with project.session() as s:
        f = s.get(m.CodeField, field_id)
        if f is None:
            raise NotFound(f"no field with id {field_id}")
        old = _field_dict(f)
        old.pop("code_id")
        if "name" in changes:
            name = (changes["name"] or "").strip()
            if not name:
                raise ServiceError("a field needs a name")
            clash = _name_clash(s, f.code_id, name, exclude=f.id)
            if clash is not None:
                raise Conflict(_clash_message(s, clash, name))
            f.name = name
        new_type = check_type(changes["type"]) if "type" in changes else f.type
        if "choices" in changes or new_type != f.type:
            choices = changes.get("choices", f.choices if new_type == "choice" else ())
            new_choices = clean_choices(new_type, choices)
        else:
            new_choices = list(f.choices or [])
        rows = list(s.scalars(select(m.CodingValue).where(m.CodingValue.field_id == f.id)))
        rewritten: list[tuple[m.CodingValue, str]] = []
        bad: list[str] = []
        for v in rows:
            try:
                rewritten.append((v, canonical_value(new_type, v.value, new_choices)))
            except FieldValueError:
                bad.append(v.value)
        if bad:
            sample = ", ".join(repr(b) for b in sorted(set(bad))[:3])
            raise Conflict(
                f"{wording.count(len(bad), 'coding value')} of {f.name!r} would no longer be valid ({sample}); "
                "change or clear them first"
            )
        for v, canon in rewritten:
            audit_value(s, project.actor, v.coding_id, f.name, v.value, canon)
            v.value = canon
        f.type = new_type
        f.choices = new_choices
        if "required" in changes:
            f.required = bool(changes["required"])
        new = _field_dict(f)
        new.pop("code_id")
        if new != old:
            audit.record(s, project.actor, "update", "code_field", f.id, old, new)
        return old, new


def rename_choice(project, field_id: int, old: str, new: str) -> int:
    """Rename one value of a choice field, and every stored value with it. Returns the
    number of coding values changed; ``rename_choice(project, field_id, new, old)`` undoes."""
    new = (new or "").strip()
    with project.session() as s:
        f = s.get(m.CodeField, field_id)
        if f is None:
            raise NotFound(f"no field with id {field_id}")
        if f.type != "choice":
            raise ServiceError(f"{f.name!r} is a {f.type} field, not a choice field")
        choices = list(f.choices or [])
        matches = [i for i, c in enumerate(choices) if c.lower() == (old or "").strip().lower()]
        if not matches:
            raise NotFound(f"{f.name!r} has no value {old!r} (values: {', '.join(choices)})")
        i = matches[0]
        if not new:
            raise ServiceError("a value needs some text")
        if any(c.lower() == new.lower() for j, c in enumerate(choices) if j != i):
            raise Conflict(f"{f.name!r} already has the value {new!r}")
        before = choices[i]
        choices[i] = new
        f.choices = choices
        rows = list(
            s.scalars(
                select(m.CodingValue).where(
                    m.CodingValue.field_id == f.id, m.CodingValue.value == before
                )
            )
        )
        for v in rows:
            audit_value(s, project.actor, v.coding_id, f.name, v.value, new)
            v.value = new
        audit.record(
            s, project.actor, "update", "code_field", f.id,
            {"choice": before}, {"choice": new, "values_changed": len(rows)},
        )  # fmt: skip
        return len(rows)


def delete_field(project, field_id: int, *, confirm_values: bool = False) -> FieldSnapshot:
    """Delete a field and the values codings have for it. If there are values,
    ConfirmationNeeded is raised unless ``confirm_values``. Returns a snapshot for
    restore_field (undo)."""
    with project.session() as s:
        f = s.get(m.CodeField, field_id)
        if f is None:
            raise NotFound(f"no field with id {field_id}")
        values = tuple(
            row_dict(v)
            for v in s.scalars(select(m.CodingValue).where(m.CodingValue.field_id == f.id))
        )
        if values and not confirm_values:
            raise ConfirmationNeeded(
                f"{wording.count(len(values), 'coding')} have a value for {f.name!r}; deleting the field deletes them",
                len(values),
            )
        snap = FieldSnapshot(row_dict(f), values)
        audit.record(s, project.actor, "delete", "code_field", f.id, _field_dict(f), None)
        for v in values:
            audit_value(s, project.actor, v["coding_id"], f.name, v["value"], None)
        s.delete(f)
        return snap


def restore_field(project, snap: FieldSnapshot) -> FieldInfo:
    """Put a deleted field back with its id and its values."""
    with project.session() as s:
        row = snap.field
        if s.get(m.CodeField, row["id"]) is not None:
            raise Conflict(f"the field {row['name']!r} is already there")
        f = insert_field(
            s, project.actor, row["code_id"], row["name"], row["type"], choices=row["choices"],
            required=row["required"], field_id=row["id"], sort_order=row["sort_order"],
        )  # fmt: skip
        for v in snap.values:
            if s.get(m.Coding, v["coding_id"]) is not None:
                s.add(m.CodingValue(**v))
                audit_value(s, project.actor, v["coding_id"], f.name, None, v["value"])
        s.flush()
        return field_info(f)


# -- values -------------------------------------------------------------------------


def audit_value(
    s: Session, actor: str, coding_id: int, field: str, old: str | None, new: str | None
) -> None:
    """Record a change of one field value on a coding, as set_coding_values does."""
    if old != new:
        audit.record(
            s,
            actor,
            "update",
            "coding",
            coding_id,
            {"values": {field: old}},
            {"values": {field: new}},
        )


def coding_values(project, coding_id: int) -> dict[int, str]:
    """The stored values of a coding, by field id."""
    with project.session() as s:
        if s.get(m.Coding, coding_id) is None:
            raise NotFound(f"no coding with id {coding_id}")
        return _values_in(s, coding_id)


def all_coding_values(project) -> dict[int, dict[int, str]]:
    """Every stored value: {coding id: {field id: value}}."""
    out: dict[int, dict[int, str]] = {}
    with project.session() as s:
        for cid, fid, value in s.execute(
            select(m.CodingValue.coding_id, m.CodingValue.field_id, m.CodingValue.value)
        ):
            out.setdefault(cid, {})[fid] = value
    return out


def _values_in(s: Session, coding_id: int) -> dict[int, str]:
    q = select(m.CodingValue.field_id, m.CodingValue.value).where(
        m.CodingValue.coding_id == coding_id
    )
    return dict(s.execute(q).all())


def missing_required(project, coding_id: int) -> list[str]:
    """Names of the required fields a coding has no value for."""
    with project.session() as s:
        c = s.get(m.Coding, coding_id)
        if c is None:
            raise NotFound(f"no coding with id {coding_id}")
        have = _values_in(s, coding_id)
        return [f.name for f in effective_in(s, c.code_id) if f.required and f.id not in have]


def set_coding_values(
    target, coding_id: int, values: dict[int | str, Any], *, require_complete: bool = False,
    actor: str | None = None,
) -> dict[int, str | None]:  # fmt: skip
    """Set (or, with None or "", clear) values of a coding's effective fields.

    ``target`` is a Project (one transaction) or an open Session (the caller's
    transaction, e.g. a bulk import). Keys are field ids or field names (ignoring case).
    Every value is checked with canonical_value before anything is written; with
    ``require_complete`` every required field must have a value afterwards.
    Returns the previous values of the fields that changed ({field id: old or None}):
    ``set_coding_values(project, coding_id, old)`` undoes the change."""
    if isinstance(target, Session):
        return _set_values(target, actor or "", coding_id, values, require_complete)
    with target.session() as s:
        return _set_values(
            s, target.actor if actor is None else actor, coding_id, values, require_complete
        )


def _set_values(
    s: Session, actor: str, coding_id: int, values: dict, require_complete: bool
) -> dict[int, str | None]:
    c = s.get(m.Coding, coding_id)
    if c is None:
        raise NotFound(f"no coding with id {coding_id}")
    fields = effective_in(s, c.code_id)
    by_id = {f.id: f for f in fields}
    by_name = {f.name.lower(): f for f in fields}
    wanted: dict[int, str | None] = {}
    errors: list[str] = []
    for key, raw in values.items():
        f = by_id.get(key) if isinstance(key, int) else by_name.get(str(key).strip().lower())
        if f is None:
            code = s.get(m.Code, c.code_id)
            errors.append(f"the code {code.name!r} has no field {key!r}")
            continue
        if raw is None or str(raw).strip() == "":
            wanted[f.id] = None
            continue
        try:
            wanted[f.id] = canonical_value(f.type, str(raw), f.choices or ())
        except FieldValueError as exc:
            errors.append(f"{f.name}: {exc}")
    if errors:
        raise ServiceError("; ".join(errors))
    current = _values_in(s, coding_id)
    if require_complete:
        after = {**current, **wanted}
        missing = [f.name for f in fields if f.required and after.get(f.id) is None]
        if missing:
            raise ServiceError(
                f"missing required {wording.plural(len(missing), 'field')}: {', '.join(missing)}"
            )
    old: dict[int, str | None] = {}
    for fid, value in wanted.items():
        before = current.get(fid)
        if before == value:
            continue
        old[fid] = before
        row = s.get(m.CodingValue, (coding_id, fid))
        if value is None:
            s.delete(row)
        elif row is None:
            s.add(m.CodingValue(coding_id=coding_id, field_id=fid, value=value))
        else:
            row.value = value
    if old:
        s.flush()
        audit.record(
            s, actor, "update", "coding", coding_id,
            {"values": {by_id[f].name: v for f, v in old.items()}},
            {"values": {by_id[f].name: wanted[f] for f in old}},
        )  # fmt: skip
        c.updated_at = m.utcnow()
    return old
