"""The review cuts a document into the same units as the project's agreement reports:
the project's sentence locale, and grapheme clusters as characters."""

from __future__ import annotations

import pytest

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from desktop.services.review import review
from desktop.services.review.agreement import project_agreement
from desktop.services.review.units import project_units, set_sentence_locale
from desktop.services.teams import coders

TEXT = "Mr. Smith spoke. He said no. Cafe\u0301 owners left."


@pytest.fixture
def study(tmp_path):
    p = Project.create(tmp_path / "u.tessera", template="empty")
    p.actor = "reviewer"
    doc = documents.add_document(p, name="d.txt", text=TEXT, kind="txt").id
    code = codebook.add_code(p, "Events").id
    ana = coders.add_coder(p, "ana").id
    ben = coders.add_coder(p, "ben").id
    yield p, doc, code, ana, ben
    p.close()


def code(p, doc, code_id, coder, passage, cut=0):
    start = TEXT.index(passage)
    codings.apply_coding(p, document_id=doc, code_id=code_id, coder_id=coder, start=start,
                         end=start + len(passage) - cut)  # fmt: skip


def test_review_and_reports_use_the_projects_sentence_locale(study):
    p, doc, events, ana, ben = study
    code(p, doc, events, ana, "Mr.")
    code(p, doc, events, ben, "Smith spoke.")
    # root rules: "Mr." is a sentence of its own, so the coders differ
    assert len(review.disagreements(p, doc, [ana, ben], unit="sentence")) == 1
    root = project_agreement(p, coders=["ana", "ben"], unit="sentence").find("Events")
    set_sentence_locale(p, "en@ss=standard")
    assert review.disagreements(p, doc, [ana, ben], unit="sentence") == []
    report = project_agreement(p, coders=["ana", "ben"], unit="sentence")
    assert report.segmentation["locale"] == "en@ss=standard"
    row = report.find("Events")
    assert row.units == root.units - 1 and row.value("krippendorff_alpha") == 1.0
    # each coder against the consensus: the same units again
    done = review.accept(p, review.disagreements(p, doc, [ana, ben], unit="char")[0], ana)
    (against,) = review.consensus_agreement(p, [ben], done.consensus_id, unit="sentence",
                                            document_ids=[doc])  # fmt: skip
    assert against.overall.units == row.units
    assert against.report.segmentation == report.segmentation
    assert against.value("krippendorff_alpha") == 1.0


def test_review_and_reports_count_a_letter_and_its_accent_as_one_character(study):
    p, doc, events, ana, ben = study
    code(p, doc, events, ana, "Cafe\u0301", cut=1)  # stops before the combining accent
    code(p, doc, events, ben, "Cafe\u0301")
    assert project_agreement(p, coders=["ana", "ben"]).find("Events").value(
        "krippendorff_alpha"
    ) == pytest.approx(1.0)
    assert review.disagreements(p, doc, [ana, ben]) == []


def test_parameters_are_stored_once_and_a_bad_locale_is_refused(study):
    p, *_ = study
    assert "agreement_units" not in p.settings()
    units = project_units(p)
    assert p.settings()["agreement_units"] == units.stored and units.note == ""
    with pytest.raises(ServiceError, match="not a locale ICU knows"):
        set_sentence_locale(p, "zz")
    assert p.settings()["agreement_units"]["sentence_locale"] == ""
