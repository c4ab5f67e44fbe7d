"""The codebook: hierarchical codes with colours and definitions.

Codes are addressed by id inside the app and by path (``Actors/Armed groups``) at the
edges (CLI, CSV, templates). Functions return plain dataclasses, never ORM objects, so
callers in any thread can keep them.

Each change is one transaction with its audit entries, and returns what an undo command
needs to take it back:

- add_child -> CodeInfo; undo: delete_code_tree(id) (it has no codings yet). add_code
  also creates missing parents: the UI should use add_child
- update_code(id, **changes) -> (old, new); undo: update_code(id, **{k: old[k] for k in changes})
- move_code -> (old parent, old order); undo: move_code(id, *old)
- delete_code_tree -> CodeTreeSnapshot; undo: restore_code_tree(snapshot)
- merge.merge_codes -> MergeReport; undo: restore_code_tree(report.snapshot)
- add_example / add_example_from_coding -> ExampleInfo; undo: remove_example(id)
- update_example -> old text; remove_example -> ExampleInfo; undo: restore_example(info)
- fields: add_field / update_field / delete_field / set_coding_values (see there)
- codebook_exchange.import_codebook -> report; undo: codebook_exchange.undo_import"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import models as m
from desktop.core import palette, wording
from desktop.core.codepath import CodePathError, join_path, split_path
from desktop.services.codebook.examples import (  # noqa: F401  (part of this module's API)
    ExampleInfo,
    add_example,
    add_example_from_coding,
    list_examples,
    remove_example,
    restore_example,
    update_example,
)
from desktop.services.codebook.fields import effective_in, insert_field
from desktop.services.codebook.snapshot import (
    CodeTreeSnapshot,
    restore_code_tree,  # noqa: F401  (part of this module's API: the undo of delete)
    subtree_ids_in,
    take_snapshot,
)
from desktop.services.errors import ConfirmationNeeded, Conflict, NotFound, ServiceError
from desktop.services.project import audit

PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
    "#bfef45", "#fabed4", "#469990", "#dcbeff", "#9a6324", "#fffac8", "#800000",
    "#aaffc3", "#808000", "#ffd8b1", "#000075", "#a9a9a9",
)  # fmt: skip
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class CodeInfo:
    id: int
    parent_id: int | None
    name: str
    path: str
    color: str
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    sort_order: int = 0
    depth: int = 0
    codings: int = 0
    guid: str | None = None
    examples: tuple[str, ...] = field(default_factory=tuple)
    # False for a category: it organises the codebook and is never applied to text
    is_codable: bool = True
    memo: str = ""


def normalise_color(color: str | None) -> str | None:
    if color is None or color == "":
        return None
    c = color.strip()
    if not c.startswith("#"):
        c = "#" + c
    if re.fullmatch(r"#[0-9a-fA-F]{3}", c):
        c = "#" + "".join(ch * 2 for ch in c[1:])
    if not _COLOR.match(c):
        raise ServiceError(f"invalid colour {color!r}: use #RRGGBB, e.g. #e6194b")
    return c.lower()


# -- reading ----------------------------------------------------------------------


def _tree(s: Session, coder_ids: list[int] | None = None) -> list[CodeInfo]:
    rows = s.scalars(select(m.Code)).all()
    q = select(m.Coding.code_id, func.count()).group_by(m.Coding.code_id)
    if coder_ids is not None:
        q = q.where(m.Coding.coder_id.in_(coder_ids))
    counts = dict(s.execute(q).all())
    examples: dict[int, list[str]] = {}
    for ex in s.scalars(select(m.CodeExample).order_by(m.CodeExample.sort_order, m.CodeExample.id)):
        examples.setdefault(ex.code_id, []).append(ex.text)
    children: dict[int | None, list[m.Code]] = {}
    for c in rows:
        children.setdefault(c.parent_id, []).append(c)
    out: list[CodeInfo] = []

    def walk(parent_id: int | None, prefix: list[str], depth: int) -> None:
        for c in sorted(children.get(parent_id, []), key=lambda c: (c.sort_order, c.name.lower())):
            names = [*prefix, c.name]
            out.append(
                CodeInfo(
                    c.id,
                    c.parent_id,
                    c.name,
                    join_path(names),
                    c.color,
                    c.description or "",
                    c.inclusion or "",
                    c.exclusion or "",
                    c.sort_order,
                    depth,
                    counts.get(c.id, 0),
                    c.guid,
                    tuple(examples.get(c.id, ())),
                    bool(c.is_codable),
                    c.memo or "",
                )  # fmt: skip
            )
            walk(c.id, names, depth + 1)

    walk(None, [], 0)
    return out


def list_codes(project, coder_ids: list[int] | None = None) -> list[CodeInfo]:
    """All codes, depth first, siblings in their sort order; ``coder_ids``: count only
    these coders' codings (None: everyone's)."""
    with project.session() as s:
        return _tree(s, coder_ids)


def get_code(project, code_id: int) -> CodeInfo:
    for c in list_codes(project):
        if c.id == code_id:
            return c
    raise NotFound(f"no code with id {code_id}")


def _find_id(s: Session, names: list[str]) -> int | None:
    parent: int | None = None
    for name in names:
        q = select(m.Code.id).where(m.Code.name == name)
        q = q.where(m.Code.parent_id.is_(None) if parent is None else m.Code.parent_id == parent)
        parent = s.scalar(q)
        if parent is None:
            return None
    return parent


def find_code(project, path: str) -> CodeInfo | None:
    try:
        names = split_path(path)
    except CodePathError as exc:
        raise ServiceError(str(exc)) from exc
    with project.session() as s:
        code_id = _find_id(s, names)
    return get_code(project, code_id) if code_id is not None else None


def code_paths(project) -> dict[str, int]:
    return {c.path: c.id for c in list_codes(project)}


# -- changing -------------------------------------------------------------------


def _snapshot(c: m.Code) -> dict:
    return {
        "name": c.name, "parent_id": c.parent_id, "color": c.color,
        "description": c.description, "inclusion": c.inclusion, "exclusion": c.exclusion,
        "sort_order": c.sort_order, "is_codable": bool(c.is_codable), "memo": c.memo or "",
    }  # fmt: skip


def _sibling_exists(
    s: Session, parent_id: int | None, name: str, exclude: int | None = None
) -> bool:
    q = select(m.Code.id).where(m.Code.name == name)
    q = q.where(m.Code.parent_id.is_(None) if parent_id is None else m.Code.parent_id == parent_id)
    if exclude is not None:
        q = q.where(m.Code.id != exclude)
    return s.scalar(q) is not None


def _next_color(s: Session, parent_id: int | None = None) -> str:
    """A colour its neighbours (parent and siblings) can be told apart from, for readers
    with normal vision and with red-green colour blindness (desktop.core.palette)."""
    same_parent = m.Code.parent_id.is_(None) if parent_id is None else m.Code.parent_id == parent_id
    near = list(s.scalars(select(m.Code.color).where(same_parent)))
    if parent_id is not None:
        near.append(s.scalar(select(m.Code.color).where(m.Code.id == parent_id)) or "")
    used = s.scalars(select(m.Code.color))
    return palette.pick([c for c in near if c], used)


def _create(s: Session, actor: str, parent_id: int | None, name: str, **attrs) -> m.Code:
    name = name.strip()
    if not name:
        raise ServiceError("a code needs a name")
    if _sibling_exists(s, parent_id, name):
        raise Conflict(f"a code named {name!r} already exists there")
    order = s.scalar(
        select(func.coalesce(func.max(m.Code.sort_order), -1) + 1).where(
            m.Code.parent_id.is_(None) if parent_id is None else m.Code.parent_id == parent_id
        )
    )
    color = normalise_color(attrs.pop("color", None)) or _next_color(s, parent_id)
    code = m.Code(parent_id=parent_id, name=name, color=color, sort_order=order, **attrs)
    s.add(code)
    s.flush()
    audit.record(s, actor, "create", "code", code.id, None, _snapshot(code))
    return code


def add_code(
    project,
    path: str,
    *,
    color: str | None = None,
    description: str = "",
    inclusion: str = "",
    exclusion: str = "",
    create_parents: bool = True,
    is_codable: bool = True,
) -> CodeInfo:
    """Add the code at ``path``; its missing ancestors are created too."""
    try:
        names = split_path(path)
    except CodePathError as exc:
        raise ServiceError(str(exc)) from exc
    with project.session() as s:
        parent: int | None = None
        for i, name in enumerate(names[:-1]):
            found = _find_id(s, names[: i + 1])
            if found is None:
                if not create_parents:
                    raise NotFound(f"no parent code {join_path(names[: i + 1])!r}")
                found = _create(s, project.actor, parent, name).id
            parent = found
        if _find_id(s, names) is not None:
            raise Conflict(f"the code {join_path(names)!r} already exists")
        code = _create(
            s, project.actor, parent, names[-1], color=color, description=description,
            inclusion=inclusion, exclusion=exclusion, is_codable=is_codable,
        )  # fmt: skip
        code_id = code.id
    return get_code(project, code_id)


def add_child(project, parent_id: int | None, name: str, **attrs) -> CodeInfo:
    with project.session() as s:
        if parent_id is not None and s.get(m.Code, parent_id) is None:
            raise NotFound(f"no code with id {parent_id}")
        code_id = _create(s, project.actor, parent_id, name, **attrs).id
    return get_code(project, code_id)


def update_code(project, code_id: int, **changes) -> tuple[dict, dict]:
    """Change name, color, description, inclusion, exclusion, memo or is_codable
    (False makes the code a category). Returns (old, new)."""
    allowed = {"name", "color", "description", "inclusion", "exclusion", "memo", "is_codable"}
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError(f"cannot change {', '.join(sorted(unknown))} of a code")
    with project.session() as s:
        code = s.get(m.Code, code_id)
        if code is None:
            raise NotFound(f"no code with id {code_id}")
        old = _snapshot(code)
        if "name" in changes:
            name = (changes["name"] or "").strip()
            if not name:
                raise ServiceError("a code needs a name")
            if _sibling_exists(s, code.parent_id, name, exclude=code.id):
                raise Conflict(f"a code named {name!r} already exists there")
            code.name = name
        if "color" in changes:
            code.color = normalise_color(changes["color"]) or code.color
        for key in ("description", "inclusion", "exclusion", "memo"):
            if key in changes:
                setattr(code, key, changes[key] or "")
        if "is_codable" in changes:
            code.is_codable = bool(changes["is_codable"])
        new = _snapshot(code)
        if new != old:
            audit.record(s, project.actor, "update", "code", code.id, old, new)
        return old, new


def move_code(
    project, code_id: int, new_parent_id: int | None, position: int | None = None
) -> tuple[int | None, int]:
    """Move a code under another parent (None: top level). Returns the old (parent, order):
    ``move_code(project, code_id, *old)`` undoes it. A move under the code itself or one
    of its descendants is refused, and so is one that would give a coding two fields of
    one name (inherited from the new ancestors and defined in the moved tree).
    Values of fields inherited from the old ancestors stay stored but no longer apply
    (see fields.effective_fields); moving the code back makes them apply again."""
    with project.session() as s:
        code = s.get(m.Code, code_id)
        if code is None:
            raise NotFound(f"no code with id {code_id}")
        ancestor = new_parent_id
        while ancestor is not None:
            if ancestor == code_id:
                raise Conflict(f"cannot move {code.name!r} into itself or one of its sub-codes")
            parent = s.get(m.Code, ancestor)
            if parent is None:
                raise NotFound(f"no code with id {ancestor}")
            ancestor = parent.parent_id
        if _sibling_exists(s, new_parent_id, code.name, exclude=code.id):
            raise Conflict(f"a code named {code.name!r} already exists there")
        if new_parent_id is not None and new_parent_id != code.parent_id:
            _check_field_names(s, code_id, new_parent_id)
        old = _snapshot(code)
        old_place = (code.parent_id, code.sort_order)
        siblings = [
            c
            for c in s.scalars(
                select(m.Code)
                .where(
                    m.Code.parent_id.is_(None)
                    if new_parent_id is None
                    else m.Code.parent_id == new_parent_id
                )
                .where(m.Code.id != code.id)
                .order_by(m.Code.sort_order, m.Code.name)
            )
        ]
        pos = len(siblings) if position is None else max(0, min(position, len(siblings)))
        siblings.insert(pos, code)
        code.parent_id = new_parent_id
        for i, c in enumerate(siblings):
            c.sort_order = i
        audit.record(s, project.actor, "move", "code", code.id, old, _snapshot(code))
        return old_place


def _check_field_names(s: Session, code_id: int, new_parent_id: int) -> None:
    inherited = {f.name.lower(): f.name for f in effective_in(s, new_parent_id)}
    tree = subtree_ids_in(s, code_id)
    for f in s.scalars(select(m.CodeField).where(m.CodeField.code_id.in_(tree))):
        if f.name.lower() in inherited:
            raise Conflict(
                f"cannot move it there: the field {f.name!r} of {s.get(m.Code, f.code_id).name!r} "
                "would clash with a field of the same name it would inherit; rename one first"
            )


def count_codings_under(project, code_id: int) -> int:
    ids = subtree_ids(project, code_id)
    with project.session() as s:
        return (
            s.scalar(select(func.count()).select_from(m.Coding).where(m.Coding.code_id.in_(ids)))
            or 0
        )


def subtree_ids(project, code_id: int) -> list[int]:
    codes = list_codes(project)
    by_parent: dict[int | None, list[int]] = {}
    for c in codes:
        by_parent.setdefault(c.parent_id, []).append(c.id)
    out, stack = [], [code_id]
    while stack:
        cid = stack.pop()
        out.append(cid)
        stack.extend(by_parent.get(cid, []))
    return out


def delete_code_tree(project, code_id: int, *, confirm_codings: bool = False) -> CodeTreeSnapshot:
    """Delete a code and its sub-codes, with their fields, examples, codings and values.
    If any of them has codings, ConfirmationNeeded (with ``.count``) is raised unless
    ``confirm_codings``. Returns a snapshot: ``restore_code_tree(project, snapshot)``
    puts everything back with the same ids (undo)."""
    with project.session() as s:
        code = s.get(m.Code, code_id)
        if code is None:
            raise NotFound(f"no code with id {code_id}")
        ids = subtree_ids_in(s, code_id)
        snap = take_snapshot(s, ids, root_id=code_id)
        if snap.codings and not confirm_codings:
            raise ConfirmationNeeded(
                f"the code {code.name!r} and its sub-codes have {wording.count(len(snap.codings), 'coding')}; "
                "deleting it deletes them too",
                len(snap.codings),
            )
        for row in snap.codings:
            c = s.get(m.Coding, row["id"])
            audit.record(s, project.actor, "delete", "coding", c.id, _coding_snapshot(c), None)
            s.delete(c)
        s.flush()
        # children before parents (RESTRICT on parent_id)
        for cid in reversed(ids):
            c = s.get(m.Code, cid)
            audit.record(s, project.actor, "delete", "code", cid, _snapshot(c), None)
            s.delete(c)
            s.flush()
        return snap


def delete_code(project, code_id: int, *, confirm_codings: bool = False) -> int:
    """delete_code_tree, returning only the number of codings deleted."""
    return delete_code_tree(project, code_id, confirm_codings=confirm_codings).coding_count


def _coding_snapshot(c: m.Coding) -> dict:
    return {
        "document_id": c.document_id, "code_id": c.code_id, "coder_id": c.coder_id,
        "start": c.start, "end": c.end, "quote": c.quote, "memo": c.memo,
    }  # fmt: skip


# -- templates --------------------------------------------------------------------


def load_template(project, data: dict) -> int:
    """Create the codes of a template (nested dicts: name, color, description,
    inclusion, exclusion, examples, fields, children). Returns the number created."""
    created = 0
    with project.session() as s:

        def add(items: list[dict], parent_id: int | None) -> None:
            nonlocal created
            for item in items:
                code = _create(
                    s, project.actor, parent_id, item["name"], color=item.get("color"),
                    description=item.get("description", ""), inclusion=item.get("inclusion", ""),
                    exclusion=item.get("exclusion", ""),
                )  # fmt: skip
                created += 1
                for i, ex in enumerate(item.get("examples", [])):
                    s.add(m.CodeExample(code_id=code.id, text=ex, sort_order=i))
                for f in item.get("fields", []):
                    insert_field(
                        s, project.actor, code.id, f["name"], f["type"],
                        choices=f.get("choices", ()), required=bool(f.get("required")),
                    )  # fmt: skip
                add(item.get("children", []), code.id)

        try:
            add(data.get("codes", []), None)
            s.flush()
        except (KeyError, TypeError, AttributeError) as exc:
            raise ServiceError(f"invalid codebook template: missing or wrong entry {exc}") from exc
        except IntegrityError as exc:
            raise ServiceError(f"invalid codebook template: {exc.orig}") from exc
    return created
