"""Coded passages across the corpus: a code selection A, optionally combined with a
second one B (OR, AND, NOT, NEAR, FOLLOWED BY; defined in desktop.core.analysis.intervals),
filtered by coders, documents (by name, set or case) and conditions
(desktop.services.analysis.selection).

The result keeps every passage as a row of numpy arrays; ``page`` turns one screen of
rows into ``Passage`` objects with their text, context, memo and field values, so a
million passages never become a million Python objects. Blind coding: pass the coders
the user may see (``teams.visible_coder_ids``) as ``visible_coders``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from db.engine import qmark_connection
from desktop.core.analysis import intervals as iv
from desktop.core.analysis.segments import context_span, touching_many
from desktop.services.analysis import selection as sel
from desktop.services.analysis.fetch import coding_columns, rows_in, segment_spans
from desktop.services.analysis.progress import IsCancelled, Progress, step
from desktop.services.documents.documents import page_of
from desktop.services.errors import ServiceError

OPERATORS = ("or", "and", "not", "near", "followed_by")
SORTS = ("document", "code", "coder", "length")
CONTEXTS = ("none", "sentence", "paragraph")


@dataclass(frozen=True)
class RetrievalQuery:
    code: str
    subcodes: bool = False
    op: str | None = None  # one of OPERATORS
    other: str | None = None  # B's code path
    within: int | None = None  # NEAR / FOLLOWED BY distance in characters
    same: str | None = None  # NEAR in the same "sentence" or "paragraph"
    coders: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()  # only documents in any of these document sets
    cases: tuple[str, ...] = ()  # only documents in any of these cases


@dataclass(frozen=True)
class Passage:
    document: str
    document_id: int
    page: int | None
    code: str
    coder: str
    start: int
    end: int
    text: str
    before: str  # context before the passage (empty with context "none")
    after: str
    memo: str
    values: dict[str, str]
    coding_id: int | None  # None for an A AND B stretch, which is no single coding


@dataclass(frozen=True)
class RetrievalResult:
    """Rows in display order. ``coding`` is -1 for A AND B stretches, as are their
    ``code`` and ``coder`` (named by ``and_label`` and worked out per page)."""

    query: RetrievalQuery
    coding: np.ndarray
    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    code: np.ndarray
    coder: np.ndarray
    doc_names: dict[int, str]
    code_paths: dict[int, str]
    coder_names: dict[int, str]
    and_label: str = ""
    and_codes: tuple[int, ...] = ()
    visible_coders: tuple[int, ...] | None = None
    _order: np.ndarray | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.doc)

    @property
    def total(self) -> int:
        return len(self.doc)

    def counts_by_code(self) -> dict[str, int]:
        if self.and_label:
            return {self.and_label: len(self)} if len(self) else {}
        ids, n = np.unique(self.code, return_counts=True)
        return {self.code_paths[int(i)]: int(k) for i, k in zip(ids, n, strict=True)}

    def counts_by_document(self) -> dict[str, int]:
        ids, n = np.unique(self.doc, return_counts=True)
        pairs = sorted((self.doc_names[int(i)], int(k)) for i, k in zip(ids, n, strict=True))
        return dict(pairs)

    def sorted_by(self, key: str = "document", descending: bool = False) -> RetrievalResult:
        """The same rows in another order (document name then position by default)."""
        if key not in SORTS:
            raise ServiceError(f"passages can be sorted by {', '.join(SORTS)}, not {key!r}")
        doc_rank = _rank(self.doc, self.doc_names)
        if key == "document":
            order = np.lexsort((self.end, self.start, doc_rank))
        elif key == "code":
            order = np.lexsort((self.start, doc_rank, _rank(self.code, self.code_paths)))
        elif key == "coder":
            order = np.lexsort((self.start, doc_rank, _rank(self.coder, self.coder_names)))
        else:
            order = np.lexsort((self.start, doc_rank, self.end - self.start))
        if descending:
            order = order[::-1]
        arrays = {
            k: getattr(self, k)[order] for k in ("coding", "doc", "start", "end", "code", "coder")
        }
        return RetrievalResult(
            self.query, **arrays, doc_names=self.doc_names, code_paths=self.code_paths,
            coder_names=self.coder_names, and_label=self.and_label, and_codes=self.and_codes,
            visible_coders=self.visible_coders,
        )  # fmt: skip

    def page(
        self, project, offset: int = 0, limit: int = 50, *, context: str | int = "none"
    ) -> list[Passage]:
        """Rows offset .. offset+limit as passages, reading only what they need."""
        context = check_context(context)
        rows = range(max(0, offset), min(len(self), offset + limit))
        if not rows:
            return []
        docs = sorted({int(self.doc[i]) for i in rows})
        ids = [int(self.coding[i]) for i in rows if self.coding[i] >= 0]
        with project.session() as s:
            conn = qmark_connection(s)
            texts = dict(rows_in(conn, "SELECT id, text FROM document WHERE id IN ({})", docs))
            pages: dict[int, list[int]] = {}
            for did, a in rows_in(conn, "SELECT document_id, char_start FROM page WHERE document_id IN ({}) ORDER BY document_id, number", docs):  # fmt: skip
                pages.setdefault(did, []).append(a)
            memos = dict(rows_in(conn, "SELECT id, memo FROM coding WHERE id IN ({})", ids))
            values: dict[int, dict[str, str]] = {}
            for cid, name, value in rows_in(conn, "SELECT v.coding_id, f.name, v.value FROM coding_value v JOIN code_field f ON f.id = v.field_id WHERE v.coding_id IN ({}) ORDER BY f.sort_order, f.id", ids):  # fmt: skip
                values.setdefault(cid, {})[name] = value
            stretch_coders = self._stretch_coders(conn, rows) if self.and_label else {}
        out = []
        for i in rows:
            did, a, b, cid = (
                int(self.doc[i]),
                int(self.start[i]),
                int(self.end[i]),
                int(self.coding[i]),
            )
            text = texts[did]
            ca, cb = context_span(text, a, b, context)
            out.append(
                Passage(
                    document=self.doc_names[did],
                    document_id=did,
                    page=page_of(pages[did], a) if did in pages else None,
                    code=self.and_label or self.code_paths[int(self.code[i])],
                    coder=stretch_coders.get(i, "")
                    if self.and_label
                    else self.coder_names[int(self.coder[i])],
                    start=a,
                    end=b,
                    text=text[a:b],
                    before=text[ca:a],
                    after=text[b:cb],
                    memo=(memos.get(cid) or "") if cid >= 0 else "",
                    values=values.get(cid, {}),
                    coding_id=cid if cid >= 0 else None,
                )  # fmt: skip
            )
        return out

    def iter_pages(
        self, project, size: int = 500, *, context: str | int = "none"
    ) -> Iterator[Passage]:
        for offset in range(0, len(self), size):
            yield from self.page(project, offset, size, context=context)

    def _stretch_coders(self, conn, rows: range) -> dict[int, str]:
        """Who coded each A AND B stretch: the coders of the A or B codings under it."""
        out = {}
        codes = list(self.and_codes)
        for i in rows:
            params = [int(self.doc[i]), int(self.end[i]), int(self.start[i]), *codes]
            sql = (
                "SELECT DISTINCT c.coder_id FROM coding c WHERE c.document_id = ? AND c.start < ? "
                f'AND c."end" > ? AND c.code_id IN ({",".join("?" * len(codes))})'
            )
            if self.visible_coders is not None:
                sql += f" AND c.coder_id IN ({','.join('?' * len(self.visible_coders)) or 'NULL'})"
                params.extend(self.visible_coders)
            names = sorted(self.coder_names[r[0]] for r in conn.execute(sql, params))
            out[i] = ", ".join(names)
        return out


def _rank(ids: np.ndarray, names: dict[int, str]) -> np.ndarray:
    """Each id's position in the alphabetical order of the names (for sorting)."""
    ordered = sorted(names, key=lambda k: (names[k].lower(), k))
    rank = {k: r for r, k in enumerate(ordered)}
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    lookup = np.full(max(max(names, default=0), int(ids.max())) + 1, -1, dtype=np.int64)
    for k, r in rank.items():
        lookup[k] = r
    return lookup[np.maximum(ids, 0)]


