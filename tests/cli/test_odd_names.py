"""The path the user names is the file that is opened, byte for byte: names with
``% ? # & ; = +``, spaces, non-ASCII letters or a leading ``-``, in a folder named
the same way, work for every command, for backups and for restore, and leave no
other file behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.integrity import integrity_check
from desktop.cli.main import main
from tests.safety.safety_helpers import REPO, db_rows

NAMES = [
    "x%41.tessera",  # SQLAlchemy's URL decoding made this xA.tessera
    "a.tessera?b=1",  # and cut this at the ?
    "c%20d & e;f=g+h #1.tessera",
    "ünï çødé ✓.tessera",
    "-lead.tessera",
]
FOLDER = "we%41ird ?#&;=+ dïr"


@pytest.fixture
def folder(tmp_path) -> Path:
    f = tmp_path / FOLDER
    f.mkdir()
    return f


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("name", NAMES)
def test_every_command_works_on_the_file_named(name, folder, tmp_path, capsys):
    path = folder / name
    text = folder / f"{name}.txt"
    text.write_text("Three people were killed in the clashes, officials said.", "utf-8")
    p = str(path)
    assert main(["new", p]) == 0
    assert path.is_file()
    assert main(["import", p, str(text)]) == 0
    assert main(["codes", "add", p, "Casualties/Killed"]) == 0
    assert main(["coders", "add", p, "ana"]) == 0
    assert main(["info", p]) == 0
    out = capsys.readouterr().out
    assert "documents" in out and "1" in out
    csv = tmp_path / "codebook.csv"
    assert main(["export", p, "--what", "codebook", "-o", str(csv)]) == 0
    assert "Casualties" in csv.read_text("utf-8")
    assert main(["backups", p, "--now"]) == 0
    assert main(["codes", "add", p, "Later"]) == 0
    assert main(["restore", p, "1"]) == 0
    assert main(["check", p]) == 0
    capsys.readouterr()
    # the content went into the file named, and nowhere else
    assert db_rows(path, "SELECT name FROM code ORDER BY name") == [("Casualties",), ("Killed",)]
    assert db_rows(path, "SELECT count(*) FROM document") == [(1,)]
    assert integrity_check(path) == []
    assert listing(folder) <= {name, f"{name}.txt", f"{name}.backups", f"{name}-wal", f"{name}-shm"}
    assert len(list((folder / f"{name}.backups").glob("*.tessera*"))) >= 2
    assert listing(tmp_path) == {FOLDER, "codebook.csv"}


def test_a_leading_dash_name_in_the_current_folder(folder, monkeypatch, capsys):
    monkeypatch.chdir(folder)
    assert main(["new", "--", "-x.tessera"]) == 0
    assert main(["codes", "add", "--", "-x.tessera", "Found"]) == 0
    assert main(["info", "--", "-x.tessera"]) == 0
    assert db_rows(folder / "-x.tessera", "SELECT name FROM code") == [("Found",)]
    assert listing(folder) <= {
        "-x.tessera",
        "-x.tessera.backups",
        "-x.tessera-wal",
        "-x.tessera-shm",
    }


def test_the_tessera_command_in_a_process(folder):
    path = folder / NAMES[2]
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "desktop.cli.main", *argv],
            capture_output=True, text=True, env=env, cwd=REPO,
        )  # fmt: skip

    for argv in (["new", str(path)], ["codes", "add", str(path), "Ok"], ["info", str(path)]):
        done = run(*argv)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    assert db_rows(path, "SELECT name FROM code") == [("Ok",)]
    assert not (folder / "c d & e;f=g+h #1.tessera").exists()
