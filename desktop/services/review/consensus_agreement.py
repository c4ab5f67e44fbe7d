"""Each coder's agreement with the consensus coder built in the review: per code through
``project_agreement`` (two coders at a time), and one figure over all codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select

from db import models as m
from desktop.core.agreement import AgreementRow, ReliabilityData, Report, reliability
from desktop.core.agreement.units import (
    coding_patterns,
    pattern_matrix,
    pool_patterns,
    to_unit_intervals,
    unit_count,
    unit_spans,
)
from desktop.services.codebook import codebook
from desktop.services.errors import NotFound
from desktop.services.review.units import project_units


@dataclass(frozen=True)
class ConsensusAgreement:
    """One coder against the consensus: ``overall`` pools every code (each unit of each
    code is one binary decision); ``report`` has the rows per code."""

    coder_id: int
    coder: str
    overall: AgreementRow | None
    report: Report | None
    codes: tuple[str, ...] = field(default_factory=tuple)

    def value(self, measure: str, code: str | None = None) -> float | None:
        if code is None:
            return self.overall.value(measure) if self.overall else None
        if self.report is None:
            return None
        try:
            return self.report.find(code).value(measure)
        except KeyError:
            return None


def consensus_agreement(
    project,
    coder_ids: Sequence[int],
    consensus_id: int | None,
    *,
    unit: str = "char",
    document_ids: Sequence[int] | None = None,
    code_ids: Sequence[int] | None = None,
) -> list[ConsensusAgreement]:
    """Each coder's agreement with the consensus coder (two coders each time, through
    ``project_agreement``), per code, plus one figure over all codes. Documents and codes
    default to those the coder or the consensus coded. While the consensus coder has no
    codings among them, every value is n/a (there is nothing to compare with yet)."""
    from desktop.services.review.agreement import project_agreement

    with project.session() as s:
        names = _coder_names(s, list(coder_ids))
        consensus_name = s.scalar(select(m.Coder.name).where(m.Coder.id == consensus_id))
        q = select(func.count()).select_from(m.Coding).where(m.Coding.coder_id == consensus_id)
        if document_ids is not None:
            q = q.where(m.Coding.document_id.in_(list(document_ids)))
        if code_ids is not None:
            q = q.where(m.Coding.code_id.in_(list(code_ids)))
        if not s.scalar(q):
            consensus_name = None  # nothing to compare with yet
        doc_keys = None
        if document_ids is not None:
            doc_keys = list(
                s.scalars(select(m.Document.sha256).where(m.Document.id.in_(list(document_ids))))
            )
    tree = codebook.list_codes(project)
    path_of = {c.id: c.path for c in tree}
    code_paths = [path_of[c] for c in code_ids if c in path_of] if code_ids is not None else None
    out = []
    for cid in coder_ids:
        if consensus_name is None or (doc_keys is not None and not doc_keys):
            out.append(ConsensusAgreement(cid, names[cid], None, None))
            continue
        report = project_agreement(
            project, coders=[names[cid], consensus_name], unit=unit, codes=code_paths,
            documents=doc_keys,
        )  # fmt: skip
        codes = tuple(r.code for r in report.pooled())
        overall = _overall(project, cid, consensus_id, names[cid], consensus_name, unit,
                           document_ids, [c.id for c in tree if c.path in codes])  # fmt: skip
        out.append(ConsensusAgreement(cid, names[cid], overall, report, codes))
    return out


def _overall(
    project, coder_id: int, consensus_id: int, coder: str, consensus: str, unit: str,
    document_ids: Sequence[int] | None, code_ids: list[int],
) -> AgreementRow | None:  # fmt: skip
    """Pooled over codes: each unit of each code is one coded/not coded decision (the
    patterns of every (document, code) pair added up, as corpus_agreement pools documents)."""
    if not code_ids:
        return None
    with project.session() as s:
        q = select(
            m.Coding.coder_id, m.Coding.document_id, m.Coding.code_id, m.Coding.start, m.Coding.end
        ).where(m.Coding.coder_id.in_([coder_id, consensus_id]), m.Coding.code_id.in_(code_ids))
        if document_ids is not None:
            q = q.where(m.Coding.document_id.in_(list(document_ids)))
        rows = s.execute(q).all()
        docs = sorted({r.document_id for r in rows} | set(document_ids or ()))
        texts = dict(
            s.execute(select(m.Document.id, m.Document.text).where(m.Document.id.in_(docs))).all()
        )
    tokenizer = project_units(project).segmenter  # the units of the project's reports
    spans: dict[tuple[int, int], tuple[list, list]] = {}
    for who, doc, code, start, end in rows:
        spans.setdefault((doc, code), ([], []))[0 if who == coder_id else 1].append((start, end))
    parts, counts = [], {coder: 0, consensus: 0}
    for doc in docs:
        text = texts[doc]
        bounds = unit_spans(text, unit, tokenizer)
        n_units = unit_count(len(text), bounds)
        for code in code_ids:
            mine, theirs = spans.get((doc, code), ([], []))
            counts[coder] += len(mine)
            counts[consensus] += len(theirs)
            intervals = [
                to_unit_intervals(
                    np.asarray([a for a, _ in group], dtype=np.int64),
                    np.asarray([b for _, b in group], dtype=np.int64),
                    len(text),
                    bounds,
                )
                for group in (mine, theirs)
            ]
            parts.append(coding_patterns(n_units, intervals))
    keys, weights = pool_patterns(parts)
    matrix = pattern_matrix(keys, 2)
    data = ReliabilityData(matrix, (0, 1), weights, (coder, consensus), numeric=True)
    coded = {name: int(weights[matrix[i] == 1].sum()) for i, name in enumerate((coder, consensus))}
    return AgreementRow(
        "code", "all codes", None, int(weights.sum()), counts, coded, reliability(data),
        coded_by_any=int(weights[keys != 0].sum()),
    )  # fmt: skip


def _coder_names(s, ids: list[int]) -> dict[int, str]:
    names = dict(s.execute(select(m.Coder.id, m.Coder.name).where(m.Coder.id.in_(ids))).all())
    missing = [i for i in ids if i not in names]
    if missing:
        raise NotFound(f"no coder with id {', '.join(map(str, missing))}")
    return names
