"""tessera push / pull: a project file copied to a server and back, nothing lost."""

from __future__ import annotations

import psycopg
import pytest

from desktop.cli.main import main
from desktop.services.codebook import codebook, fields
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.project.server import table_digests
from desktop.services.teams import coders

TEXT = "Rebels said talks had \u201cfailed\u201d. 12 civilians were killed \U0001f525 in Dera\u2019a.\n"
PAGED = "Page one of the report.\fPage two: Daraa.\fPage three.\n"
# the PDF the paged document was read from: every byte value, and a zero
ORIGINAL = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\x00%%EOF\n"


@pytest.fixture
def file_project(tmp_path):
    path = tmp_path / "team.tessera"
    p = Project.create(path, template="conflict-news")
    p.actor = "ana"
    a = documents.add_document(p, name="deraa.txt", text=TEXT, kind="txt")
    b1, b2 = PAGED.index("\f") + 1, PAGED.rindex("\f") + 1
    documents.add_document(p, name="report.pdf", text=PAGED, kind="pdf",
                           pages=[(0, b1), (b1, b2), (b2, len(PAGED))], original=ORIGINAL)  # fmt: skip
    ana, ben = coders.add_coder(p, "ana"), coders.add_coder(p, "ben")
    # a code moved under one made after it: its parent has the larger id
    late = codebook.add_code(p, "Later/Deep child")
    codebook.move_code(p, codebook.find_code(p, "Actors").id, late.id)
    killed = codebook.find_code(p, "Casualties/Killed")
    field = fields.add_field(p, killed.id, "victims", "integer")
    c1 = codings.apply_coding(p, document_id=a.id, code_id=killed.id, coder_id=ana.id,
                              start=TEXT.index("12"), end=TEXT.index(" in "))  # fmt: skip
    fields.set_coding_values(p, c1.id, {field.id: "12"})
    codings.set_memo(p, c1.id, "count from the monitor \u2014 check")
    codings.apply_coding(p, document_id=a.id, code_id=late.id, coder_id=ben.id, start=0, end=6)
    p.close()
    return path


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def test_push_then_pull_gives_the_same_project_table_by_table(
    file_project, pg_url, tmp_path, capsys
):
    assert main(["push", str(file_project), pg_url]) == 0
    said = capsys.readouterr().out
    assert "2 documents" in said and "2 codings" in said and "sha256" in said
    assert _count(pg_url, "coding_value") == 1 and _count(pg_url, "page") == 3
    assert _count(pg_url, "original_file") == 1 and "1 original file" in said

    back = tmp_path / "back.tessera"
    assert main(["pull", pg_url, str(back)]) == 0
    original, pulled = Project.open(file_project), Project.open(back)
    try:
        assert table_digests(pulled.engine) == table_digests(original.engine)
        from desktop.services.documents import originals

        report = documents.find_document(pulled, "report.pdf")
        assert originals.read_original(pulled, report.id) == ORIGINAL
        # the copy is a working project: search (FTS5 rebuilt by its triggers) and new codings
        from desktop.services.analysis import search

        assert [n for _, n in search.search(pulled, "civilians").documents] == ["deraa.txt"]
    finally:
        original.close()
        pulled.close()

    # the server project works too: a new coding gets a fresh id after the copied ones
    server = Project.open(pg_url)
    try:
        from desktop.services.documents import originals

        report = documents.find_document(server, "report.pdf")
        assert bytes(originals.read_original(server, report.id)) == ORIGINAL
        doc = documents.list_documents(server)[0]
        made = codings.apply_coding(server, document_id=doc.id, code_id=codebook.find_code(server, "Later/Deep child/Actors").id,
                                    coder_id=coders.find_coder(server, "ana").id, start=7, end=11)  # fmt: skip
        assert made.id > 2
    finally:
        server.close()


def test_push_refuses_a_database_that_is_not_empty(file_project, pg_url, capsys):
    assert main(["push", str(file_project), pg_url]) == 0
    assert main(["push", str(file_project), pg_url]) == 1
    assert "not empty" in capsys.readouterr().err
    assert _count(pg_url, "document") == 2  # the first copy untouched


def test_pull_never_overwrites_a_file(file_project, pg_url, capsys):
    assert main(["push", str(file_project), pg_url]) == 0
    before = file_project.read_bytes()
    assert main(["pull", pg_url, str(file_project)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert file_project.read_bytes() == before
