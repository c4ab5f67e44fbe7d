"""Disagreement review and adjudication: a ``consensus`` coder layer the reviewer
builds by accepting one coder's version of a passage or drawing their own. The passages
(disagreements, agreements) and each coder's version of them: ``passages``.

Accepting a coder's version of a passage makes the consensus coder's codings of the
code in the passage equal to that version (the consensus codings already there are
replaced). Accepting a version of a disagreement also marks the passage *decided*
(project setting ``review_decided``: {document id: [[code id, start, end], ...]}), since
accepting "not coded" leaves no coding behind to tell; clearing the consensus there
makes it open again. ``accept_agreements`` copies every passage the coders coded the
same way into the consensus at once.

Each change is one transaction and returns an ``Adjudication`` (what was removed and
created, which passages were marked or unmarked) so that the window's undo can put
things back exactly, in one step. Each coder's agreement with the consensus:
``consensus_agreement``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db import models as m
from desktop.services.coding.codings import (
    CodingInfo,
    _info,
    insert_coding,
    reinsert_coding,
    snapshot,
)
from desktop.services.errors import Conflict, ServiceError
from desktop.services.project import audit
from desktop.services.review.consensus_agreement import ConsensusAgreement, consensus_agreement
from desktop.services.review.passages import (
    DECIDED,
    CoderVersion,
    Disagreement,
    Key,
    _decided,
    _short,
    agreements,
    disagreements,
)
from desktop.services.teams import coders, teams

CONSENSUS = "consensus"
CONSENSUS_COLOR = "#3b3b3b"


@dataclass(frozen=True)
class Adjudication:
    """What one review action changed: put ``removed`` back and take ``created`` out to
    undo it."""

    consensus_id: int
    created: tuple[CodingInfo, ...] = ()
    removed: tuple[CodingInfo, ...] = ()
    coder_created: bool = False
    document_id: int = 0
    marked: tuple[Key, ...] = ()  # passages this action marked decided
    unmarked: tuple[Key, ...] = ()
    passages: int = 1  # passages decided by the action


# -- the consensus coder ---------------------------------------------------------------


def consensus_coder(
    project, name: str = CONSENSUS, *, create: bool = True
) -> coders.CoderInfo | None:
    """The consensus coder (created, with an identity of its own, if absent and asked)."""
    found = coders.find_coder(project, name)
    if found is not None or not create:
        return found
    return teams.add_coder(project, name, color=CONSENSUS_COLOR)


def _consensus(project, consensus: int | str) -> tuple[int, bool]:
    if isinstance(consensus, int):
        coders.get_coder(project, consensus)
        return consensus, False
    found = coders.find_coder(project, consensus)
    if found is not None:
        return found.id, False
    return consensus_coder(project, consensus).id, True


# -- adjudication ------------------------------------------------------------------------


def accept(
    project, disagreement: Disagreement, coder_id: int, consensus: int | str = CONSENSUS
) -> Adjudication:
    """Make the consensus coder's codings of the disagreement's code in its region a copy
    of ``coder_id``'s (with memo and field values; a coder who did not code it leaves the
    consensus uncoded there). Consensus codings of the code in the region that differ are
    removed; those the coder's version already holds stay."""
    consensus_id, created_coder = _consensus(project, consensus)
    if consensus_id in {v.coder_id for v in disagreement.versions}:
        raise ServiceError("the consensus coder cannot also be one of the coders compared")
    with project.session() as s:
        _still_as_seen(s, disagreement, consensus_id)
        created, removed = _copy_version(s, project.actor, disagreement, coder_id, consensus_id)
        marked = _mark(s, [disagreement.key], on=True)
    return Adjudication(
        consensus_id, tuple(created), tuple(removed), created_coder,
        disagreement.document_id, marked=marked,
    )  # fmt: skip


