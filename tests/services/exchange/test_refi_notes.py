"""REFI-QDA notes beyond coding memos: the project journal, the project's description,
document and code memos, and the users that wrote them, both ways."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from db import models as m
from desktop.services.codebook import codebook
from desktop.services.coding import codings, memos
from desktop.services.documents import documents
from desktop.services.exchange.refi_export import export_qdpx
from desktop.services.exchange.refi_import import import_qdpx
from desktop.services.exchange.refi_notes import PROJECT_DESCRIPTION
from desktop.services.project import audit
from desktop.services.project.project import Project
from desktop.services.teams import coders

SAMPLES = (
    "nvivo-win-12.6_oltas0517.qdpx",
    "nvivo-mac-15.0_codes-only.qdpx",
    "atlasti-win-23.2_target-project.qdpx",
    "maxqda-24.7_project.qde",
)


@pytest.fixture(scope="module")
def schema(shared_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_dir / "refi" / "Project.xsd")))


@pytest.fixture
def target(project_target):
    p = Project.create(project_target, template="empty")
    p.actor = "importer"
    yield p
    p.close()


@pytest.fixture
def study(tmp_path):
    """Two coders, each with journal entries and codings with memos; a project
    description; memos on a document and on a code."""
    p = Project.create(tmp_path / "study.tessera", template="empty")
    ana, bo = coders.add_coder(p, "Ana"), coders.add_coder(p, "Bo")
    doc = documents.add_document(
        p, name="deraa.txt", text="Protests began in Deraa.\nThen more.\n", kind="txt"
    )
    other = documents.add_document(p, name="homs.txt", text="Homs followed.\n", kind="txt")
    talks = codebook.add_code(p, "Events/Protest", description="a protest", inclusion="crowds")
    codebook.add_code(p, "Events/Other")
    memos.set_document_memo(p, doc.id, "Source: Reuters wire.\n\nSecond paragraph – „quoted” 😀")
    memos.set_code_memo(p, talks.id, "Keep apart from riots. <markup> & 'quotes'")
    codings.apply_coding(p, document_id=doc.id, code_id=talks.id, coder_id=ana.id, start=0,
                         end=8, memo="Ana's coding memo")  # fmt: skip
    codings.apply_coding(p, document_id=other.id, code_id=talks.id, coder_id=bo.id, start=0,
                         end=4, memo="Bo's\nmemo")  # fmt: skip
    p.actor = "Ana"
    memos.add_journal_entry(
        p, "Started reading the Reuters set.", "Day 1", datetime(2024, 3, 1, 9, 30)
    )
    memos.add_journal_entry(p, "A study of the first weeks of protest.", PROJECT_DESCRIPTION,
                            datetime(2024, 3, 1, 9, 0))  # fmt: skip
    p.actor = "Bo"
    memos.add_journal_entry(
        p, "Second coder joins.\nNotes on\ttabs.", "", datetime(2024, 3, 2, 14, 5, 7)
    )
    yield p
    p.close()


def journal(project) -> list[tuple]:
    with project.session() as s:
        return [(e.at, e.author, e.title, e.text, e.guid) for e in s.scalars(
            select(m.JournalEntry).order_by(m.JournalEntry.at, m.JournalEntry.id))]  # fmt: skip


def all_memos(project) -> dict:
    """Every memo a user sees, keyed by what it is about (not by ids)."""
    with project.session() as s:
        docs = dict(s.execute(select(m.Document.sha256, m.Document.memo)).all())
        coding_memos = {
            (sha, path, coder, a, b, memo)
            for sha, path, coder, a, b, memo in s.execute(
                select(m.Document.sha256, m.Code.name, m.Coder.name, m.Coding.start,
                       m.Coding.end, m.Coding.memo)
                .join(m.Document, m.Document.id == m.Coding.document_id)
                .join(m.Code, m.Code.id == m.Coding.code_id)
                .join(m.Coder, m.Coder.id == m.Coding.coder_id)
            )
        }  # fmt: skip
        names = set(s.scalars(select(m.Coder.name)))
    code_memos = {c.path: c.memo for c in codebook.list_codes(project)}
    return {"documents": docs, "codes": code_memos, "codings": coding_memos, "coders": names}


def test_journal_description_and_every_memo_come_back_equal(
    study, target, tmp_path, schema
) -> None:
    out = tmp_path / "study.qdpx"
    report = export_qdpx(study, out)
    assert report.notes == 3 + 1 + 1 + 2  # journal, document, code, codings
    with zipfile.ZipFile(out) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    assert schema.validate(root), schema.error_log
    q = "{urn:QDA-XML:project:1.0}"
    assert root.findtext(f"{q}Description") == "A study of the first weeks of protest."
    assert {u.get("name") for u in root.iter(f"{q}User")} == {"Ana", "Bo"}
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{q}User")}
    # the journal's notes name their author as a user, like the codings do
    notes = {n.get("name"): n for n in root.iter(f"{q}Note")}
    assert users[notes["Day 1"].get("creatingUser")] == "Ana"
    # the document's memo is its Description and a Note its NoteRef points at
    src = next(root.iter(f"{q}TextSource"))
    assert src.findtext(f"{q}Description").startswith("Source: Reuters wire.")
    assert src.find(f"{q}NoteRef") is not None

    back = import_qdpx(target, out)
    assert back.journal_added == 3 and not back.description_kept  # the description is an entry
    assert journal(target) == journal(study)  # at (to the second), author, title, text, GUID
    assert all_memos(target) == all_memos(study)
    assert not [w for w in back.warnings if "note" in w]

    again = import_qdpx(target, out)
    assert (again.journal_added, again.journal_matched) == (0, 3)
    assert journal(target) == journal(study)


def test_import_is_audited_with_its_journal_entries(study, target, tmp_path) -> None:
    out = tmp_path / "study.qdpx"
    export_qdpx(study, out)
    import_qdpx(target, out)
    created = audit.history(target, entity="journal_entry")
    assert [(e.action, e.actor) for e in created] == [("create", "importer")] * 3
    (summary,) = audit.history(target, entity="refi")
    assert summary.new["journal_entries"] == 3


G = "{:08d}-0000-4000-8000-000000000000".format


def other_tool_file(tmp_path: Path, *, code_note: str = "Code memo from the file") -> Path:
    """Notes where other tools put them: on the project (with a Description), a source
    (with a Description too), a code, a coding, a set member and a link; a note with a
    coded selection of its own."""
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="Other Tool 2">
<Users><User guid="{G(1)}" name="Mia"/><User guid="{G(2)}" name="Lev"/></Users>
<CodeBook><Codes><Code guid="{G(10)}" name="Fear" isCodable="true">
<Description>Being afraid</Description><NoteRef targetGUID="{G(100)}"/></Code></Codes></CodeBook>
<Sources>
<TextSource guid="{G(20)}" name="doc" plainTextPath="internal://s.txt">
<Description>From the archive</Description>
<PlainTextSelection guid="{G(30)}" startPosition="0" endPosition="3" creatingUser="{G(2)}">
<Coding guid="{G(31)}" creatingUser="{G(2)}"><CodeRef targetGUID="{G(10)}"/><NoteRef targetGUID="{G(103)}"/></Coding>
</PlainTextSelection>
<NoteRef targetGUID="{G(101)}"/><NoteRef targetGUID="{G(102)}"/>
</TextSource>
</Sources>
<Notes>
<Note guid="{G(100)}" name="on the code"><PlainTextContent>{code_note}</PlainTextContent></Note>
<Note guid="{G(101)}" name="a"><PlainTextContent>First source note</PlainTextContent></Note>
<Note guid="{G(102)}" name="b" plainTextPath="internal://n.txt"/>
<Note guid="{G(103)}"><PlainTextContent>Coding note</PlainTextContent></Note>
<Note guid="{G(104)}" name="Memo 1" creatingUser="{G(1)}" creationDateTime="2023-05-06T07:08:09Z">
<PlainTextContent>A project memo</PlainTextContent>
<PlainTextSelection guid="{G(40)}" startPosition="0" endPosition="1"/></Note>
<Note guid="{G(105)}" name="On the link"><PlainTextContent>Why these go together</PlainTextContent></Note>
<Note guid="{G(106)}" name="In a set"><Description>Only a description</Description></Note>
</Notes>
<Links><Link guid="{G(50)}" originGUID="{G(10)}" targetGUID="{G(20)}"><NoteRef targetGUID="{G(105)}"/></Link></Links>
<Sets><Set guid="{G(60)}" name="S"><MemberNote targetGUID="{G(106)}"/></Set></Sets>
<Description>What the project is about</Description>
<NoteRef targetGUID="{G(104)}"/>
</Project>"""
    path = tmp_path / "other.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr("sources/s.txt", b"abc def")
        zf.writestr("sources/n.txt", b"Second source note\r\n")
    return path


