"""The documents as one table (the Documents window): a row per document with its
name, kind, codings count, a value per document attribute (built-in ones first), and
the sets and cases it belongs to. Read with a fixed handful of set-wide queries (no
query per document or per cell), so 10,000 documents open at once; ``load_rows``
reads a few rows again after an edit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.engine import qmark_connection
from desktop.services.documents.attributes import AttributeInfo, attributes_in


@dataclass(frozen=True)
class DocumentRow:
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
    column = {a.id: i for i, a in enumerate(attrs)}
    n = len(attrs)
    values: dict[int, list] = {}
    for did, aid, value in conn.execute(
        f"SELECT document_id, attribute_id, value FROM attribute_value{sql}", params
    ):
        i = column.get(aid)
        if i is not None:
            row = values.get(did)
            if row is None:
                row = values[did] = [None] * n
            row[i] = value
    members: dict[int, list[int]] = {}
    for sid, did in conn.execute(f"SELECT set_id, document_id FROM set_document{sql}", params):
        members.setdefault(did, []).append(sid)
    cases: dict[int, list[int]] = {}
    for cid, did in conn.execute(f"SELECT case_id, document_id FROM case_document{sql}", params):
        cases.setdefault(did, []).append(cid)
    empty = (None,) * n
    return tuple(
        DocumentRow(
            did,
            name,
            kind,
            counts.get(did, 0),
            tuple(values[did]) if did in values else empty,
            tuple(sorted(members.get(did, ()))),
            tuple(sorted(cases.get(did, ()))),
        )  # fmt: skip
        for did, name, kind in docs
    )