def accept_agreements(
    project,
    document_id: int,
    coder_ids: Sequence[int],
    code_ids: Sequence[int] | None = None,
    unit: str = "char",
    consensus: int | str = CONSENSUS,
) -> Adjudication:
    """Copy every passage of the document that all ``coder_ids`` coded the same way
    (``agreements``) into the consensus, in one transaction (one step to undo): the first
    coder's version, with memos and field values. Passages where the consensus already
    holds a coding of the code are left as the reviewer made them. ``passages`` of the
    result: how many were accepted; none to accept is refused with a reason."""
    consensus_id, created_coder = _consensus(project, consensus)
    found = agreements(project, document_id, coder_ids, code_ids, unit, consensus_id=consensus_id)
    todo = [a for a in found if not a.consensus]
    if not todo:
        raise ServiceError(
            "no agreements to accept: every passage the coders coded the same way is in the "
            "consensus already" if found else "no passage here was coded the same way by all"
        )  # fmt: skip
    created: list[CodingInfo] = []
    removed: list[CodingInfo] = []
    with project.session() as s:
        for a in todo:
            made, gone = _copy_version(s, project.actor, a, a.versions[0].coder_id, consensus_id)
            created += made
            removed += gone
    return Adjudication(
        consensus_id, tuple(created), tuple(removed), created_coder, document_id,
        passages=len(todo),
    )  # fmt: skip


def _copy_version(
    s: Session, actor: str, passage: Disagreement, coder_id: int, consensus_id: int
) -> tuple[list[CodingInfo], list[CodingInfo]]:
    """Make the consensus codings of the passage's code in it a copy of ``coder_id``'s
    version: (created, removed)."""
    version = passage.version(coder_id)
    present = list(
        s.scalars(
            select(m.Coding).where(
                m.Coding.document_id == passage.document_id,
                m.Coding.code_id == passage.code_id,
                m.Coding.coder_id == consensus_id,
                m.Coding.start < passage.end,
                m.Coding.end > passage.start,
            )
        )
    )
    wanted = {(c.start, c.end): c for c in version.codings}
    keep = {(c.start, c.end) for c in present if (c.start, c.end) in wanted}
    removed = _delete(s, actor, [c for c in present if (c.start, c.end) not in keep])
    values = _values_of(s, [c.id for c in version.codings])
    created = []
    for c in version.codings:
        if (c.start, c.end) in keep:
            continue
        new = insert_coding(
            s, actor, document_id=c.document_id, code_id=c.code_id,
            coder_id=consensus_id, start=c.start, end=c.end, memo=c.memo,
        )  # fmt: skip
        for field_id, value in values.get(c.id, ()):
            s.add(m.CodingValue(coding_id=new.id, field_id=field_id, value=value))
        s.flush()
        created.append(_info(new, values.get(c.id, ())))
    return created, removed


def code_as_consensus(
    project, *, document_id: int, code_id: int, start: int, end: int,
    consensus: int | str = CONSENSUS,
) -> Adjudication:  # fmt: skip
    """The reviewer's own coding of [start, end) with a code, in the consensus layer."""
    consensus_id, created_coder = _consensus(project, consensus)
    with project.session() as s:
        c = insert_coding(
            s, project.actor, document_id=document_id, code_id=code_id, coder_id=consensus_id,
            start=start, end=end,
        )  # fmt: skip
        info = _info(c)
    return Adjudication(consensus_id, (info,), (), created_coder, document_id)


def clear_consensus(
    project, disagreement: Disagreement, consensus: int | str = CONSENSUS
) -> Adjudication:
    """Take the consensus coder's codings of the code out of the region."""
    consensus_id, created_coder = _consensus(project, consensus)
    with project.session() as s:
        _still_as_seen(s, disagreement, consensus_id)
        present = list(
            s.scalars(
                select(m.Coding).where(
                    m.Coding.document_id == disagreement.document_id,
                    m.Coding.code_id == disagreement.code_id,
                    m.Coding.coder_id == consensus_id,
                    m.Coding.start < disagreement.end,
                    m.Coding.end > disagreement.start,
                )
            )
        )
        removed = _delete(s, project.actor, present)
        unmarked = _mark(s, [disagreement.key], on=False)
    return Adjudication(
        consensus_id, (), tuple(removed), created_coder, disagreement.document_id,
        unmarked=unmarked,
    )  # fmt: skip


def undo(project, done: Adjudication) -> Adjudication:
    """Reverse an adjudication in one transaction. Returns the same action with the ids
    the rows have now, ready for ``redo``."""
    taken, restored = _swap(
        project, take=done.created, put=done.removed, mark=done.unmarked, unmark=done.marked
    )
    return replace(done, created=taken, removed=restored)


