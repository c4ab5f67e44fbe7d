"""Untrusted XML and zip files: what is refused, and that nothing leaks while refusing."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from desktop.core.safe_files import (
    MalformedFileError,
    UnsafeFileError,
    ZipLimits,
    extract_member,
    find_member,
    hardened_xml_parser,
    iterparse_xml,
    member_name_problem,
    open_member,
    open_zip,
    parse_xml_bytes,
    parse_xml_file,
    read_member,
    safe_member_path,
)

SECRET = "TESSERA-SECRET-7f3a"


def billion_laughs(*, in_attribute: bool = False) -> str:
    ents = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    body = '<r a="&lol9;"/>' if in_attribute else "<r>&lol9;</r>"
    return f'<?xml version="1.0"?>\n<!DOCTYPE r [{ents}]>\n{body}'


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def xxe(secret: Path, *, parameter: bool = False) -> bytes:
    uri = secret.as_uri()
    if parameter:
        dtd = f'<!ENTITY % p SYSTEM "{uri}"> %p;'
        body = "<r/>"
    else:
        dtd = f'<!ENTITY x SYSTEM "{uri}">'
        body = "<r>&x;</r>"
    return f'<?xml version="1.0"?>\n<!DOCTYPE r [{dtd}]>\n{body}'.encode()


# ---------------------------------------------------------------------------- XML


def test_parses_ordinary_xml_in_utf8_and_utf16() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><a xmlns="urn:x"><b n="é">😀</b></a>'
    tree = parse_xml_bytes(text.encode("utf-16"), source="u16.xml")
    assert tree.getroot()[0].text == "😀"
    tree = parse_xml_bytes("<a><b n='é'/></a>".encode(), source="u8.xml")
    assert tree.getroot()[0].get("n") == "é"


@pytest.mark.parametrize("in_attribute", [False, True])
def test_billion_laughs_is_refused(in_attribute: bool) -> None:
    with pytest.raises(UnsafeFileError, match="entities") as info:
        parse_xml_bytes(billion_laughs(in_attribute=in_attribute).encode(), source="bomb.xml")
    assert "bomb.xml" in str(info.value)


def test_billion_laughs_in_utf16_is_refused() -> None:
    with pytest.raises(UnsafeFileError):
        parse_xml_bytes(billion_laughs().encode("utf-16"), source="bomb16.xml")


@pytest.mark.parametrize("parameter", [False, True])
def test_external_entity_is_refused_and_the_file_is_not_read(
    secret_file: Path, parameter: bool
) -> None:
    with pytest.raises(UnsafeFileError) as info:
        parse_xml_bytes(xxe(secret_file, parameter=parameter), source="xxe.xml")
    assert SECRET not in str(info.value)


def test_the_parser_itself_neither_expands_nor_loads_entities(secret_file: Path) -> None:
    """Defence in depth: even past the entity check, the lxml parser options hold."""
    root = etree.fromstring(xxe(secret_file), hardened_xml_parser())
    assert SECRET not in etree.tostring(root, encoding="unicode")
    assert SECRET not in "".join(root.itertext())
    with pytest.raises(etree.XMLSyntaxError):  # libxml2's amplification guard
        etree.fromstring(billion_laughs().encode(), hardened_xml_parser())


def test_external_dtd_is_not_loaded(secret_file: Path) -> None:
    """The secret is not a valid DTD: had the parser read it, parsing would fail. (It did
    with lxml's collect_ids=False, which turns DTD loading back on.)"""
    data = f'<!DOCTYPE r SYSTEM "{secret_file.as_uri()}"><r>ok</r>'.encode()
    tree = parse_xml_bytes(data, source="dtd.xml")
    assert tree.getroot().text == "ok"
    assert SECRET not in etree.tostring(tree, encoding="unicode")


def test_malformed_xml_names_the_line() -> None:
    data = b"<a>\n  <b>\n  </c>\n</a>"
    with pytest.raises(MalformedFileError) as info:
        parse_xml_bytes(data, source="broken.xml")
    assert info.value.line == 3
    assert "broken.xml" in str(info.value)
    assert "line 3" in str(info.value)


@pytest.mark.parametrize("data", [b"", b"   \n", b"just some text", b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_not_xml_is_malformed(data: bytes) -> None:
    with pytest.raises(MalformedFileError, match="x.bin"):
        parse_xml_bytes(data, source="x.bin")


def test_xml_past_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<a>" + b"x" * 2000 + b"</a>")
    with pytest.raises(UnsafeFileError, match="limit"):
        parse_xml_file(big, max_bytes=1000)
    assert parse_xml_file(big, max_bytes=10_000).getroot().tag == "a"


def test_streamed_xml_keeps_the_same_rules() -> None:
    """iterparse_xml (a project read as a stream): an entity declaration is refused even
    when it straddles two reads, a document past its limit is refused while it is read,
    and a malformed one names its line."""
    straddling = b"<a>" + b" " * (32768 - 5) + b"<!ENTITY x 'y'>"
    assert straddling.index(b"<!ENTITY") < 32768 < straddling.index(b"<!ENTITY") + 8
    with pytest.raises(UnsafeFileError, match="entities"):
        list(iterparse_xml(io.BytesIO(straddling), source="s.xml"))
    big = b"<a>" + b"<b/>" * 100_000 + b"</a>"
    with pytest.raises(UnsafeFileError, match="limit of 100,000 bytes"):
        list(iterparse_xml(io.BytesIO(big), source="big.xml", max_bytes=100_000))
    assert sum(1 for _ in iterparse_xml(io.BytesIO(big), source="big.xml")) == 200_002
    with pytest.raises(MalformedFileError, match="line 2") as info:
        list(iterparse_xml(io.BytesIO(b"<a>\n<b></c></a>"), source="bad.xml"))
    assert info.value.line == 2
    with pytest.raises(MalformedFileError, match="empty"):
        list(iterparse_xml(io.BytesIO(b"  \n"), source="empty.xml"))


# ---------------------------------------------------------------------------- zip


def make_zip(path: Path, members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "a/../../evil.txt", "/etc/evil", "\\evil", "C:\\evil.txt", "c:/evil", "..\\x"],
)
def test_zip_slip_names_are_refused_on_open(tmp_path: Path, name: str) -> None:
    path = make_zip(tmp_path / "slip.zip", {"ok.txt": b"fine", name: b"evil"})
    with pytest.raises(UnsafeFileError) as info:
        open_zip(path)
    assert "slip.zip" in str(info.value)
    assert member_name_problem(name)
    with pytest.raises(UnsafeFileError):
        safe_member_path(tmp_path / "out", name)
    assert not (tmp_path / "evil.txt").exists()


def test_safe_member_path_stays_inside_and_sees_through_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    assert safe_member_path(root, "Sources/a.txt") == root.resolve() / "Sources" / "a.txt"
    assert safe_member_path(root, "./a/./b.txt") == root.resolve() / "a" / "b.txt"
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "link")
    with pytest.raises(UnsafeFileError, match="outside"):
        safe_member_path(root, "link/x.txt")


def test_decompression_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    # 8 MB of zeros deflate to a few KB: the ratio gives it away with the default limits.
    path = make_zip(tmp_path / "bomb.zip", {"zeros.txt": bytes(8 * 1024 * 1024)})
    with pytest.raises(UnsafeFileError, match="bomb"):
        open_zip(path)


def test_total_size_and_member_count_limits(tmp_path: Path) -> None:
    members = {f"m{i}.txt": bytes(100) for i in range(12)}
    path = make_zip(tmp_path / "many.zip", members, compression=zipfile.ZIP_STORED)
    with pytest.raises(UnsafeFileError, match="12 members"):
        open_zip(path, limits=ZipLimits(max_members=10))
    with pytest.raises(UnsafeFileError, match="expand to 1,200 bytes"):
        open_zip(path, limits=ZipLimits(max_total_size=1000))
    with pytest.raises(UnsafeFileError, match="m0.txt"):
        open_zip(path, limits=ZipLimits(max_member_size=50))
    with open_zip(path) as zf:
        assert len(zf.infolist()) == 12


def test_read_member_stops_at_its_cap(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "a.zip", {"big.txt": b"y" * 5000, "small.txt": b"hi"})
    with open_zip(path) as zf:
        assert read_member(zf, "small.txt", limit=2) == b"hi"
        with pytest.raises(UnsafeFileError, match="limit of 1,000"):
            read_member(zf, "big.txt", limit=1000)
        with pytest.raises(MalformedFileError, match="no such member"):
            read_member(zf, "missing.txt")


def test_lying_directory_size_gets_no_further_than_the_cap(tmp_path: Path) -> None:
    """A directory entry that understates the size: the stream is what is capped."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.txt", b"z" * 100_000)
    data = bytearray(buf.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("x.txt")
    info.file_size = 10  # what a forged directory would claim
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        with pytest.raises((UnsafeFileError, MalformedFileError)):
            # zipfile stops at the claimed size and then fails its CRC check; either way
            # no more than limit + 1 bytes are ever produced.
            read_member(zf, info, limit=50_000)
        with pytest.raises(UnsafeFileError):
            read_member(zf, "x.txt", limit=50_000)


def test_duplicate_and_case_ambiguous_members(tmp_path: Path) -> None:
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("a.txt", b"1")
        zf.writestr("a.txt", b"2")
    with pytest.raises(UnsafeFileError, match="two members"):
        open_zip(path)
    path = make_zip(tmp_path / "case.zip", {"Project.QDE": b"1", "project.qde ": b"2"})
    with open_zip(path) as zf:
        assert find_member(zf, "project.qde").filename == "Project.QDE"
        assert find_member(zf, "other") is None
    path = make_zip(tmp_path / "amb.zip", {"Project.QDE": b"1", "PROJECT.qde": b"2"})
    with open_zip(path) as zf, pytest.raises(UnsafeFileError, match="ambiguous"):
        find_member(zf, "project.qde")


def test_a_corrupt_deflate_stream_is_malformed_not_a_crash(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "c.zip", {"a.txt": b"word " * 5000 + os.urandom(2000)})
    data = bytearray(path.read_bytes())
    for i in range(45, 85):  # inside the member's compressed bytes
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    with open_zip(path) as zf:
        with pytest.raises(MalformedFileError, match="cannot be read from the archive"):
            read_member(zf, "a.txt")
        with pytest.raises(MalformedFileError, match="cannot be read from the archive"):
            list(iterparse_xml(open_member(zf, "a.txt"), source="c.zip!a.txt"))


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.qdpx"
    path.write_bytes(b"<Project/>")
    with pytest.raises(MalformedFileError, match="not a zip"):
        open_zip(path)


def test_extract_member_streams_with_a_cap_and_leaves_nothing_on_refusal(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "e.zip", {"Sources/a.txt": b"abc", "Sources/b.txt": b"b" * 3000})
    out = tmp_path / "out"
    with open_zip(path) as zf:
        target = extract_member(zf, "Sources/a.txt", out)
        assert target.read_bytes() == b"abc"
        with pytest.raises(UnsafeFileError):
            extract_member(zf, "Sources/b.txt", out, limit=1000)
    assert not (out / "Sources" / "b.txt").exists()


def test_symlink_members_are_not_extracted(tmp_path: Path) -> None:
    path = tmp_path / "link.zip"
    info = zipfile.ZipInfo("link")
    info.external_attr = (0o120777 << 16) | 0x20
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with open_zip(path) as zf, pytest.raises(UnsafeFileError, match="symbolic link"):
        extract_member(zf, "link", tmp_path / "out")
