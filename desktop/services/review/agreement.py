"""Inter-coder agreement over a project: loads texts and codings, calls the core.

Which data a report rests on, by default: the codes that any of the chosen coders used
(in codebook order), and the documents that any of them coded. A document that none of
them touched is left out unless named, since counting it would add agreement on "not
coded" that nobody produced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import chain

import numpy as np
from sqlalchemy import select

from db import models as m
from desktop.core.agreement import UNIT_KINDS, AgreementRow, Report, corpus_agreement
from desktop.core.codepath import CodePathError, join_path, split_path
from desktop.services.codebook import codebook
from desktop.services.errors import NotFound, ServiceError
from desktop.services.review.units import project_units


def project_agreement(
    project,
    *,
    coders: Sequence[str],
    unit: str = "char",
    codes: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
    exclusive: Sequence[str] | None = None,
    none_as_value: bool = False,
    progress: Callable[[int, int], None] | None = None,
    coded_stretches: str | None = None,
    by_document: bool = True,
    document_rows: Callable[[AgreementRow], None] | None = None,
) -> Report:
    """Agreement of the named ``coders`` per code (paths like ``Actors/Armed groups``),
    per document (names or sha256) and pooled, by ``unit`` ("char", "word", "sentence");
    ``exclusive`` names a set of mutually exclusive codes reported as one variable;
    ``progress(done, total)`` is called after each document (a worker cancels by raising);
    ``coded_stretches`` ("sentence"/"paragraph") counts only units inside a stretch that
    holds a coding of the code (see ``corpus_agreement``). ``by_document=False``: pooled
    rows only, in time and memory that grow with the codings; ``document_rows``: receives
    the per-document rows as they are computed (they then stay out of the report).

    Codings are read into arrays and texts one batch of documents at a time, so a large
    project is never held in memory as Python objects. Units are cut by the project's
    segmenter (``units.project_units``), the same as in the review; the report records it.
    """
    if unit not in UNIT_KINDS:
        raise ServiceError(f"unknown unit {unit!r}: use one of {', '.join(UNIT_KINDS)}")
    names = list(dict.fromkeys(coders))
    if len(names) < 2:
        raise ServiceError("agreement needs at least two coders")
    tree = codebook.list_codes(project)
    path_of = {c.id: c.path for c in tree}
    code_ids = _code_ids(tree, codes) if codes else None
    exclusive_ids = _code_ids(tree, exclusive) if exclusive else []
    with project.session() as s:
        coder_ids = _coder_ids(s, names)
        doc_ids = _document_ids(s, documents) if documents else None
        spans = {name: _coding_array(s, coder_ids[name], doc_ids) for name in names}
        if code_ids is None:
            used = set(np.unique(np.concatenate([a[:, 1] for a in spans.values()])).tolist())
            code_ids = [c.id for c in tree if c.id in used]
        if doc_ids is None:
            doc_ids = np.unique(np.concatenate([a[:, 0] for a in spans.values()])).tolist()
        docs = _document_names(s, doc_ids)
    units = project_units(project)
    report = corpus_agreement(
        _Texts(project, [d for d, _ in docs]),
        spans,
        code_ids,
        unit=unit,
        exclusive=exclusive_ids,
        none_as_value=none_as_value,
        code_names=path_of,
        document_names=dict(docs),
        progress=progress,
        coded_stretches=coded_stretches,
        by_document=by_document,
        document_rows=document_rows,
        segmenter=units.segmenter,
    )
    return replace(report, segmentation=units.record(unit, coded_stretches))


_BATCH = 500  # documents whose texts are read at a time


def _coding_array(s, coder_id: int, doc_ids: list[int] | None) -> np.ndarray:
    """(n, 4) int64 array of (document, code, start, end) of one coder, read in chunks
    straight from the cursor (no ORM rows)."""
    sql = 'SELECT document_id, code_id, start, "end" FROM coding WHERE coder_id = ?'
    params: tuple = (coder_id,)
    if doc_ids is not None:
        sql += f" AND document_id IN ({', '.join('?' * len(doc_ids))})"
        params += tuple(doc_ids)
    cursor = s.connection().exec_driver_sql(sql, params)
    chunks = [np.zeros((0, 4), dtype=np.int64)]
    while batch := cursor.fetchmany(50_000):
        # flattened values: numpy would probe each row object for array protocols
        flat = np.fromiter(chain.from_iterable(batch), dtype=np.int64, count=4 * len(batch))
        chunks.append(flat.reshape(-1, 4))
    return np.concatenate(chunks)


def _document_names(s, doc_ids: list[int]) -> list[tuple[int, str]]:
    """(id, name) of the documents, ordered by name (no texts)."""
    out: list[tuple[int, str]] = []
    for i in range(0, len(doc_ids), _BATCH):
        part = doc_ids[i : i + _BATCH]
        out += s.execute(
            select(m.Document.id, m.Document.name).where(m.Document.id.in_(part))
        ).all()
    out.sort(key=lambda d: (d[1], d[0]))
    return out


class _Texts(Mapping):
    """Document id -> text, read lazily: ``items()`` loads one batch of texts at a time,
    in the given order, so only a batch is in memory."""

    def __init__(self, project, ids: list[int]) -> None:
        self.project, self.ids = project, ids
        self._set = set(ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __contains__(self, key: object) -> bool:
        return key in self._set

    def __getitem__(self, key: int) -> str:
        if key not in self._set:
            raise KeyError(key)
        with self.project.session() as s:
            return s.scalar(select(m.Document.text).where(m.Document.id == key))

    def items(self) -> Iterator[tuple[int, str]]:  # type: ignore[override]
        for i in range(0, len(self.ids), _BATCH):
            part = self.ids[i : i + _BATCH]
            with self.project.session() as s:
                texts = dict(
                    s.execute(
                        select(m.Document.id, m.Document.text).where(m.Document.id.in_(part))
                    ).all()
                )
            for d in part:
                yield d, texts[d]

    def values(self) -> Iterator[str]:  # type: ignore[override]
        return (text for _, text in self.items())


def _coder_ids(s, names: list[str]) -> dict[str, int]:
    found = dict(s.execute(select(m.Coder.name, m.Coder.id).where(m.Coder.name.in_(names))).all())
    missing = [n for n in names if n not in found]
    if missing:
        known = ", ".join(s.scalars(select(m.Coder.name).order_by(m.Coder.name))) or "none"
        raise NotFound(f"no coder named {', '.join(map(repr, missing))} (coders: {known})")
    return {n: found[n] for n in names}


def _code_ids(tree: list[codebook.CodeInfo], paths: Sequence[str]) -> list[int]:
    by_path = {c.path: c.id for c in tree}
    ids = []
    for path in paths:
        try:
            key = join_path(split_path(path))
        except CodePathError as exc:
            raise ServiceError(str(exc)) from exc
        if key not in by_path:
            raise NotFound(f"no code {path!r} in the codebook")
        ids.append(by_path[key])
    return list(dict.fromkeys(ids))


def _document_ids(s, keys: Sequence[str]) -> list[int]:
    ids = []
    for key in keys:
        did = s.scalar(select(m.Document.id).where(m.Document.sha256 == key.lower()))
        if did is None:
            did = s.scalar(select(m.Document.id).where(m.Document.name == key))
        if did is None:
            raise NotFound(f"no document named {key!r}")
        ids.append(did)
    return list(dict.fromkeys(ids))


def _load_codings(project, coders, codes, documents):
    """Codings of the named coders: (per coder (document, code, start, end), code paths,
    code ids in codebook order, documents (id, name, text))."""
    names = list(dict.fromkeys(coders))
    tree = codebook.list_codes(project)
    path_of = {c.id: c.path for c in tree}
    code_ids = _code_ids(tree, codes) if codes else None
    with project.session() as s:
        coder_ids = _coder_ids(s, names)
        doc_ids = _document_ids(s, documents) if documents else None
        q = select(
            m.Coding.coder_id, m.Coding.document_id, m.Coding.code_id, m.Coding.start, m.Coding.end
        ).where(m.Coding.coder_id.in_(list(coder_ids.values())))
        if doc_ids is not None:
            q = q.where(m.Coding.document_id.in_(doc_ids))
        rows = s.execute(q).all()
        if code_ids is None:
            used = {code for _, _, code, _, _ in rows}
            code_ids = [c.id for c in tree if c.id in used]
        if doc_ids is None:
            doc_ids = sorted({doc for _, doc, _, _, _ in rows})
        docs = s.execute(
            select(m.Document.id, m.Document.name, m.Document.text)
            .where(m.Document.id.in_(doc_ids))
            .order_by(m.Document.name)
        ).all()
    name_of = {cid: name for name, cid in coder_ids.items()}
    codings: dict[str, list] = {name: [] for name in names}
    for coder_id, doc, code, start, end in rows:
        codings[name_of[coder_id]].append((doc, code, start, end))
    return codings, path_of, code_ids, docs


def project_segment_matching(
    project,
    *,
    coders: Sequence[str],
    threshold: float,
    codes: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
):
    """MAXQDA-style matching of two coders' codings (see ``core.agreement.segments``)."""
    from desktop.core.agreement.segments import segment_matching

    if len(dict.fromkeys(coders)) != 2:
        raise ServiceError("segment matching compares exactly two coders")
    if not 0 < threshold <= 100:
        raise ServiceError(
            f"the overlap threshold must be a percentage above 0 and at most 100, not {threshold:g}"
        )
    codings, path_of, code_ids, docs = _load_codings(project, coders, codes, documents)
    keep = {d.id for d in docs}
    codings = {c: [s for s in spans if s[0] in keep] for c, spans in codings.items()}
    return segment_matching(
        codings,
        threshold,
        code_names=path_of,
        document_names={d.id: d.name for d in docs},
        codes=code_ids,
    )


