from __future__ import annotations

import pytest

from desktop.cli.main import main
from desktop.services.codebook import codebook
from desktop.services.project.project import Project
from desktop.services.teams import teams
from tests.services.teams.test_teams_support import (
    DERAA,
    HOMS,
    IDLIB,
    code,
    coding_set,
    make_project,
)


@pytest.fixture
def master_path(tmp_path):
    path = tmp_path / "master.tessera"
    make_project(path).close()
    return path


def copy_for(master_path, name, tmp_path):
    out = tmp_path / f"{name}.tessera"
    assert main(["copy-for-coder", str(master_path), name, "-o", str(out)]) == 0
    return out


def codings_of(path):
    with Project.open(path) as p:
        return coding_set(p)


def test_two_coders_merged_in_one_command(master_path, tmp_path, capsys):
    ana, ben = copy_for(master_path, "ana", tmp_path), copy_for(master_path, "ben", tmp_path)
    with Project.open(ana) as p:
        code(p, DERAA, "Rebels", "Actors/Armed groups", "ana")
    with Project.open(ben) as p:
        code(p, DERAA, "Rebels", "Actors/Armed groups", "ben")
        code(p, IDLIB, "UN envoy", "Actors/International actors", "ben")
    capsys.readouterr()

    assert main(["merge", str(master_path), str(ana), str(ben)]) == 0

    assert capsys.readouterr().out.rstrip().endswith("merged 2 of 2 files: 3 codings added")
    assert codings_of(ana) | codings_of(ben) == codings_of(master_path)


def test_unknown_codes_are_listed_and_refused_without_add_codes(master_path, tmp_path, capsys):
    ana = copy_for(master_path, "ana", tmp_path)
    with Project.open(ana) as p:
        codebook.add_code(p, "Frames/Humanitarian", color="#00aa00")
        code(p, DERAA, "civilians", "Frames/Humanitarian", "ana")
    capsys.readouterr()

    assert main(["merge", str(master_path), str(ana)]) == 1
    cap = capsys.readouterr()
    assert "refused" in cap.err and "Frames, Frames/Humanitarian" in cap.err
    assert "--add-codes" in cap.err
    assert "merged 0 of 1 file" in cap.out
    assert codings_of(master_path) == set()

    assert main(["merge", str(master_path), str(ana), "--add-codes"]) == 0
    out = capsys.readouterr().out
    assert "codes: 2 added: Frames, Frames/Humanitarian" in out
    with Project.open(master_path) as p:
        assert codebook.find_code(p, "Frames/Humanitarian").color == "#00aa00"
    assert codings_of(master_path) == codings_of(ana)


def test_name_clash_is_refused_then_renamed_on_request(master_path, tmp_path, capsys):
    other = tmp_path / "other.tessera"
    make_project(other).close()
    (tmp_path / "x").mkdir()
    foreign = tmp_path / "x" / "ana.tessera"
    assert main(["copy-for-coder", str(other), "ana", "-o", str(foreign)]) == 0
    with Project.open(foreign) as p:
        code(p, DERAA, "Rebels", "Actors/Armed groups", "ana")
    assert main(["coders", "add", str(master_path), "ana"]) == 0
    capsys.readouterr()

    assert main(["merge", str(master_path), str(foreign)]) == 1
    err = capsys.readouterr().err
    assert "ana" in err and "a different person" in err and "--rename-clashing" in err

    assert main(["merge", str(master_path), str(foreign), "--rename-clashing"]) == 0
    out = capsys.readouterr().out
    assert "ana is ana (2) here" in out
    assert {c[2] for c in codings_of(master_path)} == {"ana (2)"}


def test_dry_run_changes_nothing(master_path, tmp_path, capsys):
    ana = copy_for(master_path, "ana", tmp_path)
    with Project.open(ana) as p:
        from desktop.services.documents import documents

        documents.add_document(p, name="homs.txt", text=HOMS, kind="txt")
        code(p, HOMS, "Opposition brigades", "Actors/Armed groups", "ana")
    capsys.readouterr()

    assert main(["merge", str(master_path), str(ana), "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("dry run: nothing was changed\nwould merge")
    assert "documents: 1 added, 2 already here: homs.txt" in out
    assert "would merge 1 of 1 file: 1 coding added" in out
    assert codings_of(master_path) == set()
    with Project.open(master_path) as p:
        assert p.info()["documents"] == 2


def test_conflicting_memo_is_reported_and_kept_unless_prefer_source(master_path, tmp_path, capsys):
    ana = copy_for(master_path, "ana", tmp_path)
    with Project.open(ana) as p:
        cid = code(p, DERAA, "Rebels", "Actors/Armed groups", "ana", memo="first")
    assert main(["merge", str(master_path), str(ana)]) == 0
    with Project.open(ana) as p:
        from desktop.services.coding import codings

        codings.set_memo(p, cid, "second")
    capsys.readouterr()

    assert main(["merge", str(master_path), str(ana)]) == 0
    out = capsys.readouterr().out
    assert "1 conflicting (kept the target's)" in out
    assert "deraa.txt [0, 6) Actors/Armed groups by ana: memo 'first' here, 'second' there" in out

    assert main(["merge", str(master_path), str(ana), "--prefer-source"]) == 0
    assert "kept the source's" in capsys.readouterr().out
    with Project.open(master_path) as p:
        from desktop.services.coding import codings

        assert [c.memo for c in codings.list_codings(p)] == ["second"]


def test_a_corrupt_source_fails_with_a_clear_message_and_the_rest_merges(
    master_path, tmp_path, capsys
):
    ana = copy_for(master_path, "ana", tmp_path)
    with Project.open(ana) as p:
        code(p, DERAA, "Rebels", "Actors/Armed groups", "ana")
    junk = tmp_path / "junk.tessera"
    junk.write_bytes(b"PK\x03\x04 not a project")
    capsys.readouterr()

    assert main(["merge", str(master_path), str(junk), str(ana)]) == 1

    cap = capsys.readouterr()
    assert "junk.tessera" in cap.err and "not a Tessera project" in cap.err
    assert "merged 1 of 2 files: 1 coding added" in cap.out
    with Project.open(master_path) as p:
        assert teams.is_blind(p) is False
    assert codings_of(master_path) == codings_of(ana)
