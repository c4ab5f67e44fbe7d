from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from db.project_file import SCHEMA_VERSION
from desktop.cli.main import main
from desktop.services.documents import documents
from desktop.services.project.project import Project

REPO = Path(__file__).resolve().parents[2]


def test_new_with_template_then_info_through_the_console_script(tmp_path):
    path = tmp_path / "study.tessera"
    exe = Path(sys.executable).with_name("tessera")
    out = subprocess.run(
        [exe, "new", path, "--template", "conflict-news"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "13 codes" in out.stdout
    out = subprocess.run([exe, "info", path], capture_output=True, text=True)
    assert out.returncode == 0
    facts = {
        line.rsplit(None, 1)[0].strip(): line.rsplit(None, 1)[1] for line in out.stdout.splitlines()
    }
    assert facts["codes"] == "13"
    assert facts["documents"] == "0"
    assert facts["schema version"] == str(SCHEMA_VERSION)


def test_new_refuses_unknown_template_and_creates_nothing(tmp_path, capsys):
    path = tmp_path / "x.tessera"
    assert main(["new", str(path), "--template", "nonsense"]) == 1
    assert "unknown codebook template" in capsys.readouterr().err
    assert not path.exists()


def test_info_on_a_text_file_is_a_clear_error(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    assert main(["info", str(notes)]) == 1
    err = capsys.readouterr().err
    assert "notes.txt" in err and "not a Tessera project" in err
    assert notes.read_text() == "hello"


def test_codes_add_and_list(project_target, capsys):
    path = project_target
    Project.create(path).close()
    assert main(["codes", "add", str(path), "Actors/Armed groups", "--color", "#AA0000"]) == 0
    assert main(["codes", "add", str(path), "Actors/Armed groups"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["codes", "list", str(path), "--paths"]) == 0
    assert capsys.readouterr().out.splitlines() == ["Actors", "Actors/Armed groups"]
    assert main(["codes", "add", str(path), "Bad", "--color", "red-ish"]) == 1
    assert "invalid colour" in capsys.readouterr().err


def test_documents_metadata_can_be_edited_and_shown(project_target, capsys):
    path = project_target
    with Project.create(path) as p:
        documents.add_document(p, name="a.txt", text="Some text.\n", kind="txt")
    assert (
        main(
            [
                "documents",
                "set",
                str(path),
                "a.txt",
                "--title",
                "Talks fail",
                "--date",
                "2018-07-04",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["documents", "show", str(path), "a.txt", "--text"]) == 0
    out = capsys.readouterr().out
    assert "Talks fail" in out and "2018-07-04" in out and "Some text." in out
    assert main(["documents", "show", str(path), "nope.txt"]) == 1
    assert "no document named 'nope.txt'" in capsys.readouterr().err


def test_opening_a_changed_project_from_the_cli_makes_a_backup(tmp_path, capsys):
    path = tmp_path / "p.tessera"
    Project.create(path).close()
    assert main(["codes", "add", str(path), "Actors"]) == 0
    assert main(["backups", str(path)]) == 0
    out = capsys.readouterr().out
    assert "p.tessera" in out or "backup" in out.lower()
    folder = tmp_path / "p.tessera.backups"
    assert folder.is_dir() and any(
        f.suffix == ".tessera" or f.name.endswith(".tessera") for f in folder.iterdir()
    )


def test_backups_prints_a_restore_command_that_survives_a_space(tmp_path, capsys):
    import shlex

    from desktop.cli.main import main
    from desktop.services.project.project import Project

    path = tmp_path / "my study.tessera"
    Project.create(path).close()
    assert main(["backups", str(path), "--now"]) == 0
    capsys.readouterr()
    assert main(["backups", str(path)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "tessera restore" in x)
    command = line.split("restore one with: ", 1)[1]
    assert shlex.split(command) == ["tessera", "restore", str(path), "NUMBER"]


def test_the_original_of_an_imported_pdf_is_shown_counted_and_written_back(tmp_path, capsys):
    pdf = REPO / "tests" / "fixtures" / "pdfs" / "rtl.pdf"
    path = tmp_path / "p.tessera"
    assert main(["new", str(path)]) == 0
    assert main(["import", str(path), str(pdf)]) == 0
    capsys.readouterr()
    assert main(["info", str(path)]) == 0
    assert any(line.split() == ["originals", "1"] for line in capsys.readouterr().out.splitlines())
    assert main(["documents", "show", str(path), "rtl.pdf"]) == 0
    assert "original     rtl.pdf (21.4 KB" in capsys.readouterr().out
    out = tmp_path / "back.pdf"
    assert main(["documents", "original", str(path), "rtl.pdf", str(out)]) == 0
    assert out.read_bytes() == pdf.read_bytes()
    assert "wrote" in capsys.readouterr().out
    # a second time: the file is not overwritten, and the message says why
    assert main(["documents", "original", str(path), "rtl.pdf", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
