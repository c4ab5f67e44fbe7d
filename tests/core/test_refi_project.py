"""A whole REFI-QDA project: texts, codings, coders, and NVivo's UTF-16 offsets."""

from __future__ import annotations

import collections
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from desktop.core.exchange import ExchangeError, refi_project, refi_survey
from desktop.core.exchange.refi_offsets import OffsetMap, OffsetUnit
from desktop.core.exchange.refi_project import read_project
from desktop.core.text import is_word_char, normalise

P = "{urn:QDA-XML:project:1.0}"
NVIVO_WIN = "nvivo-win-12.6_oltas0517.qdpx"


@pytest.fixture(scope="module")
def samples(shared_dir: Path) -> Path:
    return shared_dir / "refi" / "samples"


@pytest.fixture(scope="module")
def nvivo_win(samples: Path):
    return read_project(samples / NVIVO_WIN)


def at_boundary(text: str, i: int) -> bool:
    return i in (0, len(text)) or not (is_word_char(text[i - 1]) and is_word_char(text[i]))


# ---------------------------------------------------------------------------- NVivo Windows


def test_nvivo_windows_codings_counted_independently(samples: Path, nvivo_win) -> None:
    with zipfile.ZipFile(samples / NVIVO_WIN) as zf:
        root = ET.fromstring(zf.read("project.qde"))
    codings = list(root.iter(f"{P}Coding"))
    assert len(codings) == 303
    assert sum(len(s.codings) for s in nvivo_win.sources) == 303
    assert nvivo_win.offset_unit is OffsetUnit.UTF16
    assert [u.name for u in nvivo_win.users] == ["Gergo", "floriansipos"]
    assert len(nvivo_win.codes) == 152
    assert [(s.name, len(s.codings)) for s in nvivo_win.sources] == [
        ("videos_selection", 0),
        ("videos_10_selected", 303),
    ]
    # The coder is the selection's creator: NVivo stamps every Coding with the exporter.
    names = {u.get("guid"): u.get("name") for u in root.iter(f"{P}User")}
    creators = collections.Counter(
        names[sel.get("creatingUser")]
        for sel in root.iter(f"{P}PlainTextSelection")
        for _ in sel.iter(f"{P}Coding")
    )
    got = collections.Counter(c.coder for s in nvivo_win.sources for c in s.codings)
    assert got == creators == {"floriansipos": 297, "Gergo": 6}


def test_nvivo_windows_texts_are_normalised(samples: Path, nvivo_win) -> None:
    with zipfile.ZipFile(samples / NVIVO_WIN) as zf:
        raw = zf.read("Sources/68bbdc14-c361-4432-b4dd-ae1dbfc12890.txt")
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    source = nvivo_win.sources[1]
    assert source.guid == "68bbdc14-c361-4432-b4dd-ae1dbfc12890"
    assert source.text == normalise(raw.decode("utf-8"))
    assert "\r" not in source.text and not source.text.startswith("\ufeff")


def test_nvivo_windows_offsets_convert_from_utf16_over_crlf(samples: Path, nvivo_win) -> None:
    """Oracle: cut the file's own UTF-16 encoding at the file's offsets, then normalise."""
    with zipfile.ZipFile(samples / NVIVO_WIN) as zf:
        raw = zf.read("Sources/68bbdc14-c361-4432-b4dd-ae1dbfc12890.txt").decode("utf-8-sig")
    units = raw.encode("utf-16-le")
    source = nvivo_win.sources[1]
    after_emoji = 0
    for c in source.codings:
        expected = units[2 * c.file_start : 2 * c.file_end].decode("utf-16-le")
        assert c.quote == source.text[c.start : c.end] == normalise(expected)
        after_emoji += any(ord(ch) > 0xFFFF for ch in source.text[: c.start])
    assert after_emoji > 250  # most selections lie after an emoji: the conversion matters
    first = source.codings[0]
    assert first.quote.startswith("Senkit nem lehet kötelezni oltásra")
    assert first.code_path == "2. Attitűd szint az oltáshoz/piros"
    assert first.coder == "floriansipos"


def test_nvivo_windows_selections_land_on_word_boundaries(nvivo_win) -> None:
    source = nvivo_win.sources[1]
    on = sum(
        at_boundary(source.text, c.start) and at_boundary(source.text, c.end)
        for c in source.codings
    )
    naive = sum(
        at_boundary(source.text, c.file_start) and at_boundary(source.text, c.file_end)
        for c in source.codings
    )
    assert on >= 300  # 3 selections were made mid-word by their coder
    assert naive < 150  # reading the offsets as code points would land anywhere


