"""tessera export: codings, documents, texts, codebook; stdout or -o; --excel."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.exchange import exchange
from desktop.services.project.project import Project
from desktop.services.teams import coders

TEXT = (
    "Rebels 🔥 said talks \u201cfailed\u201d.\nAt least 12 civilians were killed in Dera\u2019a.\n"
)


@pytest.fixture
def project_path(tmp_path) -> Path:
    path = tmp_path / "p.tessera"
    with Project.create(path, template="conflict-news") as p:
        doc = documents.add_document(p, name="deraa.txt", text=TEXT, kind="txt")
        ana = coders.add_coder(p, "ana")
        for part, code in (("said talks", "Claims"), ("Dera\u2019a", "Casualties/Killed")):
            s = TEXT.index(part)
            codings.apply_coding(p, document_id=doc.id, code_id=codebook.find_code(p, code).id,
                                 coder_id=ana.id, start=s, end=s + len(part), memo="a, \"b\"\nc")  # fmt: skip
    return path


def test_codings_to_stdout(project_path, capsys):
    assert main(["export", str(project_path), "--what", "codings"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("document,document_sha256,code,coder,start,end,page,text,memo,")
    assert "\r\n" in out and not out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [(r["code"], r["text"], r["memo"]) for r in rows] == [
        ("Claims", "said talks", 'a, "b"\nc'),
        ("Casualties/Killed", "Dera\u2019a", 'a, "b"\nc'),
    ]
    assert rows[0]["start"] == str(TEXT.index("said"))  # code points: the emoji counts one


def test_codings_to_a_file_with_excel_bom(project_path, tmp_path, capsys):
    out = tmp_path / "codings.csv"
    assert main(["export", str(project_path), "--what", "codings", "-o", str(out), "--excel"]) == 0
    assert "exported 2 codings" in capsys.readouterr().out
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdocument,") and "Dera\u2019a".encode() in data


def test_excel_to_stdout_starts_with_the_bom(project_path, capsys):
    assert main(["export", str(project_path), "--what", "documents", "--excel"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "\ufeffname,sha256,kind,pages,characters,codings,title,author,date,source,url\r\n"
    )
    assert "deraa.txt" in out


def test_document_texts_to_a_folder(project_path, tmp_path, capsys):
    folder = tmp_path / "texts"
    assert (
        main(
            [
                "export",
                str(project_path),
                "--what",
                "documents",
                "--format",
                "txt",
                "-o",
                str(folder),
            ]
        )
        == 0
    )
    assert "wrote 1 text file " in capsys.readouterr().out
    assert (folder / "deraa.txt").read_text("utf-8") == TEXT


def test_document_texts_need_a_folder(project_path, capsys):
    assert main(["export", str(project_path), "--what", "documents", "--format", "txt"]) == 1
    assert "give a folder with -o" in capsys.readouterr().err


def test_wrong_format_for_what_is_refused(project_path, capsys):
    assert main(["export", str(project_path), "--what", "codings", "--format", "qdc"]) == 1
    assert "can be written as csv, not qdc" in capsys.readouterr().err


def test_output_that_is_a_folder_is_refused(project_path, tmp_path, capsys):
    assert main(["export", str(project_path), "--what", "codings", "-o", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err


def test_codebook_csv(project_path, capsys):
    assert main(["export", str(project_path), "--what", "codebook"]) == 0
    assert "Actors/Armed groups" in capsys.readouterr().out


def test_codebook_fallback_and_frequencies_when_unavailable(project_path, capsys, monkeypatch):
    monkeypatch.setattr(exchange, "_optional", lambda name: None)
    assert main(["export", str(project_path), "--what", "codebook"]) == 0
    assert capsys.readouterr().out.startswith("path,name,parent,color,description\r\n")
    assert main(["export", str(project_path), "--what", "codebook", "--format", "html"]) == 1
    assert "not available in this version" in capsys.readouterr().err
    assert main(["export", str(project_path), "--what", "frequencies"]) == 1
    assert "frequencies cannot be exported" in capsys.readouterr().err


def test_not_a_project_is_a_clear_error(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    assert main(["export", str(notes), "--what", "codings"]) == 1
    assert "notes.txt" in capsys.readouterr().err


def test_console_script_writes_utf8_crlf_to_a_pipe(project_path):
    exe = Path(sys.executable).with_name("tessera")
    out = subprocess.run([exe, "export", project_path, "--what", "codings"], capture_output=True,
                         env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})  # fmt: skip
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode("utf-8")  # UTF-8 even under the C locale
    assert text.count("\r\n") == 3 and "Dera\u2019a" in text


def test_export_over_the_project_file_is_refused(project_path, capsys):
    before = project_path.read_bytes()
    assert main(["export", str(project_path), "--what", "codings", "-o", str(project_path)]) == 1
    assert "is the project file itself" in capsys.readouterr().err
    assert project_path.read_bytes() == before
    with Project.open(project_path) as p:
        assert p.info()["codings"] == 2


def test_frequencies_by_coder_when_available(project_path, capsys):
    pytest.importorskip("desktop.services.codebook.frequencies")
    assert (
        main(["export", str(project_path), "--what", "frequencies", "--by", "coder", "--excel"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("\ufeffcode,ana,")
    assert "Casualties/Killed" in out
