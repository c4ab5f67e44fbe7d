"""REFI-QDA codebooks: the real files other tools wrote, tolerance, round trip, bad files."""

from __future__ import annotations

import io
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from desktop.core.codepath import join_path, split_path
from desktop.core.exchange import (
    CodebookRead,
    CodeSpec,
    ExchangeError,
    read_codebook,
    write_codebook_qdc,
)
from desktop.core.exchange.refi import compose_description, normalise_colour, split_description

SAMPLES = {
    "nvivo-win-12.6_oltas0517.qdpx": 152,
    "nvivo-mac-15.0_codes-only.qdpx": 262,
    "maxqda-24.7_project.qde": 307,
    "atlasti-win-23.2_target-project.qdpx": 3,
    "taguette-1.4.1_codebook.qdc": 3,
}


@pytest.fixture(scope="module")
def refi_dir(shared_dir: Path) -> Path:
    return shared_dir / "refi"


@pytest.fixture(scope="module")
def codebook_schema(refi_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(refi_dir / "Codebook.xsd")))


def plain_xml(path: Path) -> ET.Element:
    """The sample's XML root, read with the standard library alone (an independent view)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return ET.fromstring(zf.read("project.qde"))
    return ET.parse(path).getroot()


def plain_codes(path: Path) -> list[tuple[list[str], ET.Element]]:
    """(names from the root, element) of every <Code> under the codebook, in document order."""
    out: list[tuple[list[str], ET.Element]] = []

    def walk(el: ET.Element, names: list[str]) -> None:
        for c in el:
            if c.tag.rsplit("}", 1)[-1] == "Code":
                out.append(([*names, c.get("name")], c))
                walk(c, [*names, c.get("name")])

    root = plain_xml(path)
    codes = next(e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "Codes")
    walk(codes, [])
    return out


def write_bytes(codes: list[CodeSpec]) -> bytes:
    buf = io.BytesIO()
    write_codebook_qdc(codes, buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------- real files


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_imports_every_code_in_document_order(refi_dir: Path, name: str) -> None:
    path = refi_dir / "samples" / name
    expected = plain_codes(path)
    assert len(expected) == SAMPLES[name]  # the count in SOURCES.md, counted independently
    read = read_codebook(path)
    assert read.warnings == []
    assert len(read.codes) == len(expected)
    assert [c.path for c in read.codes] == [join_path(names) for names, _ in expected]
    assert [c.guid for c in read.codes] == [el.get("guid").lower() for _, el in expected]
    seen: set[str] = set()
    for code in read.codes:  # parents before children
        parts = split_path(code.path)
        assert code.name == parts[-1]
        if len(parts) > 1:
            assert join_path(parts[:-1]) in seen
        seen.add(code.path)


def test_nvivo_windows_descriptions_and_nesting(refi_dir: Path) -> None:
    read = read_codebook(refi_dir / "samples" / "nvivo-win-12.6_oltas0517.qdpx")
    by_path = {c.path: c for c in read.codes}
    assert read.origin == "NVivo for Windows 12.6"
    assert by_path["1. Oltás típusa"].description == "COVID vay nem COVID"
    assert by_path["2. Attitűd szint az oltáshoz"].description.startswith(
        "Erősen szkeptikus (piros)\nEnyhén szkeptikus, kétkedő (sárga)\nElfogadó (zöld)"
    )
    assert "2. Attitűd szint az oltáshoz/piros" in by_path
    assert all(c.color is None for c in read.codes)
    expected_described = sum(
        1
        for _, el in plain_codes(refi_dir / "samples" / "nvivo-win-12.6_oltas0517.qdpx")
        if (el.findtext("{urn:QDA-XML:project:1.0}Description") or "").strip()
    )
    assert sum(1 for c in read.codes if c.description) == expected_described == 82


def test_nvivo_mac_deep_nesting(refi_dir: Path) -> None:
    path = refi_dir / "samples" / "nvivo-mac-15.0_codes-only.qdpx"
    read = read_codebook(path)
    depth = max(len(names) for names, _ in plain_codes(path))
    assert max(len(split_path(c.path)) for c in read.codes) == depth
    assert read.codes[:3] == [
        CodeSpec("rq1_definition", "rq1_definition", guid="34653336-3766-3235-6466-363134396437"),
        CodeSpec(
            "rq1_definition/competencies",
            "competencies",
            guid="31366536-3938-3831-6231-633830313036",
        ),
        CodeSpec(
            "rq1_definition/competencies/programming",
            "programming",
            guid="36636563-3863-6264-3638-303637613863",
        ),
    ]


def test_maxqda_colours_and_descriptions(refi_dir: Path) -> None:
    path = refi_dir / "samples" / "maxqda-24.7_project.qde"
    read = read_codebook(path)
    expected = plain_codes(path)
    assert [c.color for c in read.codes] == [el.get("color") for _, el in expected]
    first = read.codes[0]
    assert first.path == "Additional Themes and Ideas"
    assert first.color == "#ef8256"
    assert first.description.startswith("This category encompasses a range of specific")
    gee = read.codes[1]
    assert gee.path == "Additional Themes and Ideas/THEME - Affinity Spaces (Gee)"
    assert gee.description == "Apply this code when a study uses Gee's concept of affinity spaces."
    assert all(c.description for c in read.codes)
    assert max(len(split_path(c.path)) for c in read.codes) == 2


def test_atlasti_project_codebook(refi_dir: Path) -> None:
    read = read_codebook(refi_dir / "samples" / "atlasti-win-23.2_target-project.qdpx")
    assert [c.path for c in read.codes] == [
        "Commits",
        "Commits/2022-05-10T02:05:59Z 19e4dce",
        "Commits/2022-02-11T10:39:25Z cdbfd92",
    ]
    assert read.source.endswith("!project.qde")


def test_taguette_codebook_imports_although_invalid(
    refi_dir: Path, codebook_schema: etree.XMLSchema
) -> None:
    path = refi_dir / "samples" / "taguette-1.4.1_codebook.qdc"
    assert not codebook_schema.validate(etree.parse(str(path)))  # the empty <Sets/>
    read = read_codebook(path)
    assert [c.name for c in read.codes] == ["xsd:element name", "CodeBook", "Variables"]
    assert read.codes[0].guid == "098ac082-a9c7-50f4-9728-48730081a95e"  # was uppercase
    assert read.origin == "Taguette 1.4.1"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_round_trips_through_a_valid_qdc(
    refi_dir: Path, codebook_schema: etree.XMLSchema, name: str
) -> None:
    codes = read_codebook(refi_dir / "samples" / name).codes
    data = write_bytes(codes)
    codebook_schema.assertValid(etree.fromstring(data).getroottree())
    assert _read_bytes(data).codes == codes


def _read_bytes(data: bytes) -> CodebookRead:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "book.qdc"
        path.write_bytes(data)
        return read_codebook(path)


# ---------------------------------------------------------------------------- tolerance


def qdc(body: str, *, ns: str | None = "urn:QDA-XML:codebook:1.0", root: str = "CodeBook") -> str:
    xmlns = f' xmlns="{ns}"' if ns else ""
    return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}{xmlns}>\n<Codes>\n{body}\n</Codes>\n</{root}>\n'


def read_text(tmp_path: Path, text: str, name: str = "book.qdc"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_codebook(path)


G1 = "11111111-2222-3333-4444-555555555555"
G2 = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


@pytest.mark.parametrize("ns", ["urn:QDA-XML:codebook:1.0", "urn:QDA-XML:project:1.0", None])
def test_namespace_variants(tmp_path: Path, ns: str | None) -> None:
    read = read_text(tmp_path, qdc(f'<Code guid="{G1}" name="A" isCodable="true"/>', ns=ns))
    assert [c.path for c in read.codes] == ["A"]
    assert read.warnings == []


def test_unknown_namespace_is_read_with_a_warning(tmp_path: Path) -> None:
    read = read_text(tmp_path, qdc('<Code guid="{G1}" name="A" isCodable="true"/>', ns="urn:x"))
    assert [c.path for c in read.codes] == ["A"]
    assert "namespace" in str(read.warnings[0])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#FF8800", "#ff8800"),
        ("#ff8800", "#ff8800"),
        ("ff8800", "#ff8800"),
        ("#F80", "#ff8800"),
        (" #Ff8800 ", "#ff8800"),
        ("Red", "#ff0000"),
        ("#ff88001a", None),
        ("rgb(1,2,3)", None),
        ("", None),
    ],
)
def test_colour_normal_form(raw: str, expected: str | None) -> None:
    assert normalise_colour(raw) == expected


def test_colours_guids_and_headings_from_a_file(tmp_path: Path) -> None:
    body = f"""
    <Code guid="{{{G1.upper()}}}" name="Heading" isCodable="false" color="#ABC">
      <Code guid="{G2}" name="Leaf" isCodable="true" color="no-such-colour"/>
    </Code>"""
    read = read_text(tmp_path, qdc(body))
    heading, leaf = read.codes
    assert heading.guid == G1 and heading.color == "#aabbcc" and heading.codable is False
    assert leaf.color is None and leaf.codable is True
    assert len(read.warnings) == 1
    assert "no-such-colour" in str(read.warnings[0]) and read.warnings[0].line == 6


def test_duplicate_sibling_names_are_made_unique_with_warnings(tmp_path: Path) -> None:
    body = "\n".join(
        f'<Code guid="{i:08d}-0000-0000-0000-000000000000" name="{n}" isCodable="true"/>'
        for i, n in enumerate(["A", "A", " A ", "A (3)", "B"])
    )
    read = read_text(tmp_path, qdc(body))
    assert [c.path for c in read.codes] == ["A", "A (2)", "A (3)", "A (3) (2)", "B"]
    assert len(read.warnings) == 3
    assert [w.line for w in read.warnings] == [5, 6, 7]
    assert "'A (2)'" in str(read.warnings[0])


def test_same_name_under_different_parents_is_not_a_duplicate(tmp_path: Path) -> None:
    body = f"""
    <Code guid="{G1}" name="P" isCodable="true"><Code guid="{G2}" name="X" isCodable="true"/></Code>
    <Code guid="{G2.replace("a", "b")}" name="X" isCodable="true"/>"""
    read = read_text(tmp_path, qdc(body))
    assert [c.path for c in read.codes] == ["P", "P/X", "X"]
    assert read.warnings == []


def test_slash_in_a_name_is_escaped_in_the_path(tmp_path: Path, codebook_schema) -> None:
    body = f"""
    <Code guid="{G1}" name="Pro/contra" isCodable="true">
      <Code guid="{G2}" name="a\\b" isCodable="true"/>
    </Code>"""
    read = read_text(tmp_path, qdc(body))
    assert [c.path for c in read.codes] == ["Pro\\/contra", "Pro\\/contra/a\\\\b"]
    assert split_path(read.codes[1].path) == ["Pro/contra", "a\\b"]
    data = write_bytes(read.codes)
    codebook_schema.assertValid(etree.fromstring(data).getroottree())
    assert _read_bytes(data).codes == read.codes


def test_duplicate_guids_are_reported_and_the_second_loses_its_guid(tmp_path: Path) -> None:
    body = f"""<Code guid="{G1}" name="A" isCodable="true"/>
