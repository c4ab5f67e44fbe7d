from __future__ import annotations

import pytest

from desktop.cli.main import main
from desktop.services.coding import codings
from desktop.services.project.project import Project
from desktop.services.teams import coders, teams
from tests.services.teams.test_teams_support import DERAA, code, make_project


@pytest.fixture
def master_path(tmp_path):
    path = tmp_path / "master.tessera"
    make_project(path).close()
    return path


def test_coders_add_list_rename(master_path, capsys):
    assert main(["coders", "add", str(master_path), "ana", "--color", "f58518"]) == 0
    assert "added coder ana (#f58518)" in capsys.readouterr().out
    assert main(["coders", "add", str(master_path), "ben"]) == 0
    assert main(["coders", "add", str(master_path), "ben"]) == 1
    assert "already exists" in capsys.readouterr().err

    assert main(["coders", "rename", str(master_path), "ana", "Ana María"]) == 0
    assert "renamed coder ana to Ana María" in capsys.readouterr().out
    assert main(["coders", "rename", str(master_path), "nobody", "x"]) == 1
    assert "no coder named 'nobody'" in capsys.readouterr().err

    assert main(["coders", "list", str(master_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["Ana María  #f58518  0 codings", "ben  #f58518  0 codings"]
    with Project.open(master_path) as p:
        ana = coders.find_coder(p, "Ana María")
        assert ana.id in teams.coder_guids(p)


def test_blind_on_status_off(master_path, capsys):
    assert main(["blind", "status", str(master_path)]) == 0
    assert "blind mode: off" in capsys.readouterr().out
    assert main(["blind", "on", str(master_path), "--reviewer", "rita"]) == 0
    assert "rita is the reviewer" in capsys.readouterr().out
    assert main(["blind", "status", str(master_path)]) == 0
    assert capsys.readouterr().out == "blind mode: on\nreviewer: rita\n"
    assert main(["coders", "add", str(master_path), "rita"]) == 0
    assert main(["coders", "list", str(master_path)]) == 0
    assert "rita  #4c78a8  0 codings  (reviewer)" in capsys.readouterr().out
    assert main(["blind", "off", str(master_path)]) == 0
    assert "lifted" in capsys.readouterr().out
    with Project.open(master_path) as p:
        assert not teams.is_blind(p)


def test_copy_for_coder_then_merge_back(master_path, tmp_path, capsys):
    copy = tmp_path / "ana.tessera"
    assert main(["blind", "on", str(master_path), "--reviewer", "rita"]) == 0
    assert main(["copy-for-coder", str(master_path), "ana", "-o", str(copy)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {copy} for ana: 2 documents, 13 codes" in out
    assert "added coder ana" in out and "blind mode is on in the copy" in out
    with Project.open(copy) as p:
        code(p, DERAA, "Rebels", "Actors/Armed groups", "ana")
        code(p, DERAA, "12 civilians", "Actors/Civilians", "ana")

    assert main(["merge", str(master_path), str(copy)]) == 0
    out = capsys.readouterr().out
    assert f"merged {copy}" in out
    assert "codings: 2 added, 0 already present" in out
    assert "coders: ana already here" in out
    assert out.rstrip().endswith("merged 1 of 1 file: 2 codings added")

    assert main(["merge", str(master_path), str(copy)]) == 0
    assert "codings: 0 added, 2 already present" in capsys.readouterr().out
    with Project.open(master_path) as p:
        assert len(codings.list_codings(p)) == 2


def test_copy_for_coder_needs_an_output_and_refuses_an_existing_file(master_path, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["copy-for-coder", str(master_path), "ana"])
    capsys.readouterr()
    out = tmp_path / "taken.tessera"
    out.write_text("x")
    assert main(["copy-for-coder", str(master_path), "ana", "-o", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
