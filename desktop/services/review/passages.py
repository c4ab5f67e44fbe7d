"""Where coders differ on a code, and where they agree: the passages of one document
that the review lists.

A *disagreement* is, for one code in one document, a maximal run of units coded by at
least one of the compared coders (the union of their codings of that code, touching
codings joined) in which the coders differ on at least one unit; an *agreement* is such
a run in which every coder coded every unit. With character units (grapheme clusters)
the run is a run of characters; with word or sentence units two codings that reach
neighbouring units belong to one run. Units are cut by the project's segmenter, as in
its agreement reports. Every coding of the code by a compared coder that reaches the run
lies inside it, so a coder's codings of the run are the coder's whole *version* of that
passage.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from desktop.core.agreement import UNIT_KINDS
from desktop.core.agreement.units import to_unit_intervals, unit_spans
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.coding.codings import CodingInfo
from desktop.services.errors import NotFound, ServiceError
from desktop.services.review.units import project_units
from desktop.services.teams import teams

DECIDED = "review_decided"
Key = tuple[int, int, int, int]  # document, code, start, end


@dataclass(frozen=True)
class CoderVersion:
    """One coder's codings of the disagreement's code inside its region (none: not coded)."""

    coder_id: int
    coder: str
    codings: tuple[CodingInfo, ...]

    @property
    def coded(self) -> bool:
        return bool(self.codings)

    def describe(self, limit: int = 60) -> str:
        if not self.codings:
            return "not coded"
        quotes = "; ".join(f"“{_short(c.quote, limit)}”" for c in self.codings)
        return f"coded {quotes}"


@dataclass(frozen=True)
class Disagreement:
    document_id: int
    code_id: int
    code: str  # the code's path
    start: int  # the region, in code points, half-open
    end: int
    quote: str
    versions: tuple[CoderVersion, ...]  # one per compared coder, in the order asked
    differing: tuple[tuple[int, int], ...]  # where inside the region the coders differ
    unit: str = "char"
    consensus: tuple[CodingInfo, ...] = ()  # the consensus coder's codings in the region
    settled_by: tuple[int, ...] = ()  # coders whose version the consensus now equals
    decided: bool = False  # a version was accepted here
    # the consensus coder whose codings ``consensus`` lists (None: not looked at)
    consensus_id: int | None = None

    @property
    def key(self) -> Key:
        return (self.document_id, self.code_id, self.start, self.end)

    @property
    def resolved(self) -> bool:
        """The reviewer has given the consensus a version of this passage: accepted one,
        or coded their own."""
        return self.decided or bool(self.consensus)

    def version(self, coder_id: int) -> CoderVersion:
        for v in self.versions:
            if v.coder_id == coder_id:
                return v
        raise KeyError(coder_id)

    def summary(self) -> str:
        return "; ".join(f"{v.coder}: {v.describe()}" for v in self.versions)


def disagreements(
    project,
    document_id: int,
    coder_ids: Sequence[int],
    code_ids: Sequence[int] | None = None,
    unit: str = "char",
    *,
    consensus_id: int | None = None,
) -> list[Disagreement]:
    """The disagreements of ``coder_ids`` (two or more) in a document, for ``code_ids``
    (default: every code any of them used there), in document order. With
    ``consensus_id`` each one also carries the consensus coder's codings in its region
    and which coders' versions the consensus equals."""
    return _passages(project, document_id, coder_ids, code_ids, unit, consensus_id, False)


def agreements(
    project,
    document_id: int,
    coder_ids: Sequence[int],
    code_ids: Sequence[int] | None = None,
    unit: str = "char",
    *,
    consensus_id: int | None = None,
) -> list[Disagreement]:
    """The passages every one of ``coder_ids`` coded the same way (a maximal run of
    units that each of them coded with the code), as ``disagreements`` gives the others:
    the same fields, ``differing`` empty."""
    return _passages(project, document_id, coder_ids, code_ids, unit, consensus_id, True)


def _passages(
    project,
    document_id: int,
    coder_ids: Sequence[int],
    code_ids: Sequence[int] | None,
    unit: str,
    consensus_id: int | None,
    agreed: bool,
) -> list[Disagreement]:
    if unit not in UNIT_KINDS:
        raise ServiceError(f"unknown unit {unit!r}: use one of {', '.join(UNIT_KINDS)}")
    ids = list(dict.fromkeys(coder_ids))
    if len(ids) < 2:
        raise ServiceError("comparing coders needs at least two coders")
    if consensus_id is not None and consensus_id in ids:
        raise ServiceError("the consensus coder cannot also be one of the coders compared")
    with project.session() as s:
        doc = s.get(m.Document, document_id)
        if doc is None:
            raise NotFound(f"no document with id {document_id}")
        text = doc.text
        names = _coder_names(s, ids)
        decided = _decided(teams.read_settings(s))
    wanted = [*ids, consensus_id] if consensus_id is not None else ids
    rows = codings.list_document_codings(project, document_id, coder_ids=wanted, text=text)
    if code_ids is not None:
        keep = set(code_ids)
        rows = [c for c in rows if c.code_id in keep]
    paths = {c.id: c.path for c in codebook.list_codes(project)}
    order = {cid: k for k, cid in enumerate(paths)}
    # the project's segmenter: the units of its agreement reports (characters are
    # grapheme clusters there too; None when each is one code point)
    bounds = unit_spans(text, unit, project_units(project).segmenter)
    by_code: dict[int, list[CodingInfo]] = {}
    for c in rows:
        by_code.setdefault(c.code_id, []).append(c)
    codes = (
        list(code_ids) if code_ids is not None else sorted(by_code, key=lambda k: order.get(k, 0))
    )
    found: list[Disagreement] = []
    for code_id in codes:
        mine = [c for c in by_code.get(code_id, []) if c.coder_id != consensus_id]
        theirs = [c for c in by_code.get(code_id, []) if c.coder_id == consensus_id]
        for start, end, differing, members in _regions(mine, ids, len(text), bounds, agreed):
            versions = tuple(
                CoderVersion(cid, names[cid], tuple(c for c in members if c.coder_id == cid))
                for cid in ids
            )
            in_region = tuple(c for c in theirs if c.start < end and start < c.end)
            settled: tuple[int, ...] = ()
            if consensus_id is not None:
                target = _coverage(in_region, start, end, bounds)
                settled = tuple(
                    v.coder_id
                    for v in versions
                    if _coverage(v.codings, start, end, bounds) == target
                )
            found.append(
                Disagreement(
                    document_id,
                    code_id,
                    paths.get(code_id, f"#{code_id}"),
                    start,
                    end,
                    text[start:end],
                    versions,
                    differing,
                    unit,
                    in_region,
                    settled,
                    (document_id, code_id, start, end) in decided,
                    consensus_id,
                )
            )
    found.sort(key=lambda d: (d.start, d.end, order.get(d.code_id, 0)))
    return found


