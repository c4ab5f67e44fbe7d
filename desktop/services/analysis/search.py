"""Corpus search: words, "phrases", prefixes (negotiat*), AND / OR / NOT through the
SQLite FTS5 index (which documents match), then the hits' positions found in each
matching document's text by a regular expression built from the same query; or a
user's regular expression (``regex=True``), which has to read every text.

Words are compared folded (desktop.core.folding: case, Arabic harakat and tatweel,
digits of every script, NFC/NFD, ZWNJ, yeh/kaf), hits pointing at the original
characters; ``exact=True`` matches the same characters only. The index folds case
but not the rest, so a folded search asks it for the documents whose text needs no
more than that, and adds the documents whose text holds characters that fold further
(known per document after its first search in a session). Folded texts are cached.
A project made before the index may still be building it (see fulltext): a search that
needs it is refused meanwhile rather than missing the documents not yet indexed.

Words of the scripts written without spaces (Chinese, Japanese, Thai...) are dictionary
words (see search_query): such a query reads every text, as a regular expression does.

Results come as keyword-in-context lines, document by document (documents in name
order, hits in text order), produced lazily: the first screen needs only the first
few matching documents. ``plan_code_all`` / ``code_all`` apply a code to every hit,
extended to its word, sentence or paragraph, in one transaction."""

from __future__ import annotations

import bisect
import re
import sqlite3
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from db.engine import qmark_connection
from desktop.core.analysis import kwic
from desktop.core.analysis.search_query import (
    ParsedQuery,
    QueryError,
    Term,
    compile_regex,
    parse,
    term_regex,
    word_hits,
)
from desktop.core.analysis.segments import SpanIndex, segments
from desktop.core.folding import Folded, fold
from desktop.services.analysis import fulltext
from desktop.services.analysis import selection as sel
from desktop.services.coding import codings
from desktop.services.errors import NotFound, ServiceError
from desktop.services.project import audit

EXTENDS = ("word", "sentence", "paragraph")
_BATCH = 16  # documents read per round trip while producing hits
_CACHE_CHARS = 64_000_000  # folded texts kept for the next search, in characters


