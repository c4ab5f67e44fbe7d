"""The documents list read a page at a time: the order of the documents that match the
filter (their ids and names only, filtered and sorted by the database) and then the rows
of the pages a view shows, so a project of 100,000 documents lists without reading every
document's row, metadata and counts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select

from db import models as m
from db.engine import qmark_connection
from desktop.services.documents.documents import DocumentInfo, listed

SORT_KEYS = ("name", "kind", "pages", "codings")  # the list's columns, in order


@dataclass(frozen=True)
class DocumentOrder:
    """The documents that match a filter, in the list's order: row i is ``ids[i]``."""

    ids: list[int]
    names: list[str]

    def row_of(self, document_id: int) -> int:
        try:
            return self.ids.index(document_id)
        except ValueError:
            return -1


class DocumentListing:
    """One project's documents as the list shows them, counting the codings of
    ``coder_ids`` (None: everyone's)."""

    def __init__(self, project, coder_ids: list[int] | None = None) -> None:
        self.project = project
        self.coder_ids = None if coder_ids is None else list(coder_ids)

    def order(self, contains: str = "", sort: str = "name", descending: bool = False):
        """The documents whose name contains ``contains`` (case does not matter), sorted
        by ``sort`` (one of SORT_KEYS; ties by name), as a DocumentOrder."""
        if sort not in SORT_KEYS:
            raise ValueError(f"cannot sort documents by {sort!r}")
        sql, params = "SELECT d.id, d.name FROM document d", []
        if sort in ("pages", "codings"):
            table, where = ("page", "") if sort == "pages" else ("coding", self._coders())
            sql += (f" LEFT JOIN (SELECT document_id, count(*) AS n FROM {table}{where} "
                    "GROUP BY document_id) c ON c.document_id = d.id")  # fmt: skip
            key = "coalesce(c.n, 0)"
        else:
            key = "d.kind" if sort == "kind" else ""
        needle = contains.strip().lower()
        # the database lowers ASCII letters only (SQLite, and PostgreSQL in the C
        # locale): a needle with other letters is matched here, on the names in order
        if needle and needle.isascii():
            sql += " WHERE lower(d.name) LIKE ? ESCAPE '!'"
            params.append("%" + re.sub(r"([!%_])", r"!\1", needle) + "%")
        down = " DESC" if descending else ""
        if key:  # ties by name, A to Z
            sql += f" ORDER BY {key}{down}, lower(d.name), d.name, d.id"
        else:
            sql += f" ORDER BY lower(d.name){down}, d.name{down}, d.id{down}"
        with self.project.session() as s:
            # the DB-API's plain tuples: 100,000 rows without a Row object each
            rows = qmark_connection(s).execute(sql, params).fetchall()
        if needle and not needle.isascii():
            rows = [r for r in rows if needle in r[1].lower()]
        return DocumentOrder([r[0] for r in rows], [r[1] for r in rows])

    def _coders(self) -> str:
        """The WHERE clause of the counted coders' codings ("" for everyone's)."""
        if self.coder_ids is None:
            return ""
        return f" WHERE coder_id IN ({', '.join(str(int(i)) for i in self.coder_ids) or 'NULL'})"

    def rows(self, ids: Sequence[int], names: Sequence[str] | None = None) -> list[DocumentInfo]:
        """The rows of ``ids`` in that order (a document deleted since is left out);
        ``names``: theirs, from the order (faster on a file project)."""
        with self.project.session() as s:
            found = {d.id: d for d in listed(s, ids, names, self.coder_ids)}
        return [found[i] for i in ids if i in found]

    def info(self, document_id: int) -> DocumentInfo | None:
        """One document as the list shows it, or None if there is none."""
        rows = self.rows([document_id])
        return rows[0] if rows else None

    def any_paged(self) -> bool:
        """Whether any document has pages (else the list needs no Pages column)."""
        with self.project.session() as s:
            return bool(s.scalar(select(exists().where(m.Page.id.isnot(None)))))