# ---------------------------------------------------------------------------- other samples


def test_nvivo_mac_sources_and_no_codings(samples: Path) -> None:
    project = read_project(samples / "nvivo-mac-15.0_codes-only.qdpx")
    assert len(project.codes) == 262
    assert [s.text for s in project.sources] == ["\n", "\n"]
    assert all(not s.codings for s in project.sources)
    assert project.offset_unit is OffsetUnit.CODE_POINTS
    assert project.warnings == []


def test_maxqda_lone_qde_reports_its_missing_texts(samples: Path) -> None:
    project = read_project(samples / "maxqda-24.7_project.qde")
    assert len(project.codes) == 307 and project.sources == []
    assert len(project.warnings) == 10
    assert all("not in a lone .qde" in w.message for w in project.warnings)


def test_atlasti_users_and_codes(samples: Path) -> None:
    project = read_project(samples / "atlasti-win-23.2_target-project.qdpx")
    assert [u.name for u in project.users] == ["Enric Llagostera", "ATLAS.ti"]
    assert len(project.codes) == 3 and project.sources == []


# ---------------------------------------------------------------------------- synthetic

G_CODE = "11111111-1111-1111-1111-111111111111"
G_USER = "22222222-2222-2222-2222-222222222222"
G_SRC = "33333333-3333-3333-3333-333333333333"


def project_xml(sources: str, *, origin: str = "Some Tool 1.0", notes: str = "") -> str:
    notes = f"<Notes>{notes}</Notes>" if notes else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="{origin}">