def redo(project, done: Adjudication) -> Adjudication:
    """Do an undone adjudication again; returns it ready for ``undo``."""
    taken, created = _swap(
        project, take=done.removed, put=done.created, mark=done.marked, unmark=done.unmarked
    )
    return replace(done, created=created, removed=taken)


def _swap(
    project, *, take: Sequence[CodingInfo], put: Sequence[CodingInfo],
    mark: Sequence[Key] = (), unmark: Sequence[Key] = (),
) -> tuple[tuple[CodingInfo, ...], tuple[CodingInfo, ...]]:  # fmt: skip
    with project.session() as s:
        _mark(s, mark, on=True)
        _mark(s, unmark, on=False)
        gone = [s.get(m.Coding, c.id) for c in take]
        if any(g is None for g in gone):
            raise ServiceError("a consensus coding was changed since (it no longer exists)")
        taken = _delete(s, project.actor, gone)
        back = []
        for info in put:
            c = reinsert_coding(s, project.actor, info)
            back.append(_info(c, info.values))
    return tuple(taken), tuple(back)


def _still_as_seen(s: Session, passage: Disagreement, consensus_id: int) -> None:
    """Before settling a passage: a Conflict if the consensus there is no longer what
    the reviewer saw (another reviewer settled it a moment ago). The project's row is
    locked first, so that two settlements of one passage on a server run one after the
    other and the second sees the first."""
    decided = _decided(teams.read_settings(s, for_update=True))
    if passage.consensus_id != consensus_id:
        return  # listed without the consensus: nothing to compare with
    now = set(
        s.scalars(
            select(m.Coding.id).where(
                m.Coding.document_id == passage.document_id,
                m.Coding.code_id == passage.code_id,
                m.Coding.coder_id == consensus_id,
                m.Coding.start < passage.end,
                m.Coding.end > passage.start,
            )
        )
    )
    if now != {c.id for c in passage.consensus} or (passage.key in decided) != passage.decided:
        raise Conflict(
            f"the passage “{_short(passage.quote, 60)}” ({passage.code}) was settled by someone "
            "else a moment ago; nothing was changed. Look at their decision and settle it "
            "again if you disagree."
        )


def _mark(s: Session, keys: Sequence[Key], *, on: bool) -> tuple[Key, ...]:
    """Mark passages decided (or not); returns the keys whose state changed."""
    if not keys:
        return ()
    settings = teams.read_settings(s, for_update=True)
    decided = _decided(settings)
    changed = tuple(k for k in keys if (k in decided) != on)
    if changed:
        decided = decided | set(changed) if on else decided - set(changed)
        by_doc: dict[str, list[list[int]]] = {}
        for doc, code, start, end in sorted(decided):
            by_doc.setdefault(str(doc), []).append([code, start, end])
        teams.write_settings(s, {**settings, DECIDED: by_doc})
    return changed


def _delete(s: Session, actor: str, rows: Sequence[m.Coding]) -> list[CodingInfo]:
    values = _values_of(s, [c.id for c in rows])
    out = []
    for c in rows:
        out.append(_info(c, values.get(c.id, ())))
        audit.record(s, actor, "delete", "coding", c.id, snapshot(c), None)
    if rows:
        s.execute(delete(m.Coding).where(m.Coding.id.in_([c.id for c in rows])))
    return out


def _values_of(s: Session, ids: list[int]) -> dict[int, tuple[tuple[int, str], ...]]:
    if not ids:
        return {}
    out: dict[int, list[tuple[int, str]]] = {}
    for cid, fid, value in s.execute(
        select(m.CodingValue.coding_id, m.CodingValue.field_id, m.CodingValue.value).where(
            m.CodingValue.coding_id.in_(ids)
        )
    ):
        out.setdefault(cid, []).append((fid, value))
    return {k: tuple(sorted(v)) for k, v in out.items()}


__all__ = [
    "CONSENSUS",
    "DECIDED",
    "Adjudication",
    "CoderVersion",
    "ConsensusAgreement",
    "Disagreement",
    "accept",
    "accept_agreements",
    "agreements",
    "clear_consensus",
    "code_as_consensus",
    "consensus_agreement",
    "consensus_coder",
    "disagreements",
    "redo",
    "undo",
]