<Code guid="{{{G1.upper()}}}" name="B" isCodable="true"/>"""
    read = read_text(tmp_path, qdc(body))
    assert [c.guid for c in read.codes] == [G1, None]
    (warning,) = read.warnings
    assert warning.line == 5 and "line 4" in warning.message and G1 in warning.message


def test_missing_or_bad_attributes_are_tolerated(tmp_path: Path) -> None:
    body = '<Code name="NoGuid"/><Code guid="not-a-guid" name="" isCodable="0"/>'
    read = read_text(tmp_path, qdc(body))
    assert [(c.path, c.guid, c.codable) for c in read.codes] == [
        ("NoGuid", None, True),
        ("Unnamed code", None, False),
    ]
    assert any("not a GUID" in str(w) for w in read.warnings)
    assert any("no name" in str(w) for w in read.warnings)


def test_codebook_of_a_project_file_and_one_with_no_codes(tmp_path: Path) -> None:
    project = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Users/>
    <CodeBook><Codes><Code guid="{G1}" name="A" isCodable="true"/></Codes></CodeBook></Project>"""
    assert [c.path for c in read_text(tmp_path, project, "p.qde").codes] == ["A"]
    empty = '<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'
    read = read_text(tmp_path, empty, "e.qde")
    assert read.codes == [] and "no <Codes>" in str(read.warnings[0])


