"""Disagreement review: exact regions, who coded what, accepting a version into the
consensus layer and undoing it, and each coder's agreement with the consensus."""

from __future__ import annotations

import pytest

from desktop.services.codebook import codebook, fields
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from desktop.services.review import review
from desktop.services.teams import coders

#       0         1         2         3         4         5
#       0123456789012345678901234567890123456789012345678901234
TEXT = "Rebels said talks failed. Russia resumed air strikes today."


@pytest.fixture
def study(tmp_path):
    p = Project.create(tmp_path / "review.tessera", template="empty")
    p.actor = "reviewer"
    doc = documents.add_document(p, name="talks.txt", text=TEXT, kind="txt")
    a = codebook.add_code(p, "Actors")
    e = codebook.add_code(p, "Events")
    ana = coders.add_coder(p, "ana")
    ben = coders.add_coder(p, "ben")
    yield p, doc.id, a.id, e.id, ana.id, ben.id
    p.close()


def code(p, doc, code_id, coder_id, start, end, memo=""):
    return codings.apply_coding(
        p, document_id=doc, code_id=code_id, coder_id=coder_id, start=start, end=end, memo=memo
    )


def spans(p, coder_id, code_id=None):
    rows = codings.list_codings(p, coder_ids=[coder_id])
    return [(c.code_id, c.start, c.end) for c in rows if code_id in (None, c.code_id)]


def test_regions_are_maximal_runs_where_coders_differ(study):
    p, doc, actors, events, ana, ben = study
    code(p, doc, actors, ana, 0, 6)  # "Rebels": both agree, no disagreement
    code(p, doc, actors, ben, 0, 6)
    code(p, doc, actors, ana, 26, 32)  # "Russia": only ana
    code(p, doc, events, ana, 12, 24)  # "talks failed"
    code(p, doc, events, ben, 18, 24)  # "failed"
    code(p, doc, events, ben, 33, 52)  # "resumed air strikes" ...
    code(p, doc, events, ana, 33, 40)  # ... ana: "resumed" and "air strikes" apart
    code(p, doc, events, ana, 41, 52)

    found = review.disagreements(p, doc, [ana, ben])
    assert [(d.code, d.start, d.end, d.quote) for d in found] == [
        ("Events", 12, 24, "talks failed"),
        ("Actors", 26, 32, "Russia"),
        ("Events", 33, 52, "resumed air strikes"),
    ]
    talks, russia, strikes = found
    assert talks.differing == ((12, 18),)
    assert [(v.coder, [(c.start, c.end) for c in v.codings]) for v in talks.versions] == [
        ("ana", [(12, 24)]),
        ("ben", [(18, 24)]),
    ]
    assert talks.summary() == "ana: coded “talks failed”; ben: coded “failed”"
    assert russia.version(ben).describe() == "not coded"
    assert strikes.differing == ((40, 41),)  # the space ana left out
    assert len(strikes.version(ana).codings) == 2

    only_actors = review.disagreements(p, doc, [ana, ben], [actors])
    assert [(d.start, d.end) for d in only_actors] == [(26, 32)]


def test_word_units_ignore_a_differing_space(study):
    p, doc, actors, events, ana, ben = study
    code(p, doc, events, ben, 33, 52)
    code(p, doc, events, ana, 33, 40)
    code(p, doc, events, ana, 41, 52)
    code(p, doc, events, ana, 12, 24)
    code(p, doc, events, ben, 12, 17)  # "talks" only
    found = review.disagreements(p, doc, [ana, ben], unit="word")
    assert [(d.start, d.end, d.differing) for d in found] == [(12, 24, ((18, 24),))]


def test_three_coders_and_errors(study):
    p, doc, actors, events, ana, ben = study
    cy = coders.add_coder(p, "cy").id
    code(p, doc, actors, ana, 0, 6)
    code(p, doc, actors, ben, 0, 6)
    assert review.disagreements(p, doc, [ana, ben]) == []
    found = review.disagreements(p, doc, [ana, ben, cy])
    assert [(d.start, d.end, [v.coded for v in d.versions]) for d in found] == [
        (0, 6, [True, True, False])
    ]
    with pytest.raises(ServiceError, match="two coders"):
        review.disagreements(p, doc, [ana])
    with pytest.raises(ServiceError, match="unknown unit"):
        review.disagreements(p, doc, [ana, ben], unit="page")


