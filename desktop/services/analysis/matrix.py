"""Code matrices: chosen codes (rows) by documents, coders or a document attribute
(columns), counting codings, coded characters (the sum of the codings' lengths) or
documents; and the co-occurrence of chosen codes with ATLAS.ti's c-coefficient.

Counting is done by SQL (GROUP BY), co-occurrence by one sweep over the sorted
codings (desktop.core.analysis.intervals.cooccurrence). Blind coding: pass the coders
the user may see as ``visible_coders``."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from db.engine import qmark_connection
from desktop.core.analysis import intervals as iv
from desktop.core.analysis.segments import touching_many
from desktop.services.analysis import selection as sel
from desktop.services.analysis.fetch import coding_columns, segment_spans
from desktop.services.analysis.progress import IsCancelled, Progress, step
from desktop.services.errors import NotFound, ServiceError

_pool = ThreadPoolExecutor(1, thread_name_prefix="tessera-segments")

MEASURES = ("codings", "characters", "documents")
_MEASURE_SQL = {
    "codings": "count(*)",
    "characters": 'sum(c."end" - c.start)',
    "documents": "count(DISTINCT c.document_id)",
}
NONE_VALUE = "(none)"


@dataclass(frozen=True)
class Matrix:
    rows: tuple[str, ...]  # code paths
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    measure: str = "codings"
    c_coefficient: tuple[tuple[float, ...], ...] | None = None  # co-occurrence only
    totals: tuple[int, ...] = ()  # co-occurrence: each code's number of codings

    def as_json(self) -> dict:
        out: dict = {"rows": list(self.rows), "columns": list(self.columns),
                     "counts": [list(r) for r in self.counts]}  # fmt: skip
        if self.c_coefficient is not None:
            out["c_coefficient"] = [[round(x, 4) for x in r] for r in self.c_coefficient]
            out["totals"] = list(self.totals)
        return out


def write_csv(m: Matrix, out) -> None:
    """The matrix as CSV (a path or a stream): counts, then the c-coefficients under
    them for co-occurrence."""
    from desktop.core import csvio

    with csvio.open_output(out) as fh:
        w = csvio.writer(fh)
        w.writerow(["code", *m.columns] + (["codings"] if m.c_coefficient is not None else []))
        for i, (name, row) in enumerate(zip(m.rows, m.counts, strict=True)):
            w.writerow([name, *row] + ([m.totals[i]] if m.c_coefficient is not None else []))
        if m.c_coefficient is not None:
            w.writerow([])
            w.writerow(["c-coefficient", *m.columns])
            for name, row in zip(m.rows, m.c_coefficient, strict=True):
                w.writerow([name, *(f"{x:.4f}" for x in row)])


def _selections(project, paths: Sequence[str], subcodes: bool) -> list[sel.CodeSelection]:
    if not paths:
        raise ServiceError("name at least one code (--codes PATH ...)")
    tree = sel.code_tree(project)
    return [sel.select_codes(project, p, subcodes=subcodes, tree=tree) for p in paths]


def code_matrix(
    project, codes: Sequence[str], by: str = "document", *, measure: str = "codings",
    subcodes: bool = False, coders: Sequence[str] = (), documents: Sequence[str] = (),
    sets: Sequence[str] = (), cases: Sequence[str] = (), where: Sequence[str] = (),
    visible_coders: Sequence[int] | None = None, progress: Progress = None,
    cancelled: IsCancelled = None,
) -> Matrix:  # fmt: skip
    """Codes x documents, coders, document sets, cases or values of a document attribute
    (``by``: document, coder, set, case, or an attribute name such as source, date or an
    imported key). A document in several sets (cases) counts in each of their columns;
    the documents in none are counted under ``(none)``. ``documents``, ``sets`` and
    ``cases`` narrow the documents counted (see selection.document_scope)."""
    if measure not in MEASURES:
        raise ServiceError(f"--measure takes {', '.join(MEASURES)}, not {measure!r}")
    rows = _selections(project, codes, subcodes)
    coder_ids = sel.visible(sel.coder_ids(project, coders) if coders else None, visible_coders)
    doc_ids = sel.document_scope(project, documents, sets, cases)
    base = sel.base_filter(coder_ids, doc_ids)
    with project.session() as s:
        conn = qmark_connection(s)
        key, join, columns = columns_by(s, conn, by, coder_ids, doc_ids)
        counts = []
        for n, r in enumerate(rows):
            step(progress, cancelled, n / len(rows))
            f = base & sel.conditions(s, where, r.ids)
            q = (
                f"SELECT {key}, {_MEASURE_SQL[measure]} FROM coding c JOIN document d "
                f"ON d.id = c.document_id {join} "
                f"WHERE c.code_id IN ({','.join('?' * len(r.ids))}) AND ({f.sql}) GROUP BY 1"
            )
            got = {k: int(n or 0) for k, n in conn.execute(q, (*r.ids, *f.params))}
            counts.append(tuple(got.get(k, 0) for k, _ in columns))
    return Matrix(
        tuple(r.path for r in rows), tuple(name for _, name in columns), tuple(counts), measure
    )


_GROUPS = {  # --by set / case: (membership table, its key column, the names' table)
    "set": ("set_document", "set_id", "item_set"),
    "case": ("case_document", "case_id", "study_case"),
}


def columns_by(
    s, conn, by: str, coder_ids=None, doc_ids=None
) -> tuple[str, str, list[tuple[object, str]]]:
    """The SQL key expression over ``coding c`` and ``document d``, the JOIN it needs
    (empty or over alias ``g``) and the (key, label) columns in display order."""
    if by == "document":
        q = "SELECT id, name FROM document ORDER BY name, id"
        cols = [(i, n) for i, n in conn.execute(q) if doc_ids is None or i in set(doc_ids)]
        return "c.document_id", "", cols
    if by == "coder":
        q = "SELECT id, name FROM coder ORDER BY name"
        cols = [(i, n) for i, n in conn.execute(q) if coder_ids is None or i in set(coder_ids)]
        return "c.coder_id", "", cols
    if by.lower() in _GROUPS:
        table, key, names = _GROUPS[by.lower()]
        cols = list(conn.execute(
            f"SELECT id, name FROM {names} WHERE id IN (SELECT {key} FROM {table}) "
            "ORDER BY lower(name), id"
        ).fetchall())  # fmt: skip
        outside = conn.execute(
            f"SELECT 1 FROM document WHERE id NOT IN (SELECT document_id FROM {table}) LIMIT 1"
        ).fetchone()
        if outside is not None:
            cols.append((-1, NONE_VALUE))
        join = f"LEFT JOIN {table} g ON g.document_id = c.document_id"
        return f"coalesce(g.{key}, -1)", join, cols
    attr = by[len("document.") :] if by.lower().startswith("document.") else by
    from desktop.services.documents.filter import attribute_expr

    found = None if attr.lower() == "name" else attribute_expr(s, attr)
    if attr.lower() == "name":
        expr = "d.name"
    elif found is not None:
        expr = found[0]
    else:
        found = conn.execute(
            "SELECT 1 FROM document, json_each(document.extra) WHERE json_each.key = ? LIMIT 1",
            (attr,),
        ).fetchone()
        if found is None:
            raise NotFound(
                f"--by {by!r}: documents have no attribute {attr!r} (use document, coder, set, case, "
                f"{', '.join(sel.DOCUMENT_COLUMNS)} or an imported metadata key)"
            )
        path = '$."' + attr.replace('"', '""') + '"'
        expr = "json_extract(d.extra, '" + path.replace("'", "''") + "')"
    key = f"coalesce(CAST({expr} AS TEXT), '{NONE_VALUE}')"
    values = [v for (v,) in conn.execute(f"SELECT DISTINCT {key} FROM document d ORDER BY 1")]
    return key, "", [(v, v) for v in values]


def cooccurrence_matrix(
    project, codes: Sequence[str], *, within: int | None = None, same: str | None = None,
    subcodes: bool = False, coders: Sequence[str] = (), documents: Sequence[str] = (),
    sets: Sequence[str] = (), cases: Sequence[str] = (),
    visible_coders: Sequence[int] | None = None, progress: Progress = None,
    cancelled: IsCancelled = None,
) -> Matrix:  # fmt: skip
    """How often codings of two chosen codes co-occur in a document: overlap (share a
    character; the default), within N characters (a gap of at most N), or touch the same
    sentence or paragraph. ``counts[i][j]`` is the number of co-occurring pairs (a
    coding of i, a coding of j); ``c_coefficient[i][j]`` is n_ij / (n_i + n_j - n_ij)
    with n_i the codings of code i. A coding of a sub-code counts for its row when
    ``subcodes``; a coding falling under two rows counts in both."""
    if within is not None and same is not None:
        raise ServiceError("give either --within N or --same sentence|paragraph, not both")
    if within is not None and within < 0:
        raise ServiceError("the distance (--within) cannot be negative")
    if same not in (None, "sentence", "paragraph"):
        raise ServiceError(f"--same takes sentence or paragraph, not {same!r}")
    rows = _selections(project, codes, subcodes)
    coder_ids = sel.visible(sel.coder_ids(project, coders) if coders else None, visible_coders)
    doc_ids = sel.document_scope(project, documents, sets, cases)
    base = sel.base_filter(coder_ids, doc_ids)
    row_of: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        for cid in r.ids:
            row_of.setdefault(cid, []).append(i)
    segmenting = None
    with project.session() as s:
        conn = qmark_connection(s)
        if same is not None:
            # The texts are cut into sentences (or paragraphs) in a thread while SQLite,
            # which lets go of the interpreter, reads the codings: the documents that
            # have codings of these codes (a few of them may be filtered out later).
            ids = sorted(row_of)
            docs = [d for (d,) in conn.execute(
                f"SELECT DISTINCT document_id FROM coding WHERE code_id IN ({','.join('?' * len(ids))})",
                ids,
            )]  # fmt: skip
            segmenting = _pool.submit(segment_spans, project, docs, same)
        try:
            arr = coding_columns(
                conn, ("c.document_id", "c.code_id", "c.start", 'c."end"'), sorted(row_of),
                base.sql, base.params,
            )  # fmt: skip
        except BaseException:
            if segmenting is not None:
                segmenting.cancel()
            raise
    doc, code, start, end = (np.ascontiguousarray(arr[:, k]) for k in range(4))
    del arr  # a million rows: keep one copy of them
    # Each coding becomes one passage per row it belongs to.
    lookup = {cid: rs for cid, rs in row_of.items()}
    if all(len(rs) == 1 for rs in lookup.values()):
        table = np.full(max(lookup) + 1, -1, dtype=np.int64)
        for cid, rs in lookup.items():
            table[cid] = rs[0]
        row = table[code]
    else:
        parts = [(k, r) for k, cid in enumerate(code.tolist()) for r in lookup[cid]]
        idx = np.array([k for k, _ in parts], dtype=np.int64)
        row = np.array([r for _, r in parts], dtype=np.int64)
        doc, start, end = doc[idx], start[idx], end[idx]
    step(progress, cancelled, 0.3)
    if same is not None:
        # in text order the segment look-ups walk their tables forwards, and the
        # sentence numbers come out sorted for the count (which does not depend on the
        # order: an unstable sort, several times faster, does)
        order = np.argsort(iv.encode(doc, start))
        doc, start, end, row = doc[order], start[order], end[order], row[order]
    x = iv.Intervals(doc, start, end)
    if segmenting is not None:
        x = _segment_numbers(x, segmenting.result())
    step(progress, cancelled, 0.7)
    result = iv.cooccurrence(row, x, len(rows), within=within)
    names = tuple(r.path for r in rows)
    return Matrix(
        names, names, tuple(tuple(int(v) for v in r) for r in result.pairs), "codings",
        tuple(tuple(float(v) for v in r) for r in result.c), tuple(int(v) for v in result.n),
    )  # fmt: skip


def _segment_numbers(x: iv.Intervals, spans: dict[int, np.ndarray]) -> iv.Intervals:
    """Passages as [first, last) numbers of the sentences or paragraphs (``spans``, by
    document) they touch. A passage that touches none (white space between them) is
    in no sentence and co-occurs with nothing: it is given a document of its own (a
    negative number)."""
    first, last = touching_many(x.doc, x.start, x.end, spans)
    doc = x.doc
    none = np.flatnonzero(first >= last)
    if len(none):
        doc = doc.copy()
        doc[none] = -1 - np.arange(len(none))
    return iv.Intervals(doc, first, last)
