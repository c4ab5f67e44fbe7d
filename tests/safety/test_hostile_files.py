"""Hostile files, through the services a user's file reaches:

* an XML entity bomb (billion laughs) and external entities (XXE: a local file and an
  http URL) in every XML reader: codebook .qdc import, .qdpx, docx, odt, html;
* zip-slip and zip-bomb .qdpx, .docx and .odt;
* document, code, coder and field names full of HTML and script in every HTML report
  (codebook, agreement, code frequencies).

Refused or escaped; never expanded, fetched, written outside the target folder, or run."""

from __future__ import annotations

import html
import http.server
import re
import threading
import time
import zipfile
from pathlib import Path

import pytest

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from desktop.services.teams import coders
from tests.safety.safety_helpers import db_rows

SECRET = "TOPSECRET-7d1f"
LOL = "lol" * 10


@pytest.fixture
def secret_file(tmp_path) -> Path:
    f = tmp_path / "secret.txt"
    f.write_text(SECRET)
    return f


@pytest.fixture
def web():
    """A local web server that counts the requests it gets (an XXE fetch would be one)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            body = SECRET.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/xxe", hits
    server.shutdown()
    server.server_close()


def doctype(root: str, kind: str, secret: Path, url: str) -> str:
    if kind == "bomb":
        ents = [f'<!ENTITY lol0 "{LOL}">'] + [
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
        ]
        return f"<!DOCTYPE {root} [{''.join(ents)}]>", "&lol9;"
    if kind == "xxe-file":
        return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>', "&xxe;"
    if kind == "xxe-http":
        return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{url}">]>', "&xxe;"
    # parameter entity pulling an external DTD (blind XXE)
    return f'<!DOCTYPE {root} [<!ENTITY % ext SYSTEM "{url}"> %ext;]>', "text"


KINDS = ["bomb", "xxe-file", "xxe-http", "xxe-parameter"]


def assert_not_leaked(project_path: Path, hits: list[str]) -> None:
    assert hits == [], f"Tessera fetched {hits}"
    for f in project_path.parent.glob(project_path.name + "*"):
        if f.is_file():
            data = f.read_bytes()
            assert SECRET.encode() not in data, f"the secret reached {f.name}"
            assert (LOL * 10).encode() not in data, f"an entity was expanded into {f.name}"


# -- XML readers ------------------------------------------------------------------------------


def rezip(
    src: Path, dst: Path, replace: dict[str, bytes], extra: dict[str, bytes] | None = None
) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = replace.get(item.filename, zin.read(item.filename))
            zout.writestr(item.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def hostile_docx(path: Path, kind: str, secret: Path, url: str) -> Path:
    from tests.core.test_importers_office import make_docx

    base = make_docx(path.with_name("base.docx"))
    dt, ref = doctype("w:document", kind, secret, url)
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + dt +
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>Before {ref} after</w:t></w:r></w:p></w:body></w:document>"
    )  # fmt: skip
    return rezip(base, path, {"word/document.xml": xml.encode()})


def hostile_odt(path: Path, kind: str, secret: Path, url: str) -> Path:
    from tests.core.test_importers_office import make_odt

    base = make_odt(path.with_name("base.odt"))
    dt, ref = doctype("office:document-content", kind, secret, url)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>' + dt +
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text><text:p>Before {ref} after</text:p></office:text></office:body>"
        "</office:document-content>"
    )  # fmt: skip
    return rezip(base, path, {"content.xml": xml.encode()})


def hostile_html(path: Path, kind: str, secret: Path, url: str) -> Path:
    dt, ref = doctype("html", kind, secret, url)
    body = "<p>The talks failed and the ceasefire held for two days in the city.</p>" * 10
    path.write_text(
        f"{dt}<html><head><title>T</title></head><body><article><p>Before {ref} after</p>{body}</article></body></html>"
    )
    return path


def hostile_qdc(path: Path, kind: str, secret: Path, url: str) -> Path:
    dt, ref = doctype("CodeBook", kind, secret, url)
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>' + dt +
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="hostile"><Codes>'
        f'<Code guid="3a1b2c3d-0000-4000-8000-000000000001" name="Code {ref}" isCodable="true">'
        f"<Description>{ref}</Description></Code></Codes></CodeBook>"
    )  # fmt: skip
    return path


def qde_xml(inner: str, dt: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>' + dt +
        '<Project xmlns="urn:QDA-XML:project:1.0" name="hostile" origin="test">'
        '<Users><User guid="3a1b2c3d-0000-4000-8000-0000000000aa" name="ana"/></Users>'
        '<CodeBook><Codes><Code guid="3a1b2c3d-0000-4000-8000-000000000001" name="Talks" isCodable="true"/></Codes></CodeBook>'
        f"{inner}</Project>"
    )  # fmt: skip


def hostile_qdpx(path: Path, kind: str, secret: Path, url: str) -> Path:
    dt, ref = doctype("Project", kind, secret, url)
    xml = qde_xml(f"<Description>{ref}</Description>", dt)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
    return path


def import_document(p: Project, f: Path):
    report = documents.import_files(p, [f])
    return report


def import_codebook(p: Project, f: Path):
    from desktop.services.codebook import exchange as codebook_exchange

    return codebook_exchange.import_codebook(p, f)


def import_qdpx(p: Project, f: Path):
    from desktop.services.exchange import refi_import as refi_exchange

    return refi_exchange.import_qdpx(p, f, add_codes=True)


READERS = {
    ".docx": (hostile_docx, import_document),
    ".odt": (hostile_odt, import_document),
    ".html": (hostile_html, import_document),
    ".qdc": (hostile_qdc, import_codebook),
    ".qdpx": (hostile_qdpx, import_qdpx),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", list(READERS))
def test_xml_entities_are_never_expanded_or_fetched(tmp_path, secret_file, web, suffix, kind):
    url, hits = web
    make, importer = READERS[suffix]
    f = make(tmp_path / f"hostile{suffix}", kind, secret_file, url)
    path = tmp_path / "target.tessera"
    with Project.create(path) as p:
        t = time.monotonic()
        try:
            result = importer(p, f)
        except ServiceError as exc:
            assert f.name in str(exc), f"the refusal does not name the file: {exc}"
        else:
            if hasattr(result, "failed"):  # document import: refused per file, or imported clean
                for path_, reason in result.failed:
                    assert path_ == f and reason
        assert time.monotonic() - t < 20
    assert_not_leaked(path, hits)


# -- zip archives ------------------------------------------------------------------------------


def zip_slip(base: Path | None, dst: Path, members: dict[str, bytes]) -> Path:
    if base is None:
        with zipfile.ZipFile(dst, "w") as z:
            for name, data in members.items():
                z.writestr(name, data)
        return dst
    return rezip(base, dst, {}, members)


SLIP_NAMES = [
    "../../zipslip-a.txt",
    "/tmp/zipslip-abs.txt",
    "sources/../../../zipslip-b.txt",
    "..\\..\\zipslip-c.txt",
]


@pytest.mark.parametrize("suffix", [".docx", ".odt", ".qdpx"])
def test_zip_slip_writes_nothing_outside(tmp_path, suffix):
    from tests.core.test_importers_office import make_docx, make_odt

    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    evil = {n: b"escaped" for n in SLIP_NAMES}
    if suffix == ".docx":
        f = zip_slip(make_docx(work / "base.docx"), work / f"slip{suffix}", evil)
    elif suffix == ".odt":
        f = zip_slip(make_odt(work / "base.odt"), work / f"slip{suffix}", evil)
    else:
        evil["project.qde"] = qde_xml("").encode()
        f = zip_slip(None, work / f"slip{suffix}", evil)
    path = work / "target.tessera"
    with Project.create(path) as p:
        try:
            (import_qdpx if suffix == ".qdpx" else import_document)(p, f)
        except ServiceError as exc:
            assert f.name in str(exc)
    written = [q for q in tmp_path.rglob("zipslip*")] + [q for q in Path("/tmp").glob("zipslip*")]
    assert written == []


def zip_bomb(base: Path | None, dst: Path, member: str, size: int) -> Path:
    """An archive whose ``member`` unpacks to ``size`` zero bytes (about 1,000:1)."""
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        if base is not None:
            with zipfile.ZipFile(base) as zin:
                for item in zin.infolist():
                    if item.filename != member:
                        zout.writestr(item.filename, zin.read(item.filename))
        with zout.open(member, "w", force_zip64=True) as fh:
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return dst


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".docx", ".odt", ".qdpx"])
def test_zip_bomb_is_refused_without_unpacking(tmp_path, suffix):
    import resource

    from tests.core.test_importers_office import make_docx, make_odt

    size = 320 * 1024 * 1024  # past the importers' 300 MB unpacked limit and any sane ratio
    if suffix == ".docx":
        f = zip_bomb(
            make_docx(tmp_path / "b.docx"), tmp_path / f"bomb{suffix}", "word/document.xml", size
        )
    elif suffix == ".odt":
        f = zip_bomb(make_odt(tmp_path / "b.odt"), tmp_path / f"bomb{suffix}", "content.xml", size)
    else:
        f = zip_bomb(None, tmp_path / f"bomb{suffix}", "project.qde", size)
    assert f.stat().st_size < 5 * 1024 * 1024
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.monotonic()
    with Project.create(tmp_path / "target.tessera") as p:
        try:
            result = (import_qdpx if suffix == ".qdpx" else import_document)(p, f)
        except ServiceError as exc:
            assert f.name in str(exc)
        else:
            assert not getattr(result, "imported", []), "a bomb was imported"
            assert [path for path, _ in result.failed] == [f]
        assert p.info()["documents"] == 0
    assert time.monotonic() - t < 15
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss < 200


# -- HTML reports --------------------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
HOSTILE_NAMES = [
    SCRIPT,
    IMG,
    '"><svg onload=alert(1)>',
    "</title><script>alert(2)</script>",
    "a & b < c",
]


@pytest.fixture
def hostile_project(tmp_path):
    p = Project.create(tmp_path / "hostile.tessera")
    p.actor = SCRIPT
    a = coders.add_coder(p, "ana" + IMG)
    b = coders.add_coder(p, "ben" + SCRIPT)
    code_ids = []
    for i, name in enumerate(HOSTILE_NAMES):
        c = codebook.add_code(
            p, name.replace("/", "|"), description=f"{SCRIPT} description {i}", inclusion=IMG,
            exclusion="</td></tr></table>" + SCRIPT,
        )  # fmt: skip
        codebook.add_example(p, c.id, f"example {SCRIPT}")
        code_ids.append(c.id)
    text = f"The talks failed {SCRIPT} and {IMG} people fled. " * 5
    doc = documents.add_document(p, name=f"doc {SCRIPT}.txt", text=text, kind="txt",
                                 metadata={"title": IMG, "author": SCRIPT})  # fmt: skip
    for cid in code_ids:
        for coder, off in ((a, 0), (b, 2)):
            codings.apply_coding(p, document_id=doc.id, code_id=cid, coder_id=coder.id, start=off, end=40 + off,
                                 memo=SCRIPT)  # fmt: skip
    yield p
    p.close()


def assert_inert(page: str) -> None:
    """No hostile markup survives as markup: tags from our names appear only escaped."""
    for bad in ("<script>alert", "<img src=x", "<svg onload", 'onerror="alert', "</title><script>"):
        assert bad not in page, f"unescaped {bad!r} in the report"
    assert html.escape(SCRIPT, quote=False) in page or "&lt;script&gt;" in page
    # the only <script> elements are the report's own (none carry our text)
    for m in re.finditer(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S):
        assert "alert(" not in m.group(1)


def test_codebook_html_escapes_names_and_definitions(hostile_project):
    from desktop.services.codebook.html_page import codebook_html

    assert_inert(codebook_html(hostile_project, title=SCRIPT))


def test_codebook_html_export_through_the_service(hostile_project, tmp_path):
    from desktop.services.codebook import exchange as codebook_exchange

    out = tmp_path / "codebook.html"
    codebook_exchange.export_codebook(hostile_project, out, "html")
    assert_inert(out.read_text("utf-8"))


def test_agreement_html_escapes_code_coder_and_document_names(hostile_project):
    from desktop.core.agreement.html_report import render_html
    from desktop.services.review.agreement import project_agreement

    report = project_agreement(hostile_project, coders=["ana" + IMG, "ben" + SCRIPT])
    assert_inert(render_html(report, project=SCRIPT, codes=None))


def test_frequencies_html_escapes_names(hostile_project):
    from desktop.services.codebook import frequencies

    fn = frequencies.frequencies_html
    table_fn = next(
        (
            getattr(frequencies, n)
            for n in ("frequency_table", "code_frequencies", "frequencies")
            if hasattr(frequencies, n)
        ),
        None,
    )
    if table_fn is None:
        pytest.skip("no frequency table function found")
    assert_inert(fn(table_fn(hostile_project), SCRIPT))


def test_hostile_names_survive_the_database_and_the_log_unchanged(hostile_project):
    from desktop.services.project import audit_log

    names = {c.name for c in codebook.list_codes(hostile_project)}
    assert SCRIPT.replace("/", "|") in names and IMG in names
    lines = audit_log.readable_history(hostile_project, limit=5)
    assert all(line.who == SCRIPT for line in lines)
    assert db_rows(hostile_project.path, "SELECT count(*) FROM code WHERE name = ?", (IMG,)) == [
        (1,)
    ]
