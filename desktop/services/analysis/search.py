"""Corpus search: words, "phrases", prefixes (negotiat*), AND / OR / NOT through the
SQLite FTS5 index (which documents match), then the hits' positions found in each
matching document's text by a regular expression built from the same query; or a
user's regular expression (``regex=True``), which has to read every text.

Results come as keyword-in-context lines, document by document (documents in name
order, hits in text order), produced lazily: the first screen needs only the first
few matching documents. ``plan_code_all`` / ``code_all`` apply a code to every hit,
extended to its word, sentence or paragraph, in one transaction."""

from __future__ import annotations

import bisect
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from db.engine import qmark_connection
from desktop.core.analysis import kwic
from desktop.core.analysis.search_query import QueryError, compile_regex, parse
from desktop.core.analysis.segments import SpanIndex, segments
from desktop.services.analysis import selection as sel
from desktop.services.coding import codings
from desktop.services.errors import NotFound, ServiceError
from desktop.services.project import audit

EXTENDS = ("word", "sentence", "paragraph")
_BATCH = 16  # documents read per round trip while producing hits


@dataclass(frozen=True)
class SearchHit:
    document: str
    document_id: int
    start: int
    end: int
    left: str
    match: str
    right: str


@dataclass(frozen=True)
class SearchResult:
    query: str
    regex: re.Pattern[str]
    documents: tuple[tuple[int, str], ...]  # (id, name) of the documents that match, by name
    width: int = kwic.WIDTH

    def hits(self, project) -> Iterator[SearchHit]:
        """Every hit, document by document; texts are read a few at a time."""
        ids = [d for d, _ in self.documents]
        names = dict(self.documents)
        for i in range(0, len(ids), _BATCH):
            chunk = ids[i : i + _BATCH]
            with project.session() as s:
                conn = qmark_connection(s)
                q = f"SELECT id, text FROM document WHERE id IN ({','.join('?' * len(chunk))})"
                texts = dict(conn.execute(q, chunk).fetchall())
            for did in chunk:
                text = texts.get(did)
                if text is None:
                    continue  # deleted meanwhile
                for h in kwic.hits(text, self.regex, self.width):
                    yield SearchHit(names[did], did, h.start, h.end, h.left, h.match, h.right)

    def first(self, project, n: int = 50) -> list[SearchHit]:
        out = []
        for h in self.hits(project):
            out.append(h)
            if len(out) >= n:
                break
        return out

    def all(self, project) -> list[SearchHit]:
        return list(self.hits(project))


def counts_by_document(hits: Sequence[SearchHit]) -> dict[str, int]:
    out: dict[str, int] = {}
    for h in hits:
        out[h.document] = out.get(h.document, 0) + 1
    return out


def search(
    project, query: str, *, regex: bool = False, documents: Sequence[str] | None = None,
    width: int = kwic.WIDTH,
) -> SearchResult:  # fmt: skip
    """Documents matching ``query`` (in name order) and how to find its hits in them;
    ServiceError naming the problem for an empty query, a malformed one, an invalid
    regular expression or an unknown document, before anything is searched."""
    try:
        if regex:
            pattern, fts = compile_regex(query), None
        else:
            parsed = parse(query)
            pattern, fts = parsed.regex, parsed.fts
    except QueryError as exc:
        raise ServiceError(str(exc)) from exc
    only = sel.document_ids(project, documents) if documents else None
    with project.session() as s:
        conn = qmark_connection(s)
        if fts is None:
            rows = conn.execute("SELECT id, name FROM document ORDER BY name, id").fetchall()
        elif s.bind.dialect.name == "postgresql":
            # a server project: PostgreSQL's text search over the same index expression
            rows = conn.execute(
                "SELECT id, name FROM document WHERE to_tsvector('simple', text) @@ "
                "to_tsquery('simple', ?) ORDER BY name, id",
                (fts_to_tsquery(fts),),
            ).fetchall()
        else:
            try:
                rows = conn.execute(
                    "SELECT d.id, d.name FROM document_fts f JOIN document d ON d.id = f.rowid "
                    "WHERE document_fts MATCH ? ORDER BY d.name, d.id",
                    (fts,),
                ).fetchall()
            except sqlite3.OperationalError as exc:
                raise ServiceError(f"search query {query!r} cannot be searched ({exc})") from exc
    if only is not None:
        keep = set(only)
        rows = [r for r in rows if r[0] in keep]
    return SearchResult(query, pattern, tuple((int(i), n) for i, n in rows), width)


_FTS_TOKEN = re.compile(r'"([^"]*)"(\*?)|\(|\)|AND|OR|NOT')


