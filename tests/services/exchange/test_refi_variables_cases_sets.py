"""Document and case attributes (REFI-QDA Variables and VariableValues), cases and sets
go out to a .qdpx that validates against Project.xsd and come back equal; what a file
has that Tessera does not keep is counted in the summary."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from desktop.services.codebook import codebook
from desktop.services.documents import attributes, cases, documents, sets
from desktop.services.exchange.refi_export import export_qdpx
from desktop.services.exchange.refi_import import import_qdpx
from desktop.services.project.project import Project

NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture
def study(tmp_path):
    p = Project.create(tmp_path / "study.tessera")
    p.actor = "tester"
    a = documents.add_document(p, name="reuters-1", text="Shelling hit the market.\n", kind="txt")
    b = documents.add_document(p, name="ap-1", text="Residents fled north.\n", kind="txt")
    documents.add_document(p, name="loose", text="Nothing in a set.\n", kind="txt")
    attributes.add_attribute(p, "outlet", "choice", ["Reuters", "AP"])
    attributes.add_attribute(p, "words", "integer")
    attributes.add_attribute(p, "tone", "decimal")
    attributes.add_attribute(p, "published", "date")
    attributes.add_attribute(p, "front page", "boolean")
    attributes.add_attribute(p, "note", "text")
    attributes.set_values(
        p,
        a.id,
        {
            "outlet": "Reuters",
            "words": "812",
            "tone": "-0.25",
            "published": "2018-03-01",
            "front page": "yes",
            "note": "line one\nline two",
            "author": "J. Doe",
        },
    )
    attributes.set_values(p, b.id, {"outlet": "AP", "front page": "no", "date": "2018-04-02"})
    attributes.add_attribute(p, "age", "integer", scope="case")
    attributes.add_attribute(p, "region", "choice", ["north", "south"], scope="case")
    cases.add_case(p, "Ana", "a resident", {"age": "41", "region": "north"})
    cases.set_documents(p, "Ana", [b.id])
    cases.add_case(p, "Empty case")
    codebook.add_code(p, "Violence")
    codebook.add_code(p, "Displacement")
    code = {c.path: c.id for c in codebook.list_codes(p)}
    sets.add_set(p, "Wire services", "the agencies")
    sets.add_members(p, "Wire services", documents=[a.id, b.id], codes=[code["Violence"]])
    sets.add_set(p, "Codes only")
    sets.add_members(p, "Codes only", codes=[code["Displacement"]])
    yield p
    p.close()


def _state(p):
    names = {d.id: d.name for d in documents.list_documents(p)}
    code_paths = {c.id: c.path for c in codebook.list_codes(p)}
    attrs = {(a.scope, a.name): (a.type, a.choices) for scope in ("document", "case")
             for a in attributes.list_attributes(p, scope)}  # fmt: skip
    values = {names[d]: v for d, v in attributes.all_values(p).items()}
    case_state = {c.name: (c.memo, sorted(names[d] for d in c.documents), c.values)
                  for c in cases.list_cases(p)}  # fmt: skip
    set_state = {x.name: (x.memo, sorted(names[d] for d in x.documents),
                          sorted(code_paths[c] for c in x.codes)) for x in sets.list_sets(p)}  # fmt: skip
    return attrs, values, case_state, set_state


def test_attributes_cases_and_sets_round_trip_and_validate(study, tmp_path, shared_dir):
    out = tmp_path / "study.qdpx"
    report = export_qdpx(study, out)
    assert (report.cases, report.sets) == (2, 2)
    with zipfile.ZipFile(out) as zf:
        tree = etree.fromstring(zf.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(shared_dir / "refi" / "Project.xsd")))
    assert schema.validate(tree), schema.error_log
    types = {
        v.get("name"): v.get("typeOfVariable") for v in tree.iterfind("q:Variables/q:Variable", NS)
    }
    assert types["outlet"] == "Text" and types["words"] == "Integer"
    assert types["tone"] == "Float" and types["published"] == "Date"
    assert types["front page"] == "Boolean" and types["age"] == "Integer"
    src = next(x for x in tree.iterfind(".//q:TextSource", NS) if x.get("name") == "reuters-1")
    assert src.find("q:VariableValue/q:BooleanValue", NS).text == "true"
    case = tree.find("q:Cases/q:Case[@name='Ana']", NS)
    assert case.find("q:SourceRef", NS) is not None
    members = tree.find("q:Sets/q:Set[@name='Wire services']", NS)
    assert len(members.findall("q:MemberSource", NS)) == 2
    assert len(members.findall("q:MemberCode", NS)) == 1

    again = Project.create(tmp_path / "again.tessera")
    again.actor = "tester"
    try:
        back = import_qdpx(again, out)
        assert "added case 'Ana'" in back.study_lines()
        assert not back.not_read
        assert _state(again) == _state(study)
        # a second import of the same file changes nothing and warns of nothing new
        twice = import_qdpx(again, out)
        assert twice.attribute_values == 0 and twice.cases_matched == ["Ana", "Empty case"]
        assert _state(again) == _state(study)
    finally:
        again.close()


def test_a_file_with_links_and_graphs_lists_them_as_not_kept(study, tmp_path):
    out = tmp_path / "study.qdpx"
    export_qdpx(study, out)
    with zipfile.ZipFile(out) as zf:
        xml = zf.read("project.qde").decode()
        texts = {n: zf.read(n) for n in zf.namelist() if n != "project.qde"}
    g = "00000000-0000-4000-8000-00000000000{}".format
    xml = xml.replace("</Project>", f'<Links><Link guid="{g(1)}"/><Link guid="{g(2)}"/></Links>'
                      f'<Graphs><Graph guid="{g(3)}"/></Graphs></Project>')  # fmt: skip
    edited = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(edited, "w") as zf:
        zf.writestr("project.qde", xml)
        for n, data in texts.items():
            zf.writestr(n, data)
    fresh = Project.create(tmp_path / "fresh.tessera")
    try:
        report = import_qdpx(fresh, edited, dry_run=True)
        assert report.not_read == {"Graph": 1, "Link": 2}
        assert any("2 <Link>" in line for line in report.study_lines())
    finally:
        fresh.close()


def _other_tool_file(tmp_path):
    """Variables of sources and of cases as other tools write them (a DateTime, booleans
    as 1/false, a value that does not fit its type), Cases with SourceRefs, a Set in the
    CodeBook (Codebook.xsd's place) naming a PDF source Tessera does not import."""
    g = "00000000-0000-4000-8000-{:012d}".format
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="other" origin="OtherTool 1">
<CodeBook><Codes><Code guid="{g(1)}" name="Violence" isCodable="true"/></Codes>
<Sets><Set guid="{g(2)}" name="Reports"><MemberCode targetGUID="{g(1)}"/>
<MemberSource targetGUID="{g(10)}"/><MemberSource targetGUID="{g(11)}"/></Set></Sets>
</CodeBook>
<Variables>
<Variable guid="{g(3)}" name="Published" typeOfVariable="DateTime"/>
<Variable guid="{g(4)}" name="Wire" typeOfVariable="Boolean"/>
<Variable guid="{g(5)}" name="Age" typeOfVariable="Integer"/>
<Variable guid="{g(6)}" name="Pages" typeOfVariable="Integer"/>
</Variables>
<Cases><Case guid="{g(7)}" name="Ana"><Description>a resident</Description>
<VariableValue><VariableRef targetGUID="{g(5)}"/><IntegerValue>41</IntegerValue></VariableValue>
<SourceRef targetGUID="{g(10)}"/></Case></Cases>
<Sources>
<TextSource guid="{g(10)}" name="report"><PlainTextContent>Shelling hit the market.</PlainTextContent>
<VariableValue><VariableRef targetGUID="{g(3)}"/><DateTimeValue>2018-03-01T10:00:00Z</DateTimeValue></VariableValue>
<VariableValue><VariableRef targetGUID="{g(4)}"/><BooleanValue>1</BooleanValue></VariableValue>
<VariableValue><VariableRef targetGUID="{g(6)}"/><TextValue>many</TextValue></VariableValue>
</TextSource>
<PDFSource guid="{g(11)}" name="scan.pdf" path="internal://scan.pdf"/>
</Sources>
</Project>"""
    path = tmp_path / "other.qde"
    path.write_text(xml, encoding="utf-8")
    return path


def test_variables_cases_and_sets_in_other_tools_shapes(tmp_path):
    p = Project.create(tmp_path / "p.tessera")
    p.actor = "tester"
    try:
        report = import_qdpx(p, _other_tool_file(tmp_path))
        kinds = {(a.scope, a.name): a.type for scope in ("document", "case")
                 for a in attributes.list_attributes(p, scope)}  # fmt: skip
        assert kinds[("document", "Published")] == "date"
        assert kinds[("document", "Wire")] == "boolean"
        assert kinds[("case", "Age")] == "integer"
        (doc,) = documents.list_documents(p)
        values = attributes.values_of(p, doc.id)
        assert values["Published"] == "2018-03-01" and values["Wire"] == "yes"
        assert "Pages" not in values
        assert any("Pages = 'many' skipped" in w for w in report.warnings)
        (case,) = cases.list_cases(p)
        assert (case.name, case.memo, case.documents, case.values) == (
            "Ana", "a resident", (doc.id,), {"Age": "41"})  # fmt: skip
        (member_set,) = sets.list_sets(p)
        assert member_set.documents == (doc.id,) and len(member_set.codes) == 1
        assert any("set 'Reports': 1 source" in w for w in report.warnings)
    finally:
        p.close()
