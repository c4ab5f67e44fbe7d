"""Memory stays bounded on compressed and huge input: a PDF whose page inflates to
1.5 GB, a 150 MB value in a codings CSV, a .qdpx zip bomb, and genuine REFI-QDA
projects far bigger than their memory (Tessera's own export of over 10,000 documents, a
project.qde of 70 MB). Each import runs through the CLI in its own process, whose peak
memory (VmHWM) must stay under 500 MB; a refusal names the file and the limit. The
inputs are small on disk and quick to make (repeated deflate blocks, a sparse CSV value,
repetitive XML)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from desktop.core import limits
from desktop.services.project.project import Project

PEAK_LIMIT_MB = 500
REPO = Path(__file__).resolve().parents[2]

_RUN = """
import resource, sys
from desktop.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
# VmHWM, not RUSAGE_SELF: Linux carries ru_maxrss over exec, so a child of a big pytest
# worker would report the worker's own size; VmHWM belongs to this process's memory only.
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"@@peak-kb {max(peak, kids)}", file=sys.stderr)
sys.exit(code or 0)
"""


def run_cli(*args: str | Path) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``tessera ARGS`` in a fresh interpreter; (result, its peak RSS in MB, including
    any worker process it started)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *map(str, args)],
        capture_output=True, text=True, env=env, timeout=600, cwd=REPO,
    )  # fmt: skip
    reported = [ln for ln in done.stderr.splitlines() if ln.startswith("@@peak-kb ")]
    if reported:
        peak_kb = int(reported[-1].split()[1])
    else:
        # The process died before reporting: the children high-water mark, if this run
        # raised it. Only then: subprocess reaps earlier tests' abandoned children while
        # starting this one, so the mark can come from another test's process.
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak_kb = after if after > before else 0
    return done, peak_kb / 1024


def repeated_deflate(unit: bytes, times: int) -> bytes:
    """A zlib stream of ``unit`` repeated ``times`` times, made in a fraction of a second:
    after a full flush the compressor's output for the same input repeats exactly."""
    c = zlib.compressobj(9)
    first = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(times):
        adler = zlib.adler32(unit, adler)
    return first + again * (times - 1) + b"\x03\x00" + adler.to_bytes(4, "big")


