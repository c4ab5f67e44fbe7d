"""Codebook exchange: CSV round trips, REFI-QDA .qdc export and the real samples, HTML."""

from __future__ import annotations

import io

import pytest
from lxml import etree

from desktop.services.codebook import codebook
from desktop.services.codebook import exchange as cx
from desktop.services.codebook import fields as fieldsvc
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from tests.services.codebook.test_codebook import apply, code, dump

SAMPLES = {
    "atlasti-win-23.2_target-project.qdpx": 3,
    "maxqda-24.7_project.qde": 307,
    "nvivo-mac-15.0_codes-only.qdpx": 262,
    "nvivo-win-12.6_oltas0517.qdpx": 152,
    "taguette-1.4.1_codebook.qdc": 3,
}


@pytest.fixture
def empty(tmp_path):
    p = Project.create(tmp_path / "empty.tessera")
    yield p
    p.close()


def tricky(project):
    """Names with '/', commas and quotes; examples with line breaks and backslashes."""
    c = codebook.add_code(
        project,
        'Frames/War\\/peace, "framing"',
        color="#123456",
        description='Line 1\nLine 2, "quoted"',
    )
    codebook.add_example(project, c.id, "first\nsecond line")
    codebook.add_example(project, c.id, "a back\\slash \\n not a break")
    fieldsvc.add_field(
        project,
        c.id,
        "tone: overall",
        "choice",
        choices=["hostile", "neutral|mixed"],
        required=True,
    )
    fieldsvc.add_field(project, c.id, "date seen", "date")
    return c


def csv_text(project) -> str:
    out = io.StringIO()
    cx.export_codebook(project, out, "csv")
    return out.getvalue()


def test_csv_export_has_the_documented_columns(project):
    text = csv_text(project)
    assert (
        text.splitlines()[0]
        == "path,name,parent,color,description,inclusion,exclusion,examples,fields"
    )
    assert "count:integer; who:choice:civilians|combatants|unknown" in text
    armed = codebook.find_code(project, "Actors/Armed groups").color
    assert f"Actors/Armed groups,Armed groups,Actors,{armed}" in text


def test_csv_round_trip_is_equal(project, empty, tmp_path):
    tricky(project)
    path = tmp_path / "codebook.csv"
    assert cx.export_codebook(project, path, "csv") == len(codebook.list_codes(project))
    report = cx.import_codebook(empty, path)
    assert len(report.added) == len(codebook.list_codes(project))
    assert csv_text(empty) == csv_text(project)
    assert code(empty, 'Frames/War\\/peace, "framing"').examples == (
        "first\nsecond line",
        "a back\\slash \\n not a break",
    )
    # importing the same file again changes nothing
    again = cx.import_codebook(empty, path)
    assert (again.added, again.updated) == ([], [])
    assert len(again.unchanged) == len(report.added)


def test_import_merges_by_path_and_reports(project, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "path,color,description,examples,fields\n"
        "Actors,#000000,,,\n"  # colour changes
        "Actors/Civilians,,Non-combatants.,a family,\n"  # description and an example
        "Casualties/Killed,,,,who:text\n"  # clash with the inherited field
        "Claims,,,,stance:choice:for|against\n"  # differs from the stored field
        "Frames,#abc,Framing devices,,\n"  # new
        "Frames/Blame,,,,\n",  # new
        encoding="utf-8",
    )
    with pytest.raises(cx.CodebookImportRefused, match="line 4: .*who"):
        cx.import_codebook(project, path)
    text = path.read_text().replace("Casualties/Killed,,,,who:text\n", "Casualties/Killed,,,,\n")
    path.write_text(text)
    before = dump(project)
    report = cx.import_codebook(project, path)
    assert report.added == ["Frames", "Frames/Blame"]
    assert dict(report.updated) == {
        "Actors": ["colour"],
        "Actors/Civilians": ["description", "1 example"],
    }
    assert report.unchanged == ["Casualties/Killed", "Claims"]
    assert report.left_alone == [
        "Claims: the field 'stance' differs from the file's; kept as it is"
    ]
    assert code(project, "Frames").color == "#aabbcc"
    assert code(project, "Actors").color == "#000000"
    cx.undo_import(project, report)
    assert dump(project) == before


