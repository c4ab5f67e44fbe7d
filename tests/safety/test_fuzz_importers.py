"""Fuzzed input: mutated copies of real files and generated ones for
every importer (txt, md, html, pdf, docx, rtf, odt; codings CSV; codebook CSV and .qdc).

Never a crash of the process, never a partial write, always a message naming the file.
Document imports go through ``documents.import_files`` (in a subprocess through the
CLI when a native library could crash the interpreter: the PDF and office readers)."""

from __future__ import annotations

import random
import resource
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.text import normalise
from desktop.services.codebook import codebook
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from tests.safety.safety_helpers import PYTHON, REPO, db_rows
from tests.safety.test_crash import assert_sound

importers = pytest.importorskip("desktop.core.importers")
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


# -- seeds and mutations ---------------------------------------------------------------


def seed_files(folder: Path, shared: Path) -> list[Path]:
    """One well-formed file of each kind the importers read."""
    from tests.core.importer_fixtures import text_page_stream, write_pdf, write_rtf
    from tests.core.test_importers_office import make_docx, make_odt

    folder.mkdir(parents=True, exist_ok=True)
    corpus = sorted((shared / "corpus").glob("*.txt"))
    out = [folder / "seed.txt"]
    out[0].write_bytes(corpus[0].read_bytes() if corpus else b"Talks failed.\r\n" * 50)
    text = out[0].read_text("utf-8", errors="replace")
    (folder / "seed.md").write_text("# Heading\n\n" + text[:2000] + "\n\n* a list item\n", "utf-8")
    paragraphs = "".join(f"<p>{line}</p>\n" for line in text.splitlines()[:40] if line.strip())
    (folder / "seed.html").write_text(
        f"<!doctype html><html><head><title>Seed</title><meta name='author' content='A'></head>"
        f"<body><article><h1>Seed article</h1>{paragraphs}</article></body></html>",
        "utf-8",
    )
    write_rtf(folder / "seed.rtf", r"\pard Talks failed in Dera\'92a.\par " * 40)
    make_docx(folder / "seed.docx")
    make_odt(folder / "seed.odt")
    write_pdf(
        folder / "seed.pdf",
        [text_page_stream([f"Page {i} of the report: talks failed."] * 20) for i in range(3)],
    )
    out += [
        folder / n
        for n in ("seed.md", "seed.html", "seed.rtf", "seed.docx", "seed.odt", "seed.pdf")
    ]
    for pdf in sorted((shared / "pdfs").glob("*.pdf")):
        if pdf.stat().st_size < 200_000:
            target = folder / pdf.name
            target.write_bytes(pdf.read_bytes())
            out.append(target)
    return out


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    if not b:
        return bytes(rng.randbytes(rng.randint(1, 64)))
    how = rng.choice(["flip", "truncate", "delete", "duplicate", "insert", "zero", "splice"])
    n = len(b)
    a = rng.randrange(n)
    z = min(n, a + rng.randint(1, max(1, n // 8)))
    if how == "flip":
        for _ in range(rng.randint(1, 40)):
            b[rng.randrange(n)] = rng.randrange(256)
    elif how == "truncate":
        del b[a:]
    elif how == "delete":
        del b[a:z]
    elif how == "duplicate":
        b[z:z] = b[a:z] * rng.randint(1, 20)
    elif how == "insert":
        b[a:a] = rng.randbytes(rng.randint(1, 500))
    elif how == "zero":
        b[a:z] = bytes(z - a)
    else:  # splice in a random piece of itself at another place
        c = rng.randrange(n)
        b[c:c] = b[a:z]
    return bytes(b)


def cli_import(project: Path, *paths: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "desktop.cli.main", "import", str(project), *map(str, paths)],
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def check_cli_import(done: subprocess.CompletedProcess, files: list[Path], project: Path) -> None:
    assert done.returncode in (0, 1), (
        f"the process died: status {done.returncode}\n{done.stderr[-3000:]}"
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    failed = [ln for ln in done.stderr.splitlines() if ln.startswith("failed ")]
    named = set()
    for line in failed:
        path, _, reason = line[len("failed ") :].partition(": ")
        assert Path(path) in files, f"a failure that names no file: {line}"
        assert reason.strip(), line
        named.add(Path(path))
    imported = [ln for ln in done.stdout.splitlines() if ln.startswith("imported ")]
    skipped = [ln for ln in done.stdout.splitlines() if ln.startswith("skipped ")]
    assert len(imported) + len(skipped) + len(named) == len(files), done.stdout + done.stderr
    assert_sound(project)
    assert db_rows(project, "SELECT count(*) FROM document") == [(len(imported),)]


# -- documents: mutated real files, through the CLI ------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12])
def test_mutated_documents_fail_file_by_file_and_never_crash(tmp_path, shared_dir, seed):
    seeds = seed_files(tmp_path / "seeds", shared_dir)
    rng = random.Random(seed)
    folder = tmp_path / "mutants"
    folder.mkdir()
    files = []
    for src in seeds:
        data = src.read_bytes()
        for k in range(3):
            f = folder / f"{src.stem}-m{k}{src.suffix}"
            f.write_bytes(mutate(data, rng))
            files.append(f)
    project = tmp_path / "fuzz.tessera"
    Project.create(project).close()
    done = cli_import(project, *files)
    check_cli_import(done, files, project)
    unexpected = [ln for ln in done.stderr.splitlines() if "unexpected error" in ln]
    assert not unexpected, "importer bugs (caught by the batch, but bugs):\n" + "\n".join(
        unexpected
    )


def test_well_formed_seeds_all_import(tmp_path, shared_dir):
    seeds = seed_files(tmp_path / "seeds", shared_dir)
    project = tmp_path / "seeds.tessera"
    Project.create(project).close()
    done = cli_import(project, *seeds)
    check_cli_import(done, seeds, project)
    assert done.returncode == 0, done.stderr


# -- documents: generated content, in process (pure-Python readers) ---------------------------


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "hyp.tessera"
    p = Project.create(path)
    yield p
    p.close()


@FUZZ
@given(
    data=st.binary(max_size=3000),
    suffix=st.sampled_from([".txt", ".md", ".html", ".rtf", ".docx", ".odt", ".pdf"]),
)
def test_arbitrary_bytes_are_imported_or_refused_with_the_file_named(
    fuzz_project, tmp_path_factory, data, suffix
):
    folder = tmp_path_factory.mktemp("bytes")
    f = folder / f"random{suffix}"
    f.write_bytes(data)
    before = db_rows(fuzz_project.path, "SELECT count(*) FROM document")[0][0]
    report = documents.import_files(fuzz_project, [f])
    after = db_rows(fuzz_project.path, "SELECT count(*) FROM document")[0][0]
    assert after - before == len(report.imported)
    assert len(report.imported) + len(report.duplicates) + len(report.failed) == 1
    for path, reason in report.failed:
        assert path == f and reason and "Traceback" not in reason
        assert "unexpected error" not in reason, (
            f"importer bug on {suffix}: {reason} ({data[:80]!r})"
        )


@FUZZ
@given(text=st.text(min_size=1, max_size=2000))
def test_any_utf8_text_file_round_trips(fuzz_project, tmp_path_factory, text):
    f = tmp_path_factory.mktemp("text") / "any.txt"
    f.write_bytes(text.encode("utf-8"))
    report = documents.import_files(fuzz_project, [f])
    if report.imported:
        [doc] = report.imported
        stored = documents.get_text(fuzz_project, doc.id)
        # what the importer may change: normalisation, surrounding blank lines
        assert stored.strip() == normalise(text).strip() or stored in normalise(text)
    else:
        assert report.duplicates or report.failed
        for _path, reason in report.failed:
            assert "unexpected error" not in reason, reason


# -- documents: huge and hostile --------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".rtf", ".pdf", ".docx", ".odt"])
def test_200_mb_file_is_refused_quickly_without_eating_memory(tmp_path, suffix):
    f = tmp_path / f"huge{suffix}"
    with open(f, "wb") as fh:  # sparse: instant, takes no disk
        fh.write(b"Talks failed. " * 10)
        fh.truncate(200 * 1024 * 1024)
    with Project.create(tmp_path / "p.tessera") as p:
        rss = peak_rss_mb()
        t = time.monotonic()
        report = documents.import_files(p, [f])
        took = time.monotonic() - t
        assert p.info()["documents"] == len(report.imported)
    assert took < 20, f"{suffix}: {took:.1f} s"
    assert peak_rss_mb() - rss < 150, "the file was read into memory"
    if report.failed:
        [(path, reason)] = report.failed
        assert path == f and reason


def test_big_but_allowed_text_file_imports_with_progress(tmp_path):
    f = tmp_path / "big.txt"
    line = "The talks failed and the ceasefire held for two days \U0001f525.\n"
    f.write_text(line * (20 * 1024 * 1024 // len(line)), "utf-8")  # ~20 MB
    seen = []
    with Project.create(tmp_path / "p.tessera") as p:
        report = documents.import_files(p, [f], progress=seen.append)
        assert len(report.imported) == 1, report.failed
    assert seen and seen[-1].files_done == seen[-1].files_total == 1


def _pdf_with_pages(path: Path, n: int) -> Path:
    from tests.core.importer_fixtures import text_page_stream, write_pdf

    return write_pdf(path, [text_page_stream([f"page {i}"]) for i in range(n)])


def _nested_pdf(path: Path, depth: int) -> Path:
    """A PDF whose page content and resources hold arrays/dicts nested ``depth`` deep."""
    nested = b"[" * depth + b"]" * depth
    dicts = b"<< /A " * (depth // 4) + b"1" + b" >>" * (depth // 4)
    content = b"BT /F1 12 Tf 72 720 Td (Deep) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /X " + nested + b" /Y " + dicts + b" >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


@pytest.mark.slow
def test_pdf_bombs_finish_with_a_result_or_a_message(tmp_path):
    files = [
        _nested_pdf(tmp_path / "nested-arrays.pdf", 100_000),
        _nested_pdf(tmp_path / "nested-some.pdf", 3_000),
        _pdf_with_pages(tmp_path / "pages-2000.pdf", 2000),
    ]
    project = tmp_path / "bombs.tessera"
    Project.create(project).close()
    t = time.monotonic()
    done = cli_import(project, *files, timeout=400)
    check_cli_import(done, files, project)
    assert time.monotonic() - t < 400


@pytest.mark.slow
def test_a_pdf_of_thousands_of_pages_reports_progress_and_can_be_cancelled(tmp_path):
    from desktop.core.importers import ImportCancelled, extract

    f = _pdf_with_pages(tmp_path / "pages.pdf", 2000)
    seen: list[tuple[int, int]] = []
    t = time.monotonic()
    with pytest.raises(ImportCancelled):
        extract(
            f,
            progress=lambda done, total: seen.append((done, total)),
            cancelled=lambda: len(seen) > 20,
        )
    assert time.monotonic() - t < 60
    assert seen and seen[-1][1] == 2000


# -- codings CSV, codebook CSV and .qdc -------------------------------------------------------


@pytest.fixture(scope="module")
def exchange_seeds(tmp_path_factory, shared_dir):
    from desktop.services.codebook import exchange as codebook_exchange
    from desktop.services.exchange import exchange
    from tests.fixtures.make_schema_v2 import build

    folder = tmp_path_factory.mktemp("exchange")
    src = folder / "source.tessera"
    with Project.create(src) as p:
        build(p)
        with open(folder / "codings.csv", "wb") as fh:
            exchange.export_codings(p, fh)
        codebook_exchange.export_codebook(p, folder / "codebook.csv", "csv")
        codebook_exchange.export_codebook(p, folder / "codebook.qdc", "qdc")
    samples = sorted((shared_dir / "refi" / "samples").glob("*.qdc"))
    return {
        "codings": folder / "codings.csv",
        "codebook": [folder / "codebook.csv", folder / "codebook.qdc", *samples],
        "template": src,
    }


def _fresh_copy(template: Path, folder: Path) -> Project:
    import shutil

    target = folder / "target.tessera"
    shutil.copy(template, target)
    return Project.open(target)


def _state(p: Project) -> tuple:
    return (
        db_rows(p.path, "SELECT count(*) FROM coding")[0][0],
        db_rows(p.path, "SELECT count(*) FROM code")[0][0],
        db_rows(p.path, "SELECT count(*) FROM coding_value")[0][0],
        db_rows(p.path, "SELECT count(*) FROM code_field")[0][0],
        db_rows(p.path, "SELECT count(*) FROM code_example")[0][0],
    )


@pytest.mark.parametrize("seed", range(3))
def test_mutated_codings_csv_is_all_or_nothing_with_the_file_named(exchange_seeds, tmp_path, seed):
    from desktop.services.exchange import csv_import

    rng = random.Random(seed)
    data = exchange_seeds["codings"].read_bytes()
    p = _fresh_copy(exchange_seeds["template"], tmp_path)
    try:
        for k in range(12):
            f = tmp_path / f"codings-{k}.csv"
            f.write_bytes(mutate(data, rng))
            before = _state(p)
            try:
                csv_import.import_codings_csv(p, f, create_missing=rng.random() < 0.5)
            except ServiceError as exc:
                assert f.name in str(exc), f"the message does not name the file: {exc}"
                assert _state(p) == before, "a refused import changed the project"
            # anything else (a crash) fails the test
        assert_sound(p.path)
    finally:
        p.close()


@pytest.mark.parametrize("seed", range(3))
def test_mutated_codebooks_are_all_or_nothing_with_the_file_named(exchange_seeds, tmp_path, seed):
    from desktop.services.codebook import exchange as codebook_exchange

    rng = random.Random(100 + seed)
    p = _fresh_copy(exchange_seeds["template"], tmp_path)
    try:
        for src in exchange_seeds["codebook"]:
            data = src.read_bytes()
            for k in range(6):
                f = tmp_path / f"{src.stem}-{k}{src.suffix}"
                f.write_bytes(mutate(data, rng))
                before = _state(p)
                try:
                    codebook_exchange.import_codebook(p, f, strict=rng.random() < 0.5)
                except ServiceError as exc:
                    assert f.name in str(exc), f"the message does not name the file: {exc}"
                    assert _state(p) == before, "a refused import changed the project"
        assert_sound(p.path)
        assert codebook.list_codes(p)
    finally:
        p.close()


@FUZZ
@given(body=st.text(max_size=1500))
def test_arbitrary_codings_csv_text(exchange_seeds, tmp_path_factory, body):
    from desktop.services.exchange import csv_import

    folder = tmp_path_factory.mktemp("csv")
    f = folder / "any.csv"
    f.write_text("document,code,coder,start,end\n" + body, "utf-8", errors="surrogatepass")
    p = _fresh_copy(exchange_seeds["template"], folder)
    try:
        before = _state(p)
        try:
            csv_import.import_codings_csv(p, f)
        except ServiceError as exc:
            assert "any.csv" in str(exc)
            assert _state(p) == before
    finally:
        p.close()


@pytest.mark.parametrize("seed", range(2))
def test_mutated_refi_projects_are_all_or_nothing_with_the_file_named(tmp_path, shared_dir, seed):
    from desktop.services.exchange import refi_import as refi_exchange

    samples = sorted((shared_dir / "refi" / "samples").glob("*.qd[pe]*"))
    if not samples:
        pytest.skip("no REFI-QDA samples")
    rng = random.Random(200 + seed)
    with Project.create(tmp_path / "refi.tessera") as p:
        for src in samples:
            data = src.read_bytes()
            for k in range(3):
                f = tmp_path / f"{src.stem}-{k}{src.suffix}"
                f.write_bytes(mutate(data, rng))
                before = (_state(p), p.info()["documents"])
                try:
                    refi_exchange.import_qdpx(p, f, add_codes=True)
                except ServiceError as exc:
                    assert f.name in str(exc), f"the message does not name the file: {exc}"
                    assert (_state(p), p.info()["documents"]) == before, (
                        "a refused import changed the project"
                    )
        assert_sound(p.path)