def test_notes_of_another_tool_land_where_they_belong(target, tmp_path) -> None:
    report = import_qdpx(target, other_tool_file(tmp_path))
    (doc,) = documents.list_documents(target)
    assert memos.document_memo(target, doc.id) == (
        "First source note\n\nSecond source note\n\nFrom the archive"
    )
    (code,) = codebook.list_codes(target)
    assert (code.description, code.memo) == ("Being afraid", "Code memo from the file")
    got = all_memos(target)
    assert {(c[2], c[5]) for c in got["codings"]} == {("Lev", "Coding note")}
    assert got["coders"] == {"Mia", "Lev"}
    entries = journal(target)
    assert [(e[1], e[2], e[3]) for e in entries if e[2] != PROJECT_DESCRIPTION] == [
        ("Mia", "Memo 1", "A project memo"),
        ("", "On the link", "Why these go together"),
        ("", "In a set", "Only a description"),
    ]
    assert entries[0][0] == datetime(2023, 5, 6, 7, 8, 9)
    assert [e[3] for e in entries if e[2] == PROJECT_DESCRIPTION] == ["What the project is about"]
    assert report.journal_added == 3 and report.description_kept
    # still dropped, and said so: the selection coded inside a note, and the link itself
    assert report.not_read == {"PlainTextSelection in a Note": 1, "Link": 1}
    lines = report.study_lines()
    assert any("3 project notes added to the journal" in line for line in lines)
    assert any("PlainTextSelection in a Note" in line for line in lines)