<Users><User guid="{G_USER}" name="ana"/></Users>
<CodeBook><Codes><Code guid="{G_CODE}" name="Emotion" isCodable="true"/></Codes></CodeBook>
<Sources>{sources}</Sources>
{notes}
</Project>"""


def selection(start: int, end: int, *, name: str = "", code: str = G_CODE) -> str:
    return (
        f'<PlainTextSelection guid="44444444-4444-4444-4444-44444444444{start % 10}" name="{name}" '
        f'startPosition="{start}" endPosition="{end}" creatingUser="{G_USER}">'
        f'<Coding guid="55555555-5555-5555-5555-55555555555{start % 10}" creatingUser="{G_USER}">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def make_qdpx(tmp_path: Path, xml: str, texts: dict[str, bytes]) -> Path:
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        for name, data in texts.items():
            zf.writestr(f"sources/{name}", data)
    return path


def text_source(selections: str, *, path: str = "internal://s.txt") -> str:
    return f'<TextSource guid="{G_SRC}" name="doc" plainTextPath="{path}">{selections}</TextSource>'


def test_code_point_offsets_with_emoji_are_kept(tmp_path: Path) -> None:
    text = "I 😀 love it.\r\nSo 😀 happy."
    # Code point offsets, with the quote in the selection's name (as some tools write it).
    s1 = text.index("love it")
    s2 = text.index("happy")
    sels = selection(s1, s1 + 7, name="love it") + selection(s2, s2 + 5, name="happy")
    path = make_qdpx(tmp_path, project_xml(text_source(sels)), {"s.txt": text.encode()})
    project = read_project(path)
    assert project.offset_unit is OffsetUnit.CODE_POINTS
    assert [c.quote for c in project.sources[0].codings] == ["love it", "happy"]
    assert [c.coder for c in project.sources[0].codings] == ["ana", "ana"]
    assert project.sources[0].text == "I 😀 love it.\nSo 😀 happy."


def test_utf16_offsets_are_detected_without_quotes(tmp_path: Path) -> None:
    text = "\ufeffAlpha 😀😀 beta gamma 😀 delta\r\nepsilon 😀 zeta"
    raw = text[1:]

    def u16(i: int) -> int:
        return len(raw[:i].encode("utf-16-le")) // 2

    sels = "".join(
        selection(u16(raw.index(w)), u16(raw.index(w) + len(w)))
        for w in ["beta", "gamma", "delta", "epsilon", "zeta"]
    )
    path = make_qdpx(tmp_path, project_xml(text_source(sels)), {"s.txt": text.encode()})
    project = read_project(path)
    assert project.offset_unit is OffsetUnit.UTF16
    assert [c.quote for c in project.sources[0].codings] == [
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
    ]
    assert "UTF-16" in str(project.warnings[0])


def test_inline_text_in_a_lone_qde(tmp_path: Path) -> None:
    src = (
        f'<TextSource guid="{G_SRC}" name="inline"><PlainTextContent>one two three'
        f"</PlainTextContent>{selection(4, 7)}</TextSource>"
    )
    path = tmp_path / "p.qde"
    path.write_text(project_xml(src), encoding="utf-8")
    (coding,) = read_project(path).sources[0].codings
    assert (coding.start, coding.end, coding.quote, coding.code_path) == (4, 7, "two", "Emotion")


def test_bad_selections_and_references_are_reported(tmp_path: Path) -> None:
    sels = (
        selection(0, 3)
        + selection(4, 7, name="xyz")
        + selection(5, 2)
        + selection(0, 99)
        + selection(0, 3, code="66666666-6666-6666-6666-666666666666")
    )
    path = make_qdpx(tmp_path, project_xml(text_source(sels)), {"s.txt": b"abc def"})
    project = read_project(path)
    assert [c.quote for c in project.sources[0].codings] == ["abc", "def"]
    messages = [w.message for w in project.warnings]
    assert sum("names the text 'xyz' but covers 'def'" in m for m in messages) == 1
    assert sum("empty or outside" in m for m in messages) == 2
    assert sum("refers to no code" in m for m in messages) == 1
    assert all(w.line for w in project.warnings)


def test_sources_outside_the_archive_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("TESSERA-SECRET-SRC", encoding="utf-8")
    xml = project_xml(text_source(selection(0, 5), path=f"absolute://{outside}"))
    project = read_project(make_qdpx(tmp_path, xml, {}))
    assert project.sources == []
    assert "points outside the project" in project.warnings[0].message
    traversal = project_xml(text_source("", path="internal://../../outside.txt"))
    with pytest.raises(ExchangeError, match="goes up a folder"):
        read_project(make_qdpx(tmp_path, traversal, {}))


def test_missing_text_and_not_a_project(tmp_path: Path) -> None:
    project = read_project(make_qdpx(tmp_path, project_xml(text_source("")), {}))
    assert "missing from the archive" in project.warnings[0].message
    path = tmp_path / "book.qdc"
    path.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    with pytest.raises(ExchangeError, match="not a REFI-QDA <Project>"):
        read_project(path)


# ---------------------------------------------------------------------------- notes (memos)

G_NOTE = "77777777-7777-4777-8777-77777777777"  # + one hex digit


def note(i: int, body: str = "", **attrs: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f'<Note guid="{G_NOTE}{i}" name="note {i}"{extra}>{body}</Note>'


def noted_selection(start: int, end: int, *, on_coding: str = "", on_selection: str = "") -> str:
    """A selection with one coding; NoteRefs (note numbers) on the coding and/or on the
    selection itself, where Project.xsd puts them (after Coding / after CodeRef)."""

    def refs(numbers: str) -> str:
        return "".join(f'<NoteRef targetGUID="{G_NOTE}{n}"/>' for n in numbers)

    return (
        f'<PlainTextSelection guid="44444444-4444-4444-4444-44444444444{start % 10}" '
        f'startPosition="{start}" endPosition="{end}" creatingUser="{G_USER}">'
        f'<Coding guid="55555555-5555-5555-5555-55555555555{start % 10}" creatingUser="{G_USER}">'
        f'<CodeRef targetGUID="{G_CODE}"/>{refs(on_coding)}</Coding>'
        f"{refs(on_selection)}</PlainTextSelection>"
    )


def test_a_note_referenced_from_the_selection_is_the_memo_of_its_coding(
    tmp_path: Path, shared_dir: Path
) -> None:
    """Hand-made: the NoteRef sits on the PlainTextSelection, not on the Coding (as some
    tools write a selection's memo), and the file is valid against Project.xsd."""
    memo = "Első sor – „idézet” 😀\n\tmásodik sor"
    xml = project_xml(
        text_source(noted_selection(4, 7, on_selection="1")),
        notes=note(1, f"<PlainTextContent>{memo}</PlainTextContent>"),
    )
    schema = etree.XMLSchema(etree.parse(str(shared_dir / "refi" / "Project.xsd")))
    assert schema.validate(etree.fromstring(xml.encode())), schema.error_log
    project = read_project(make_qdpx(tmp_path, xml, {"s.txt": b"abc def ghi"}))
    (coding,) = project.sources[0].codings
    assert (coding.quote, coding.memo) == ("def", memo)
    assert project.warnings == []


def test_note_texts_from_the_archive_inline_or_description(tmp_path: Path) -> None:
    sels = (
        noted_selection(0, 3, on_coding="1")  # inline, CRLF
        + noted_selection(4, 7, on_coding="2")  # a file in the archive, BOM + CRLF
        + noted_selection(8, 11, on_coding="3", on_selection="4")  # both, joined
        + noted_selection(12, 15, on_coding="5", on_selection="5")  # the same note twice
    )
    notes = (
        note(1, "<PlainTextContent>  one&#13;\ntwo  </PlainTextContent>")
        + note(2, plainTextPath="internal://n2.txt")
        + note(
            3, "<Description>only a description</Description>", richTextPath="internal://n3.docx"
        )
        + note(4, "<Description>ignored</Description><PlainTextContent>sel</PlainTextContent>")
        + note(5, "<PlainTextContent>five</PlainTextContent>")
    )
    texts = {"s.txt": b"abc def ghi jkl", "n2.txt": "\ufeffnöte\r\nzwei\r\n".encode()}
    project = read_project(make_qdpx(tmp_path, project_xml(text_source(sels), notes=notes), texts))
    assert [c.memo for c in project.sources[0].codings] == [
        "one\ntwo",
        "nöte\nzwei",
        "only a description\n\nsel",
        "five",
    ]
    assert project.warnings == []


def test_bad_note_references_are_warnings_with_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sels = (
        noted_selection(0, 3, on_coding="9")  # no such note
        + noted_selection(4, 7, on_selection="1", on_coding="2")  # missing file; good note
        + noted_selection(8, 11, on_coding="3")  # too big: skipped
        + noted_selection(12, 15, on_coding="4")  # empty note
        + noted_selection(16, 19, on_coding="5")  # outside the archive
    )
    outside = tmp_path / "secret.txt"
    outside.write_text("TESSERA-SECRET-NOTE", encoding="utf-8")
    notes = (
        note(1, plainTextPath="internal://gone.txt")
        + note(2, "<PlainTextContent>kept</PlainTextContent>")
        + note(3, plainTextPath="internal://big.txt")
        + note(4, "<PlainTextContent>  </PlainTextContent>")
        + note(5, plainTextPath=f"absolute://{outside}")
        + '<Note guid="not-a-guid" name="x"/>'
    )
    texts = {"s.txt": b"abc def ghi jkl mno", "big.txt": b"b" * 2000}
    monkeypatch.setattr(refi_survey, "NOTE_TEXT_MAX_BYTES", 1000)
    xml = project_xml(text_source(sels), notes=notes)
    project = read_project(make_qdpx(tmp_path, xml, texts))
    codings = project.sources[0].codings
    assert [c.quote for c in codings] == ["abc", "def", "ghi", "jkl", "mno"]  # all kept
    assert [c.memo for c in codings] == ["", "kept", "", "", ""]
    messages = [w.message for w in project.warnings]
    assert any("points at no note" in m and f"{G_NOTE}9" in m for m in messages)
    assert any("note 'note 1'" in m and "missing from the archive" in m for m in messages)
    assert any("note 'note 3'" in m and "limit of 1,000" in m for m in messages)
    assert any("note 'note 4' has no plain text" in m for m in messages)
    assert any("note 'note 5' points outside the project" in m for m in messages)
    assert any("has no valid GUID" in m for m in messages)
    assert all(w.line for w in project.warnings)
    assert "TESSERA-SECRET-NOTE" not in str(project)
    (missing,) = [w for w in project.warnings if "points at no note" in w.message]
    lines = xml.splitlines()
    assert f"{G_NOTE}9" in lines[missing.line - 1]  # the line of the NoteRef itself


def test_a_note_path_that_leaves_the_archive_refuses_the_file(tmp_path: Path) -> None:
    xml = project_xml(
        text_source(noted_selection(0, 3, on_coding="1")),
        notes=note(1, plainTextPath="internal://../../etc/passwd"),
    )
    with pytest.raises(ExchangeError, match="goes up a folder"):
        read_project(make_qdpx(tmp_path, xml, {"s.txt": b"abc"}))


def test_a_lone_qde_keeps_inline_notes_and_reports_the_others(tmp_path: Path) -> None:
    src = (
        f'<TextSource guid="{G_SRC}" name="inline"><PlainTextContent>one two three'
        f"</PlainTextContent>{noted_selection(0, 3, on_coding='1')}"
        f"{noted_selection(4, 7, on_coding='2')}</TextSource>"
    )
    notes = note(1, "<PlainTextContent>inline</PlainTextContent>") + note(
        2, plainTextPath="internal://n.txt"
    )
    path = tmp_path / "p.qde"
    path.write_text(project_xml(src, notes=notes), encoding="utf-8")
    project = read_project(path)
    assert [c.memo for c in project.sources[0].codings] == ["inline", ""]
    assert "not in a lone .qde" in project.warnings[0].message


# ---------------------------------------------------------------------------- OffsetMap

raw_texts = (
    st.lists(
        st.sampled_from(["a", "b", " ", "\r", "\n", "\r\n", "😀", "\ufb01", "\x00", "é", "\ufeff"]),
        max_size=30,
    )
    .map("".join)
    .filter(lambda t: not t.startswith("\ufeff"))
)


@given(raw=raw_texts)
def test_offset_map_agrees_with_normalise_and_utf16(raw: str) -> None:
    omap = OffsetMap(raw)
    assert omap.text == normalise(raw)
    for i in range(len(raw) + 1):
        u = len(raw[:i].encode("utf-16-le")) // 2
        assert omap.to_text(u, OffsetUnit.UTF16) == omap.to_text(i, OffsetUnit.CODE_POINTS)
        if 0 < i < len(raw) and raw[i - 1] == "\r" and raw[i] == "\n":
            continue  # inside a CRLF pair: maps to its LF
        assert omap.to_text(i, OffsetUnit.CODE_POINTS) == len(normalise(raw[:i]))
    assert omap.to_text(len(raw) + 1, OffsetUnit.CODE_POINTS) is None


def test_offset_inside_a_surrogate_pair_is_invalid() -> None:
    omap = OffsetMap("a😀b")
    assert omap.to_text(2, OffsetUnit.UTF16) is None
    assert omap.to_text(3, OffsetUnit.UTF16) == 2
    assert omap.span(1, 3, OffsetUnit.UTF16) == (1, 2)


def test_hostile_project_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TESSERA-SECRET-PRJ", encoding="utf-8")
    xxe = (
        project_xml(text_source(""))
        .replace(
            "<Project ",
            f'<!DOCTYPE Project [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n<Project ',
        )
        .replace('name="doc"', 'name="&x;"')
    )
    with pytest.raises(ExchangeError, match="entities") as info:
        read_project(make_qdpx(tmp_path, xxe, {"s.txt": b"abc"}))
    assert "TESSERA-SECRET-PRJ" not in str(info.value)
    big = make_qdpx(tmp_path, project_xml(text_source(selection(0, 1))), {"s.txt": b"a" * 2000})
    monkeypatch.setattr(refi_survey, "SOURCE_TEXT_MAX_BYTES", 1000)
    with pytest.raises(ExchangeError, match=r"sources/s\.txt.*limit of 1,000"):
        read_project(big)


def test_warnings_past_the_listed_number_are_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core.exchange import refi_selections

    monkeypatch.setattr(refi_selections, "WARNINGS_LISTED", 5)
    sels = "".join(selection(i, 99 + i) for i in range(12))  # all outside the text
    project = read_project(make_qdpx(tmp_path, project_xml(text_source(sels)), {"s.txt": b"abc"}))
    assert project.selections_skipped == 12
    assert len(project.warnings) == 6
    assert project.warnings[-1].message == "... and 7 more warnings not listed"


def test_a_project_of_more_sources_than_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core import limits

    monkeypatch.setattr(limits, "REFI_SOURCES_MAX", 2)
    sources = "".join(
        f'<TextSource guid="{G_SRC[:-1]}{i}" name="d{i}"><PlainTextContent>t{i}'
        "</PlainTextContent></TextSource>"
        for i in range(3)
    )
    path = tmp_path / "p.qde"
    path.write_text(project_xml(sources), encoding="utf-8")
    with pytest.raises(ExchangeError, match=r"p\.qde: the project has more than 2 sources"):
        read_project(path)
    monkeypatch.setattr(limits, "REFI_SOURCES_MAX", 3)
    assert [s.text for s in read_project(path).sources] == ["t0", "t1", "t2"]


def test_sources_stream_one_at_a_time_and_unread_codings_still_count(tmp_path: Path) -> None:
    """open_project gives each source before the next is read; codings a reader skips
    are read anyway (counted and warned) when it asks for the next source."""
    sources = (
        text_source(selection(0, 3) + selection(0, 99))
        + f'<TextSource guid="{G_SRC[:-1]}0" name="two"><PlainTextContent>uvw xyz'
        f"</PlainTextContent>{selection(4, 7)}</TextSource>"
    )
    path = make_qdpx(tmp_path, project_xml(sources), {"s.txt": b"abc def"})
    with refi_project.open_project(path) as stream:
        assert [u.name for u in stream.users] == ["ana"] and stream.text_sources == 2
        sources = stream.sources()
        assert next(sources).name == "doc"
        second = next(sources)  # the first's codings were left unread: read now
        assert stream.selections_skipped == 1
        assert [c.quote for c in second.codings] == ["xyz"]
        assert next(sources, None) is None
        assert stream.selections_in_file == 3 and stream.selections_skipped == 1
        assert any("outside its text" in w.message for w in stream.warnings)
