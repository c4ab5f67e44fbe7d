"""The audit trail told in words: when, who, what, and each changed value old -> new.

Used by ``tessera log`` and meant for the window's history panel too. Ids are turned
into names (code paths, document names) where the thing still exists, and into the
names recorded in the entry where it was deleted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from desktop.core import wording
from desktop.services.project import audit

VERBS = {"create": "created", "delete": "deleted", "update": "changed", "move": "moved",
         "import": "imported", "merge": "merged", "restore": "restored"}  # fmt: skip
BULK = ("file", "source", "first_id", "last_id", "count")  # what a bulk entry's subject says
SKIP_IN_DIFF = {"quote"}  # never changes; shown in the subject instead
MAX_VALUE = 60


@dataclass(frozen=True)
class LogLine:
    id: int
    when: datetime  # local time, aware
    who: str
    action: str
    entity: str
    entity_id: int | None
    subject: str  # e.g. 'coding 17 "At least 12 people…" (Casualties/Killed, deraa.txt 120-150)'
    changes: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)  # (field, old, new)

    def text(self) -> str:
        who = self.who or "(no name recorded)"
        head = f"{self.when:%Y-%m-%d %H:%M:%S}  {who}  {VERBS.get(self.action, self.action)} {self.subject}"
        if not self.changes:
            return head
        return (
            head
            + "\n"
            + "\n".join(
                f"    {f}: {n}" if o == "" else f"    {f}: {o} → {n}" for f, o, n in self.changes
            )
        )


def _short(value) -> str:
    if value is None or value == "":
        return "(empty)"
    text = str(value).replace("\n", "⏎")
    if len(text) > MAX_VALUE:
        text = text[: MAX_VALUE - 1] + "…"
    return f'"{text}"' if isinstance(value, str) else text


class _Names:
    def __init__(self, project) -> None:
        from desktop.services.codebook import codebook
        from desktop.services.documents import documents
        from desktop.services.teams import coders

        self.codes = {c.id: c.path for c in codebook.list_codes(project)}
        self.docs = {d.id: d.name for d in documents.list_documents(project)}
        self.coders = {c.id: c.name for c in coders.list_coders(project)}

    def code(self, cid) -> str:
        return self.codes.get(cid, f"code {cid}")

    def doc(self, did) -> str:
        return self.docs.get(did, f"document {did}")


def _bulk(row: audit.AuditRow) -> bool:
    """An entry for many things at once (an import, a merge): no id, what it did in new."""
    return row.entity_id is None and row.old is None and isinstance(row.new, dict)


def _subject(row: audit.AuditRow, names: _Names) -> str:
    snap = row.new or row.old or {}
    eid = row.entity_id
    if _bulk(row):
        where = snap.get("file") or snap.get("source")
        frm = f" from {Path(where).name}" if where else ""
        if row.entity == "coding" and "count" in snap:
            ids = f"ids {snap.get('first_id')}–{snap.get('last_id')}"
            return f"{wording.count(snap['count'], 'coding')} ({ids}){frm}"
        return f"{row.entity}{frm}"
    if row.entity == "coding":
        quote = snap.get("quote")
        parts = []
        if "code_id" in snap:
            parts.append(names.code(snap["code_id"]))
        if "document_id" in snap:
            where = names.doc(snap["document_id"])
            if "start" in snap and "end" in snap:
                where += f" {snap['start']}-{snap['end']}"
            parts.append(where)
        if "coder_id" in snap:
            parts.append(f"coder {names.coders.get(snap['coder_id'], snap['coder_id'])}")
        text = f"coding {eid}"
        if quote:
            text += f" {_short(quote)}"
        return text + (f" ({', '.join(parts)})" if parts else "")
    if row.entity == "code":
        path = names.codes.get(eid) or snap.get("name") or ""
        return f"code {eid} {_short(path)}" if path else f"code {eid}"
    if row.entity == "document":
        name = names.docs.get(eid) or snap.get("name") or ""
        return f"document {eid} {_short(name)}" if name else f"document {eid}"
    label = snap.get("name") if isinstance(snap, dict) else None
    return f"{row.entity} {eid}" + (f" {_short(label)}" if label else "")


def _named(key: str, value, names: _Names):
    """An id shown as the name of what it points to, where we know it."""
    if value is None:
        return None
    if key == "code_id":
        return names.codes.get(value, f"code {value}")
    if key == "document_id":
        return names.docs.get(value, f"document {value}")
    if key == "coder_id":
        return names.coders.get(value, f"coder {value}")
    if key == "parent_id":
        return names.codes.get(value, f"code {value}")
    return value


def _changes(row: audit.AuditRow, names: _Names) -> tuple[tuple[str, str, str], ...]:
    if _bulk(row):  # what it did, one fact a line ("" for no old value)
        return tuple((k, "", _short(v)) for k, v in row.new.items() if k not in BULK)
    if row.action in ("create", "delete"):
        return ()
    old, new = row.old or {}, row.new or {}
    out: list[tuple[str, str, str]] = []
    order = list(new) + [k for k in old if k not in new]
    for key in order:
        if key in SKIP_IN_DIFF:
            continue
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) or isinstance(b, dict):  # e.g. field values: one line each
            a, b = a if isinstance(a, dict) else {}, b if isinstance(b, dict) else {}
            for sub in list(b) + [k for k in a if k not in b]:
                if a.get(sub) != b.get(sub):
                    out.append((f"{key}.{sub}", _short(a.get(sub)), _short(b.get(sub))))
            continue
        if key == "parent_id":
            a = _named(key, a, names) or "(top level)"
            b = _named(key, b, names) or "(top level)"
            out.append(("parent", _short(a), _short(b)))
        else:
            out.append((key.removesuffix("_id") if key.endswith("_id") else key,
                        _short(_named(key, a, names)), _short(_named(key, b, names))))  # fmt: skip
    return tuple(out)


def _local(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC).astimezone() if at.tzinfo is None else at.astimezone()


def readable_history(
    project, *, entity: str | None = None, entity_id: int | None = None,
    limit: int | None = None, actor: str | None = None,
) -> list[LogLine]:  # fmt: skip
    """Audit entries, oldest first (the last ``limit`` if given), in words."""
    rows = audit.history(project, entity=entity, entity_id=entity_id)
    if actor is not None:
        rows = [r for r in rows if r.actor == actor]
    if limit:
        rows = rows[-limit:]
    names = _Names(project)
    return [
        LogLine(
            r.id,
            _local(r.at),
            r.actor,
            r.action,
            r.entity,
            r.entity_id,
            _subject(r, names),
            _changes(r, names),
        )
        for r in rows
    ]
