"""REFI-QDA files in the shapes other tools write: QualCoder's categories (isCodable
false, sharing a code's name), coding memos in the selection's Description, quotes whose
line breaks an XML attribute turned into spaces; and what Tessera writes back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.exchange.refi_export import export_qdpx
from desktop.services.exchange.refi_import import import_qdpx
from desktop.services.project.project import Project

NS = {"q": "urn:QDA-XML:project:1.0"}
TEXT = "Shelling hit the market.\nResidents fled north.\n"
G = "00000000-0000-4000-8000-{:012d}".format


def qualcoder_file(tmp_path: Path) -> Path:
    fled = TEXT.index("Residents")
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="qc" origin="QualCoder 3.5">
<Users><User guid="{G(1)}" name="ana"/></Users>
<CodeBook><Codes>
<Code guid="{G(2)}" name="Violence" isCodable="false">
  <Code guid="{G(3)}" name="Violence" isCodable="true"/>
  <Code guid="{G(4)}" name="Displacement" isCodable="true"/>
</Code>
</Codes></CodeBook>
<Sources>
<TextSource guid="{G(5)}" name="report" plainTextPath="s.txt">
<PlainTextSelection guid="{G(6)}" name="Shelling hit the market. Residents" startPosition="0"
 endPosition="{fled + 9}" creatingUser="{G(1)}">
<Description>the shelling and what followed</Description>
<Coding guid="{G(7)}" creatingUser="{G(1)}"><CodeRef targetGUID="{G(3)}"/></Coding>
</PlainTextSelection>
<PlainTextSelection guid="{G(8)}" startPosition="{fled}" endPosition="{len(TEXT) - 1}"
 creatingUser="{G(1)}">
<Coding guid="{G(9)}" creatingUser="{G(1)}"><CodeRef targetGUID="{G(4)}"/></Coding>
</PlainTextSelection>
</TextSource>
</Sources>
</Project>"""
    path = tmp_path / "qualcoder.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr("sources/s.txt", TEXT.encode())
    return path


@pytest.fixture
def empty(tmp_path):
    p = Project.create(tmp_path / "empty.tessera")
    p.actor = "tester"
    yield p
    p.close()


def test_qualcoder_categories_memos_and_quotes_come_in_and_go_back(empty, tmp_path, shared_dir):
    report = import_qdpx(empty, qualcoder_file(tmp_path))  # an empty project: no --add-codes
    assert report.codings_imported == 2
    assert not [w for w in report.warnings if "names the text" in w]
    codes = {c.path: c for c in codebook.list_codes(empty)}
    assert codes["Violence"].is_codable is False
    assert codes["Violence/Violence"].is_codable is True
    memos = {c.code_id: c.memo for c in codings.list_codings(empty)}
    assert memos[codes["Violence/Violence"].id] == "the shelling and what followed"

    out = tmp_path / "back.qdpx"
    export_qdpx(empty, out)
    with zipfile.ZipFile(out) as zf:
        tree = etree.fromstring(zf.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(shared_dir / "refi" / "Project.xsd")))
    assert schema.validate(tree), schema.error_log
    flags = {c.get("name") + ("/" if c.getparent().tag.endswith("Code") else ""): c.get("isCodable")
             for c in tree.iterfind(".//q:Code", NS)}  # fmt: skip
    assert flags == {"Violence": "false", "Violence/": "true", "Displacement/": "true"}
    sel = next(s for s in tree.iterfind(".//q:PlainTextSelection", NS)
               if s.find("q:Description", NS) is not None)  # fmt: skip
    # the memo is written both where QualCoder/MAXQDA read it and as a NoteRef'd Note
    assert sel.find("q:Description", NS).text == "the shelling and what followed"
    assert sel.find("q:Coding/q:NoteRef", NS) is not None

    again = Project.create(tmp_path / "again.tessera")
    try:
        import_qdpx(again, out)
        back = {c.path: c.is_codable for c in codebook.list_codes(again)}
        assert back == {p: c.is_codable for p, c in codes.items()}
        assert sorted(c.memo for c in codings.list_codings(again)) == sorted(memos.values())
    finally:
        again.close()
