"""Agreement over a project: data loaded from the database, computed by the core."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.core.agreement import reliability, unitize, word_spans
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import NotFound, ServiceError
from desktop.services.review.agreement import project_agreement
from desktop.services.teams import coders

TEXT_1 = "Rebels said the talks had failed. The army denied it. Civilians fled the town."
TEXT_2 = "A second report. Nobody was hurt."
TEXT_3 = "An uncoded document that no coder opened."


@pytest.fixture
def study(tmp_path):
    from desktop.services.project.project import Project

    p = Project.create(tmp_path / "study.tessera", template="empty")
    p.actor = "test"
    d1 = documents.add_document(p, name="one.txt", text=TEXT_1, kind="txt")
    d2 = documents.add_document(p, name="two.txt", text=TEXT_2, kind="txt")
    documents.add_document(p, name="three.txt", text=TEXT_3, kind="txt")
    claim = codebook.add_code(p, "Claims/Denial")
    actor = codebook.add_code(p, "Actors")
    codebook.add_code(p, "Unused")
    ana, ben, cai = (coders.add_coder(p, n) for n in ("ana", "ben", "cai"))
    spans = {
        ana.id: [(d1, actor, 0, 6), (d1, claim, 34, 53), (d2, actor, 17, 24)],
        ben.id: [(d1, actor, 0, 6), (d1, claim, 38, 53), (d1, actor, 54, 63)],
        cai.id: [(d1, actor, 34, 42)],
    }
    for coder_id, items in spans.items():
        for doc, code, start, end in items:
            codings.apply_coding(
                p, document_id=doc.id, code_id=code.id, coder_id=coder_id, start=start, end=end
            )
    yield p
    p.close()


def expected(unit, code_spans, texts=(TEXT_1, TEXT_2)):
    """The dense computation on the same spans, concatenating the documents' units."""
    parts = []
    for j, text in enumerate(texts):
        units = None if unit == "char" else word_spans(text)
        per_coder = {
            c: [("x", s, e) for d, s, e in spans if d == j] for c, spans in code_spans.items()
        }
        parts.append(unitize(len(text), units, per_coder, ["x"])["x"])
    return reliability(np.concatenate(parts, axis=1))


@pytest.mark.parametrize("unit", ["char", "word"])
def test_two_coders_per_code_pooled_over_the_documents_they_coded(study, unit):
    report = project_agreement(study, coders=["ana", "ben"], unit=unit)
    assert report.coders == ("ana", "ben")
    assert report.documents == ("one.txt", "two.txt")  # three.txt: nobody coded it
    assert [r.code for r in report.pooled()] == ["Claims/Denial", "Actors"]  # codebook order
    want = expected(unit, {"ana": [(0, 0, 6), (1, 17, 24)], "ben": [(0, 0, 6), (0, 54, 63)]})
    row = report.find("Actors")
    assert row.codings == {"ana": 2, "ben": 2}
    assert row.units == want.units
    for measure in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"):
        assert row.value(measure) == pytest.approx(getattr(want, measure).value)


def test_named_codes_documents_and_an_exclusive_set(study):
    report = project_agreement(
        study,
        coders=["ana", "ben", "cai"],
        unit="word",
        codes=["Actors", "Unused"],
        documents=["one.txt", "three.txt"],
        exclusive=["Actors", "Claims / Denial"],
    )
    assert report.documents == ("one.txt", "three.txt")
    assert report.find("Unused").value("krippendorff_alpha") is None  # no variation
    assert report.find("Actors", "three.txt").units == len(word_spans(TEXT_3))
    row = report.find("Actors | Claims/Denial")
    assert row.kind == "exclusive set"
    assert row.codings == {"ana": 2, "ben": 3, "cai": 1}


def test_clear_errors(study):
    with pytest.raises(NotFound, match="no coder named 'zoe'"):
        project_agreement(study, coders=["ana", "zoe"])
    with pytest.raises(NotFound, match="no code 'Nope'"):
        project_agreement(study, coders=["ana", "ben"], codes=["Nope"])
    with pytest.raises(NotFound, match="no document named 'x.txt'"):
        project_agreement(study, coders=["ana", "ben"], documents=["x.txt"])
    with pytest.raises(ServiceError, match="two coders"):
        project_agreement(study, coders=["ana"])
    with pytest.raises(ServiceError, match="unknown unit"):
        project_agreement(study, coders=["ana", "ben"], unit="page")