def pdf_with_content(path: Path, content: bytes, *, compressed: bool = True) -> Path:
    """A one-page PDF whose page content stream is ``content`` (Flate-compressed as is)."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    stream_dict = f"<< /Length {len(content)}{' /Filter /FlateDecode' if compressed else ''} >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        stream_dict.encode() + b"\nstream\n" + content + b"\nendstream",
        font,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))
    return path


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "study.tessera"
    Project.create(path).close()
    return path


def documents_in(project_file: Path) -> int:
    with Project.open(project_file) as p:
        return p.info()["documents"]


# -- PDF ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pdf_whose_page_inflates_to_gigabytes_is_refused_in_bounded_memory(tmp_path, project_file):
    bomb = pdf_with_content(tmp_path / "bomb.pdf", repeated_deflate(b" " * (1 << 20), 1536))
    assert bomb.stat().st_size < 2 * limits.MB  # 1.5 GB of content inside
    done, peak_mb = run_cli("import", project_file, bomb)
    message = done.stdout + done.stderr
    assert "bomb.pdf" in message
    assert limits.size(limits.PDF_STREAM_MAX_BYTES) in message, message
    assert "Traceback" not in message
    assert peak_mb < PEAK_LIMIT_MB, f"peak {peak_mb:.0f} MB"
    assert documents_in(project_file) == 0


@pytest.mark.slow
def test_pdf_page_drawing_millions_of_glyphs_is_refused_in_bounded_memory(tmp_path, project_file):
    # 2 bytes of content per glyph: 4 million glyphs on one page, each a layout object.
    text = b"BT /F1 1 Tf 0 0 Td (" + b"ab" * (2 << 20) + b") Tj ET"
    dense = pdf_with_content(tmp_path / "dense.pdf", zlib.compress(text, 9))
    done, peak_mb = run_cli("import", project_file, dense)
    message = done.stdout + done.stderr
    assert "dense.pdf" in message
    assert f"{limits.PDF_PAGE_OBJECTS_MAX:,}" in message, message
    assert peak_mb < PEAK_LIMIT_MB, f"peak {peak_mb:.0f} MB"
    assert documents_in(project_file) == 0


def test_pdf_under_the_limits_still_imports(tmp_path, project_file):
    text = b"BT /F1 12 Tf 72 700 Td (Ceasefire talks resume) Tj ET\n" + b" " * (3 << 20)
    ok = pdf_with_content(tmp_path / "ok.pdf", zlib.compress(text, 9))
    done, _ = run_cli("import", project_file, ok)
    assert done.returncode == 0, done.stdout + done.stderr
    with Project.open(project_file) as p:
        assert p.info()["documents"] == 1


# -- CSV ------------------------------------------------------------------------------------


def codings_csv_with_memo(path: Path, memo_chars: int, *, one_line: bool) -> Path:
    """A codings CSV whose one row carries a memo of ``memo_chars`` characters, on one line
    or broken into lines of 80 (written in 1 MB pieces)."""
    unit = "memo " * 15 + ("mem " if one_line else "mem\n")
    piece = unit * ((1 << 20) // len(unit))
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("document,code,coder,start,end,memo\r\n")
        fh.write('report.txt,Violence,ana,0,5,"')
        written = 0
        while written < memo_chars:
            chunk = piece[: memo_chars - written]
            fh.write(chunk)
            written += len(chunk)
        fh.write('"\r\n')
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("one_line", "limit"),
    [(True, limits.CSV_LINE_MAX_CHARS), (False, limits.CSV_FIELD_MAX_CHARS)],
    ids=["one-line", "many-lines"],
)
def test_codings_csv_with_a_150_mb_memo_is_refused_in_bounded_memory(
    tmp_path, project_file, one_line, limit
):
    big = codings_csv_with_memo(tmp_path / "codings.csv", 150 * 1024 * 1024, one_line=one_line)
    done, peak_mb = run_cli("codings", "import", project_file, big)
    message = done.stdout + done.stderr
    assert done.returncode != 0
    assert "codings.csv, line 2" in message, message
    assert f"{limit:,} characters (the limit)" in message, message
    assert "Traceback" not in message
    assert peak_mb < PEAK_LIMIT_MB, f"peak {peak_mb:.0f} MB"


def test_codings_csv_with_a_long_memo_under_the_limit_imports(tmp_path, project_file):
    with Project.open(project_file) as p:
        from desktop.services.codebook import codebook
        from desktop.services.documents import documents
        from desktop.services.teams import coders

        src = tmp_path / "report.txt"
        src.write_text("Shelling hit the market.", encoding="utf-8")
        documents.import_files(p, [src])
        codebook.add_code(p, "Violence")
        coders.add_coder(p, "ana")
    csv_file = codings_csv_with_memo(tmp_path / "codings.csv", 2 * 1024 * 1024, one_line=False)
    done, _ = run_cli("codings", "import", project_file, csv_file)
    assert done.returncode == 0, done.stdout + done.stderr


# -- REFI-QDA -------------------------------------------------------------------------------


def project_content(path: Path) -> tuple[set, set]:
    """What a user would compare after a round trip: every document (name, text) and
    every coding (document text, code, coder, span, quote)."""
    from sqlalchemy import select

    from db import models as m

    with Project.open(path) as p, p.session() as s:
        docs = set(s.execute(select(m.Document.name, m.Document.sha256)).all())
        codings = set(
            s.execute(
                select(m.Document.sha256, m.Code.name, m.Coder.name, m.Coding.start,
                       m.Coding.end, m.Coding.quote)
                .join(m.Document, m.Document.id == m.Coding.document_id)
                .join(m.Code, m.Code.id == m.Coding.code_id)
                .join(m.Coder, m.Coder.id == m.Coding.coder_id)
            ).all()
        )  # fmt: skip
    return docs, codings


@pytest.mark.slow
def test_refi_export_of_more_than_10000_documents_imports_again_whole(tmp_path):
    """Tessera reads what it writes: its export of 10,050 documents (one archive member
    each, past the old 10,000-member limit) comes back whole through `tessera refi
    import`, every document and coding, in bounded memory."""
    from tests.benchmarks.bench_refi_roundtrip import build_project

    source = build_project(tmp_path / "source.tessera", 10_050, codings_per_document=1)
    qdpx = tmp_path / "export.qdpx"
    done, _ = run_cli("refi", "export", source, "-o", qdpx)
    assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(qdpx) as zf:
        assert len(zf.infolist()) > 10_000
    target = tmp_path / "target.tessera"
    Project.create(target).close()
    done, peak_mb = run_cli("refi", "import", "--add-codes", target, qdpx)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "imported 10,050 of 10,050 codings" in done.stdout, done.stdout
    docs, codings = project_content(target)
    assert (len(docs), len(codings)) == (10_050, 10_050)
    assert (docs, codings) == project_content(source)
    assert peak_mb < PEAK_LIMIT_MB, f"peak {peak_mb:.0f} MB"


def qdpx_with_a_long_coded_text(path: Path, selections: int) -> Path:
    """A .qdpx of one text coded ``selections`` times (one coding per selection, each
    span its own): its project.qde is ~330 bytes a selection, deflated about 15:1."""
    guid = "{:08x}-0000-4000-8000-{:012x}".format
    user, code = guid(1, 1), guid(2, 2)
    text = ("ceasefire talks " * (3 * selections // 16 + 2)).encode()
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="long" origin="elsewhere">\n'
        f'<Users><User guid="{user}" name="ana"/></Users>\n'
        f'<CodeBook><Codes><Code guid="{code}" name="Talks" isCodable="true"/></Codes>'
        "</CodeBook>\n<Sources>\n"
        f'<TextSource guid="{guid(3, 3)}" name="long.txt" plainTextPath="internal://long.txt">\n'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sources/long.txt", text)
        with zf.open("project.qde", "w", force_zip64=True) as fh:
            fh.write(head.encode())
            for start in range(0, 10_000 * (selections // 10_000), 10_000):
                fh.write("".join(
                    f'<PlainTextSelection guid="{guid(4, i)}" startPosition="{3 * i}" '
                    f'endPosition="{3 * i + 5}" creatingUser="{user}"><Coding guid="{guid(5, i)}" '
                    f'creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
                    "</PlainTextSelection>\n"
                    for i in range(start, start + 10_000)
                ).encode())  # fmt: skip
            fh.write(b"</TextSource>\n</Sources>\n</Project>\n")
    return path


@pytest.mark.slow
def test_a_qdpx_whose_project_inflates_to_70_mb_imports_in_bounded_memory(tmp_path, project_file):
    """A 3 MB .qdpx whose project.qde is ~70 MB of ordinary selections (one text coded
    200,000 times) is read as a stream, one selection at a time: every coding comes in,
    and the import's peak stays under 500 MB (parsed whole, it takes ~850 MB)."""
    qdpx = qdpx_with_a_long_coded_text(tmp_path / "long.qdpx", 200_000)
    with zipfile.ZipFile(qdpx) as zf:
        assert zf.getinfo("project.qde").file_size > 60 * limits.MB
    assert qdpx.stat().st_size < 5 * limits.MB
    done, peak_mb = run_cli("refi", "import", project_file, qdpx)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "imported 200,000 of 200,000 codings" in done.stdout, done.stdout
    assert peak_mb < PEAK_LIMIT_MB, f"peak {peak_mb:.0f} MB"


