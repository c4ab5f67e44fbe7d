"""Reading a coder's project file for a merge, without ever writing to it.

The file is copied with plain reads to a temporary folder (even a read-only SQLite
connection leaves -wal and -shm files beside a WAL-mode database, so SQLite only ever
sees the copy), checked there (``db.project_file.check_file``, SQLite's quick check and
foreign keys), upgraded there if it comes from an older schema, and read whole."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db import models as m
from db.engine import make_engine
from db.integrity import integrity_check
from db.project_file import (
    SCHEMA_VERSION,
    SQLITE_MAGIC,
    ProjectFileError,
    alembic_config,
    check_file,
)
from desktop.core.codepath import join_path
from desktop.services.teams import teams
from desktop.services.teams.merge_report import MergeRefused
from desktop.services.teams.merge_study import Study, read_study


@dataclass
class Source:
    settings: dict
    coders: dict[int, tuple[str, str]]  # id -> (name, color)
    documents: list[dict]
    pages: dict[int, list[dict]]
    codes: dict[int, dict]
    paths: dict[int, str]  # code id -> path
    examples: dict[int, list[str]]
    fields: dict[int, dict]  # field id -> row
    # (id, document_id, code_id, coder_id, start, end, quote, memo, created_at, updated_at)
    codings: list[tuple]
    values: dict[int, dict[int, str]]  # coding id -> {field id: value}
    study: Study | None = None  # attributes, cases, sets, journal
    # sha256 -> row (without its bytes) of each original file the documents were read from
    originals: dict[str, dict] = field(default_factory=dict)
    # the bytes of an original file, read when the merge writes it (originals can be far
    # bigger than everything else together, so they are never all in memory at once)
    original_data: Callable[[str], bytes | None] = lambda _sha: None


@contextmanager
def open_source(path: Path) -> Iterator[Source]:
    """Everything a merge needs from the project file at ``path``, read from a private
    copy that stays while the merge runs (its original files are read from it one at a
    time); MergeRefused (or ProjectFileError) says why a file cannot be merged."""
    with _private_copy(path) as engine:
        try:
            src = read_source(engine)
        except (SQLAlchemyError, sqlite3.Error) as exc:
            raise MergeRefused(f"{path}: the file is damaged and cannot be read ({exc})") from exc

        def original_data(sha: str) -> bytes | None:
            with engine.connect() as conn:
                data = conn.scalar(select(m.OriginalFile.data).where(m.OriginalFile.sha256 == sha))
            return bytes(data) if data is not None else None

        src.original_data = original_data
        yield src


@contextmanager
def _private_copy(path: Path) -> Iterator[Engine]:
    """An engine on a checked, current-schema copy of the file, deleted afterwards."""
    try:
        with path.open("rb") as fh:
            is_sqlite = fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        is_sqlite = False
    if not is_sqlite:
        check_file(path)  # raises, saying why, before any SQLite connection
        raise MergeRefused(f"{path}: not a Tessera project")
    with tempfile.TemporaryDirectory(prefix="tessera-merge-") as tmp:
        copy = Path(tmp) / path.name
        shutil.copyfile(path, copy)
        wal = Path(f"{path}-wal")
        if wal.is_file() and wal.stat().st_size:  # open elsewhere: its latest commits
            shutil.copyfile(wal, Path(f"{copy}-wal"))
        try:
            version = check_file(copy)
        except ProjectFileError as exc:
            raise ProjectFileError(str(exc).replace(str(copy), str(path))) from None
        problems = integrity_check(copy, quick=True)
        if problems:
            raise MergeRefused(f"{path}: the file is damaged ({problems[0]})")
        engine = make_engine(copy)
        try:
            if version < SCHEMA_VERSION:
                from alembic import command

                command.upgrade(alembic_config(engine), "head")
            yield engine
        finally:
            engine.dispose()


def read_source(engine: Engine) -> Source:
    with Session(engine) as s:
        settings = teams.read_settings(s)
        coders_ = {
            r.id: (r.name, r.color)
            for r in s.execute(select(m.Coder.id, m.Coder.name, m.Coder.color))
        }
        documents = [dict(r._mapping) for r in s.execute(select(m.Document.__table__))]
        pages: dict[int, list[dict]] = {}
        for r in s.execute(select(m.Page.__table__).order_by(m.Page.document_id, m.Page.number)):
            pages.setdefault(r.document_id, []).append(dict(r._mapping))
        codes = {r.id: dict(r._mapping) for r in s.execute(select(m.Code.__table__))}
        examples: dict[int, list[str]] = {}
        for code_id, text in s.execute(
            select(m.CodeExample.code_id, m.CodeExample.text).order_by(
                m.CodeExample.sort_order, m.CodeExample.id
            )
        ):
            examples.setdefault(code_id, []).append(text)
        fields = {r.id: dict(r._mapping) for r in s.execute(select(m.CodeField.__table__))}
        t = m.Coding.__table__.c
        codings = [
            tuple(r)
            for r in s.execute(
                select(t.id, t.document_id, t.code_id, t.coder_id, t.start, t.end, t.quote, t.memo,
                       t.created_at, t.updated_at).order_by(t.id)
            )
        ]  # fmt: skip
        values: dict[int, dict[int, str]] = {}
        for cid, fid, v in s.execute(
            select(m.CodingValue.coding_id, m.CodingValue.field_id, m.CodingValue.value)
        ):
            values.setdefault(cid, {})[fid] = v
        study = read_study(s)
        f = m.OriginalFile.__table__.c
        originals = {
            r.sha256: dict(r._mapping)
            for r in s.execute(select(*(c for c in f if c.name != "data")))
        }
    return Source(
        settings,
        coders_,
        documents,
        pages,
        codes,
        code_paths(codes),
        examples,
        fields,
        codings,
        values,
        study,
        originals,
    )


def code_paths(codes: dict[int, dict]) -> dict[int, str]:
    """{code id: path} of a table of code rows."""
    names: dict[int, list[str]] = {}

    def walk(cid: int) -> None:
        chain: list[int] = []
        cur: int | None = cid
        while cur is not None and cur not in names:
            if cur in chain or cur not in codes:
                raise MergeRefused(
                    "the codebook is damaged (a code's parent is missing or circular)"
                )
            chain.append(cur)
            cur = codes[cur]["parent_id"]
        prefix = [] if cur is None else names[cur]
        for c in reversed(chain):
            prefix = [*prefix, codes[c]["name"]]
            names[c] = prefix

    for cid in codes:
        walk(cid)
    return {cid: join_path(n) for cid, n in names.items()}
