"""Merging code A into code B.

- A's codings become B's. A coding of A that B already has (same document, coder,
  start and end: the coding table allows one) collapses into B's: its memo is appended
  to B's memo when it says something else, its field values fill B's empty ones, and
  examples that pointed at it point at B's coding.
- Field values follow by field name and type: a value of a field that no longer applies
  to the coding's code moves to the applicable field of the same name (ignoring case)
  and type when the value is valid there; anything else is dropped and reported.
- A's anchor examples are appended to B's; A's definition and criteria are not copied
  (the report's snapshot keeps them, and undo brings them back).
- A's sub-codes become B's. When B already has a sub-code of the same name, the two are
  merged the same way, recursively: merging two parallel trees is what users mean.
- A disappears. Merging a code into itself or into one of its own sub-codes is refused.

Everything happens in one transaction, with audit entries; the returned report carries a
snapshot of both trees as they were, so ``restore_code_tree(project, report.snapshot)``
undoes the merge with every id intact."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from desktop.core.codepath import join_path
from desktop.core.fields import FieldValueError, canonical_value
from desktop.services.codebook.fields import audit_value, effective_in
from desktop.services.codebook.snapshot import CodeTreeSnapshot, subtree_ids_in, take_snapshot
from desktop.services.errors import Conflict, NotFound, ServiceError
from desktop.services.project import audit


@dataclass(frozen=True)
class DroppedValue:
    coding_id: int
    field: str
    value: str
    reason: str


@dataclass(frozen=True)
class MergeReport:
    source_path: str
    target_id: int
    target_path: str
    codings_moved: int
    duplicates_collapsed: int
    merged: tuple[tuple[str, str], ...]  # (code path, merged into path), A first then sub-codes
    children_moved: tuple[str, ...]  # paths of sub-codes that became B's sub-codes
    examples_moved: int
    values_moved: int
    values_dropped: tuple[DroppedValue, ...]
    memos_joined: int
    snapshot: CodeTreeSnapshot  # restore_code_tree(project, snapshot) undoes the merge

    @property
    def codings_before(self) -> int:
        return self.snapshot.coding_count


def _path(s: Session, code_id: int) -> str:
    names: list[str] = []
    cur: int | None = code_id
    while cur is not None:
        c = s.get(m.Code, cur)
        names.append(c.name)
        cur = c.parent_id
    return join_path(list(reversed(names)))


class _Merge:
    def __init__(self, s: Session, actor: str) -> None:
        self.s = s
        self.actor = actor
        self.moved = 0
        self.collapsed = 0
        self.merged: list[tuple[str, str]] = []
        self.children: list[int] = []
        self.examples = 0
        self.values_moved = 0
        self.dropped: list[DroppedValue] = []
        self.memos = 0
        self.to_delete: list[int] = []
        self.names: dict[int, str] = {}
        self.into: dict[int, int] = {}

    def _children(self, code_id: int) -> list[m.Code]:
        q = select(m.Code).where(m.Code.parent_id == code_id)
        return list(self.s.scalars(q.order_by(m.Code.sort_order, m.Code.id)))

    def merge(self, a: m.Code, b: m.Code) -> None:
        s = self.s
        self.merged.append((_path(s, a.id), _path(s, b.id)))
        self.names[a.id] = a.name
        self.into[a.id] = b.id
        if a.parent_id == b.id:
            # A's sub-codes become B's, beside A until A goes: free A's name for a namesake.
            a.name = f"{a.name} (merging {a.id})"
            s.flush()
        for c in list(
            s.scalars(select(m.Coding).where(m.Coding.code_id == a.id).order_by(m.Coding.id))
        ):
            dup = s.scalar(
                select(m.Coding).where(
                    m.Coding.code_id == b.id,
                    m.Coding.document_id == c.document_id,
                    m.Coding.coder_id == c.coder_id,
                    m.Coding.start == c.start,
                    m.Coding.end == c.end,
                )  # fmt: skip
            )
            if dup is None:
                c.code_id = b.id
                c.updated_at = m.utcnow()
                audit.record(
                    s, self.actor, "update", "coding", c.id, {"code_id": a.id}, {"code_id": b.id}
                )
                self.moved += 1
            else:
                self._collapse(c, dup)
            s.flush()
        order = s.scalar(
            select(func.coalesce(func.max(m.CodeExample.sort_order), -1) + 1).where(
                m.CodeExample.code_id == b.id
            )
        )
        for ex in s.scalars(
            select(m.CodeExample)
            .where(m.CodeExample.code_id == a.id)
            .order_by(m.CodeExample.sort_order, m.CodeExample.id)
        ):
            audit.record(
                s, self.actor, "update", "code_example", ex.id, {"code_id": a.id}, {"code_id": b.id}
            )
            ex.code_id, ex.sort_order = b.id, order
            order += 1
            self.examples += 1
        s.flush()
        for child in self._children(a.id):
            twin = s.scalar(
                select(m.Code).where(m.Code.parent_id == b.id, m.Code.name == child.name)
            )
            if twin is not None:
                self.merge(child, twin)
            else:
                old = {"parent_id": child.parent_id, "sort_order": child.sort_order}
                child.parent_id = b.id
                child.sort_order = s.scalar(
                    select(func.coalesce(func.max(m.Code.sort_order), -1) + 1).where(
                        m.Code.parent_id == b.id
                    )
                )
                s.flush()
                audit.record(
                    s,
                    self.actor,
                    "move",
                    "code",
                    child.id,
                    old,
                    {"parent_id": b.id, "sort_order": child.sort_order},
                )
                self.children.append(child.id)
        self.to_delete.append(a.id)

    def _collapse(self, c: m.Coding, dup: m.Coding) -> None:
        s = self.s
        if c.memo and c.memo.strip() and c.memo.strip() not in (dup.memo or ""):
            old_memo = dup.memo or ""
            dup.memo = f"{dup.memo}\n\n{c.memo}" if dup.memo else c.memo
            audit.record(
                s, self.actor, "update", "coding", dup.id, {"memo": old_memo}, {"memo": dup.memo}
            )
            self.memos += 1
        have = dict(
            s.execute(
                select(m.CodingValue.field_id, m.CodingValue.value).where(
                    m.CodingValue.coding_id == dup.id
                )
            ).all()
        )
        targets = {f.id: f for f in effective_in(s, dup.code_id)}
        for v in list(s.scalars(select(m.CodingValue).where(m.CodingValue.coding_id == c.id))):
            field = s.get(m.CodeField, v.field_id)
            target, value, reason = self._resolve(field, v.value, targets)
            if target is None:
                self.dropped.append(DroppedValue(c.id, field.name, v.value, reason))
            elif target.id in have:
                if have[target.id] != value:
                    self.dropped.append(
                        DroppedValue(
                            c.id,
                            field.name,
                            v.value,
                            f"the coding it duplicates has {have[target.id]!r}",
                        )
                    )
            else:
                s.add(m.CodingValue(coding_id=dup.id, field_id=target.id, value=value))
                audit_value(s, self.actor, dup.id, target.name, None, value)
                have[target.id] = value
                if target.id != field.id:
                    self.values_moved += 1
        for ex in s.scalars(select(m.CodeExample).where(m.CodeExample.coding_id == c.id)):
            ex.coding_id = dup.id
        s.flush()
        audit.record(
            s,
            self.actor,
            "delete",
            "coding",
            c.id,
            {"code_id": c.code_id, "merged_into_coding": dup.id},
            None,
        )
        s.delete(c)
        self.collapsed += 1

    @staticmethod
    def _resolve(field: m.CodeField, value: str, targets: dict[int, m.CodeField]):
        """(field the value belongs to now, canonical value, reason if none)."""
        if field.id in targets:
            return field, value, ""
        same = [f for f in targets.values() if f.name.lower() == field.name.lower()]
        if not same:
            return None, None, "no field of that name applies after the merge"
        target = same[-1]  # the nearest: a code's own fields come after its ancestors'
        if target.type != field.type:
            return None, None, f"the field {target.name!r} there is {target.type}, not {field.type}"
        try:
            return target, canonical_value(target.type, value, target.choices or ()), ""
        except FieldValueError as exc:
            return None, None, str(exc)

    def remap_values(self, coding_ids: list[int], leaving: set[int]) -> None:
        """Move values of fields that no longer apply to their coding's code (or that
        belong to codes about to disappear)."""
        s = self.s
        cache: dict[int, dict[int, m.CodeField]] = {}
        for cid in coding_ids:
            coding = s.get(m.Coding, cid)
            if coding is None:
                continue
            if coding.code_id not in cache:
                cache[coding.code_id] = {
                    f.id: f for f in effective_in(s, coding.code_id) if f.code_id not in leaving
                }
            targets = cache[coding.code_id]
            rows = list(s.scalars(select(m.CodingValue).where(m.CodingValue.coding_id == cid)))
            have = {v.field_id for v in rows}
            for v in rows:
                if v.field_id in targets:
                    continue
                field = s.get(m.CodeField, v.field_id)
                target, value, reason = self._resolve(field, v.value, targets)
                if target is not None and target.id in have:
                    target, reason = None, f"the coding already has a value for {target.name!r}"
                if target is None:
                    self.dropped.append(DroppedValue(cid, field.name, v.value, reason))
                else:
                    s.add(m.CodingValue(coding_id=cid, field_id=target.id, value=value))
                    audit_value(s, self.actor, cid, target.name, None, value)
                    have.add(target.id)
                    self.values_moved += 1
                audit_value(s, self.actor, cid, field.name, v.value, None)
                s.delete(v)
            s.flush()


def merge_codes(project, source_id: int, target_id: int) -> MergeReport:
    """Merge code ``source_id`` (A) into ``target_id`` (B); see the module docstring."""
    with project.session() as s:
        a, b = s.get(m.Code, source_id), s.get(m.Code, target_id)
        if a is None:
            raise NotFound(f"no code with id {source_id}")
        if b is None:
            raise NotFound(f"no code with id {target_id}")
        if a.id == b.id:
            raise ServiceError("a code cannot be merged into itself")
        source_tree = subtree_ids_in(s, a.id)
        if b.id in source_tree:
            raise Conflict(f"cannot merge {a.name!r} into one of its own sub-codes")
        region = list(dict.fromkeys([*source_tree, *subtree_ids_in(s, b.id)]))
        snap = take_snapshot(s, region, root_id=a.id)
        source_path, target_path = _path(s, a.id), _path(s, b.id)
        codings = [c["id"] for c in snap.codings if c["code_id"] in set(source_tree)]
        job = _Merge(s, project.actor)
        job.merge(a, b)
        leaving = set(job.to_delete)
        job.remap_values(codings, leaving)
        for cid in job.to_delete:  # merged sub-codes come before their parent
            code = s.get(m.Code, cid)
            old = {"name": job.names[cid], "parent_id": code.parent_id}
            audit.record(
                s, project.actor, "merge", "code", cid, old, {"merged_into": job.into[cid]}
            )
            s.delete(code)
            s.flush()
        return MergeReport(
            source_path=source_path, target_id=b.id, target_path=target_path,
            codings_moved=job.moved, duplicates_collapsed=job.collapsed, merged=tuple(job.merged),
            children_moved=tuple(_path(s, c) for c in job.children), examples_moved=job.examples,
            values_moved=job.values_moved, values_dropped=tuple(job.dropped),
            memos_joined=job.memos, snapshot=snap,
        )  # fmt: skip