def project_unitizing(
    project,
    *,
    coders: Sequence[str],
    codes: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
):
    """Krippendorff's unitizing alpha per code, document and pooled, on the codings' own
    character offsets (see ``core.agreement.unitizing.corpus_unitizing``)."""
    from desktop.core.agreement.unitizing import corpus_unitizing

    if len(dict.fromkeys(coders)) < 2:
        raise ServiceError("agreement needs at least two coders")
    codings, path_of, code_ids, docs = _load_codings(project, coders, codes, documents)
    return corpus_unitizing(
        {d.id: len(d.text) for d in docs},
        codings,
        code_ids,
        code_names=path_of,
        document_names={d.id: d.name for d in docs},
        progress=progress,
    )


def project_bootstrap(
    report: Report,
    *,
    samples: int = 1000,
    seed: int | None = None,
    minimums: Sequence[float] = (0.667, 0.8),
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
):
    """Bootstrap intervals of alpha for each code's pooled row of ``report``, for a worker:
    ``progress(done, total)`` counts samples; ``cancel()`` returning True stops it, and
    then the result is ``None``."""
    from desktop.core.agreement.bootstrap import Cancelled, bootstrap_report

    try:
        return bootstrap_report(report, samples=samples, seed=seed, minimums=minimums,
                                progress=progress, cancel=cancel)  # fmt: skip
    except Cancelled:
        return None