def fts_to_tsquery(fts: str) -> str:
    """The FTS5 MATCH expression the query parser makes, as a PostgreSQL tsquery:
    a phrase's words joined by <-> (followed by), a prefix by :*, AND/OR by & and |,
    ``a NOT b`` (FTS5's binary NOT) by ``a & !b``. The precedence agrees: FTS5 binds
    NOT tighter than AND tighter than OR, as tsquery binds ! tighter than & than |."""
    out: list[str] = []
    for m in _FTS_TOKEN.finditer(fts):
        token = m.group(0)
        if m.group(1) is not None:
            words = ["'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in m.group(1).split()]
            if m.group(2):
                words[-1] += ":*"
            out.append("(" + " <-> ".join(words) + ")")
        else:
            out.append({"AND": "&", "OR": "|", "NOT": "& !"}.get(token, token))
    return " ".join(out)


# -- code all hits ------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeAllPlan:
    code_id: int
    code_path: str
    coder_id: int
    extend: str
    passages: tuple[tuple[int, int, int], ...]  # (document id, start, end), distinct
    already_coded: tuple[tuple[int, int, int], ...]  # of those, already inside a coding

    @property
    def to_code(self) -> tuple[tuple[int, int, int], ...]:
        done = set(self.already_coded)
        return tuple(p for p in self.passages if p not in done)


@dataclass(frozen=True)
class CodeAllReport:
    plan: CodeAllPlan
    coding_ids: tuple[int, ...]  # the codings made (undo: remove_codings)


def plan_code_all(
    project, result: SearchResult, code_path: str, coder_id: int, extend: str = "word"
) -> CodeAllPlan:
    """What coding every hit would do: the distinct passages (hits extended to whole
    words, sentences or paragraphs) and those of them already coded with the code by
    the coder (inside one of their codings), which are left as they are."""
    if extend not in EXTENDS:
        raise ServiceError(f"--extend takes word, sentence or paragraph, not {extend!r}")
    code = sel.select_codes(project, code_path)
    with project.session() as s:
        conn = qmark_connection(s)
        if conn.execute("SELECT 1 FROM coder WHERE id = ?", (coder_id,)).fetchone() is None:
            raise NotFound(f"no coder with id {coder_id}")
    passages: list[tuple[int, int, int]] = []
    seen: set[tuple[int, int, int]] = set()
    index: dict[int, SpanIndex] = {}
    texts: dict[int, str] = {}
    for h in result.hits(project):
        if h.document_id not in index:
            index.clear()  # one document at a time: hits come document by document
            texts.clear()
            with project.session() as s:
                conn = qmark_connection(s)
                text = conn.execute("SELECT text FROM document WHERE id = ?", (h.document_id,)).fetchone()[0]
            texts[h.document_id] = text
            index[h.document_id] = SpanIndex(segments(text, extend))
        a, b = index[h.document_id].extend(h.start, h.end)
        p = (h.document_id, a, b)
        if p not in seen:
            seen.add(p)
            passages.append(p)
    already = _already_coded(project, passages, code.ids[0], coder_id)
    return CodeAllPlan(code.ids[0], code.path, coder_id, extend, tuple(passages), tuple(already))


def _already_coded(project, passages, code_id: int, coder_id: int) -> list[tuple[int, int, int]]:
    docs = sorted({d for d, _, _ in passages})
    existing: dict[int, list[tuple[int, int]]] = {}
    with project.session() as s:
        conn = qmark_connection(s)
        for i in range(0, len(docs), 900):
            chunk = docs[i : i + 900]
            for did, a, b in conn.execute(
                'SELECT document_id, start, "end" FROM coding WHERE code_id = ? AND coder_id = ? '
                f"AND document_id IN ({','.join('?' * len(chunk))}) ORDER BY document_id, start",
                (code_id, coder_id, *chunk),
            ):
                existing.setdefault(did, []).append((a, b))
    out = []
    for p in passages:
        spans = existing.get(p[0], [])
        starts = [a for a, _ in spans]
        k = bisect.bisect_right(starts, p[1])
        if any(e >= p[2] for _, e in spans[:k]):
            out.append(p)
    return out


def code_all(project, plan: CodeAllPlan) -> CodeAllReport:
    """Apply the plan in one transaction (all of it or nothing)."""
    made = []
    with project.session() as s:
        for did, a, b in plan.to_code:
            c = codings.insert_coding(
                s, project.actor, document_id=did, code_id=plan.code_id, coder_id=plan.coder_id,
                start=a, end=b,
            )  # fmt: skip
            made.append(c.id)
    return CodeAllReport(plan, tuple(made))


def remove_codings(project, coding_ids: Sequence[int]) -> int:
    """Take back a code-all (its undo): the codings removed in one transaction."""
    from db import models as m

    n = 0
    with project.session() as s:
        for cid in coding_ids:
            c = s.get(m.Coding, cid)
            if c is None:
                continue
            audit.record(s, project.actor, "delete", "coding", c.id, codings.snapshot(c), None)
            s.delete(c)
            n += 1
    return n
