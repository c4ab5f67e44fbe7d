"""Word frequencies of the corpus or part of it, keyness of a code's passages against
the rest of the corpus, and collocations (desktop.core.analysis.words does the counting).

Which documents: all, those named, those in some document sets or cases, or those
meeting ``document.ATTRIBUTE`` conditions (``--where``). With a code, the target is the text of its passages (overlapping
codings counted once) in those documents, the reference the rest of their text, and
each word gets its log-likelihood keyness. Blind coding: pass the coders the user may
see as ``visible_coders``.

Stop words: the lists shipped in resources/stopwords (English, French, German,
Spanish, Arabic; one word a line, # comments), all of them by default, and the
project's own changes, kept in its settings under ``stopwords``:
``{"languages": [...], "added": [...], "removed": [...]}``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from db.engine import qmark_connection
from desktop.core.analysis import words as core
from desktop.services.analysis import selection as sel
from desktop.services.analysis.progress import step
from desktop.services.errors import ServiceError
from desktop.services.resources import resources_dir

LANGUAGES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "ar": "Arabic"}
SETTING = "stopwords"
_BATCH = 32  # documents read per round trip


@dataclass(frozen=True)
class WordRow:
    word: str
    count: int
    per_thousand: float  # of the target's words
    reference: int | None = None  # with a code: count in the rest of the corpus
    g2: float | None = None  # with a code: signed log-likelihood keyness


@dataclass(frozen=True)
class WordsResult:
    rows: tuple[WordRow, ...]
    words: int  # all words in the target (stop words included)
    reference_words: int | None
    documents: int
    collocations: tuple[tuple[str, str, int, float], ...]
    code: str | None = None

    def as_json(self) -> dict:
        out: dict = {
            "words": self.words, "documents": self.documents,
            "rows": [{k: v for k, v in r.__dict__.items() if v is not None} for r in self.rows],
            "collocations": [{"words": [a, b], "count": n, "score": round(s, 3)}
                             for a, b, n, s in self.collocations],
        }  # fmt: skip
        if self.code is not None:
            out["code"] = self.code
            out["reference_words"] = self.reference_words
        return out


# -- stop words ----------------------------------------------------------------------------


def shipped_stopwords(language: str) -> list[str]:
    if language not in LANGUAGES:
        raise ServiceError(f"no stop word list for {language!r} (lists: {', '.join(LANGUAGES)})")
    path = resources_dir() / "stopwords" / f"{language}.txt"
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            out.extend(line.split())
    return out


def stopword_settings(project) -> dict:
    got = dict(project.settings().get(SETTING) or {})
    return {
        "languages": list(got.get("languages", list(LANGUAGES))),
        "added": list(got.get("added", [])),
        "removed": list(got.get("removed", [])),
    }


def set_stopwords(
    project, *, languages: Sequence[str] | None = None, added: Sequence[str] | None = None,
    removed: Sequence[str] | None = None,
) -> dict:  # fmt: skip
    """Change the project's stop words (what is not given stays as it is)."""
    cur = stopword_settings(project)
    if languages is not None:
        for lang in languages:
            if lang not in LANGUAGES:
                raise ServiceError(
                    f"no stop word list for {lang!r} (lists: {', '.join(LANGUAGES)})"
                )
        cur["languages"] = list(dict.fromkeys(languages))
    if added is not None:
        cur["added"] = sorted({w.strip() for w in added if w.strip()})
    if removed is not None:
        cur["removed"] = sorted({w.strip() for w in removed if w.strip()})
    project.update_settings(**{SETTING: cur})
    return cur


def stopwords(project) -> frozenset[str]:
    """The project's stop words, folded as words are counted."""
    cfg = stopword_settings(project)
    words: set[str] = set()
    for lang in cfg["languages"]:
        words.update(shipped_stopwords(lang))
    words.update(cfg["added"])
    return core.stop_set(words) - core.stop_set(cfg["removed"])


# -- counting ------------------------------------------------------------------------------


