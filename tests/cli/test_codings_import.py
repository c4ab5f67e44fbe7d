"""tessera codings import: all rows or none, every problem with its line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders

TEXT = (
    "Rebels 🔥 said talks \u201cfailed\u201d.\nAt least 12 civilians were killed in Dera\u2019a.\n"
)


def at(part: str) -> tuple[int, int]:
    s = TEXT.index(part)
    return s, s + len(part)


@pytest.fixture
def project_path(tmp_path) -> Path:
    path = tmp_path / "p.tessera"
    with Project.create(path, template="conflict-news") as p:
        documents.add_document(p, name="deraa.txt", text=TEXT, kind="txt")
        coders.add_coder(p, "ana")
    return path


def codings_count(path: Path) -> int:
    with Project.open(path) as p:
        return p.info()["codings"]


def csv_file(tmp_path: Path, body: str, name: str = "codings.csv") -> Path:
    path = tmp_path / name
    path.write_text("document,code,coder,start,end,text\r\n" + body, encoding="utf-8", newline="")
    return path


def test_import_then_reimport_skips_duplicates(project_path, tmp_path, capsys):
    s, e = at("said talks")
    f = csv_file(tmp_path, f"deraa.txt,Claims,ana,{s},{e},said talks\r\n")
    assert main(["codings", "import", str(project_path), str(f)]) == 0
    assert "imported 1 coding " in capsys.readouterr().out
    assert main(["codings", "import", str(project_path), str(f)]) == 0
    out = capsys.readouterr().out
    assert "skipped line 2: already in the project" in out and "imported 0 codings" in out
    assert codings_count(project_path) == 1


def test_bad_rows_are_listed_with_lines_and_nothing_is_stored(project_path, tmp_path, capsys):
    s, e = at("Rebels")
    f = csv_file(tmp_path, f"deraa.txt,Actors,ana,{s},{e},Rebels\r\n"
                           f"deraa.txt,Actors,ana,{e},{s},\r\n"
                           f"deraa.txt,Nope,ana,{s},{e},\r\n"
                           f"deraa.txt,Actors,ana,{s},{e},Rebel\r\n")  # fmt: skip
    assert main(["codings", "import", str(project_path), str(f)]) == 1
    err = capsys.readouterr().err
    assert f"tessera: {f}: nothing was imported, 3 problems" in err
    assert "line 3: start" in err and "line 4: no code 'Nope'" in err and "line 5: the text" in err
    assert codings_count(project_path) == 0


def test_create_missing_and_default_coder(project_path, tmp_path, capsys):
    s, e = at("Rebels")
    f = tmp_path / "c.csv"
    f.write_text(f"document,code,start,end\r\nderaa.txt,Events/Talks,{s},{e}\r\n", encoding="utf-8")
    assert main(["codings", "import", str(project_path), str(f), "--coder", "zoe"]) == 1
    assert "no code 'Events/Talks'" in capsys.readouterr().err
    assert (
        main(["codings", "import", str(project_path), str(f), "--coder", "zoe", "--create-missing"])
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "added code Events\n" in out
        and "added code Events/Talks" in out
        and "added coder zoe" in out
    )
    assert codings_count(project_path) == 1


def test_warnings_go_to_stderr(project_path, tmp_path, capsys):
    s, e = at("Rebels")
    f = tmp_path / "c.csv"
    f.write_bytes(
        f"document,code,coder,start,end,notes\r\nderaa.txt,Actors,ana,{s},{e},caf\xe9\r\n".encode(
            "cp1252"
        )
    )
    assert main(["codings", "import", str(project_path), str(f)]) == 0
    captured = capsys.readouterr()
    assert (
        "warning:" in captured.err and "Windows-1252" in captured.err and "'notes'" in captured.err
    )
    assert "imported 1 coding " in captured.out


@pytest.mark.parametrize(
    "content,message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV file: it is a PNG image"),
        (b"document,code,coder\r\n", "missing required columns: start, end"),
        (b"document,code,coder,start,end\r\nderaa.txt,\"Actors,ana,0,6\r\n", "line 2: a quoted value starting on this line is never closed"),
    ],
)  # fmt: skip
def test_malformed_files(project_path, tmp_path, capsys, content, message):
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    assert main(["codings", "import", str(project_path), str(f)]) == 1
    err = capsys.readouterr().err
    assert str(f) in err and message in err and "nothing was imported" in err
    assert codings_count(project_path) == 0


def test_missing_file(project_path, tmp_path, capsys):
    assert main(["codings", "import", str(project_path), str(tmp_path / "nope.csv")]) == 1
    assert "nope.csv: no such file" in capsys.readouterr().err


def test_export_then_import_into_a_fresh_project_through_the_console_script(project_path, tmp_path):
    exe = Path(sys.executable).with_name("tessera")
    s, e = at("Dera\u2019a")
    seed = csv_file(
        tmp_path, f"deraa.txt,Casualties/Killed,ana,{s},{e},Dera\u2019a\r\n", "seed.csv"
    )
    run = lambda *args: subprocess.run([exe, *map(str, args)], capture_output=True, text=True)  # noqa: E731
    assert run("codings", "import", project_path, seed).returncode == 0
    exported = tmp_path / "out.csv"
    assert (
        run("export", project_path, "--what", "codings", "-o", exported, "--excel").returncode == 0
    )
    fresh = tmp_path / "fresh.tessera"
    with Project.create(fresh, template="conflict-news") as p:
        documents.add_document(p, name="deraa.txt", text=TEXT, kind="txt")
    out = run("codings", "import", fresh, exported, "--create-missing")
    assert out.returncode == 0, out.stderr
    assert "imported 1 coding " in out.stdout
    again = tmp_path / "again.csv"
    assert run("export", fresh, "--what", "codings", "-o", again, "--excel").returncode == 0
    assert again.read_bytes() == exported.read_bytes()  # times included: they travel too
