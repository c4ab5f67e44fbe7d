"""Reading many codings' integer columns into numpy quickly; rows for many ids in
batches; the sentences or paragraphs of many documents as arrays.

A million rows fetched as Python tuples cost seconds; the same rows concatenated by
SQLite into one text and parsed by numpy cost a fraction. When a selection is a large
share of the table, a sequential scan beats a million index look-ups, so the index is
used only for small selections."""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

_SCAN_SHARE = 0.05  # above this share of the codings, scan the table instead of the index
_SCAN_ROWS = 1_000_000  # ids read per query of a scan (bounds the text built at once)


def coding_columns(
    conn, columns: Sequence[str], code_ids: Sequence[int], where_sql: str = "1 = 1",
    params: Sequence = (),
) -> np.ndarray:  # fmt: skip
    """An (n, len(columns)) int64 array of ``columns`` (non-null integer expressions over
    ``coding c``) for the codings of ``code_ids`` that satisfy ``where_sql``."""
    codes = ",".join("?" * len(code_ids)) or "NULL"
    selected = conn.execute(
        f"SELECT count(*) FROM coding WHERE code_id IN ({codes})", tuple(code_ids)
    ).fetchone()[0]
    if not selected:
        return np.zeros((0, len(columns)), dtype=np.int64)
    if not isinstance(conn, sqlite3.Connection):
        # a server: rows come over the wire in its binary protocol, no text to build
        rows = conn.execute(
            f"SELECT {', '.join(columns)} FROM coding c "
            f"WHERE c.code_id IN ({codes}) AND ({where_sql})",
            (*code_ids, *params),
        ).fetchall()
        return np.array(rows, dtype=np.int64).reshape(-1, len(columns))
    total = conn.execute("SELECT max(id) FROM coding").fetchone()[0] or 1
    scan = selected > _SCAN_SHARE * total
    # Two columns per number (high << 32 | low): half the text for SQLite to build and
    # numpy to parse. Ids and offsets are below 2**31 and 2**32.
    cols = list(columns) + (["0"] if len(columns) % 2 else [])
    pairs = [f"(({cols[i]}) << 32 | ({cols[i + 1]}))" for i in range(0, len(cols), 2)]
    packed = " || ',' || ".join(pairs)
    sql = (
        f"SELECT group_concat({packed}, ',') FROM coding c "
        f"{'NOT INDEXED' if scan else ''} WHERE c.code_id IN ({codes}) AND ({where_sql})"
    )
    # A scan of a large table goes a stretch of ids at a time: the text of many
    # millions of rows at once would cost more memory than all the rest of a query.
    chunked = scan and total > _SCAN_ROWS
    step = _SCAN_ROWS if chunked else total + 1
    out = np.empty((selected, len(cols)), dtype=np.int64)
    n = 0
    for low in range(0, total + 1, step):
        text = conn.execute(
            sql + (" AND c.id >= ? AND c.id < ?" if chunked else ""),
            (*code_ids, *params, *((low, low + step) if chunked else ())),
        ).fetchone()[0]
        if not text:
            continue
        # fromstring with a separator parses text (not deprecated, unlike its binary mode)
        flat = np.fromstring(text, dtype=np.int64, sep=",").reshape(-1, len(pairs))
        del text
        out[n : n + len(flat), 0::2] = flat >> 32
        out[n : n + len(flat), 1::2] = flat & 0xFFFFFFFF
        n += len(flat)
    return out[:n, : len(columns)]


def rows_in(conn, sql: str, ids: Sequence[int]) -> list[tuple]:
    """Rows of ``sql`` (with ``IN ({})`` for the ids) in batches under SQLite's
    parameter limit."""
    out: list[tuple] = []
    for i in range(0, len(ids), 900):
        chunk = list(ids[i : i + 900])
        out.extend(conn.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchall())
    return out


class _SpanCache:
    """Per process: the sentences or paragraphs of the documents last segmented, by
    (document id, sha256, unit): a text never changes under its hash, and segmenting
    is most of what a second query "in the same sentence" would cost."""

    def __init__(self, limit: int) -> None:
        self.lock = threading.Lock()
        self.limit = limit  # segments kept, all documents together
        self.spans: OrderedDict[tuple[int, str, str], np.ndarray] = OrderedDict()
        self.size = 0

    def get(self, key) -> np.ndarray | None:
        with self.lock:
            got = self.spans.get(key)
            if got is not None:
                self.spans.move_to_end(key)
            return got

    def put(self, key, spans: np.ndarray) -> None:
        with self.lock:
            if key in self.spans:
                return
            self.spans[key] = spans
            self.size += len(spans)
            while self.size > self.limit and len(self.spans) > 1:
                _, old = self.spans.popitem(last=False)
                self.size -= len(old)


_spans = _SpanCache(4_000_000)  # segments (16 bytes each): 64 MB at most


def segment_spans(project, doc_ids: Sequence[int], unit: str, batch: int = 32) -> dict:
    """{document id: (n, 2) array of its sentences or paragraphs}, texts read a few
    documents at a time (only the spans are kept, and kept for the next query)."""
    from db.engine import qmark_connection
    from desktop.core.analysis.segments import segment_array

    out: dict[int, np.ndarray] = {}
    ids = list(doc_ids)
    with project.session() as s:
        hashes = rows_in(
            qmark_connection(s), "SELECT id, sha256 FROM document WHERE id IN ({})", ids
        )
    todo = []
    for did, sha in hashes:
        got = _spans.get((int(did), sha, unit))
        if got is None:
            todo.append(int(did))
        else:
            out[int(did)] = got
    for i in range(0, len(todo), batch):
        with project.session() as s:
            conn = qmark_connection(s)
            rows = rows_in(
                conn, "SELECT id, sha256, text FROM document WHERE id IN ({})", todo[i : i + batch]
            )
        for did, sha, text in rows:
            out[int(did)] = got = segment_array(text, unit)
            _spans.put((int(did), sha, unit), got)
    return out
