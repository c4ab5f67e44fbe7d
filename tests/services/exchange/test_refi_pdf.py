"""A PDF document goes out to REFI-QDA as a PDFSource that carries its PDF, with its
text as the Representation the selections are made on (valid against Project.xsd), and
comes back as the same document: same text, same pages, same codings, and the PDF kept
byte for byte. What other tools write in that shape is read too: the Representation's
text and codings, the PDF kept, and a text that the PDF does not give is kept with a
warning instead of pages."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from desktop.services.codebook import codebook
from desktop.services.coding import codings, memos
from desktop.services.documents import attributes, documents, originals
from desktop.services.exchange.refi_export import export_qdpx
from desktop.services.exchange.refi_import import import_qdpx
from desktop.services.project.project import Project
from desktop.services.teams import coders

P = "{urn:QDA-XML:project:1.0}"
PDF = "federal-register-2020-17221.pdf"


@pytest.fixture(scope="module")
def schema(shared_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_dir / "refi" / "Project.xsd")))


@pytest.fixture(scope="module")
def pdf(shared_dir: Path) -> Path:
    return shared_dir / "pdfs" / PDF


def sha(data: bytes) -> str:
    return hashlib.sha256(bytes(data)).hexdigest()


def coded_study(p, pdf: Path, tmp_path: Path) -> None:
    """A real PDF (15 pages) and a plain text, both coded, the PDF on several pages."""
    (tmp_path / "notes.txt").write_text("Field notes on the rule.\n", encoding="utf-8")
    report = documents.import_files(p, [pdf, tmp_path / "notes.txt"])
    assert report.ok, report.failed
    ana = coders.add_coder(p, "ana")
    code = codebook.add_code(p, "Rules/Deadlines")
    doc = documents.find_document(p, PDF)
    memos.set_document_memo(p, doc.id, "the final rule \u2014 read twice")
    pages = documents.get_pages(p, doc.id)
    for a, b in (pages[0], pages[7], pages[-1]):
        codings.apply_coding(p, document_id=doc.id, code_id=code.id, coder_id=ana.id,
                             start=a, end=min(b, a + 80), memo=f"page at {a}")  # fmt: skip
    notes = documents.find_document(p, "notes.txt")
    codings.apply_coding(p, document_id=notes.id, code_id=code.id, coder_id=ana.id, start=0, end=5)


def described(p) -> dict:
    """Every document as a user compares it: text, kind, pages, original, codings."""
    out = {}
    paths = {c.id: c.path for c in codebook.list_codes(p)}
    for d in documents.list_documents(p):
        original = originals.read_original(p, d.id)
        out[d.name] = (
            d.kind, documents.get_text(p, d.id), documents.get_pages(p, d.id),
            sha(original) if original is not None else None,
            sorted((paths[c.code_id], c.start, c.end, c.quote, c.memo)
                   for c in codings.list_codings(p) if c.document_id == d.id),
        )  # fmt: skip
    return out


def test_a_pdf_goes_out_as_a_pdf_source_with_its_pdf_and_comes_back_the_same(
    project, pdf, schema, tmp_path
):
    coded_study(project, pdf, tmp_path)
    out = tmp_path / "study.qdpx"
    report = export_qdpx(project, out)
    assert report.pdfs == 1 and report.documents == 2

    with zipfile.ZipFile(out) as zf:
        root = etree.fromstring(zf.read("project.qde"))
        assert schema.validate(root), schema.error_log
        [source] = root.iter(f"{P}PDFSource")
        guid = source.get("guid")
        assert source.get("name") == PDF and source.get("path") == f"internal://{guid}.pdf"
        assert sha(zf.read(f"sources/{guid}.pdf")) == sha(pdf.read_bytes())
        [rep] = source.findall(f"{P}Representation")
        assert rep.get("plainTextPath") == f"internal://{guid}.txt" and rep.get("guid") != guid
        text = zf.read(f"sources/{guid}.txt").decode("utf-8")
        assert text == documents.get_text(project, documents.find_document(project, PDF).id)
        assert len(rep.findall(f"{P}PlainTextSelection")) == 3
        assert not source.findall(f"{P}PlainTextSelection")
        # the document without an original stays a TextSource
        [plain] = root.iter(f"{P}TextSource")
        assert plain.getparent().tag == f"{P}Sources" and plain.get("name") == "notes.txt"

    back = Project.create(tmp_path / "back.tessera")
    try:
        got = import_qdpx(back, out)
        assert got.pdfs_kept == 1 and not got.warnings and got.codings_imported == 4
        assert described(back) == described(project)
        mine, theirs = documents.find_document(project, PDF), documents.find_document(back, PDF)
        assert len(documents.get_pages(back, theirs.id)) == 15
        # the PDFSource's VariableValues and Description come back too
        assert attributes.values_of(back, theirs.id) == attributes.values_of(project, mine.id)
        assert attributes.values_of(back, theirs.id)["date"] == "2020-08-06"
        assert memos.document_memo(back, theirs.id) == "the final rule \u2014 read twice"
    finally:
        back.close()


def test_a_qdpx_with_a_pdf_source_imports_into_a_project(project, pdf, tmp_path):
    source = Project.create(tmp_path / "source.tessera")
    try:
        coded_study(source, pdf, tmp_path)
        export_qdpx(source, tmp_path / "s.qdpx")
        expected = described(source)
    finally:
        source.close()
    import_qdpx(project, tmp_path / "s.qdpx", add_codes=True)
    assert described(project) == expected
    # importing again adds nothing, and keeps one copy of the PDF
    again = import_qdpx(project, tmp_path / "s.qdpx", add_codes=True)
    assert again.codings_imported == 0 and project.info()["originals"] == 1


# -- files in the shape other tools write ------------------------------------------------


def qdpx(tmp_path: Path, sources_xml: str, members: dict[str, bytes]) -> Path:
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="other" origin="Other QDA 1.0">
<Users><User guid="11111111-1111-1111-1111-111111111111" name="bo"/></Users>
<CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="Rule" isCodable="true"/></Codes></CodeBook>
<Sources>{sources_xml}</Sources>
</Project>"""
    path = tmp_path / "other.qdpx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("project.qde", xml)
        for name, data in members.items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


