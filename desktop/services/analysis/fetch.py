"""Reading many codings' integer columns into numpy quickly.

A million rows fetched as Python tuples cost seconds; the same rows concatenated by
SQLite into one text and parsed by numpy cost a fraction. When a selection is a large
share of the table, a sequential scan beats a million index look-ups, so the index is
used only for small selections."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

_SCAN_SHARE = 0.05  # above this share of the codings, scan the table instead of the index


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
    hint = "NOT INDEXED" if selected > _SCAN_SHARE * total else ""
    # Two columns per number (high << 32 | low): half the text for SQLite to build and
    # numpy to parse. Ids and offsets are below 2**31 and 2**32.
    cols = list(columns) + (["0"] if len(columns) % 2 else [])
    pairs = [f"(({cols[i]}) << 32 | ({cols[i + 1]}))" for i in range(0, len(cols), 2)]
    packed = " || ',' || ".join(pairs)
    text = conn.execute(
        f"SELECT group_concat({packed}, ',') FROM coding c {hint} "
        f"WHERE c.code_id IN ({codes}) AND ({where_sql})",
        (*code_ids, *params),
    ).fetchone()[0]
    if not text:
        return np.zeros((0, len(columns)), dtype=np.int64)
    # fromstring with a separator parses text (not deprecated, unlike its binary mode).
    flat = np.fromstring(text, dtype=np.int64, sep=",").reshape(-1, len(pairs))
    out = np.empty((len(flat), len(cols)), dtype=np.int64)
    out[:, 0::2] = flat >> 32
    out[:, 1::2] = flat & 0xFFFFFFFF
    return out[:, : len(columns)]
