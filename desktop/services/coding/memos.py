"""Memos: the project journal (dated entries), a memo per document, per code (beside its
definition) and per coding. ``list_memos`` gathers them all with what each is about, for
the Memos view and for export (Markdown, HTML, docx). Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from sqlalchemy import select

from db import models as m
from desktop.core import wording
from desktop.core.codepath import join_path
from desktop.core.text import xml_safe
from desktop.services.errors import NotFound, ServiceError
from desktop.services.project import audit

KINDS = ("journal", "document", "code", "coding")


@dataclass(frozen=True)
class MemoInfo:
    kind: str  # journal | document | code | coding
    owner_id: int  # the journal entry's, document's, code's or coding's id
    about: str  # what it belongs to, for people: "document deraa.txt", "code Talks", ...
    text: str
    title: str = ""
    at: datetime | None = None
    author: str = ""
    document_id: int | None = None  # where to open it (documents and codings)


def add_journal_entry(project, text: str, title: str = "", at: datetime | None = None) -> int:
    with project.session() as s:
        e = m.JournalEntry(text=text or "", title=title or "", author=project.actor or "",
                           at=at or m.utcnow())  # fmt: skip
        s.add(e)
        s.flush()
        audit.record(s, project.actor, "create", "journal_entry", e.id, None,
                     {"title": e.title, "text": e.text})  # fmt: skip
        return e.id


def update_journal_entry(
    project, entry_id: int, *, text: str | None = None, title: str | None = None
) -> dict:
    with project.session() as s:
        e = s.get(m.JournalEntry, entry_id)
        if e is None:
            raise NotFound(f"no journal entry with id {entry_id}")
        old = {"title": e.title, "text": e.text}
        if text is not None:
            e.text = text
        if title is not None:
            e.title = title
        audit.record(s, project.actor, "update", "journal_entry", e.id, old,
                     {"title": e.title, "text": e.text})  # fmt: skip
        return old


def delete_journal_entry(project, entry_id: int) -> dict:
    with project.session() as s:
        e = s.get(m.JournalEntry, entry_id)
        if e is None:
            raise NotFound(f"no journal entry with id {entry_id}")
        old = {"title": e.title, "text": e.text, "at": e.at.isoformat(), "author": e.author}
        audit.record(s, project.actor, "delete", "journal_entry", e.id, old, None)
        s.delete(e)
        return old


def set_document_memo(project, document_id: int, text: str) -> str:
    """Set a document's memo; returns the old one (for undo)."""
    with project.session() as s:
        d = s.get(m.Document, document_id)
        if d is None:
            raise NotFound(f"no document with id {document_id}")
        old = d.memo or ""
        if old != (text or ""):
            d.memo = text or None
            audit.record(s, project.actor, "update", "document", d.id, {"memo": old},
                         {"memo": text or ""})  # fmt: skip
        return old


def document_memo(project, document_id: int) -> str:
    with project.session() as s:
        d = s.get(m.Document, document_id)
        if d is None:
            raise NotFound(f"no document with id {document_id}")
        return d.memo or ""


def set_code_memo(project, code_id: int, text: str) -> str:
    from desktop.services.codebook import codebook

    old, _ = codebook.update_code(project, code_id, memo=text or "")
    return old["memo"]


def list_memos(
    project, search: str | None = None, kinds: tuple[str, ...] = KINDS
) -> list[MemoInfo]:
    """Every non-empty memo (journal first, newest first; then documents, codes, codings),
    optionally only those whose text or title contains ``search`` (ignoring case)."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ServiceError(
            f"unknown memo {wording.plural(len(unknown), 'kind')}: {', '.join(sorted(unknown))}"
        )
    out: list[MemoInfo] = []
    with project.session() as s:
        doc_names = dict(s.execute(select(m.Document.id, m.Document.name)).all())
        codes = {c.id: c for c in s.scalars(select(m.Code))}

        def path(cid: int) -> str:
            names, cur = [], codes.get(cid)
            while cur is not None:
                names.append(cur.name)
                cur = codes.get(cur.parent_id) if cur.parent_id is not None else None
            return join_path(list(reversed(names)))

        if "journal" in kinds:
            for e in s.scalars(select(m.JournalEntry).order_by(m.JournalEntry.at.desc())):
                out.append(MemoInfo("journal", e.id, "project journal", e.text, e.title, e.at,
                                    e.author))  # fmt: skip
        if "document" in kinds:
            for did, memo in s.execute(
                select(m.Document.id, m.Document.memo).order_by(m.Document.name)
            ):
                if memo:
                    out.append(MemoInfo("document", did, f"document {doc_names[did]}", memo,
                                        document_id=did))  # fmt: skip
        if "code" in kinds:
            for c in sorted(codes.values(), key=lambda c: path(c.id)):
                if c.memo:
                    out.append(MemoInfo("code", c.id, f"code {path(c.id)}", c.memo))
        if "coding" in kinds:
            coder = dict(s.execute(select(m.Coder.id, m.Coder.name)).all())
            rows = s.execute(
                select(m.Coding.id, m.Coding.document_id, m.Coding.code_id, m.Coding.coder_id,
                       m.Coding.quote, m.Coding.memo, m.Coding.updated_at)
                .where(m.Coding.memo != "").order_by(m.Coding.document_id, m.Coding.start)
            )  # fmt: skip
            for cid, did, code_id, coder_id, quote, memo, at in rows:
                short = quote if len(quote) <= 40 else quote[:39] + "…"
                about = f"coding {path(code_id)} in {doc_names[did]}: \u201c{short}\u201d"
                out.append(MemoInfo("coding", cid, about, memo, at=at,
                                    author=coder.get(coder_id, ""), document_id=did))  # fmt: skip
    if search:
        low = search.lower()
        out = [x for x in out if low in x.text.lower() or low in x.title.lower()]
    return out


def export_memos(
    memos: list[MemoInfo], out: Path | str, fmt: str | None = None, title: str = "Memos"
) -> int:
    """Write memos as Markdown (.md), HTML (.html) or Word (.docx); returns how many."""
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    fmt = {"markdown": "md", "htm": "html"}.get(fmt, fmt)
    if fmt not in ("md", "html", "docx"):
        raise ServiceError(f"{out}: memos export as md, html or docx, not {fmt!r}")

    def heading(x: MemoInfo) -> str:
        bits = [x.about] + ([x.title] if x.title else [])
        when = x.at.strftime("%Y-%m-%d %H:%M") if x.at else ""
        return " \u2014 ".join(bits) + (
            f" ({when}{', ' + x.author if x.author else ''})" if when else ""
        )

    try:
        if fmt == "md":
            parts = [f"# {title}\n"] + [f"## {heading(x)}\n\n{x.text}\n" for x in memos]
            out.write_text("\n".join(parts), encoding="utf-8")
        elif fmt == "html":
            body = "".join(
                f"<h2>{escape(heading(x))}</h2>"
                + "".join(f"<p>{escape(p)}</p>" for p in x.text.split("\n") if p.strip())
                for x in memos
            )
            out.write_text(
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}'
                f"</title></head><body><h1>{escape(title)}</h1>{body}</body></html>",
                encoding="utf-8",
            )
        else:
            import docx

            doc = docx.Document()
            # Word's XML cannot hold every character a memo may (a bell, U+FFFE)
            doc.add_heading(xml_safe(title), level=1)
            for x in memos:
                doc.add_heading(xml_safe(heading(x)), level=2)
                for p in x.text.split("\n"):
                    doc.add_paragraph(xml_safe(p))
            doc.save(str(out))
    except OSError as exc:
        raise ServiceError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return len(memos)