def test_accept_copies_a_version_into_the_consensus_and_undo_removes_it(study):
    p, doc, actors, events, ana, ben = study
    code(p, doc, events, ana, 12, 24, memo="the whole claim")
    code(p, doc, events, ben, 18, 24)
    assert review.consensus_coder(p, create=False) is None
    (d,) = review.disagreements(p, doc, [ana, ben])

    done = review.accept(p, d, ana)
    consensus = review.consensus_coder(p, create=False)
    assert consensus is not None and consensus.name == "consensus" and done.coder_created
    assert [(c.start, c.end, c.quote, c.memo) for c in done.created] == [
        (12, 24, "talks failed", "the whole claim")
    ]
    assert done.removed == ()
    assert spans(p, consensus.id) == [(events, 12, 24)]

    (d,) = review.disagreements(p, doc, [ana, ben], consensus_id=consensus.id)
    assert d.settled_by == (ana,) and d.resolved and d.decided

    # changing one's mind replaces the consensus version, it does not add to it
    again = review.accept(p, d, ben)
    assert [(c.start, c.end) for c in again.removed] == [(12, 24)]
    assert [(c.start, c.end) for c in again.created] == [(18, 24)]
    assert spans(p, consensus.id) == [(events, 18, 24)]
    (d,) = review.disagreements(p, doc, [ana, ben], consensus_id=consensus.id)
    assert d.settled_by == (ben,)

    back = review.undo(p, again)
    assert spans(p, consensus.id) == [(events, 12, 24)]
    assert [c.memo for c in codings.list_codings(p, coder_ids=[consensus.id])] == [
        "the whole claim"
    ]
    again = review.redo(p, back)
    assert spans(p, consensus.id) == [(events, 18, 24)]
    review.undo(p, review.redo(p, review.undo(p, again)))
    assert spans(p, consensus.id) == [(events, 12, 24)]
    review.undo(p, done)
    assert spans(p, consensus.id) == []
    # the coders' own codings were never touched
    assert spans(p, ana) == [(events, 12, 24)] and spans(p, ben) == [(events, 18, 24)]


def test_accepting_not_coded_clears_the_consensus_there(study):
    p, doc, actors, events, ana, ben = study
    code(p, doc, actors, ana, 26, 32)
    (d,) = review.disagreements(p, doc, [ana, ben])
    assert not d.resolved
    first = review.accept(p, d, ana)
    cons = first.consensus_id
    second = review.accept(p, d, ben)
    assert second.created == () and [(c.start, c.end) for c in second.removed] == [(26, 32)]
    assert spans(p, cons) == []
    (d,) = review.disagreements(p, doc, [ana, ben], consensus_id=cons)
    assert d.settled_by == (ben,) and d.resolved  # decided: "not coded", as ben
    assert not review.accept(p, d, ben).created  # nothing to do twice
    # undoing the first decision alone leaves the passage open again
    review.undo(p, second)
    review.undo(p, first)
    (d,) = review.disagreements(p, doc, [ana, ben], consensus_id=cons)
    assert d.settled_by == (ben,) and not d.resolved
    cleared = review.clear_consensus(p, review.disagreements(p, doc, [ana, ben])[0])
    assert cleared.unmarked == ()


def test_accept_copies_field_values(study):
    p, doc, actors, events, ana, ben = study
    f = fields.add_field(p, events, "count", "integer")
    c = code(p, doc, events, ana, 12, 24)
    fields.set_coding_values(p, c.id, {f.id: "12"})
    (d,) = review.disagreements(p, doc, [ana, ben])
    done = review.accept(p, d, ana)
    assert done.created[0].values == ((f.id, "12"),)
    assert codings.get_coding(p, done.created[0].id).values == ((f.id, "12"),)


def test_own_version_and_clear(study):
    p, doc, actors, events, ana, ben = study
    code(p, doc, events, ana, 12, 24)
    code(p, doc, events, ben, 18, 24)
    own = review.code_as_consensus(p, document_id=doc, code_id=events, start=12, end=17)
    assert [(c.start, c.end, c.quote) for c in own.created] == [(12, 17, "talks")]
    (d,) = review.disagreements(p, doc, [ana, ben], consensus_id=own.consensus_id)
    assert d.settled_by == () and d.resolved and len(d.consensus) == 1
    cleared = review.clear_consensus(p, d)
    assert [(c.start, c.end) for c in cleared.removed] == [(12, 17)]
    review.undo(p, cleared)
    assert spans(p, own.consensus_id) == [(events, 12, 17)]
    with pytest.raises(ServiceError):
        review.disagreements(p, doc, [ana, own.consensus_id], consensus_id=own.consensus_id)


