"""Importing plain text and Markdown: encodings as real tools write them, bad input."""

from __future__ import annotations

import codecs
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.importers import (
    SUPPORTED_SUFFIXES,
    Extracted,
    ImportCancelled,
    ImportFailure,
    extract,
)
from desktop.core.importers import base as importer_base
from desktop.core.importers.encoding import detect_decode
from desktop.core.text import normalise, sha256_text

WORD_TEXT = "She said “naïve” isn’t the word – it’s — ‘odd’.\nCafé résumé, déjà vu.\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- encodings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("utf-8", WORD_TEXT.encode("utf-8")),
        ("utf-8 with BOM", codecs.BOM_UTF8 + WORD_TEXT.encode("utf-8")),
        ("utf-16 LE with BOM", codecs.BOM_UTF16_LE + WORD_TEXT.encode("utf-16-le")),
        ("utf-16 BE with BOM", codecs.BOM_UTF16_BE + WORD_TEXT.encode("utf-16-be")),
        ("windows-1252 (Word, Notepad)", WORD_TEXT.encode("cp1252")),
        ("windows-1252 with CRLF", WORD_TEXT.replace("\n", "\r\n").encode("cp1252")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_text_comes_out_right_whatever_the_encoding(tmp_path, label, data):
    doc = extract(write(tmp_path, "interview.txt", data))
    assert doc.text == WORD_TEXT
    assert doc.kind == "txt"
    assert doc.pages is None
    assert doc.metadata == {}


def test_the_same_text_in_two_encodings_has_the_same_identity(tmp_path):
    a = extract(write(tmp_path, "a.txt", codecs.BOM_UTF8 + WORD_TEXT.encode("utf-8")))
    b = extract(write(tmp_path, "b.txt", WORD_TEXT.replace("\n", "\r\n").encode("cp1252")))
    assert sha256_text(a.text) == sha256_text(b.text)


def test_cp1252_is_preferred_to_latin1_so_quotes_and_dashes_are_not_control_characters(tmp_path):
    doc = extract(write(tmp_path, "word.txt", "“Quoted” – dash—and ‘single’".encode("cp1252")))
    assert doc.text == "“Quoted” – dash—and ‘single’"
    assert not any("\x80" <= ch <= "\x9f" for ch in doc.text)
    assert any("Windows-1252" in w for w in doc.warnings)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Größe, Übermaß, Straße „Zitat“ – fertig.", "cp1252"),  # detector says mac_turkish
        ("Ça coûte cher, naïve garçon, déjà vu à l'école.", "latin-1"),  # detector says cp1257
        ("Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig.", "cp1250"),
        ("Съешь же ещё этих мягких французских булок, да выпей чаю.", "cp1251"),
    ],
)
def test_single_byte_code_pages_are_told_apart(text, encoding):
    decoded, _ = detect_decode(text.encode(encoding))
    assert decoded == text


def test_mac_roman_loses_to_windows_1252_unless_clearly_better():
    """A known trade-off: Mac Roman has been extinct since Mac OS X; dashes and quotes in
    Windows-1252 text often read 'better' as Mac Roman letters."""
    assert detect_decode("– “word” –".encode("cp1252"))[0] == "– “word” –"


def test_a_short_cp1252_file_is_read_as_cp1252():
    assert detect_decode("naïve “quotes” – dash".encode("cp1252"))[0] == "naïve “quotes” – dash"


def test_bytes_that_are_valid_utf8_are_read_as_utf8_even_if_cp1252_would_decode():
    data = "naïve café".encode()
    text, encoding = detect_decode(data)
    assert (text, encoding) == ("naïve café", "utf-8")


def test_markdown_is_kept_as_written(tmp_path):
    source = "# Field notes\n\n*Interview* with **A.**, see [link](http://x.org).\n\n- one\n- two\n"
    doc = extract(write(tmp_path, "notes.md", source.encode()))
    assert doc.kind == "md"
    assert doc.text == source


def test_suffix_case_does_not_matter(tmp_path):
    assert extract(write(tmp_path, "NOTES.TXT", b"hello")).text == "hello"


def test_nul_characters_and_stray_carriage_returns_are_normalised(tmp_path):
    doc = extract(write(tmp_path, "old.txt", b"line one\rline two\r\nline three"))
    assert doc.text == "line one\nline two\nline three"


# --- bad input ------------------------------------------------------------------------


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(200)


def _zip(tmp_path: Path) -> bytes:
    buf = tmp_path / "x.zip"
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "hello " * 100)
    return buf.read_bytes()


@pytest.mark.parametrize("maker", ["random", "png", "zip", "random-no-nul"])
def test_binary_data_named_txt_is_refused(tmp_path, maker):
    if maker == "random":
        data = os.urandom(4096)
    elif maker == "png":
        data = _png()
    elif maker == "zip":
        data = _zip(tmp_path)
    else:
        data = bytes(b for b in os.urandom(8192) if b)[:4000]
    with pytest.raises(ImportFailure, match="not text"):
        extract(write(tmp_path, "notes.txt", data))


