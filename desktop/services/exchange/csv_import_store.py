"""Storing the rows a codings CSV import has checked, inside the import's one
transaction: missing codes and coders created, codings already stored (or given on an
earlier line) skipped, the codings and their field values inserted in bulk with ids
given in file order, and one audit entry saying which ids the import covers.

:class:`CodingsStore` is the base class of the import's checker (CodingsCsv in
desktop.services.exchange.csv_import), which fills ``rows`` chunk by chunk and provides
the project's ``code_ids`` and ``coder_ids`` (extended here with what is created) and
the values it has resolved, ``_codes_seen`` and ``_coders_seen`` (pointed here at the
created ids)."""

from __future__ import annotations

from array import array
from datetime import datetime

from sqlalchemy import func, insert, select, text

from db import models as m
from db.engine import advance_sequences
from desktop.core.codepath import join_path
from desktop.services.codebook import codebook
from desktop.services.exchange.csv_import_report import CodingsImportReport
from desktop.services.project import audit
from desktop.services.teams.coders import PALETTE as CODER_COLORS

CODING_INSERT = (
    "id", "document_id", "code_id", "coder_id", "start", "end", "quote", "memo", "created_at",
    "updated_at",
)  # fmt: skip


def stored_time(value: datetime) -> str:
    """A naive UTC time as SQLAlchemy's SQLite DateTime stores it (PostgreSQL reads this
    text as a timestamp too)."""
    return value.isoformat(sep=" ", timespec="microseconds")


def _executemany(conn, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """A Core insert() compiled once for this database and handed to the driver's
    executemany with plain tuples. SQLAlchemy's own executemany spends longer preparing
    each row's parameters than SQLite spends storing it; values here are already what
    the columns store (times as text, see stored_time)."""
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns))
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup]
        if order != list(range(len(columns))):
            rows = [tuple(r[i] for i in order) for r in rows]
        conn.exec_driver_sql(str(compiled), rows)
    else:
        conn.exec_driver_sql(str(compiled), [dict(zip(columns, r, strict=True)) for r in rows])