def check_context(context: str | int) -> str | int:
    if isinstance(context, int) or (isinstance(context, str) and context.isdigit()):
        return int(context)
    if context not in CONTEXTS:
        raise ServiceError(
            f"unknown context {context!r}: use none, sentence, paragraph or a number of words"
        )
    return context


# -- running a query --------------------------------------------------------------------


def retrieve(
    project, query: RetrievalQuery, *, visible_coders: Sequence[int] | None = None,
    progress: Progress = None, cancelled: IsCancelled = None,
) -> RetrievalResult:  # fmt: skip
    """Run a query; ServiceError naming the problem (unknown code, coder, document, field,
    a distance missing or negative) before anything is read. ``progress``/``cancelled``:
    see desktop.services.analysis.progress."""
    op = (query.op or "").lower().replace(" ", "_") or None
    if op is not None and op not in OPERATORS:
        raise ServiceError(f"unknown operator {query.op!r}: use {', '.join(OPERATORS)}")
    if op and not query.other:
        raise ServiceError(f"{op.replace('_', ' ').upper()} needs a second code")
    if op in ("near", "followed_by"):
        if query.same is None and query.within is None:
            raise ServiceError(f"{op.replace('_', ' ').upper()} needs a distance (--within N)")
        if query.within is not None and query.within < 0:
            raise ServiceError("the distance (--within) cannot be negative")
        if query.same not in (None, "sentence", "paragraph"):
            raise ServiceError(f"--same takes sentence or paragraph, not {query.same!r}")
        if query.same and op != "near":
            raise ServiceError("--same works with NEAR only")
    tree = sel.code_tree(project)
    a = sel.select_codes(project, query.code, subcodes=query.subcodes, tree=tree)
    b = sel.select_codes(project, query.other, subcodes=query.subcodes, tree=tree) if op else None
    coders = sel.visible(
        sel.coder_ids(project, query.coders) if query.coders else None, visible_coders
    )
    docs = sel.document_scope(project, query.documents, query.sets, query.cases)
    base = sel.base_filter(coders, docs)
    step(progress, cancelled, 0.0)
    with project.session() as s:
        where_a = base & sel.conditions(s, query.where, a.ids)
        # Conditions on fields restrict A; B is the context A is compared with.
        where_b = base & _document_only(s, query.where, b.ids) if b else None
        conn = qmark_connection(s)
        rows_a = _fetch(conn, a.ids, where_a)
        rows_b = _fetch(conn, b.ids, where_b) if b else None
        doc_names = dict(conn.execute("SELECT id, name FROM document").fetchall())
        code_paths = {i: p for i, _, p in tree}
        coder_names = dict(conn.execute("SELECT id, name FROM coder").fetchall())
    vis = tuple(coders) if coders is not None else None
    step(progress, cancelled, 0.5)
    result = _combine(op, query, rows_a, rows_b, project)
    step(progress, cancelled, 0.9)
    if op == "and":
        assert b is not None
        r = RetrievalResult(
            query, np.full(len(result.doc), -1, dtype=np.int64), result.doc, result.start, result.end,
            np.full(len(result.doc), -1, dtype=np.int64), np.full(len(result.doc), -1, dtype=np.int64),
            doc_names, code_paths, coder_names, and_label=f"{a.path} AND {b.path}",
            and_codes=a.ids + b.ids, visible_coders=vis,
        )  # fmt: skip
    else:
        cid, did, code, coder, start, end = result.arrays
        r = RetrievalResult(
            query, cid, did, start, end, code, coder, doc_names, code_paths, coder_names,
            visible_coders=vis,
        )  # fmt: skip
    return r.sorted_by("document")