def test_the_codebook_of_a_project_is_read_without_its_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a project's codebook stops at its end: the sources after it (here past the
    size limit of a document read whole, and not even well-formed) are never read."""
    from desktop.core.exchange import refi_common

    monkeypatch.setattr(refi_common, "XML_MAX_BYTES", 100_000)
    sources = "<Sources>" + '<TextSource name="x"/>' * 20_000 + "<Broken>"
    project = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Users/>
    <CodeBook><Codes><Code guid="{G1}" name="A" isCodable="true"/></Codes></CodeBook>
    {sources}</Project>"""
    path = tmp_path / "big.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", project)
    assert [c.path for c in read_codebook(path).codes] == ["A"]
    book = qdc(f'<Code guid="{G1}" name="A" isCodable="true"/>' + "<!-- padding -->" * 10_000)
    with pytest.raises(ExchangeError, match="limit of 100,000 bytes"):
        read_text(tmp_path, book)  # a codebook file is read whole, within the limit


def test_qdpx_with_capitalised_project_member(tmp_path: Path) -> None:
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Project.QDE", qdc(f'<Code guid="{G1}" name="A" isCodable="true"/>'))
        zf.writestr("Sources/x.txt", "text")
    assert [c.path for c in read_codebook(path).codes] == ["A"]


