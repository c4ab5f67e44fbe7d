"""Code matrices and co-occurrence."""

from __future__ import annotations

import pytest

from desktop.services.analysis.matrix import code_matrix, cooccurrence_matrix
from desktop.services.errors import ServiceError
from tests.services.analysis.conftest import TEXT_A, span


def test_codes_by_document_coder_and_attribute(corpus):
    p = corpus.project
    m = code_matrix(p, ["Casualties/Killed", "Actors/State forces"], "document")
    assert m.columns == ("a.txt", "b.txt") and m.counts == ((1, 1), (2, 0))
    m = code_matrix(p, ["Casualties/Killed"], "coder")
    assert m.columns == ("ana", "ben") and m.counts == ((1, 1),)
    m = code_matrix(p, ["Casualties/Killed"], "source", measure="characters")
    assert m.columns == ("AFP", "Reuters") and m.counts == (
        (len("killed"), len("killing 12 civilians")),
    )
    m = code_matrix(p, ["Actors", "Casualties"], "document", measure="documents", subcodes=True)
    assert m.counts == ((1, 0), (1, 1))


def test_matrix_bad_input(corpus):
    with pytest.raises(ServiceError, match="no attribute 'colour'"):
        code_matrix(corpus.project, ["Casualties/Killed"], "colour")
    with pytest.raises(ServiceError, match="no code named 'Nope'"):
        code_matrix(corpus.project, ["Nope"], "document")


def test_cooccurrence_overlap_within_and_sentence(corpus):
    p = corpus.project
    codes = ["Actors/State forces", "Claims/Accusations", "Casualties/Killed"]
    m = cooccurrence_matrix(p, codes)
    # the army in the accusation; the killing in the accusation; army and killing apart
    assert m.counts == ((0, 1, 0), (1, 0, 1), (0, 1, 0))
    assert m.totals == (2, 1, 2)
    assert m.c_coefficient[0][1] == pytest.approx(1 / (2 + 1 - 1))
    gap = span(TEXT_A, "killing")[0] - span(TEXT_A, "the army")[1]
    assert cooccurrence_matrix(p, codes, within=gap).counts[0][2] == 1
    assert cooccurrence_matrix(p, codes, within=gap - 1).counts[0][2] == 0
    m = cooccurrence_matrix(p, codes, same="sentence")
    assert m.counts[0][2] == 1 and m.counts[0][1] == 1
    m = cooccurrence_matrix(p, codes, same="paragraph")
    assert m.counts[0][1] == 2  # both State forces codings share the paragraph


@pytest.mark.parametrize("first", ["sentence", "space"])
def test_a_passage_in_no_sentence_co_occurs_with_nothing(tmp_path, first):
    """White space between two sentences is in neither: coded, it is in no sentence
    with anything, whichever coding was made first (they start at the same place)."""
    from desktop.services.codebook import codebook
    from desktop.services.coding import codings
    from desktop.services.documents import documents
    from desktop.services.project.project import Project
    from desktop.services.teams import coders

    text = "One two.  Three four."
    with Project.create(tmp_path / "p.tessera") as p:
        doc = documents.add_document(p, name="t.txt", text=text, kind="txt").id
        ana = coders.add_coder(p, "ana").id
        x, y = codebook.add_code(p, "Space").id, codebook.add_code(p, "Sentence").id
        made = {"space": (x, 8, 10), "sentence": (y, 8, 15)}  # "  ", "  Three"
        for key in (first, *(k for k in made if k != first)):
            code, a, b = made[key]
            codings.apply_coding(p, document_id=doc, code_id=code, coder_id=ana, start=a, end=b)
        m = cooccurrence_matrix(p, ["Space", "Sentence"], same="sentence")
        assert m.counts == ((0, 0), (0, 0)) and m.totals == (1, 1)
        assert cooccurrence_matrix(p, ["Space", "Sentence"]).counts == ((0, 1), (1, 0))