def test_memos_of_codes_and_documents_already_here_are_filled_or_kept(target, tmp_path) -> None:
    path = other_tool_file(tmp_path)
    doc = documents.add_document(target, name="mine.txt", text="abc def", kind="txt")
    code = codebook.add_code(target, "Fear")
    memos.set_code_memo(target, code.id, "My own memo")
    report = import_qdpx(target, path)
    assert memos.document_memo(target, doc.id).startswith("First source note")  # was empty
    assert codebook.list_codes(target)[0].memo == "My own memo"  # the project's is kept
    assert report.memos_filled == 1
    assert any("code 'Fear'" in w and "My own memo" in w for w in report.warnings)


@pytest.mark.parametrize("sample", SAMPLES)
def test_notes_and_descriptions_of_the_samples_land(sample, target, shared_dir) -> None:
    """Every Note, and every non-empty Description of the project, its sources and its
    selections, is found again in the project (the samples' exporters write few)."""
    path = shared_dir / "refi" / "samples" / sample
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            root = etree.fromstring(zf.read("project.qde"))
    else:
        root = etree.parse(str(path)).getroot()

    def described(kind: str) -> int:
        return sum(1 for d in root.iter("{*}Description")
                   if etree.QName(d.getparent()).localname == kind and (d.text or "").strip())  # fmt: skip

    notes = len(list(root.iter("{*}Note")))
    report = import_qdpx(target, path)
    got = all_memos(target)
    assert len(journal(target)) == notes + described("Project")
    assert sum(1 for v in got["documents"].values() if v) == described("TextSource")
    assert sum(1 for c in got["codings"] if c[5]) >= described("PlainTextSelection")
    assert not {"Note", "Description", "User"} & set(report.not_read)
    with target.session() as s:
        coder_names = set(s.scalars(select(m.Coder.name)))
    assert {u.get("name") for u in root.iter("{*}User")} <= coder_names


def test_a_note_on_a_source_that_is_not_imported_is_kept_in_the_journal(target, tmp_path) -> None:
    """A picture is not imported (and said so); the memo someone wrote about it is text,
    and lands in the journal instead of going with the picture."""
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="Other Tool 2">
<Sources>
<TextSource guid="{G(20)}" name="doc" plainTextPath="internal://s.txt"/>
<PictureSource guid="{G(21)}" name="map.png" path="internal://map.png">
<NoteRef targetGUID="{G(101)}"/></PictureSource>
</Sources>
<Notes><Note guid="{G(101)}" name="About the map"><PlainTextContent>Front line on 4 July</PlainTextContent></Note></Notes>
</Project>"""
    path = tmp_path / "picture.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr("sources/s.txt", b"abc def")
    report = import_qdpx(target, path)
    assert any("map.png" in str(w) and "not a text source" in str(w) for w in report.warnings)
    assert [(e[2], e[3]) for e in journal(target)] == [("About the map", "Front line on 4 July")]
