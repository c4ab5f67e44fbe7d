from __future__ import annotations

import pytest

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.documents.documents import DuplicateDocument
from desktop.services.errors import ConfirmationNeeded
from tests.services.conftest import ARTICLE


def test_add_document_keeps_text_pages_and_metadata(project):
    text = "page one\npage two\n"
    d = documents.add_document(
        project, name="a.pdf", text=text, kind="pdf", pages=[(0, 9), (9, 18)],
        metadata={"title": "T", "author": "A", "url": "https://x", "producer": "LaTeX"},
    )  # fmt: skip
    assert documents.get_text(project, d.id) == text
    assert documents.get_pages(project, d.id) == [(0, 9), (9, 18)]
    starts = [a for a, _ in documents.get_pages(project, d.id)]
    assert (documents.page_of(starts, 0), documents.page_of(starts, 12)) == (1, 2)
    [info] = documents.list_documents(project)
    assert (info.pages, info.title, info.author, info.url, info.length) == (
        2,
        "T",
        "A",
        "https://x",
        18,
    )


def test_the_same_text_twice_is_reported_and_not_stored(project):
    documents.add_document(project, name="a.txt", text=ARTICLE, kind="txt")
    with pytest.raises(DuplicateDocument, match="a.txt"):
        documents.add_document(project, name="b.txt", text=ARTICLE, kind="txt")
    assert len(documents.list_documents(project)) == 1


def test_names_are_made_unique(project):
    documents.add_document(project, name="a.txt", text="one", kind="txt")
    d = documents.add_document(project, name="a.txt", text="two", kind="txt")
    assert d.name == "a (2).txt"
    assert documents.find_document(project, "a (2).txt").id == d.id
    assert documents.find_document(project, d.sha256).id == d.id


def test_metadata_is_editable(project, doc):
    documents.update_metadata(project, doc.id, title="Talks fail", source="The National")
    info = documents.get_document(project, doc.id)
    assert (info.title, info.source) == ("Talks fail", "The National")


def test_deleting_a_coded_document_needs_confirmation(project, doc, ana):
    code = codebook.find_code(project, "Actors")
    codings.apply_coding(
        project, document_id=doc.id, code_id=code.id, coder_id=ana.id, start=0, end=6
    )
    with pytest.raises(ConfirmationNeeded) as exc:
        documents.delete_document(project, doc.id)
    assert exc.value.count == 1
    assert len(documents.list_documents(project)) == 1
    assert documents.delete_document(project, doc.id, confirm_codings=True) == 1
    assert documents.list_documents(project) == [] and codings.list_codings(project) == []


def test_a_pdf_with_unreadable_glyphs_is_marked_with_the_pages_and_count(project):
    from pathlib import Path

    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "pdfs"
    report = documents.import_files(project, [fixtures / "unmapped-glyphs.pdf"])
    [(path, note)] = report.notes
    assert path.name == "unmapped-glyphs.pdf" and "on pages 1, 2 could not be read" in note
    [info] = documents.list_documents(project)
    assert info.import_notes == note  # kept with the document, not only reported
    assert documents.get_document(project, info.id).import_notes == note
    assert "(cid:" not in documents.get_text(project, info.id)


def test_a_legacy_encoding_is_kept_with_the_document_and_utf8_is_not_noted(project, tmp_path):
    (tmp_path / "fa.txt").write_bytes("آتش‌بس در شهر برقرار شد.".encode("cp1256"))
    (tmp_path / "en.txt").write_text("A plain note.", "utf-8")
    documents.import_files(project, [tmp_path])
    notes = {d.name: d.import_notes for d in documents.list_documents(project)}
    assert notes["en.txt"] is None
    assert "read as Windows-1256" in notes["fa.txt"]