SELECTION = """<PlainTextSelection guid="33333333-3333-3333-3333-333333333333" startPosition="0"
 endPosition="5" creatingUser="11111111-1111-1111-1111-111111111111">
 <Coding guid="44444444-4444-4444-4444-444444444444" creatingUser="11111111-1111-1111-1111-111111111111">
 <CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding></PlainTextSelection>"""


def pdf_source(
    rep_text_path: str, *, path: str = "internal://aaaaaaaa-0000-0000-0000-000000000001.pdf"
) -> str:
    return f"""<PDFSource guid="aaaaaaaa-0000-0000-0000-000000000001" name="Rule" path="{path}">
<Description>the final rule</Description>
<PDFSelection guid="55555555-5555-5555-5555-555555555555" page="1" firstX="1" firstY="1" secondX="9" secondY="9"/>
<Representation guid="bbbbbbbb-0000-0000-0000-000000000002" name="Rule" plainTextPath="{rep_text_path}">
{SELECTION}
</Representation>
</PDFSource>"""


def test_another_tools_pdf_source_gives_its_text_codings_and_pdf(project, pdf, tmp_path):
    text = "Rules of another reader.\n"
    path = qdpx(tmp_path, pdf_source("internal://bbbbbbbb-0000-0000-0000-000000000002.txt"), {
        "sources/aaaaaaaa-0000-0000-0000-000000000001.pdf": pdf.read_bytes(),
        "sources/bbbbbbbb-0000-0000-0000-000000000002.txt": text.encode(),
    })  # fmt: skip

    report = import_qdpx(project, path, add_codes=True)

    [doc] = documents.list_documents(project)
    assert (doc.name, doc.kind, documents.get_text(project, doc.id)) == ("Rule", "pdf", text)
    assert [(c.start, c.end, c.quote) for c in codings.list_codings(project)] == [(0, 5, "Rules")]
    assert sha(originals.read_original(project, doc.id)) == sha(pdf.read_bytes())
    assert originals.info_of(project, doc.id).name == "Rule.pdf"
    assert documents.get_document(project, doc.id).pages == 0
    # the PDF gives another text (another tool's reading): kept as it is, and said so
    assert any("pages are not known" in w for w in report.warnings)
    # the PDF selection, which Tessera cannot place, is counted and said
    assert any("1 selection on the pages of PDFSource 'Rule'" in w for w in report.warnings)
    assert report.selections_skipped == 1


def test_a_pdf_source_whose_pdf_is_missing_keeps_its_text_and_says_so(project, tmp_path):
    path = qdpx(tmp_path, pdf_source("internal://t.txt"), {"sources/t.txt": b"Rules apply.\n"})
    report = import_qdpx(project, path, add_codes=True)
    [doc] = documents.list_documents(project)
    assert documents.get_text(project, doc.id) == "Rules apply.\n"
    assert originals.info_of(project, doc.id) is None and report.pdfs_kept == 0
    assert any("missing from the archive: only its text is imported" in w for w in report.warnings)


def test_a_pdf_source_without_a_representation_is_skipped_with_a_warning(project, tmp_path):
    xml = """<PDFSource guid="aaaaaaaa-0000-0000-0000-000000000001" name="Scan"
      path="internal://aaaaaaaa-0000-0000-0000-000000000001.pdf"/>
      <TextSource guid="cccccccc-0000-0000-0000-000000000003" name="Plain">
      <PlainTextContent>Rules are plain.</PlainTextContent></TextSource>"""
    report = import_qdpx(project, qdpx(tmp_path, xml, {}), add_codes=True)
    assert [d.name for d in documents.list_documents(project)] == ["Plain"]
    assert any("PDFSource 'Scan' has no text Representation; skipped" in w for w in report.warnings)