def test_the_message_names_a_recognised_binary_format(tmp_path):
    with pytest.raises(ImportFailure) as info:
        extract(write(tmp_path, "picture.txt", _png()))
    assert "PNG image" in str(info.value)


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n\n"]
)
def test_empty_or_whitespace_only_file_is_refused(tmp_path, data):
    with pytest.raises(ImportFailure, match="no text"):
        extract(write(tmp_path, "empty.txt", data))


def test_huge_file_is_refused_from_its_size_without_being_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: 60 MB on paper, nothing on disk
        fh.truncate(60 * 1024 * 1024)
    reads = []
    real_open = Path.open

    def spy_open(self, *args, **kwargs):
        reads.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy_open)
    with pytest.raises(ImportFailure, match=r"too large.*60 MB.*limit is 50 MB"):
        extract(path)
    assert reads == []


def test_size_limit_is_the_one_in_base(tmp_path, monkeypatch):
    monkeypatch.setattr(importer_base, "MAX_TEXT_FILE_BYTES", 10)
    from desktop.core.importers import plaintext

    monkeypatch.setattr(plaintext, "MAX_TEXT_FILE_BYTES", 10)
    with pytest.raises(ImportFailure, match="too large"):
        extract(write(tmp_path, "a.txt", b"more than ten bytes"))


def test_missing_file(tmp_path):
    with pytest.raises(ImportFailure, match="does not exist"):
        extract(tmp_path / "gone.txt")


# --- dispatch, progress, cancel ---------------------------------------------------------


def test_supported_suffixes():
    assert {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".rtf", ".odt"} == SUPPORTED_SUFFIXES


@pytest.mark.parametrize("name", ["sheet.xyz", "old.doc", "README"])
def test_unsupported_type_is_named_in_the_message(tmp_path, name):
    with pytest.raises(ImportFailure) as info:
        extract(write(tmp_path, name, b"hello"))
    message = str(info.value)
    shown = Path(name).suffix or "(no extension)"
    assert f"files of type {shown} are not supported" in message
    assert "Tessera reads" in message and "PDF" in message


def test_doc_gets_a_hint(tmp_path):
    with pytest.raises(ImportFailure, match=r"save it as \.docx"):
        extract(write(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0"))


def test_progress_is_reported_for_a_text_file(tmp_path):
    calls = []
    extract(write(tmp_path, "a.txt", b"hello"), progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1] == (1, 1)


def test_cancel_before_start_raises_cancelled(tmp_path):
    with pytest.raises(ImportCancelled):
        extract(write(tmp_path, "a.txt", b"hello"), cancelled=lambda: True)


def test_result_is_the_contract_dataclass(tmp_path):
    doc = extract(write(tmp_path, "a.txt", b"hello"))
    assert isinstance(doc, Extracted)
    assert doc.warnings == []


# --- properties -------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Co"), blacklist_characters="\ufeff"),
    min_size=1,
    max_size=300,
).filter(lambda s: s.strip())


@settings(max_examples=150, deadline=None)
@given(_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom"]))
def test_any_unicode_text_round_trips(text, encoding):
    if encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)  # 'utf-16' writes a BOM
    decoded, _ = detect_decode(data)
    assert decoded == text


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "naïve",
                "café",
                "“quoted”",
                "it’s",
                "‘single’",
                "–",
                "—",
                "déjà",
                "Größe",
                "Übermaß",
                "…",
                "€5",
                "señor",
                "garçon",
                "the",
                "and",
                "word",
                "Ça",
                "\n",
            ]
        ),
        min_size=1,
        max_size=60,
    )
)
def test_western_text_saved_by_word_comes_out_right(words):
    text = " ".join(words)
    decoded, _ = detect_decode(text.encode("cp1252"))
    assert decoded == text


def test_imported_text_is_already_normalised(tmp_path):
    doc = extract(write(tmp_path, "a.txt", codecs.BOM_UTF8 + "ﬁne\r\nend".encode()))
    assert doc.text == normalise(doc.text) == "fine\nend"


def test_an_unexpected_parser_error_becomes_a_failure_naming_the_kind(tmp_path, monkeypatch):
    import struct

    from desktop.core.importers import rtf

    def explode(path):
        raise struct.error("unpack requires a buffer of 4 bytes")

    monkeypatch.setattr(rtf, "extract_rtf", explode)
    with pytest.raises(
        ImportFailure, match=r"the RTF document could not be read; it may be damaged"
    ):
        extract(write(tmp_path, "a.rtf", b"{\\rtf1 hello}"))


def test_western_text_whose_bytes_are_also_big5_kana_is_read_as_western():
    """'Ça' in Windows-1252 is the bytes of a katakana in Big5: five of them outscored
    the Western reading. Chinese text has next to no kana, so a Chinese reading full of
    it is a misreading."""
    text = "Größe Ça Ça Ça Ça Ça"
    assert detect_decode(text.encode("cp1252"))[0] == text
