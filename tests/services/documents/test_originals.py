"""The files documents were imported from are kept in the project, once per content,
and can be written out again byte for byte; they go when their last document goes, and
come back with it on undo."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from desktop.core import limits
from desktop.services.documents import documents, originals, removal
from desktop.services.errors import ServiceError

PDFS = Path("/work/shared/pdfs")
FIXTURE_PDF = Path(__file__).resolve().parents[2] / "fixtures" / "pdfs" / "rtl.pdf"
HTML = "<html><head><title>Talks</title></head><body><p>Rebels said talks had failed.</p></body></html>"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_pdf_and_a_web_page_keep_their_files_and_a_text_file_does_not(project, tmp_path):
    tmp_path = tmp_path / "files"
    tmp_path.mkdir()
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Plain notes.\n", encoding="utf-8")
    shutil.copy(FIXTURE_PDF, tmp_path / "rtl.pdf")

    report = documents.import_files(project, [tmp_path])

    assert report.ok and len(report.imported) == 3
    by_name = {d.name: d for d in report.imported}
    assert originals.read_original(project, by_name["rtl.pdf"].id) == FIXTURE_PDF.read_bytes()
    assert bytes(originals.read_original(project, by_name["page.html"].id)) == HTML.encode()
    assert originals.read_original(project, by_name["notes.txt"].id) is None
    info = originals.info_of(project, by_name["rtl.pdf"].id)
    assert (info.name, info.suffix, info.size) == ("rtl.pdf", ".pdf", FIXTURE_PDF.stat().st_size)
    assert info.sha256 == sha(FIXTURE_PDF.read_bytes())
    assert project.info()["originals"] == 2


def test_the_same_file_under_two_names_is_kept_once(project, tmp_path):
    (tmp_path / "a.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "b.html").write_text(HTML, encoding="cp1252")
    # the same bytes twice give the same text: the second is a duplicate; a document
    # with another text from the same bytes (added as a service would) shares the file
    first = documents.import_files(project, [tmp_path / "a.html"]).imported[0]
    other = documents.add_document(project, name="again.html", text="Another reading.\n",
                                   kind="html", original=HTML.encode())  # fmt: skip
    assert project.info()["originals"] == 1
    assert (
        originals.info_of(project, other.id).sha256 == originals.info_of(project, first.id).sha256
    )

    # deleting one of the two keeps the file; deleting the last takes it along ...
    documents.delete_document(project, first.id)
    assert project.info()["originals"] == 1
    gone = removal.remove_document(project, other.id)
    assert project.info()["originals"] == 0
    # ... and undo puts it back with its document
    removal.restore_document(project, gone)
    assert bytes(originals.read_original(project, other.id)) == HTML.encode()


def test_a_real_pdf_is_written_out_byte_for_byte(project, tmp_path):
    pdf = PDFS / "google-doc-document.pdf"
    if not pdf.exists():
        pytest.skip("the shared PDFs are not here")
    [doc] = documents.import_files(project, [pdf]).imported
    out = originals.save_original(project, doc.id, tmp_path)
    assert Path(out.name) == tmp_path / pdf.name
    assert sha((tmp_path / pdf.name).read_bytes()) == sha(pdf.read_bytes())
    with pytest.raises(ServiceError, match="already exists"):
        originals.save_original(project, doc.id, tmp_path / pdf.name)


def test_a_document_without_an_original_says_so(project, doc, tmp_path):
    with pytest.raises(ServiceError, match="has no original file"):
        originals.save_original(project, doc.id, tmp_path / "out.txt")
    assert not (tmp_path / "out.txt").exists()


def test_a_file_over_the_limit_is_imported_as_text_only_with_a_note(project, tmp_path, monkeypatch):
    shutil.copy(FIXTURE_PDF, tmp_path / "rtl.pdf")
    monkeypatch.setattr(originals, "ORIGINAL_FILE_MAX_BYTES", 1000)
    report = documents.import_files(project, [tmp_path / "rtl.pdf"])
    [doc] = report.imported
    assert originals.info_of(project, doc.id) is None
    [(path, note)] = report.notes
    assert path.name == "rtl.pdf" and "original file is not kept" in note and "1000 bytes" in note
    assert "original file is not kept" in documents.get_document(project, doc.id).import_notes
    assert limits.ORIGINAL_FILE_MAX_BYTES >= 100 * limits.MB


def test_undo_keeps_a_large_deleted_document_on_disk_not_in_memory(project, tmp_path):
    """A deleted document waits for undo: its text and original file above 1 MB are kept
    in temporary files, and undo puts back exactly what was there."""
    body = ("<p>" + "Ceasefire talks resumed; شهود عيان 目击者 " * 60_000 + "</p>").encode()
    page = tmp_path / "big.html"
    page.write_bytes(b"<html><body>" + body + b"</body></html>")
    [doc] = documents.import_files(project, [page]).imported
    text = documents.get_text(project, doc.id)
    original = bytes(originals.read_original(project, doc.id))
    assert len(text) > 2_000_000 and len(original) > 2_000_000

    gone = removal.remove_document(project, doc.id)
    in_memory = sum(len(v) for _, rows in gone.rows for r in rows for v in r.values()
                    if isinstance(v, str | bytes))  # fmt: skip
    assert in_memory < 100_000, in_memory
    assert project.info()["documents"] == 0

    removal.restore_document(project, gone)
    assert documents.get_text(project, doc.id) == text
    assert bytes(originals.read_original(project, doc.id)) == original
