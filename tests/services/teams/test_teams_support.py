"""Builders shared by the teams tests (services and CLI): a master project with two
articles, coding a phrase, and the set of codings as a user would compare them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select

from db import models as m
from desktop.core.text import sha256_text
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders

DERAA = (
    "Rebels said talks with Russia had \u201cfailed\u201d.\n\n"
    "At least 12 civilians were killed \U0001f525 in Dera\u2019a province, a monitor said.\n"
)
IDLIB = (
    "Government troops shelled Idlib overnight.\n"
    "The UN envoy demanded a ceasefire; the ministry denied any strikes.\n"
    "Four people were injured and 300 families displaced.\n"
)
HOMS = "Opposition brigades withdrew from Homs after talks.\n"


def make_project(path: Path, *, docs: tuple[str, ...] = (DERAA, IDLIB)) -> Project:
    project = Project.create(path, template="conflict-news")
    names = {DERAA: "deraa.txt", IDLIB: "idlib.pdf", HOMS: "homs.txt"}
    for text in docs:
        pages = [(0, 43), (43, len(text))] if text is IDLIB else None
        documents.add_document(
            project, name=names[text], text=text, kind="pdf" if pages else "txt", pages=pages,
            metadata={"title": names[text].split(".")[0].title(), "author": "Wire", "date": "2026-11-01"},
        )  # fmt: skip
    return project


def doc_id(project: Project, text: str) -> int:
    return documents.find_document(project, sha256_text(text)).id


def code(project: Project, text: str, phrase: str, path: str, coder: str, memo: str = "") -> int:
    """Code the first occurrence of ``phrase`` in the document ``text``; returns its id."""
    c = coders.find_coder(project, coder) or coders.add_coder(project, coder)
    start = text.index(phrase)
    return codings.apply_coding(
        project, document_id=doc_id(project, text), code_id=codebook.find_code(project, path).id,
        coder_id=c.id, start=start, end=start + len(phrase), memo=memo,
    ).id  # fmt: skip


def set_value(project: Project, coding_id: int, field: str, value: str) -> None:
    with project.session() as s:
        code_id, fid = s.get(m.Coding, coding_id).code_id, None
        while fid is None and code_id is not None:  # a sub-code carries its parent's fields
            q = select(m.CodeField.id).where(
                m.CodeField.code_id == code_id, m.CodeField.name == field
            )
            fid = s.scalar(q)
            code_id = s.get(m.Code, code_id).parent_id
        assert fid is not None, field
        row = s.get(m.CodingValue, (coding_id, fid))
        if row is None:
            s.add(m.CodingValue(coding_id=coding_id, field_id=fid, value=value))
        else:
            row.value = value


def coding_set(project: Project) -> set[tuple]:
    """Every coding as (document sha256, code path, coder name, start, end, quote)."""
    paths = {c.id: c.path for c in codebook.list_codes(project)}
    names = {c.id: c.name for c in coders.list_coders(project)}
    shas = {d.id: d.sha256 for d in documents.list_documents(project)}
    return {
        (shas[c.document_id], paths[c.code_id], names[c.coder_id], c.start, c.end, c.quote)
        for c in codings.list_codings(project)
    }


def values_of(project: Project) -> dict[tuple, dict[str, str]]:
    """{(sha, code path, coder, start, end): {field name: value}} and memos under '(memo)'."""
    paths = {c.id: c.path for c in codebook.list_codes(project)}
    names = {c.id: c.name for c in coders.list_coders(project)}
    shas = {d.id: d.sha256 for d in documents.list_documents(project)}
    with project.session() as s:
        fields = dict(s.execute(select(m.CodeField.id, m.CodeField.name)).all())
    out = {}
    for c in codings.list_codings(project, with_values=True):
        key = (shas[c.document_id], paths[c.code_id], names[c.coder_id], c.start, c.end)
        out[key] = {"(memo)": c.memo, **{fields[f]: v for f, v in c.values}}
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
