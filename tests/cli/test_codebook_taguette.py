"""Taguette's codebook CSV: `tessera codes import` reads its `tag` and `description`
columns; `tessera export --what codebook --format taguette` writes a file that
Taguette's importer takes (its rules are checked here as it applies them)."""

from __future__ import annotations

import csv
import io

import pytest

from desktop.cli.main import main
from desktop.services.codebook import codebook
from desktop.services.project.project import Project


@pytest.fixture
def proj(tmp_path):
    path = tmp_path / "p.tessera"
    Project.create(path).close()
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


def book(path) -> dict[str, str]:
    with Project.open(path) as p:
        return {c.path: c.description for c in codebook.list_codes(p)}


def taguette_reads(data: bytes) -> list[tuple[str, str]]:
    """(tag, description) as Taguette's codebook import reads them: UTF-8 (a byte order
    mark is not skipped), exactly one of the columns tag, name, path."""
    rows = csv.reader(io.StringIO(data.decode("utf-8")))
    header = next(rows)
    found = [c for c in ("tag", "name", "path") if c in header]
    assert len(found) == 1, f"Taguette refuses the header {header}"
    col, desc = header.index(found[0]), header.index("description")
    return [(r[col], r[desc]) for r in rows if r]


def test_a_taguette_codebook_comes_in(proj, tmp_path, capsys):
    exported = tmp_path / "taguette.csv"
    exported.write_text(
        "tag,description,number\r\ninteresting,Passages to look at again,4\r\n"
        'quote,"Said, not written",0\r\n',
        encoding="utf-8",
    )
    status, out, err = run(capsys, "codes", "import", proj, exported)
    assert status == 0, err
    assert "2 added" in out
    assert book(proj) == {"interesting": "Passages to look at again", "quote": "Said, not written"}


def test_export_for_taguette_is_read_by_taguette_and_by_tessera(proj, tmp_path, capsys):
    with Project.open(proj) as p:
        codebook.add_code(p, "Violence", description="physical harm, with a comma")
        codebook.add_code(p, "Violence/Shelling", description="")
        codebook.add_code(p, "Aid")
    out = tmp_path / "for-taguette.csv"
    status, said, err = run(capsys, "export", proj, "--what", "codebook", "--format", "taguette",
                            "-o", out)  # fmt: skip
    assert status == 0, err
    assert "3 codes" in said
    data = out.read_bytes()
    assert data.startswith(b"tag,description\r\n")
    assert sorted(taguette_reads(data)) == [
        ("Aid", ""), ("Violence", "physical harm, with a comma"), ("Violence/Shelling", "")
    ]  # fmt: skip
    again = tmp_path / "again.tessera"
    Project.create(again).close()
    assert run(capsys, "codes", "import", again, out)[0] == 0
    assert book(again) == book(proj)


def test_a_file_with_neither_path_name_nor_tag_is_refused(proj, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("label,description\nx,y\n", encoding="utf-8")
    status, _, err = run(capsys, "codes", "import", proj, bad)
    assert status == 1 and "no 'path', 'name' or 'tag' column" in err
    assert book(proj) == {}
