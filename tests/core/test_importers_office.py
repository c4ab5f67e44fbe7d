"""Importing Word (.docx), OpenDocument (.odt) and RTF files, and refusing bad ones."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from desktop.core.importers import ImportFailure, extract, office
from tests.core.importer_fixtures import add_docx_footnote, write_rtf

INTRO = "Interviews were held in “spring” – naïve questions first."
AFTER = "After the table, the discussion continues."
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- docx -----------------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    import docx
    from docx.oxml import OxmlElement, parse_xml
    from docx.oxml.ns import qn

    doc = docx.Document()
    doc.add_heading("Field study", level=1)
    doc.add_paragraph(INTRO)
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "Village"
    table.cell(0, 1).text = "Households"
    table.cell(0, 2).text = "Note"
    table.cell(1, 0).text = "Northby"
    table.cell(1, 1).text = "120"
    table.cell(1, 2).text = "flooded"
    merged = doc.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 2)).text = "One merged cell across three columns"
    link = doc.add_paragraph("See ")
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), "rId99")
    run = OxmlElement("w:r")
    run_text = OxmlElement("w:t")
    run_text.text = "the linked report"
    run.append(run_text)
    hyperlink.append(run)
    link._p.append(hyperlink)
    link.add_run(" for details.")
    changed = doc.add_paragraph("The committee ")
    for fragment in (
        '<w:ins {ns} w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z">'
        "<w:r><w:t>unanimously </w:t></w:r></w:ins>",
        '<w:del {ns} w:id="2" w:author="A" w:date="2024-01-01T00:00:00Z">'
        "<w:r><w:delText>narrowly </w:delText></w:r></w:del>",
        '<w:smartTag {ns} w:element="verb"><w:r><w:t>approved</w:t></w:r></w:smartTag>',
    ):
        changed._p.append(parse_xml(fragment.format(ns=f'xmlns:w="{W_NS}"')))
    changed.add_run(" the plan.")
    p = doc.add_paragraph("Line one")
    p.add_run().add_break()
    p.add_run("line two of the same paragraph")
    doc.add_paragraph(AFTER)
    props = doc.core_properties
    props.title = "Flood interviews"
    props.author = "A. Researcher"
    props.created = dt.datetime(2023, 5, 17, 9, 30)
    doc.save(path)
    return path


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    doc = extract(make_docx(tmp_path / "study.docx"))
    assert doc.kind == "docx"
    assert doc.pages is None
    assert doc.text == (
        "Field study\n\n"
        f"{INTRO}\n\n"
        "Village\tHouseholds\tNote\nNorthby\t120\tflooded\n\n"
        "One merged cell across three columns\n\n"
        "See the linked report for details.\n\n"
        "The committee unanimously approved the plan.\n\n"
        "Line one\nline two of the same paragraph\n\n"
        f"{AFTER}"
    )


def test_docx_footnotes_come_after_the_text(tmp_path):
    path = add_docx_footnote(make_docx(tmp_path / "a.docx"), tmp_path / "b.docx", "Two disagreed.")
    doc = extract(path)
    assert doc.text.endswith(f"{AFTER}\n\n1 Two disagreed.")


def test_docx_metadata_from_core_properties(tmp_path):
    doc = extract(make_docx(tmp_path / "study.docx"))
    assert doc.metadata == {
        "title": "Flood interviews",
        "author": "A. Researcher",
        "date": "2023-05-17",
    }


def test_docx_without_text_is_refused(tmp_path):
    import docx

    path = tmp_path / "blank.docx"
    d = docx.Document()
    d.add_paragraph("   ")
    d.save(path)
    with pytest.raises(ImportFailure, match="contains no text"):
        extract(path)


# --- odt ------------------------------------------------------------------------------


def make_odt(path: Path) -> Path:
    from odf import dc, meta, office, table, text
    from odf.opendocument import OpenDocumentText

    doc = OpenDocumentText()
    doc.text.addElement(text.H(outlinelevel=1, text="Field study"))
    doc.text.addElement(text.P(text=INTRO))
    lst = text.List()
    item = text.ListItem()
    item.addElement(text.P(text="A point made in a list"))
    lst.addElement(item)
    doc.text.addElement(lst)
    t = table.Table(name="T1")
    for cells in (("Village", "Households"), ("Northby", "120")):
        row = table.TableRow()
        for value in cells:
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        t.addElement(row)
    doc.text.addElement(t)
    p = text.P(text="Words")
    p.addElement(text.S(c=3))
    p.addText("spaced")
    p.addElement(text.Tab())
    p.addText("tabbed")
    p.addElement(text.LineBreak())
    p.addText("next line")
    doc.text.addElement(p)
    with_note = text.P(text="Most agreed")
    footnote = text.Note(id="ftn1", noteclass="footnote")
    footnote.addElement(text.NoteCitation(text="1"))
    body = text.NoteBody()
    body.addElement(text.P(text="Two of nine disagreed."))
    footnote.addElement(body)
    with_note.addElement(footnote)
    with_note.addText(" with the plan.")
    comment = office.Annotation()
    comment.addElement(text.P(text="REVIEWER COMMENT"))
    with_note.addElement(comment)
    doc.text.addElement(with_note)
    doc.text.addElement(text.P(text=AFTER))
    doc.meta.addElement(dc.Title(text="Flood interviews"))
    doc.meta.addElement(meta.InitialCreator(text="A. Researcher"))
    doc.meta.addElement(dc.Creator(text="Someone who edited it later"))
    doc.meta.addElement(meta.CreationDate(text="2023-05-17T09:30:00"))
    doc.save(str(path))
    return path


def test_odt_headings_paragraphs_lists_and_tables_in_order(tmp_path):
    doc = extract(make_odt(tmp_path / "study.odt"))
    assert doc.kind == "odt"
    assert doc.text == (
        "Field study\n\n"
        f"{INTRO}\n\n"
        "A point made in a list\n\n"
        "Village\tHouseholds\nNorthby\t120\n\n"
        "Words   spaced\ttabbed\nnext line\n\n"
        "Most agreed with the plan.\n\n"
        f"{AFTER}\n\n"
        "1 Two of nine disagreed."
    )


def test_odt_metadata_from_meta_xml(tmp_path):
    doc = extract(make_odt(tmp_path / "study.odt"))
    assert doc.metadata == {
        "title": "Flood interviews",
        "author": "A. Researcher",
        "date": "2023-05-17",
    }


# --- damaged, disguised and hostile zips -------------------------------------------------


@pytest.mark.parametrize(("suffix", "maker"), [(".docx", make_docx), (".odt", make_odt)])
def test_truncated_document_is_refused(tmp_path, suffix, maker):
    good = maker(tmp_path / f"good{suffix}")
    data = good.read_bytes()
    bad = tmp_path / f"cut{suffix}"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFailure, match="damaged or incomplete"):
        extract(bad)


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_text_file_renamed_is_refused(tmp_path, suffix):
    path = tmp_path / f"notes{suffix}"
    path.write_text("just some notes, not a document")
    with pytest.raises(ImportFailure, match="damaged or incomplete"):
        extract(path)


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_zip_that_is_not_a_document_is_refused(tmp_path, suffix):
    path = tmp_path / f"photos{suffix}"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("holiday.jpg", b"\xff\xd8\xff" + b"x" * 100)
    with pytest.raises(ImportFailure, match="zip archive but not"):
        extract(path)


@pytest.mark.parametrize(
    ("suffix", "member"), [(".docx", "word/document.xml"), (".odt", "content.xml")]
)
def test_zip_bomb_is_refused_before_unpacking(tmp_path, suffix, member, monkeypatch):
    # The same thing at a thousandth of the scale (300 MB would take seconds to build).
    monkeypatch.setattr(office, "MAX_UNZIPPED_BYTES", 300 * 1024)
    path = tmp_path / f"bomb{suffix}"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, b"<a>" + b" " * (400 * 1024) + b"</a>")
    assert path.stat().st_size < 2 * 1024  # tiny on disk

    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: opened.append(a) or 1 / 0)
    with pytest.raises(ImportFailure, match="zip bomb"):
        extract(path)
    assert opened == []  # refused from the directory alone


def test_broken_xml_inside_docx_is_refused(tmp_path):
    good = make_docx(tmp_path / "good.docx")
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    with pytest.raises(ImportFailure, match="damaged"):
        extract(bad)


def test_password_protected_word_file_is_explained(tmp_path):
    path = tmp_path / "locked.docx"  # Word stores encrypted .docx as an OLE container
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ImportFailure, match="password-protected"):
        extract(path)


def test_a_zip_claiming_gigabytes_is_refused_at_the_real_limit(tmp_path):
    path = tmp_path / "claims.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", b"<w:document/>")
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (3 * 1024**3).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFailure, match=r"unpack to 3,072 MB, over the 300 MB limit"):
        extract(path)


# --- rtf ------------------------------------------------------------------------------


def test_rtf_escapes_and_unicode(tmp_path):
    body = (
        r"{\b Field study}\par "
        r"Interviews were held in \ldblquote spring\rdblquote  \endash  na\'efve questions first.\par "
        r"Unicode: \u8220?quoted\u8221? and \u-3913?.\par "
        r"{\*\generator Ignored 1.0;}Last line."
    )
    doc = extract(write_rtf(tmp_path / "notes.rtf", body))
    assert doc.kind == "rtf"
    assert doc.text == (
        "Field study\n"
        "Interviews were held in “spring” – naïve questions first.\n"
        "Unicode: “quoted” and \uf0b7.\n"
        "Last line."
    )


def test_rtf_in_another_code_page(tmp_path):
    doc = extract(
        write_rtf(tmp_path / "pl.rtf", r"Za\'bf\'f3\'b3\'e6 g\'ea\'9cl\'b9", codepage=1250)
    )
    assert doc.text == "Zażółć gęślą"


def test_rtf_metadata_from_info_group(tmp_path):
    info = r"{\info{\title Flood interviews}{\author A. R\'e9searcher}{\creatim\yr2023\mo5\dy17\hr9\min30}}"
    doc = extract(write_rtf(tmp_path / "notes.rtf", "Some text.", info=info))
    assert doc.text == "Some text."
    assert doc.metadata == {
        "title": "Flood interviews",
        "author": "A. Résearcher",
        "date": "2023-05-17",
    }


def test_not_rtf_is_refused(tmp_path):
    path = tmp_path / "fake.rtf"
    path.write_text("plain text pretending")
    with pytest.raises(ImportFailure, match="not an RTF document"):
        extract(path)


def test_empty_rtf_is_refused(tmp_path):
    with pytest.raises(ImportFailure, match="no text"):
        extract(write_rtf(tmp_path / "empty.rtf", r"{\*\generator Nothing;}\par \par "))