class _FoldCache:
    """Per process: which documents (by id and sha256: a text never changes) need more
    folding than the index does, and the last searched documents' folded texts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.needs: dict[tuple[int, str], int] = {}
        self.texts: OrderedDict[tuple[int, str], Folded] = OrderedDict()
        self.size = 0

    def folded(self, key: tuple[int, str], text: str) -> Folded:
        with self.lock:
            got = self.texts.get(key)
            if got is not None:
                self.texts.move_to_end(key)
                return got
        got = fold(text)
        with self.lock:
            self.texts[key] = got
            self.size += len(got.text)
            while self.size > _CACHE_CHARS and len(self.texts) > 1:
                _, old = self.texts.popitem(last=False)
                self.size -= len(old.text)
        return got


_cache = _FoldCache()


_PLAIN, _FOLDS, _FOLDS_LATIN = 0, 1, 2


def _folding_need(text: str) -> int:
    """How the index (unicode61: case folded, nothing else) may cut or spell a word of
    ``text`` otherwise than folding does. _FOLDS: combining marks, harakat, tatweel,
    ZWNJ, digits of other scripts, yeh/kaf variants; _FOLDS_LATIN: also characters that
    fold to ASCII letters otherwise than by their lower case (ß, ﬁ, the Kelvin sign), so
    that even a query of plain ASCII letters may find words the index spells otherwise."""
    if text.isascii():
        return _PLAIN
    need = _PLAIN
    for ch in set(text):
        if ch.isascii():
            continue
        if unicodedata.category(ch)[0] == "M":
            need = max(need, _FOLDS)
            continue
        f = unicodedata.normalize("NFC", fold(ch).text)
        if f != ch.lower():
            need = max(need, _FOLDS_LATIN if any("a" <= c <= "z" for c in f) else _FOLDS)
            if need == _FOLDS_LATIN:
                break
    return need


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
    mode: str = "case"  # folded: ``regex`` runs on the folded text (search_query.MODES)
    # the parsed query (None for a regular expression): with words in a script written
    # without spaces, each document is judged here (the index cannot)
    parsed: ParsedQuery | None = None

    def hits(self, project, cancelled: Callable[[], bool] | None = None) -> Iterator[SearchHit]:
        """Every hit, document by document; texts are read a few at a time. Stops
        between documents once ``cancelled()`` is true."""
        ids = [d for d, _ in self.documents]
        names = dict(self.documents)
        for i in range(0, len(ids), _BATCH):
            if cancelled is not None and cancelled():
                return
            chunk = ids[i : i + _BATCH]
            with project.session() as s:
                conn = qmark_connection(s)
                q = f"SELECT id, text, sha256 FROM document WHERE id IN ({','.join('?' * len(chunk))})"
                texts = {r[0]: (r[1], r[2]) for r in conn.execute(q, chunk).fetchall()}
            for did in chunk:
                if did not in texts:
                    continue  # deleted meanwhile
                text, sha = texts[did]
                if self.mode == "folded" and not text.isascii():
                    folded = _cache.folded((did, sha), text)

                    def spans(rx, _f=folded):
                        return _folded_spans(_f, rx)
                else:

                    def spans(rx, _t=text):
                        return kwic.spans(_t, rx)

                if self.parsed is not None and self.parsed.unspaced:
                    found = _unspaced_hits(self.parsed, text, spans)
                else:
                    found = spans(self.regex)
                for h in kwic.around(text, found, self.width):
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


def _unspaced_hits(
    parsed: ParsedQuery, text: str, spans: Callable[[re.Pattern[str]], list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """The hits of a query with words in a script written without spaces: none if the
    text does not match the query as a whole, else each positive term's hits that begin
    and end at dictionary word boundaries, in text order, none overlapping another."""
    found: dict[Term, list[tuple[int, int]]] = {}

    def hits_of(term: Term) -> list[tuple[int, int]]:
        if term not in found:
            rx = term_regex((term,), parsed.mode)
            found[term] = word_hits(text, spans(rx), prefix=term.prefix)
        return found[term]

    if not parsed.matches(lambda term: bool(hits_of(term))):
        return []
    every = sorted({s for t in parsed.terms for s in hits_of(t)}, key=lambda s: (s[0], -s[1]))
    out: list[tuple[int, int]] = []
    for a, b in every:
        if not out or a >= out[-1][1]:
            out.append((a, b))
    return out


def _folded_spans(folded: Folded, regex: re.Pattern[str]) -> list[tuple[int, int]]:
    found = [m.span() for m in regex.finditer(folded.text) if m.end() > m.start()]
    if not found:
        return []
    arr = np.array(found, dtype=np.int64)
    return folded.original_spans(arr[:, 0], arr[:, 1])


def counts_by_document(hits: Sequence[SearchHit]) -> dict[str, int]:
    out: dict[str, int] = {}
    for h in hits:
        out[h.document] = out.get(h.document, 0) + 1
    return out


def search(
    project, query: str, *, regex: bool = False, exact: bool = False,
    documents: Sequence[str] | None = None, sets: Sequence[str] = (),
    cases: Sequence[str] = (), width: int = kwic.WIDTH,
) -> SearchResult:  # fmt: skip
    """Documents matching ``query`` (in name order) and how to find its hits in them;
    ServiceError naming the problem for an empty query, a malformed one, an invalid
    regular expression or an unknown document, before anything is searched. Words are
    compared folded unless ``exact``; a regular expression (``regex``) ignores case
    only (and case too with ``exact``). ``documents``, ``sets`` and ``cases`` narrow
    the search to those documents, those in any of the sets and any of the cases."""
    mode = "exact" if exact else ("case" if regex else "folded")
    parsed = None
    try:
        if regex:
            pattern, fts = compile_regex(query), None
            if exact:
                pattern = re.compile(pattern.pattern, re.MULTILINE)
        else:
            parsed = parse(query, mode)
            # the index takes a run of Chinese or Thai letters for one word: it cannot
            # say which documents hold a dictionary word of it (the texts are read)
            pattern, fts = parsed.regex, None if parsed.unspaced else parsed.fts
    except QueryError as exc:
        raise ServiceError(str(exc)) from exc
    only = sel.document_scope(project, documents or (), sets, cases)
    if fts is not None:
        fulltext.require(project)  # not a silent miss of the documents not yet indexed
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
            if mode == "folded":
                ascii_letters = all(
                    w.isascii() and w.isalpha() for t in parsed.terms for w in t.words
                )
                rows = _with_folding_documents(
                    conn, rows, _FOLDS_LATIN if ascii_letters else _FOLDS
                )
    if only is not None:
        keep = set(only)
        rows = [r for r in rows if r[0] in keep]
    docs = tuple((int(i), n) for i, n in rows)
    return SearchResult(query, pattern, docs, width, mode, parsed)


def prepare_folding(project, progress=None, cancelled=None) -> int:
    """Learn which documents need more folding than the index does (what the first
    folded search of a session would otherwise do before its first hit); the window
    calls it in a worker when the search opens. Returns how many need it."""
    from desktop.services.analysis.progress import step

    with project.session() as s:
        conn = qmark_connection(s)
        every = conn.execute("SELECT id, sha256 FROM document").fetchall()
        todo = [i for i, sha in every if (i, sha) not in _cache.needs]
        for k in range(0, len(todo), _BATCH):
            step(progress, cancelled, k / max(1, len(todo)))
            _classify(conn, todo[k : k + _BATCH])
    return sum(1 for i, sha in every if _cache.needs.get((i, sha), 0) > _PLAIN)


def _classify(conn, ids: Sequence[int]) -> None:
    q = f"SELECT id, sha256, text FROM document WHERE id IN ({','.join('?' * len(ids))})"
    for i, sha, text in conn.execute(q, list(ids)).fetchall():
        _cache.needs[(i, sha)] = _folding_need(text)


def _with_folding_documents(conn, rows: list[tuple], level: int) -> list[tuple]:
    """The index's matches plus the documents it cannot judge for this query: those
    whose folding need (see _folding_need) is at least ``level``."""
    known = _cache.needs
    every = conn.execute("SELECT id, name, sha256 FROM document").fetchall()
    todo = [i for i, _, sha in every if (i, sha) not in known]
    for k in range(0, len(todo), _BATCH):
        _classify(conn, todo[k : k + _BATCH])
    have = {r[0] for r in rows}
    extra = [(i, n) for i, n, sha in every if known.get((i, sha), 0) >= level and i not in have]
    if not extra:
        return rows
    return sorted([*rows, *extra], key=lambda r: (r[1], r[0]))


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
            words = [
                "'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in m.group(1).split()
            ]
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
                text = conn.execute(
                    "SELECT text FROM document WHERE id = ?", (h.document_id,)
                ).fetchone()[0]
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