def _document_only(s, conds: Sequence[str], code_ids: Sequence[int]) -> sel.Filter:
    doc_conds = [c for c in conds if c.strip().lower().startswith("document.")]
    return sel.conditions(s, doc_conds, code_ids)


@dataclass(frozen=True)
class _Rows:
    """(coding, doc, code, coder, start, end) columns of selected codings."""

    arrays: tuple[np.ndarray, ...]

    @property
    def intervals(self) -> iv.Intervals:
        return iv.Intervals(self.arrays[1], self.arrays[4], self.arrays[5])

    def take(self, mask: np.ndarray) -> _Rows:
        return _Rows(tuple(x[mask] for x in self.arrays))

    @property
    def doc(self) -> np.ndarray:
        return self.arrays[1]


def _fetch(conn, code_ids: Sequence[int], where: sel.Filter) -> _Rows:
    cols = ("c.id", "c.document_id", "c.code_id", "c.coder_id", "c.start", 'c."end"')
    arr = coding_columns(conn, cols, code_ids, where.sql, where.params)
    return _Rows(tuple(np.ascontiguousarray(arr[:, k]) for k in range(6)))


def _combine(op, query: RetrievalQuery, a: _Rows, b: _Rows | None, project):
    if op is None:
        return a
    assert b is not None
    if op == "or":
        merged = _Rows(
            tuple(np.concatenate((x, y)) for x, y in zip(a.arrays, b.arrays, strict=True))
        )
        _, first = np.unique(merged.arrays[0], return_index=True)  # a coding in both: once
        return merged.take(np.sort(first))
    if op == "and":
        return iv.intersection(a.intervals, b.intervals)
    if op == "not":
        return a.take(iv.not_(a.intervals, b.intervals))
    if op == "followed_by":
        return a.take(iv.followed_by(a.intervals, b.intervals, int(query.within or 0)))
    if query.same:
        sa, sb = _to_segments(project, a, b, query.same)
        return a.take(iv.overlapping(sa, sb))
    return a.take(iv.near(a.intervals, b.intervals, int(query.within or 0)))


def _to_segments(project, a: _Rows, b: _Rows, unit: str) -> tuple[iv.Intervals, iv.Intervals]:
    """A and B with offsets replaced by the [first, last) numbers of the sentences or
    paragraphs they touch; only documents holding both are read."""
    both = sorted(set(np.unique(a.doc).tolist()) & set(np.unique(b.doc).tolist()))
    spans = segment_spans(project, both, unit)

    def mapped(rows: _Rows) -> iv.Intervals:
        x = rows.intervals
        return iv.Intervals(x.doc, *touching_many(x.doc, x.start, x.end, spans))

    return mapped(a), mapped(b)