def test_agreement_with_the_consensus(study):
    p, doc, actors, events, ana, ben = study
    code(p, doc, events, ana, 12, 24)
    code(p, doc, events, ben, 18, 24)
    code(p, doc, actors, ana, 0, 6)
    code(p, doc, actors, ben, 0, 6)
    none_yet = review.consensus_agreement(p, [ana, ben], None, document_ids=[doc])
    assert [(r.coder, r.value("krippendorff_alpha")) for r in none_yet] == [
        ("ana", None),
        ("ben", None),
    ]
    (d,) = review.disagreements(p, doc, [ana, ben])
    done = review.accept(p, d, ana)
    review.code_as_consensus(p, document_id=doc, code_id=actors, start=0, end=6)
    result = review.consensus_agreement(p, [ana, ben], done.consensus_id, document_ids=[doc])
    by = {r.coder: r for r in result}
    assert by["ana"].value("krippendorff_alpha") == pytest.approx(1.0)
    assert by["ana"].value("percent_agreement") == pytest.approx(1.0)
    assert by["ben"].value("percent_agreement", "Events") == pytest.approx(1 - 6 / len(TEXT))
    assert by["ben"].value("cohen_kappa", "Actors") == pytest.approx(1.0)
    # over all codes: 2 x len(TEXT) decisions, 6 of them different
    assert by["ben"].overall.units == 2 * len(TEXT)
    assert by["ben"].value("percent_agreement") == pytest.approx(1 - 6 / (2 * len(TEXT)))
    assert 0 < by["ben"].value("krippendorff_alpha") < 1
    assert by["ben"].codes == ("Actors", "Events")


def test_accept_all_agreements_at_once_and_undo_in_one_step(study):
    p, doc, actors, events, ana, ben = study
    code(p, doc, actors, ana, 0, 6, memo="the rebels")  # agreed
    code(p, doc, actors, ben, 0, 6)
    code(p, doc, actors, ana, 26, 32)  # agreed, ben in two pieces
    code(p, doc, actors, ben, 26, 29)
    code(p, doc, actors, ben, 29, 32)
    code(p, doc, events, ana, 12, 24)  # a disagreement: stays open
    code(p, doc, events, ben, 18, 24)
    code(p, doc, events, ana, 40, 47)  # agreed, but the reviewer coded it already
    code(p, doc, events, ben, 40, 47)
    own = review.code_as_consensus(p, document_id=doc, code_id=events, start=40, end=44)
    cons = own.consensus_id
    found = review.agreements(p, doc, [ana, ben], consensus_id=cons)
    assert [(a.code_id, a.start, a.end, a.differing) for a in found] == [
        (actors, 0, 6, ()), (actors, 26, 32, ()), (events, 40, 47, ()),
    ]  # fmt: skip

    done = review.accept_agreements(p, doc, [ana, ben])
    assert done.passages == 2 and done.consensus_id == cons
    assert sorted(spans(p, cons)) == [(actors, 0, 6), (actors, 26, 32), (events, 40, 44)]
    assert codings.list_codings(p, coder_ids=[cons])[0].memo == "the rebels"
    (d,) = review.disagreements(p, doc, [ana, ben], consensus_id=cons)
    assert not d.resolved  # the disagreement is the reviewer's to decide
    with pytest.raises(ServiceError, match="in the consensus already"):
        review.accept_agreements(p, doc, [ana, ben])

    review.undo(p, done)  # one step takes all of them out
    assert spans(p, cons) == [(events, 40, 44)]
    review.redo(p, review.undo(p, review.redo(p, done)))
    assert len(spans(p, cons)) == 3
    # only the chosen code, and a document where they agreed on nothing
    review.undo(p, done)
    actors_only = review.accept_agreements(p, doc, [ana, ben], code_ids=[actors], unit="word")
    assert actors_only.passages == 2 and sorted(spans(p, cons))[:2] == [
        (actors, 0, 6), (actors, 26, 32)]  # fmt: skip
    other = documents.add_document(p, name="other.txt", text="Nothing here.", kind="txt").id
    with pytest.raises(ServiceError, match="coded the same way by all"):
        review.accept_agreements(p, other, [ana, ben])
