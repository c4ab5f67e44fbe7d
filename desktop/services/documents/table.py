"""The documents as one table (the Documents window): a row per document with its
name, kind, codings count, a value per document attribute (built-in ones first), and
the sets and cases it belongs to. Read with a fixed handful of set-wide queries (no
query per document or per cell), so 10,000 documents open at once; ``load_rows``
reads a few rows again after an edit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy.orm import Session

from db.engine import qmark_connection
from desktop.services.documents.attributes import AttributeInfo, attributes_in


class DocumentRow(NamedTuple):
    """One document as the table shows it (a tuple: 10,000 of them are made at once)."""

    id: int
    name: str
    kind: str
    codings: int
    values: tuple[str | None, ...]  # one per attribute of the table, in its order
    sets: tuple[int, ...] = ()  # set ids
    cases: tuple[int, ...] = ()  # case ids


@dataclass(frozen=True)
class DocumentTable:
    attributes: tuple[AttributeInfo, ...]
    sets: dict[int, str]  # set id -> name (every set, with or without documents)
    cases: dict[int, str]  # case id -> name
    rows: tuple[DocumentRow, ...]


def load_table(project) -> DocumentTable:
    """Every document with its attributes, sets and cases, in name order."""
    with project.session() as s:
        attrs = tuple(attributes_in(s, "document"))
        conn = qmark_connection(s)
        set_names = dict(conn.execute("SELECT id, name FROM item_set ORDER BY name").fetchall())
        case_names = dict(conn.execute("SELECT id, name FROM study_case ORDER BY name").fetchall())
        rows = _rows(s, attrs, None)
    return DocumentTable(attrs, set_names, case_names, rows)


def load_rows(project, document_ids: Iterable[int], attrs: tuple[AttributeInfo, ...]):
    """The rows of some documents, with the values of ``attrs`` (the table's columns);
    a document that no longer exists has no row."""
    with project.session() as s:
        return _rows(s, attrs, list(document_ids))


def _rows(s: Session, attrs: tuple[AttributeInfo, ...], ids: list[int] | None):
    conn = qmark_connection(s)
    if ids is not None and not ids:
        return ()

    def where(column: str) -> tuple[str, tuple]:
        if ids is None:
            return "", ()
        return f" WHERE {column} IN ({','.join('?' * len(ids))})", tuple(ids)

    sql, params = where("id")
    docs = conn.execute(f"SELECT id, name, kind FROM document{sql} ORDER BY name, id", params)
    docs = docs.fetchall()
    sql, params = where("document_id")
    counts = dict(
        conn.execute(
            f"SELECT document_id, count(*) FROM coding{sql} GROUP BY document_id", params
        ).fetchall()
    )
    n = len(attrs)
    values: dict[int, list] = {}
    if n:
        # the column of each value comes from SQLite (CASE), so the loop over 100,000
        # values does one dictionary look-up each
        case = " ".join("WHEN ? THEN ?" for _ in attrs)
        numbered = tuple(x for i, a in enumerate(attrs) for x in (a.id, i))
        found = conn.execute(
            f"SELECT document_id, CASE attribute_id {case} END, value FROM attribute_value{sql}",
            numbered + params,
        ).fetchall()
        blank = [None] * n
        get = values.get
        for did, i, value in found:
            if i is None:  # an attribute defined since ``attrs`` was read
                continue
            row = get(did)
            if row is None:
                row = values[did] = blank.copy()
            row[i] = value
    members = _groups(conn, f"SELECT document_id, set_id FROM set_document{sql} "
                      "ORDER BY document_id, set_id", params)  # fmt: skip
    cases = _groups(conn, f"SELECT document_id, case_id FROM case_document{sql} "
                    "ORDER BY document_id, case_id", params)  # fmt: skip
    empty: tuple = (None,) * n
    none: tuple = ()
    return tuple(
        DocumentRow(
            did,
            name,
            kind,
            counts.get(did, 0),
            tuple(values[did]) if did in values else empty,
            members.get(did, none),
            cases.get(did, none),
        )  # fmt: skip
        for did, name, kind in docs
    )


def _groups(conn, sql: str, params: tuple) -> dict[int, tuple[int, ...]]:
    """{document id: (ids...)} from rows (document id, id) in document order."""
    out: dict[int, tuple[int, ...]] = {}
    for did, group in groupby(conn.execute(sql, params).fetchall(), itemgetter(0)):
        out[did] = tuple(x for _d, x in group)
    return out