# ---------------------------------------------------------------------------- description


def test_criteria_and_examples_travel_in_the_description(tmp_path: Path) -> None:
    spec = CodeSpec(
        "A",
        "A",
        description="What it is.\n\nMore about it.",
        inclusion="Use when X.",
        exclusion="Not when Y.\n\nNor when Z.",
        examples=["“quote one”", "quote two"],
    )
    text = compose_description(spec)
    assert text == (
        "What it is.\n\nMore about it.\n\nInclusion: Use when X.\n\nExclusion: Not when Y."
        "\n\nNor when Z.\n\nExample: “quote one”\n\nExample: quote two"
    )
    assert split_description(text) == (
        spec.description,
        spec.inclusion,
        spec.exclusion,
        spec.examples,
    )
    (back,) = _read_bytes(write_bytes([spec])).codes
    assert back.description == spec.description and back.examples == spec.examples


# ---------------------------------------------------------------------------- writing


def test_writer_output_is_valid_nested_and_keeps_guids(tmp_path: Path, codebook_schema) -> None:
    codes = [
        CodeSpec("Actors", "Actors", "#FFAA00", "People and groups", guid="{" + G1.upper() + "}"),
        CodeSpec("Actors/Armed groups", "Armed groups", None),
        CodeSpec("Events", "Events", "#123", codable=False),
    ]
    out = tmp_path / "out.qdc"
    write_codebook_qdc(codes, out, origin="Tessera test")
    assert [p.name for p in tmp_path.iterdir()] == ["out.qdc"]  # no temporary left
    doc = etree.parse(str(out))
    codebook_schema.assertValid(doc)
    root = doc.getroot()
    assert root.get("origin") == "Tessera test"
    ns = {"c": "urn:QDA-XML:codebook:1.0"}
    actors = root.find("c:Codes/c:Code", ns)
    assert actors.get("guid") == G1 and actors.get("color") == "#ffaa00"
    assert actors.findtext("c:Description", namespaces=ns) == "People and groups"
    assert actors.find("c:Code", ns).get("name") == "Armed groups"
    assert root.findall("c:Codes/c:Code", ns)[1].get("isCodable") == "false"
    back = read_codebook(out).codes
    assert back[0].guid == G1 and back[2].color == "#112233"
    assert back[1].guid and back[1].guid != G1  # a fresh uuid4


def test_writer_refuses_inconsistent_lists(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        write_bytes([])
    with pytest.raises(ValueError, match="no parent"):
        write_bytes([CodeSpec("A/B", "B")])
    with pytest.raises(ValueError, match="two codes"):
        write_bytes([CodeSpec("A", "A"), CodeSpec("A", "A")])
    with pytest.raises(ValueError, match="named"):
        write_bytes([CodeSpec("A", "B")])


def test_writer_gives_a_duplicated_guid_a_fresh_one() -> None:
    data = write_bytes([CodeSpec("A", "A", guid=G1), CodeSpec("B", "B", guid=G1)])
    guids = [el.get("guid") for el in etree.fromstring(data).iter("{*}Code")]
    assert guids[0] == G1 and guids[1] != G1


# what XML can carry (the writer leaves out the rest: a test of its own says so)
NOT_XML = "\ufffe\uffff"
names = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters=NOT_XML
        ),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters=NOT_XML),
    max_size=30,
).map(str.strip)
label_free = texts.filter(
    lambda t: "\n" not in t and not t.startswith(("Inclusion:", "Exclusion:", "Example:"))
)


