"""Writing a whole REFI-QDA project (.qdpx): valid against Project.xsd, texts as UTF-8/LF,
offsets in code points, and read back by the reader unchanged."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from desktop.core.exchange.refi import CodeSpec, read_project
from desktop.core.exchange.refi_offsets import OffsetUnit
from desktop.core.exchange.refi_project_writer import (
    CodingOut,
    NoteOut,
    SourceOut,
    UserOut,
    derived_guid,
    write_qdpx,
    xml_datetime,
)

P = "{urn:QDA-XML:project:1.0}"
ANA = UserOut("aaaaaaaa-0000-4000-8000-000000000001", "ana")
BEN = UserOut("aaaaaaaa-0000-4000-8000-000000000002", 'Ben <&> "O\'Neil"')
EMOTION = CodeSpec("Emotion", "Emotion", color="#e6194b", guid="cccccccc-0000-4000-8000-000000000001",
                   description="Feelings.", inclusion="named feelings", examples=["I was scared"])  # fmt: skip
FEAR = CodeSpec("Emotion/Fear", "Fear", guid="cccccccc-0000-4000-8000-000000000002")
SLASH = CodeSpec("Emotion/and\\/or", "and/or", guid="cccccccc-0000-4000-8000-000000000003")
CODES = [EMOTION, FEAR, SLASH]
TEXT = (
    "Rebels said talks had \u201cfailed\u201d.\n\nAt least 12 \U0001f525 killed in Dera\u2019a.\n"
)
DOC = "dddddddd-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def schema(shared_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_dir / "refi" / "Project.xsd")))


def span(word: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


def sample_codings() -> list[CodingOut]:
    when = datetime(2025, 3, 1, 12, 30, 15, 123456)
    return [
        CodingOut(*span("killed"), FEAR.guid, ANA.guid, when, memo="after the \U0001f525"),
        CodingOut(*span("killed"), EMOTION.guid, ANA.guid, when + timedelta(minutes=1)),
        CodingOut(*span("killed"), FEAR.guid, BEN.guid),
        CodingOut(*span("failed"), SLASH.guid, BEN.guid),
    ]


def write(tmp_path: Path, sources, **kw) -> tuple[Path, object]:
    path = tmp_path / "out.qdpx"
    kw.setdefault("users", [ANA, BEN])
    kw.setdefault("codes", CODES)
    summary = write_qdpx(path, name="Study", sources=sources, **kw)
    return path, summary


def project_root(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde"))


def test_archive_is_valid_and_holds_the_text_as_utf8_lf_without_bom(tmp_path, schema) -> None:
    path, summary = write(tmp_path, [SourceOut(DOC, "deraa.txt", TEXT, sample_codings(), "a memo")])
    root = project_root(path)
    assert schema.validate(root), schema.error_log
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["project.qde", f"sources/{DOC}.txt"]
        data = zf.read(f"sources/{DOC}.txt")
    assert data == TEXT.encode("utf-8") and not data.startswith(b"\xef\xbb\xbf")
    (src,) = root.iter(f"{P}TextSource")
    assert src.get("plainTextPath") == f"internal://{DOC}.txt"
    assert src.findtext(f"{P}Description") == "a memo"
    # the memo is also a Note the source points at (after its codings, as the schema wants)
    (ref,) = src.findall(f"{P}NoteRef")
    (note,) = [n for n in root.iter(f"{P}Note") if n.get("guid") == ref.get("targetGUID")]
    assert note.findtext(f"{P}PlainTextContent") == "a memo"
    assert (summary.sources, summary.selections, summary.codings, summary.notes) == (1, 3, 4, 2)


def test_journal_description_and_code_memos_are_read_back(tmp_path, schema) -> None:
    journal = [
        NoteOut("eeeeeeee-0000-4000-8000-000000000001", "Day 1", "First\nentry", ANA.guid,
                datetime(2024, 1, 2, 3, 4, 5)),
        NoteOut("eeeeeeee-0000-4000-8000-000000000002", "", "Untitled <entry>"),
    ]  # fmt: skip
    noted = CodeSpec("Emotion", "Emotion", guid=EMOTION.guid, description="feelings",
                     memo="a code memo")  # fmt: skip
    path, summary = write(
        tmp_path, [SourceOut(DOC, "deraa.txt", TEXT, [], "a memo")], codes=[noted],
        journal=journal, description="About the study",
    )  # fmt: skip
    root = project_root(path)
    assert schema.validate(root), schema.error_log
    assert summary.notes == 4
    back = read_project(path)
    assert back.warnings == []
    assert back.description == "About the study"
    assert [(n.guid, n.name, n.text, n.user, n.created) for n in back.notes] == [
        (journal[0].guid, "Day 1", "First\nentry", ANA.guid, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (journal[1].guid, "", "Untitled <entry>", None, None),
    ]  # fmt: skip
    (code,) = back.codes
    assert (code.description, code.memo) == ("feelings", "a code memo")
    assert back.sources[0].description == "a memo"  # the Note and the Description: once


def test_offsets_are_code_points_and_the_reader_gets_them_back(tmp_path) -> None:
    path, _ = write(tmp_path, [SourceOut(DOC, "deraa.txt", TEXT, sample_codings())])
    root = project_root(path)
    killed = [s for s in root.iter(f"{P}PlainTextSelection") if s.get("name") == "killed"]
    # After an emoji: UTF-16 would count one more.
    assert {(s.get("startPosition"), s.get("endPosition")) for s in killed} == {
        tuple(map(str, span("killed")))
    }
    back = read_project(path)
    assert back.warnings == [] and back.offset_unit is OffsetUnit.CODE_POINTS
    (src,) = back.sources
    assert src.text == TEXT and src.guid == DOC
    got = sorted((c.start, c.end, c.quote, c.code_path, c.coder) for c in src.codings)
    assert got == sorted(
        (*span(q), q, path, coder)
        for q, path, coder in [
            ("killed", "Emotion/Fear", "ana"),
            ("killed", "Emotion", "ana"),
            ("killed", "Emotion/Fear", BEN.name),
            ("failed", "Emotion/and\\/or", BEN.name),
        ]
    )
    assert [u.name for u in back.users] == ["ana", BEN.name]
    assert [(c.path, c.color, c.description, c.inclusion, c.examples) for c in back.codes][0] == (
        "Emotion", "#e6194b", "Feelings.", "named feelings", ["I was scared"],
    )  # fmt: skip


def test_one_selection_per_passage_and_coder_holding_its_codings(tmp_path) -> None:
    path, _ = write(tmp_path, [SourceOut(DOC, "deraa.txt", TEXT, sample_codings())])
    root = project_root(path)
    by_user = {}
    for sel in root.iter(f"{P}PlainTextSelection"):
        refs = [c.find(f"{P}CodeRef").get("targetGUID") for c in sel.iter(f"{P}Coding")]
        assert all(c.get("creatingUser") == sel.get("creatingUser") for c in sel.iter(f"{P}Coding"))
        by_user.setdefault(sel.get("creatingUser"), []).append((sel.get("name"), refs))
    assert sorted(by_user[ANA.guid]) == [("killed", [FEAR.guid, EMOTION.guid])]
    assert sorted(by_user[BEN.guid]) == [("failed", [SLASH.guid]), ("killed", [FEAR.guid])]
    (ana_sel,) = [
        s for s in root.iter(f"{P}PlainTextSelection") if s.get("creatingUser") == ANA.guid
    ]
    assert ana_sel.get("creationDateTime") == "2025-03-01T12:30:15Z"  # the earliest coding


def test_memos_become_notes_referenced_by_their_coding(tmp_path, schema) -> None:
    path, _ = write(tmp_path, [SourceOut(DOC, "deraa.txt", TEXT, sample_codings())])
    root = project_root(path)
    (note,) = root.iter(f"{P}Note")
    assert note.findtext(f"{P}PlainTextContent") == "after the \U0001f525"
    refs = [r.get("targetGUID") for r in root.iter(f"{P}NoteRef")]
    assert refs == [note.get("guid")]


def test_same_project_twice_gives_the_same_guids(tmp_path) -> None:
    def guids(path: Path) -> list[str]:
        return sorted(el.get("guid") for el in project_root(path).iter() if el.get("guid"))

    first, _ = write(tmp_path, [SourceOut(DOC, "d", TEXT, sample_codings())])
    a = guids(first)
    second, _ = write(tmp_path, [SourceOut(DOC, "d", TEXT, list(reversed(sample_codings())))])
    assert guids(second) == a
    assert derived_guid("x", 1) == derived_guid("x", 1) != derived_guid("x", 2)


def test_sources_are_streamed_one_at_a_time(tmp_path, schema) -> None:
    made: list[int] = []
    seen: list[int] = []

    def sources():
        for i in range(3):
            made.append(i)
            text = f"document {i}\n"
            guid = derived_guid("doc", i)
            yield SourceOut(guid, f"d{i}", text, [CodingOut(0, 8, EMOTION.guid, ANA.guid)])

    path, summary = write(tmp_path, sources(), progress=lambda n: seen.append((n, len(made))))
    assert seen == [(1, 1), (2, 2), (3, 3)]  # each written before the next is loaded
    assert summary.sources == 3 and summary.codings == 3
    assert schema.validate(project_root(path)), schema.error_log


def test_an_empty_project_is_valid(tmp_path, schema) -> None:
    path, summary = write(tmp_path, [], users=[], codes=[])
    root = project_root(path)
    assert schema.validate(root), schema.error_log
    assert [etree.QName(c).localname for c in root] == []
    assert summary.sources == 0


def test_writes_to_a_stream(schema) -> None:
    buf = io.BytesIO()
    write_qdpx(buf, name="s", users=[ANA], codes=CODES, sources=[SourceOut(DOC, "d", "abc")])
    with zipfile.ZipFile(buf) as zf:
        assert schema.validate(etree.fromstring(zf.read("project.qde")))


def test_a_quote_xml_cannot_carry_is_left_out_of_the_name(tmp_path, schema) -> None:
    text = "bell \x07 rings"
    path, _ = write(
        tmp_path, [SourceOut(DOC, "d", text, [CodingOut(0, 8, EMOTION.guid, ANA.guid)])]
    )
    root = project_root(path)
    assert schema.validate(root)
    (sel,) = root.iter(f"{P}PlainTextSelection")
    assert sel.get("name") is None
    assert read_project(path).sources[0].codings[0].quote == "bell \x07 r"


def test_markup_line_ends_and_tabs_survive_in_names_and_descriptions(tmp_path, schema) -> None:
    text = 'He said "a & b < c" \U0001f525\n\tthen\n\nleft.'
    name = 'Notes & <drafts> "1"\t2'
    codings = [CodingOut(0, len(text), EMOTION.guid, ANA.guid)]
    path, _ = write(
        tmp_path, [SourceOut(DOC, name, text, codings, description="line 1\r\n& line 2")]
    )
    root = project_root(path)
    assert schema.validate(root), schema.error_log
    (sel,) = root.iter(f"{P}PlainTextSelection")
    assert sel.get("name") == text
    (src,) = root.iter(f"{P}TextSource")
    assert src.get("name") == name
    assert src.findtext(f"{P}Description") == "line 1\r\n& line 2"
    back = read_project(path)
    assert back.warnings == [] and back.sources[0].codings[0].quote == text


@pytest.mark.parametrize(
    ("coding", "message"),
    [
        (CodingOut(5, 99, EMOTION.guid, ANA.guid), "outside its text"),
        (CodingOut(5, 5, EMOTION.guid, ANA.guid), "outside its text .* or empty"),
        (CodingOut(0, 3, "cccccccc-0000-4000-8000-00000000ffff", ANA.guid), "refers to no code"),
        (CodingOut(0, 3, EMOTION.guid, "aaaaaaaa-0000-4000-8000-00000000ffff"), "no user"),
    ],
)
def test_inconsistent_codings_are_refused_and_leave_no_file(tmp_path, coding, message) -> None:
    with pytest.raises(ValueError, match=message):
        write(tmp_path, [SourceOut(DOC, "d", TEXT, [coding])])
    assert list(tmp_path.iterdir()) == []


def test_duplicate_or_missing_guids_and_raw_text_are_refused(tmp_path) -> None:
    twin = CodeSpec("Other", "Other", guid=EMOTION.guid)
    with pytest.raises(ValueError, match="two codes with the GUID"):
        write(tmp_path, [], codes=[EMOTION, twin])
    with pytest.raises(ValueError, match="no valid GUID"):
        write(tmp_path, [], codes=[CodeSpec("X", "X")])
    with pytest.raises(ValueError, match="two sources"):
        write(tmp_path, [SourceOut(DOC, "a", "x"), SourceOut(DOC, "b", "y")])
    with pytest.raises(ValueError, match="not normalised"):
        write(tmp_path, [SourceOut(DOC, "a", "line\r\nline")])
    assert list(tmp_path.iterdir()) == []


def test_times_are_utc_with_z() -> None:
    assert xml_datetime(datetime(2025, 1, 2, 3, 4, 5, 999)) == "2025-01-02T03:04:05Z"
    plus_two = timezone(timedelta(hours=2))
    assert xml_datetime(datetime(2025, 1, 2, 3, 4, 5, tzinfo=plus_two)) == "2025-01-02T01:04:05Z"
    assert xml_datetime(datetime(2025, 1, 2, tzinfo=UTC)) == "2025-01-02T00:00:00Z"
    assert xml_datetime(None) is None


def test_noncharacters_xml_cannot_carry_leave_the_file_well_formed(tmp_path, schema) -> None:
    """U+FFFE and U+FFFF (a byte-order mark read the wrong way round, junk from a broken
    conversion) are not XML characters: they are left out of names, memos and
    descriptions, and the file stays well-formed and valid."""
    odd = CodeSpec("Odd \ufffe", "Odd \ufffe", guid=EMOTION.guid, exclusion="not \uffff this",
                   memo="memo \ufffe")  # fmt: skip
    codings = [CodingOut(0, 6, EMOTION.guid, ANA.guid, memo="coding \uffff memo")]
    path, _ = write(
        tmp_path,
        [SourceOut(DOC, "d\ufffe.txt", "Rebels \ufffe said", codings, "doc \ufffe")],
        codes=[odd],
    )
    root = project_root(path)  # parses: well-formed
    assert schema.validate(root), schema.error_log
    (code,) = root.iter(f"{P}Code")
    assert code.get("name").strip() == "Odd" and "\uffff" not in code.findtext(f"{P}Description")
    (src,) = root.iter(f"{P}TextSource")
    assert src.get("name") == "d.txt" and src.findtext(f"{P}Description").strip() == "doc"