class CodingsStore:
    def __init__(self, project, report: CodingsImportReport) -> None:
        self.project = project
        self.report = report
        self.rows: list[tuple] = []  # checked, not yet inserted, in file order
        self.session = None  # the import's transaction (set by import_codings_csv)
        self.first_id: int | None = None  # id of the first coding inserted
        self.lines = array("q")  # line of each inserted coding (id - first_id)
        self._entry = None  # the audit entry of the import
        self._created_codes: dict[tuple[str, ...], int] = {}
        self._created_coders: dict[tuple[str], int] = {}
        self._chunk_keys: dict[tuple, int] = {}  # (document, code, coder, start, end) -> line
        self._coded_docs: set[int] | None = None  # documents that have codings (or will)

    def _insert_checked(self) -> None:
        """Insert the rows checked so far (unless a bad row was found): missing codes and
        coders, the codings (one executemany) and their field values. The first chunk
        also writes the audit entry and fixes the first id."""
        rows, self.rows = self.rows, []
        self._chunk_keys.clear()
        if not rows or self.report.errors:
            return
        s, actor = self.session, self.project.actor
        now = stored_time(m.utcnow())
        code_ids = self._create_codes(s, actor, rows)
        coder_ids = self._create_coders(s, rows)
        rows = [
            (did, code if type(code) is int else code_ids[code],
             coder if type(coder) is int else coder_ids[coder], *rest)
            for did, code, coder, *rest in rows
        ]  # fmt: skip
        rows = self._skip_stored(s, rows)
        if not rows:
            return
        if self.first_id is None:
            audit.record(s, actor, "import", "coding", None, None,
                         {"file": str(self.report.path), "count": 0})  # fmt: skip
            # The flush takes SQLite's write lock, so nobody can insert between reading
            # the largest id and the inserts: ids are given, not read back row by row
            # (SQLite cannot return the ids of an executemany in order).
            s.flush()
            if s.bind.dialect.name == "postgresql":
                # a server has no file-wide write lock: this table's is taken instead
                s.execute(text("LOCK TABLE coding IN EXCLUSIVE MODE"))
            self.first_id = (s.scalar(select(func.max(m.Coding.id))) or 0) + 1
            self._entry = s.scalars(select(m.AuditEntry).order_by(m.AuditEntry.id.desc())).first()
        first = self.first_id + len(self.lines)
        table = [
            (first + i, did, code, coder, start, end, quote, memo, created or now,
             updated or created or now)
            for i, (did, code, coder, start, end, quote, memo, created, updated, _, _)
            in enumerate(rows)
        ]  # fmt: skip
        conn = s.connection()
        _executemany(conn, m.Coding.__table__, CODING_INSERT, table)
        values = [(first + i, fid, value) for i, row in enumerate(rows) for fid, value in row[9]]
        if values:
            _executemany(conn, m.CodingValue.__table__, ("coding_id", "field_id", "value"), values)
        self.lines.extend(row[10] for row in rows)
        advance_sequences(conn, "coding")  # the next coding made by hand follows these

    def _skip_stored(self, s, rows: list[tuple]) -> list[tuple]:
        """The rows whose coding is not in the project yet (stored before, or inserted
        from an earlier chunk of this file): one join with the unique index per chunk."""
        conn = s.connection()
        if self._coded_docs is None:
            self._coded_docs = {
                d for (d,) in conn.exec_driver_sql("SELECT DISTINCT document_id FROM coding")
            }
        coded = self._coded_docs
        candidates = [r for r in rows if r[0] in coded]  # only these can be in the index
        coded.update(r[0] for r in rows)
        if not candidates:
            return rows
        conn.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS import_key (line INTEGER, document_id INTEGER, "
            'code_id INTEGER, coder_id INTEGER, start INTEGER, "end" INTEGER)'
        )
        conn.exec_driver_sql("DELETE FROM import_key")
        conn.execute(
            text("INSERT INTO import_key VALUES (:line, :doc, :code, :coder, :start, :stop)"),
            [dict(line=r[10], doc=r[0], code=r[1], coder=r[2], start=r[3], stop=r[4])
             for r in candidates],
        )  # fmt: skip
        found = conn.exec_driver_sql(
            "SELECT k.line, c.id FROM import_key k JOIN coding c ON c.document_id = "
            "k.document_id AND c.code_id = k.code_id AND c.coder_id = k.coder_id AND "
            'c.start = k.start AND c."end" = k."end"'
        ).all()
        conn.exec_driver_sql("DELETE FROM import_key")
        if not found:
            return rows
        first, lines = self.first_id, self.lines
        for line, cid in found:
            if first is not None and cid >= first:
                why = f"the same coding as line {lines[cid - first]}"
            else:
                why = "already in the project"
            self.report.skipped.append((line, why))
        gone = {line for line, _ in found}
        return [r for r in rows if r[10] not in gone]

    def finish(self) -> None:
        """Insert the last rows and say in the audit entry which ids the import covers
        (so `log` can tell where a coding came from)."""
        self._insert_checked()
        self.report.skipped.sort()
        n = len(self.lines)
        if self._entry is not None:
            self._entry.new = {**self._entry.new, "count": n, "first_id": self.first_id,
                               "last_id": self.first_id + n - 1}  # fmt: skip
        self.report.imported = n

    def _create_codes(self, s, actor: str, rows: list[tuple]) -> dict[tuple[str, ...], int]:
        wanted = sorted({r[1] for r in rows if type(r[1]) is tuple} - set(self._created_codes))
        ids: dict[tuple[str, ...], int] = self.code_ids
        for names in wanted:
            parent: int | None = None
            for depth in range(1, len(names) + 1):
                prefix = names[:depth]
                if prefix not in ids:
                    ids[prefix] = codebook._create(s, actor, parent, prefix[-1]).id
                    self.report.created_codes.append(join_path(list(prefix)))
                parent = ids[prefix]
            self._created_codes[names] = ids[names]
        # later rows of these codes carry the new ids
        for raw, code in list(self._codes_seen.items()):
            if type(code) is tuple and code in self._created_codes:
                self._codes_seen[raw] = self._created_codes[code]
        return self._created_codes

    def _create_coders(self, s, rows: list[tuple]) -> dict[tuple[str], int]:
        wanted = sorted({r[2] for r in rows if type(r[2]) is tuple} - set(self._created_coders))
        n = len(self.coder_ids)
        for (name,) in wanted:
            coder = m.Coder(name=name, color=CODER_COLORS[n % len(CODER_COLORS)])
            s.add(coder)
            s.flush()
            self._created_coders[(name,)] = self.coder_ids[name] = coder.id
            n += 1
            self.report.created_coders.append(name)
        for raw, coder_key in list(self._coders_seen.items()):
            if type(coder_key) is tuple and coder_key in self._created_coders:
                self._coders_seen[raw] = self._created_coders[coder_key]
        return self._created_coders