@st.composite
def codebooks(draw) -> list[CodeSpec]:
    specs: list[CodeSpec] = []
    parents: list[list[str]] = [[]]
    taken: set[tuple[str, ...]] = set()
    for _ in range(draw(st.integers(1, 12))):
        parent = draw(st.sampled_from(parents))
        name = draw(names)
        if (*parent, name) in taken:
            continue
        taken.add((*parent, name))
        path = [*parent, name]
        parents.append(path)
        specs.append(
            CodeSpec(
                path=join_path(path),
                name=name,
                color=draw(st.none() | st.from_regex(r"#[0-9a-f]{6}", fullmatch=True)),
                description=draw(label_free),
                guid=draw(st.none() | st.uuids().map(str)),
                inclusion=draw(label_free),
                exclusion=draw(label_free),
                examples=draw(st.lists(label_free.filter(bool), max_size=2)),
                codable=draw(st.booleans()),
            )
        )
    # Parents before children, as read_codebook returns them.
    return sorted(specs, key=lambda s: len(split_path(s.path)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codes=codebooks())
def test_round_trip_write_then_read_gives_equal_codes(codes: list[CodeSpec]) -> None:
    data = write_bytes(codes)
    back = _read_bytes(data).codes
    by_path = {c.path: c for c in back}
    assert len(back) == len(codes)
    for spec in codes:
        got = by_path[spec.path]
        assert got.guid is not None
        if spec.guid is None:
            spec.guid = got.guid  # a fresh one was made; everything else must be equal
        assert got == spec


# ---------------------------------------------------------------------------- bad files


def test_not_xml(tmp_path: Path) -> None:
    path = tmp_path / "notes.qdc"
    path.write_bytes(b"\x00\x01binary junk")
    with pytest.raises(ExchangeError, match="notes.qdc"):
        read_codebook(path)


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    text = qdc('<Code guid="{G1}" name="A" isCodable="true">\n<Code name="B">\n</Code>')
    path = tmp_path / "broken.qdc"
    path.write_text(text.replace("</Codes>", "</Codez>"), encoding="utf-8")
    with pytest.raises(
        ExchangeError, match=r"broken\.qdc: line 7, column \d+: not well-formed"
    ) as info:
        read_codebook(path)
    assert info.value.line == 7


def test_malformed_project_inside_qdpx_names_the_member(tmp_path: Path) -> None:
    path = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", "<Project>\n<CodeBook>\n</Project>")
    with pytest.raises(ExchangeError, match=r"bad\.qdpx!project\.qde.*line 3"):
        read_codebook(path)


def test_zip_without_project_qde(tmp_path: Path) -> None:
    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("sources/a.txt", "x")
        zf.writestr("notes/b.qde", "<Project/>")  # not at the root
    with pytest.raises(ExchangeError, match=r"empty\.qdpx.*no project\.qde.*sources/a\.txt"):
        read_codebook(path)


def test_wrong_root_element(tmp_path: Path) -> None:
    path = tmp_path / "other.qdc"
    path.write_text('<?xml version="1.0"?>\n<html><body/></html>', encoding="utf-8")
    with pytest.raises(ExchangeError, match=r"other\.qdc, line 2.*<html>"):
        read_codebook(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError, match="nothing.qdc"):
        read_codebook(tmp_path / "nothing.qdc")


def test_entity_bomb_and_xxe_codebooks_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TESSERA-SECRET-QDC", encoding="utf-8")
    xxe = f"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY x SYSTEM "{secret.as_uri()}">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="{G1}" name="&x;" isCodable="true"><Description>&x;</Description></Code>
</Codes></CodeBook>"""
    ents = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {"a" * (i + 1)} "{("&" + "a" * i + ";") * 10}">' for i in range(1, 9)
    )
    bomb = f"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [{ents}]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="{G1}" name="x" isCodable="true"><Description>&aaaaaaaaa;</Description></Code>
</Codes></CodeBook>"""
    for name, text in [("xxe.qdc", xxe), ("bomb.qdc", bomb)]:
        with pytest.raises(ExchangeError, match="entities") as info:
            read_text(tmp_path, text, name)
        assert "TESSERA-SECRET-QDC" not in str(info.value)
    qdpx = tmp_path / "xxe.qdpx"
    with zipfile.ZipFile(qdpx, "w") as zf:
        zf.writestr("project.qde", xxe)
    with pytest.raises(ExchangeError, match="entities"):
        read_codebook(qdpx)


def test_zip_slip_qdpx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "slip.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qdc(f'<Code guid="{G1}" name="A" isCodable="true"/>'))
        zf.writestr("../../evil.txt", "x")
    with pytest.raises(ExchangeError, match="slip.qdpx"):
        read_codebook(path)


def test_zip_bomb_qdpx_is_refused_before_extraction(tmp_path: Path) -> None:
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qdc(f'<Code guid="{G1}" name="A" isCodable="true"/>'))
        zf.writestr("sources/zeros.txt", bytes(8 * 1024 * 1024))
    with pytest.raises(ExchangeError, match=r"bomb\.qdpx.*decompression bomb"):
        read_codebook(path)