def _regions(
    rows: list[CodingInfo], coder_ids: list[int], length: int, bounds, agreed: bool = False
) -> list[tuple[int, int, tuple[tuple[int, int], ...], list[CodingInfo]]]:
    """(start, end, differing spans, codings) of each run of units coded by anyone in
    which the coders differ (``agreed``: in which every coder coded every unit, and the
    differing spans are empty); offsets in code points."""
    if not rows:
        return []
    bit = {cid: 1 << i for i, cid in enumerate(coder_ids)}
    everyone = (1 << len(coder_ids)) - 1
    first, stop = _unit_intervals(rows, length, bounds)
    events: dict[int, int] = {}
    per_coder: dict[int, list[tuple[int, int]]] = {}
    for c, a, b in zip(rows, first, stop, strict=True):
        if a < b:
            per_coder.setdefault(c.coder_id, []).append((a, b))
    # each coder's own union, so that a coder's overlapping codings count once
    for cid, spans in per_coder.items():
        for a, b in _union(spans):
            events[a] = events.get(a, 0) + bit[cid]
            events[b] = events.get(b, 0) - bit[cid]
    runs: list[tuple[int, int, list[tuple[int, int]]]] = []  # unit runs that differ
    mask = 0
    run_start: int | None = None
    run_diff: list[tuple[int, int]] = []
    points = sorted(events)
    for i, pos in enumerate(points):
        mask += events[pos]
        nxt = points[i + 1] if i + 1 < len(points) else pos
        if mask and run_start is None:
            run_start, run_diff = pos, []
        if mask and mask != everyone:
            if run_diff and run_diff[-1][1] == pos:
                run_diff[-1] = (run_diff[-1][0], nxt)
            else:
                run_diff.append((pos, nxt))
        if not mask and run_start is not None:
            if bool(run_diff) != agreed:
                runs.append((run_start, pos, run_diff))
            run_start = None
    # every coding reaching a run lies inside it (a run is a maximal union)
    starts = [r[0] for r in runs]
    members: list[list[CodingInfo]] = [[] for _ in runs]
    for c, a, b in zip(rows, first, stop, strict=True):
        k = bisect_right(starts, a) - 1
        if a < b and k >= 0 and a < runs[k][1]:
            members[k].append(c)
    return [
        (min(c.start for c in group), max(c.end for c in group),
         tuple(_to_chars(d, bounds) for d in diff), group)
        for (_a, _b, diff), group in zip(runs, members, strict=True)
    ]  # fmt: skip


def _unit_intervals(rows: Sequence[CodingInfo], length: int, bounds) -> tuple[list[int], list[int]]:
    if bounds is None:
        return [c.start for c in rows], [c.end for c in rows]
    first, stop = to_unit_intervals(
        [c.start for c in rows], [c.end for c in rows], length, bounds, drop_empty=False
    )
    return [int(x) for x in first], [int(x) for x in stop]


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _to_chars(span: tuple[int, int], bounds) -> tuple[int, int]:
    if bounds is None:
        return span
    a, b = span
    return int(bounds[a][0]), int(bounds[b - 1][1])


def _coverage(rows: Sequence[CodingInfo], start: int, end: int, bounds) -> list[tuple[int, int]]:
    """The units (or characters) of [start, end) that ``rows`` code, as a union."""
    clipped = [
        (max(c.start, start), min(c.end, end)) for c in rows if c.start < end and start < c.end
    ]
    if bounds is None:
        return _union(clipped)
    from numpy import searchsorted

    spans = []
    for a, b in clipped:
        lo = int(searchsorted(bounds[:, 1], a, side="right"))
        hi = int(searchsorted(bounds[:, 0], b, side="left"))
        if lo < hi:
            spans.append((lo, hi))
    return _union(spans)


def _coder_names(s: Session, ids: list[int]) -> dict[int, str]:
    names = dict(s.execute(select(m.Coder.id, m.Coder.name).where(m.Coder.id.in_(ids))).all())
    missing = [i for i in ids if i not in names]
    if missing:
        raise NotFound(f"no coder with id {', '.join(map(str, missing))}")
    return names


def _decided(settings: dict) -> set[Key]:
    return {
        (int(doc), int(code), int(start), int(end))
        for doc, keys in (settings.get(DECIDED) or {}).items()
        for code, start, end in keys
    }


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