@pytest.mark.slow
def test_qdpx_of_many_small_members_adding_up_to_a_bomb_is_refused(tmp_path, project_file):
    # Each member is under the per-member ratio floor; together they expand ~1,000 times.
    bomb = tmp_path / "many.qdpx"
    member = bytes(limits.ARCHIVE_RATIO_FLOOR_BYTES - 1)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", b'<Project xmlns="urn:QDA-XML:project:1.0"/>')
        for i in range(200):
            zf.writestr(f"sources/{i}.txt", member)
    assert bomb.stat().st_size < 2 * limits.MB
    done, peak_mb = run_cli("refi", "import", project_file, bomb)
    message = done.stdout + done.stderr
    assert done.returncode != 0
    assert "many.qdpx" in message and f"limit of {limits.ARCHIVE_MAX_RATIO:g}" in message, message
    assert "Traceback" not in message
    assert peak_mb < PEAK_LIMIT_MB
    assert documents_in(project_file) == 0


@pytest.mark.slow
def test_qdpx_whose_project_inflates_to_gigabytes_is_refused_in_bounded_memory(
    tmp_path, project_file
):
    bomb = tmp_path / "bomb.qdpx"
    chunk = bytes(1 << 20)
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("project.qde", "w", force_zip64=True) as fh,
    ):
        for _ in range(1536):
            fh.write(chunk)
    done, peak_mb = run_cli("refi", "import", project_file, bomb)
    message = done.stdout + done.stderr
    assert done.returncode != 0
    assert "bomb.qdpx" in message and "limit" in message, message
    assert peak_mb < PEAK_LIMIT_MB
    assert documents_in(project_file) == 0