def test_dry_run_writes_nothing(project, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("path\nNew\nNew/Child\n", encoding="utf-8")
    before = dump(project)
    report = cx.import_codebook(project, path, dry_run=True)
    assert report.added == ["New", "New/Child"]
    assert dump(project) == before


@pytest.mark.parametrize(
    "body,message",
    [
        ("path\nA\nA\n", "line 3: the path 'A' appears twice"),
        ("path\nA\nNowhere/B\n", "line 3: unknown parent 'Nowhere'"),
        ("name,parent\nA,B\nB,C\nC,A\n", "circle"),
        ("path,color\nA,#12345g\n", "line 2: invalid colour"),
        ("path,color\nA,\nB,red-ish\n", "line 3: invalid colour"),
        ("path,fields\nA,count:int:a|b\n", "line 2: field 'count'"),
        ("path,name\nA/B,C\n", "line 2: the name 'C' is not the last part"),
        ("path\nA//B\n", "line 2: invalid code path"),
        ("color\n#fff\n", "no 'path', 'name' or 'tag' column"),
        ('path\n"A\n', "never closed"),
    ],
)
def test_bad_files_are_refused_with_the_line_and_nothing_changes(project, tmp_path, body, message):
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    before = dump(project)
    with pytest.raises(cx.CodebookImportRefused, match=message):
        cx.import_codebook(project, path)
    assert dump(project) == before


def test_name_and_parent_rows_are_resolved(empty, tmp_path):
    path = tmp_path / "hand.csv"
    path.write_text(
        "name,parent,color\nChild,Top,#111111\nTop,,\nGrandchild,Child,\nOther,Top/Child,\n",
        encoding="utf-8",
    )
    cx.import_codebook(empty, path)
    assert [c.path for c in codebook.list_codes(empty)] == [
        "Top",
        "Top/Child",
        "Top/Child/Grandchild",
        "Top/Child/Other",
    ]


def test_unknown_extension_is_refused(project, tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(ServiceError, match="xlsx"):
        cx.import_codebook(project, path)


# -- REFI-QDA -----------------------------------------------------------------------------


def test_qdc_export_is_valid_against_the_schema(project, shared_dir, tmp_path, doc, ana):
    tricky(project)
    apply(project, doc, ana, "Claims", "Rebels said")
    schema = etree.XMLSchema(etree.parse(str(shared_dir / "refi" / "Codebook.xsd")))
    path = tmp_path / "book.qdc"
    assert cx.export_codebook(project, path, "qdc") == len(codebook.list_codes(project))
    schema.assertValid(etree.parse(str(path)))
    stream = io.BytesIO()
    cx.export_codebook(project, stream, "qdc")
    assert stream.getvalue() == path.read_bytes()  # GUIDs are stable from one export to the next


def test_qdc_round_trip_keeps_hierarchy_colours_definitions_criteria_examples(
    project, empty, tmp_path
):
    tricky(project)
    path = tmp_path / "book.qdc"
    cx.export_codebook(project, path, "qdc")
    cx.import_codebook(empty, path)
    keys = ("path", "color", "description", "inclusion", "exclusion", "examples")
    mine = [tuple(getattr(c, k) for k in keys) for c in codebook.list_codes(project)]
    theirs = [tuple(getattr(c, k) for k in keys) for c in codebook.list_codes(empty)]
    assert theirs == mine
    # importing it back into the project it came from changes nothing
    report = cx.import_codebook(project, path)
    assert report.added == [] and report.updated == []


@pytest.mark.parametrize("name,count", sorted(SAMPLES.items()))
def test_real_samples_import_with_every_code(empty, shared_dir, name, count):
    report = cx.import_codebook(empty, shared_dir / "refi" / "samples" / name)
    assert len(report.added) == count
    assert len(codebook.list_codes(empty)) == count


def test_samples_keep_hierarchy_colours_and_descriptions(empty, shared_dir):
    samples = shared_dir / "refi" / "samples"
    cx.import_codebook(empty, samples / "maxqda-24.7_project.qde")
    codes = codebook.list_codes(empty)
    top = codes[0]
    assert top.path == "Additional Themes and Ideas" and top.color == "#ef8256"
    assert top.description.startswith("This category encompasses")
    assert any(c.depth == 1 for c in codes)
    assert all(c.guid for c in codes)
    with Project.create(empty.path.with_name("nvivo.tessera")) as other:
        cx.import_codebook(other, samples / "nvivo-win-12.6_oltas0517.qdpx")
        assert code(other, "1. Oltás típusa").description == "COVID vay nem COVID"
        assert max(c.depth for c in codebook.list_codes(other)) >= 1
    with Project.create(empty.path.with_name("mac.tessera")) as other:
        cx.import_codebook(other, samples / "nvivo-mac-15.0_codes-only.qdpx")
        assert max(c.depth for c in codebook.list_codes(other)) >= 2


def test_a_broken_refi_file_is_refused(project, tmp_path):
    path = tmp_path / "bad.qdc"
    path.write_text(
        '<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="A"',
        encoding="utf-8",
    )
    before = dump(project)
    with pytest.raises(cx.CodebookImportRefused, match="line 1"):
        cx.import_codebook(project, path)
    assert dump(project) == before


def test_strict_refuses_what_the_reader_had_to_change_and_lenient_reports_it(empty, tmp_path):
    path = tmp_path / "odd.qdc"
    path.write_text(
        '<?xml version="1.0"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n'
        '<Code guid="6f1d1a56-0d5a-4c1a-9d7e-2b0f2a7f3c11" name="A" isCodable="true" color="#zzz"/>\n'
        "</Codes></CodeBook>\n",
        encoding="utf-8",
    )
    with pytest.raises(cx.CodebookImportRefused, match="line 3: .*colour"):
        cx.import_codebook(empty, path)
    assert codebook.list_codes(empty) == []
    report = cx.import_codebook(empty, path, strict=False)
    assert report.added == ["A"] and "colour" in report.warnings[0]


# -- HTML -----------------------------------------------------------------------------


def test_html_codebook_has_everything_and_escapes_it(project, doc, ana, tmp_path):
    claims = code(project, "Claims")
    codebook.update_code(project, claims.id, description="<script>alert(1)</script> & more")
    codebook.add_example(project, claims.id, "<b>bold</b>")
    apply(project, doc, ana, "Claims/Denials", "Rebels said")
    path = tmp_path / "book.html"
    cx.export_codebook(project, path, "html")
    html = path.read_text("utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert (
        codebook.find_code(project, "Claims").color in html
        and "Exclude" in html
        and "Include" in html
    )
    assert "0 codings, 1 with sub-codes" in html
    assert "stance" in html and "for, against, neutral" in html and "from Claims" in html
    etree.fromstring(html.encode(), etree.HTMLParser())  # parses
    stream = io.BytesIO()
    cx.export_codebook(project, stream, "html")
    assert stream.getvalue().decode("utf-8").count("<section") == len(codebook.list_codes(project))