def document_selection(
    project, documents: Sequence[str] = (), where: Sequence[str] = (),
    sets: Sequence[str] = (), cases: Sequence[str] = (),
) -> list[int]:  # fmt: skip
    """Ids of the documents named (all if none), in any of ``sets`` and ``cases`` if
    given, that meet the ``document.`` conditions."""
    ids = sel.document_scope(project, documents, sets, cases)
    for cond in where:
        if not cond.strip().lower().startswith("document."):
            raise ServiceError(
                f"condition {cond!r}: word counts take document conditions "
                "(document.ATTRIBUTE OP VALUE); field and memo conditions need --code"
            )
    with project.session() as s:
        f = sel.conditions(s, where, [])
        conn = qmark_connection(s)
        rows = conn.execute(
            f"SELECT c.document_id FROM (SELECT id AS document_id, name FROM document) c "
            f"WHERE {f.sql} ORDER BY c.name", f.params,
        ).fetchall()  # fmt: skip
    keep = None if ids is None else set(ids)
    return [r[0] for r in rows if keep is None or r[0] in keep]


def word_frequencies(
    project, *, code: str | None = None, subcodes: bool = False, documents: Sequence[str] = (),
    sets: Sequence[str] = (), cases: Sequence[str] = (), where: Sequence[str] = (),
    coders: Sequence[str] = (), top: int = 50,
    collocations: int = 20, visible_coders: Sequence[int] | None = None,
    progress: Callable[[object], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> WordsResult:  # fmt: skip
    """The ``top`` words (most frequent; with ``code``, most key) and collocations.
    ``progress(fraction)`` is called as documents are read; Cancelled is raised once
    ``cancelled()`` is true."""
    if top < 1:
        raise ServiceError("--top must be at least 1")
    stop = stopwords(project)
    doc_ids = document_selection(project, documents, [] if code else where, sets, cases)
    passages: dict[int, list[tuple[int, int]]] = {}
    if code is not None:
        from desktop.services.analysis.retrieval import RetrievalQuery, retrieve

        q = RetrievalQuery(code=code, subcodes=subcodes, coders=tuple(coders),
                           documents=tuple(documents), where=tuple(where), sets=tuple(sets),
                           cases=tuple(cases))  # fmt: skip
        r = retrieve(project, q, visible_coders=visible_coders)
        for d, a, b in zip(r.doc.tolist(), r.start.tolist(), r.end.tolist(), strict=True):
            passages.setdefault(d, []).append((a, b))
    target: list[str] = []
    rest: list[str] = []
    for k in range(0, len(doc_ids), _BATCH):
        step(progress, cancelled, k / max(1, len(doc_ids)))
        chunk = doc_ids[k : k + _BATCH]
        with project.session() as s:
            conn = qmark_connection(s)
            texts = dict(conn.execute(
                f"SELECT id, text FROM document WHERE id IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall())  # fmt: skip
        for did in chunk:
            text = texts.get(did, "")
            if code is None:
                target.append(text)
                continue
            inside, outside = _split(text, passages.get(did, []))
            target.extend(inside)
            rest.extend(outside)
    counts, total = core.count(target, stop)
    cols = tuple(core.collocations(target, stop, collocations)) if collocations else ()
    if code is None:
        rows = tuple(
            WordRow(w, n, round(1000 * n / total, 3)) for w, n in _most_common(counts, top)
        )
        return WordsResult(rows, total, None, len(doc_ids), cols)
    ref, ref_total = core.count(rest, stop)
    keys = [k for k in core.keyness(counts, total, ref, ref_total) if k.g2 > 0][:top]
    rows = tuple(WordRow(k.word, k.target, round(1000 * k.target / max(1, total), 3), k.reference,
                         round(k.g2, 3)) for k in keys)  # fmt: skip
    return WordsResult(
        rows, total, ref_total, len({d for d in passages if d in set(doc_ids)}), cols, code
    )


def _most_common(counts: Counter[str], top: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def _split(text: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[str]]:
    """The text inside the union of ``spans`` and the text outside it, as pieces."""
    inside, outside, at = [], [], 0
    for a, b in sorted(spans):
        if b <= at:
            continue
        a = max(a, at)
        outside.append(text[at:a])
        inside.append(text[a:b])
        at = b
    outside.append(text[at:])
    return inside, outside


def write_csv(result: WordsResult, out) -> None:
    """The words as CSV (a path or a stream); with a code, its keyness columns."""
    from desktop.core import csvio

    keyed = result.code is not None
    with csvio.open_output(out) as fh:
        w = csvio.writer(fh)
        w.writerow(
            ["word", "count", "per_thousand"] + (["reference", "log_likelihood"] if keyed else [])
        )
        for r in result.rows:
            w.writerow([r.word, r.count, r.per_thousand] + ([r.reference, r.g2] if keyed else []))
