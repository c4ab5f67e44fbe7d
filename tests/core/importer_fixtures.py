"""Files for the importer tests, made by the tests themselves.

PDFs are written by hand (a few objects and an xref table), so the tests need no PDF
writing library: pages of text in Helvetica, a page that is only an image (a "scan"),
and an encryption dictionary whose password is not empty."""

from __future__ import annotations

import zlib
from pathlib import Path


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _pdf_text_string(text: str) -> bytes:
    """A PDF text string (document info) in UTF-16BE with a BOM, as a hex string."""
    return b"<feff" + text.encode("utf-16-be").hex().encode() + b">"


def text_page_stream(
    lines: list[str], *, x: float = 72, top: float = 720, size: int = 11, leading: float = 0
) -> bytes:
    """A content stream drawing `lines` one under the other, starting at (x, top);
    baselines `leading` apart (default 1.25 x the font size: single spacing)."""
    leading = leading or size * 1.25
    ops = [b"BT", b"/F1 %d Tf" % size, b"%.1f TL" % leading, b"%.1f %.1f Td" % (x, top)]
    for line in lines:
        ops.append(_pdf_string(line) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def columns_page_stream(left: list[str], right: list[str]) -> bytes:
    """Two columns of lines, left at x=72 and right at x=320, same baselines."""
    return text_page_stream(left, x=72) + b"\n" + text_page_stream(right, x=320)


def write_pdf(
    path: Path,
    pages: list[bytes],
    *,
    info: dict[str, str] | None = None,
    image_pages: set[int] = frozenset(),
    encrypt: bool = False,
    truncate_at: float | None = None,
) -> Path:
    """A PDF whose page i draws the content stream pages[i]. Pages whose index is in
    `image_pages` draw a grey image instead (no text at all, like a scanned page)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the pages object number is known
    pages_obj = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    side = 64
    pixels = zlib.compress(bytes((i * 7 + j * 3) % 256 for i in range(side) for j in range(side)))
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (side, side, len(pixels))
        + pixels
        + b"\nendstream"
    )
    kids = []
    for i, content in enumerate(pages):
        if i in image_pages:
            content = b"q 468 0 0 648 72 72 cm /Im1 Do Q"
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
                % (pages_obj, stream, font, image)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info_obj = None
    if info:
        entries = b" ".join(b"/" + k.encode() + b" " + _pdf_text_string(v) for k, v in info.items())
        info_obj = add(b"<< " + entries + b" >>")
    encrypt_obj = None
    if encrypt:
        # Standard security handler, RC4 40-bit; /U does not match the empty password,
        # so a reader needs the (unknown) user password to open it.
        encrypt_obj = add(
            b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 "
            b"/O <" + b"6f" * 32 + b"> /U <" + b"75" * 32 + b"> >>"
        )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info_obj:
        trailer += b" /Info %d 0 R" % info_obj
    if encrypt_obj:
        trailer += b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (encrypt_obj, b"ab" * 16, b"ab" * 16)
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    data = bytes(out)
    if truncate_at is not None:
        data = data[: int(len(data) * truncate_at)]
    path.write_bytes(data)
    return path


def write_rtf(path: Path, body: str, *, info: str = "", codepage: int = 1252) -> Path:
    header = rf"{{\rtf1\ansi\ansicpg{codepage}\deff0{{\fonttbl{{\f0 Times New Roman;}}}}"
    path.write_bytes((header + info + "\n" + body + "}").encode("ascii"))
    return path


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def add_docx_footnote(src: Path, dst: Path, note: str) -> Path:
    """A copy of a .docx with a footnotes part holding a separator and one footnote
    (python-docx cannot write footnotes)."""
    import zipfile

    footnotes = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:footnotes xmlns:w="{W_NS}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {note}</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    )
    override = (
        '<Override PartName="/word/footnotes.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>'
    )
    relationship = (
        '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>'
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", override.encode())
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", relationship.encode())
            zout.writestr(info, data)
        zout.writestr("word/footnotes.xml", footnotes)
    return dst
