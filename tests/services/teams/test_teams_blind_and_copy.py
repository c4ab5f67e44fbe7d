from __future__ import annotations

import sqlite3

import pytest

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import Conflict, ServiceError
from desktop.services.project import audit
from desktop.services.project.project import Project
from desktop.services.teams import coders, teams
from desktop.services.teams.teams import NotAllowed
from tests.services.teams.test_teams_support import DERAA, IDLIB, code, make_project


@pytest.fixture
def master(tmp_path):
    p = make_project(tmp_path / "master.tessera")
    yield p
    p.close()


# -- blind mode ------------------------------------------------------------------------


def test_blind_mode_shows_a_coder_only_their_own_codings(master):
    ana, ben = teams.add_coder(master, "ana"), teams.add_coder(master, "ben")
    teams.add_coder(master, "rita")
    code(master, DERAA, "Rebels", "Actors/Armed groups", "ana")
    code(master, DERAA, "Rebels", "Actors/Armed groups", "ben")
    rita = coders.find_coder(master, "rita")
    assert teams.visible_coder_ids(master, ana.id) is None  # not blind: everyone's

    teams.set_blind(master, True, reviewer_name="rita")

    assert teams.is_blind(master) and teams.reviewer(master) == "rita"
    visible = teams.visible_coder_ids(master, ana.id)
    assert visible == [ana.id]
    shown = codings.list_codings(master, coder_ids=visible)
    assert {c.coder_id for c in shown} == {ana.id}
    assert teams.visible_coder_ids(master, ben.id) == [ben.id]
    assert teams.visible_coder_ids(master, None) == []
    assert teams.visible_coder_ids(master, rita.id) is None  # the reviewer sees everyone's


def test_only_the_reviewer_lifts_blind_mode_from_the_window(master):
    teams.set_blind(master, True, reviewer_name="rita")
    assert not teams.can_lift_blind(master, "ana")
    with pytest.raises(NotAllowed, match="rita"):
        teams.set_blind(master, False, by="ana")
    with pytest.raises(NotAllowed):
        teams.set_blind(master, True, by="ana", reviewer_name="ana")
    assert teams.is_blind(master)

    assert teams.can_lift_blind(master, "rita")
    assert teams.set_blind(master, False, by="rita") is True
    assert not teams.is_blind(master)
    changes = [e for e in audit.history(master, entity="project") if e.action == "update"]
    assert [e.new["blind"] for e in changes] == [True, False]


def test_the_cli_reviewer_tool_may_lift_blind_mode_without_naming_itself(master):
    teams.set_blind(master, True, reviewer_name="rita")
    teams.set_blind(master, False)
    assert not teams.is_blind(master)


def test_blind_mode_without_a_reviewer_is_lifted_by_anyone(master):
    teams.set_blind(master, True)
    assert teams.reviewer(master) is None and teams.can_lift_blind(master, "ana")


# -- coders ------------------------------------------------------------------------------


def test_coders_get_an_identity_that_survives_a_rename(master):
    ana = teams.add_coder(master, "ana")
    guid = teams.coder_guids(master)[ana.id]
    assert len(guid) == 36
    teams.set_blind(master, True, reviewer_name="ana")

    assert teams.rename_coder(master, ana.id, "Ana María") == "ana"

    assert coders.get_coder(master, ana.id).name == "Ana María"
    assert teams.coder_guids(master)[ana.id] == guid
    assert teams.reviewer(master) == "Ana María"
    with pytest.raises(Conflict):
        teams.add_coder(master, "Ana María")
    teams.add_coder(master, "ben")
    with pytest.raises(Conflict):
        teams.rename_coder(master, ana.id, "ben")
    with pytest.raises(ServiceError):
        teams.rename_coder(master, ana.id, "  ")


def test_a_coder_added_elsewhere_gets_an_identity_on_first_need(master):
    plain = coders.add_coder(master, "ana")
    assert plain.id not in teams.coder_guids(master)
    guid = teams.coder_guid(master, plain.id)
    assert teams.coder_guid(master, plain.id) == guid


# -- a copy for a coder ----------------------------------------------------------------------


def test_copy_for_coder_carries_documents_codebook_and_only_the_coders_own_work(master, tmp_path):
    code(master, DERAA, "Rebels", "Actors/Armed groups", "ben", memo="ben's secret memo")
    code(master, IDLIB, "Government troops", "Actors/State forces", "ana", memo="ana's")
    teams.set_blind(master, True, reviewer_name="rita")
    out = tmp_path / "for-ana.tessera"

    report = teams.copy_for_coder(master, "ana", out)

    assert (report.coder, report.coder_added, report.own_codings, report.blind) == (
        "ana",
        False,
        1,
        True,
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("for-ana")) == [
        "for-ana.tessera"
    ]
    with Project.open(out) as copy:
        assert [c.name for c in coders.list_coders(copy)] == ["ana"]
        assert [c.memo for c in codings.list_codings(copy)] == ["ana's"]
        assert [(d.name, d.sha256, d.pages, d.title) for d in documents.list_documents(copy)] == [
            (d.name, d.sha256, d.pages, d.title) for d in documents.list_documents(master)
        ]
        assert [
            (c.path, c.color, c.description, c.inclusion, c.examples)
            for c in codebook.list_codes(copy)
        ] == [
            (c.path, c.color, c.description, c.inclusion, c.examples)
            for c in codebook.list_codes(master)
        ]
        assert teams.is_blind(copy) and teams.reviewer(copy) == "rita"
        ana_id = coders.find_coder(copy, "ana").id
        assert teams.coder_guids(copy) == {ana_id: report.coder_guid}
        assert teams.coder_guids(master)[coders.find_coder(master, "ana").id] == report.coder_guid
        assert copy.settings()["copy_of"]["coder"] == "ana"
        assert [(e.action, e.entity) for e in audit.history(copy)] == [("copy", "project")]
    # nothing of ben's is left anywhere in the file (deleted pages are vacuumed away)
    raw = out.read_bytes()
    assert b"ben's secret memo" not in raw and b"ben" not in raw


def test_copy_for_a_new_coder_creates_them_in_both_files(master, tmp_path):
    report = teams.copy_for_coder(master, "new coder", tmp_path / "n.tessera")
    assert report.coder_added and report.own_codings == 0
    assert coders.find_coder(master, "new coder") is not None
    with Project.open(tmp_path / "n.tessera") as copy:
        assert [c.name for c in coders.list_coders(copy)] == ["new coder"]
        assert codings.list_codings(copy) == []
        assert copy.info()["codes"] == master.info()["codes"]


def test_copy_for_coder_refuses_to_overwrite_a_file(master, tmp_path):
    out = tmp_path / "exists.tessera"
    out.write_text("precious")
    with pytest.raises(ServiceError, match="already exists"):
        teams.copy_for_coder(master, "ana", out)
    assert out.read_text() == "precious"
    with pytest.raises(ServiceError):
        teams.copy_for_coder(master, "ana", master.path)


def test_copy_keeps_typed_fields_and_is_a_valid_project(master, tmp_path):
    out = tmp_path / "c.tessera"
    teams.copy_for_coder(master, "ana", out)
    conn = sqlite3.connect(out)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        fields = conn.execute("SELECT name, type FROM code_field ORDER BY id").fetchall()
    finally:
        conn.close()
    assert ("count", "integer") in fields and ("stance", "choice") in fields


def test_an_anchor_example_taken_from_another_coders_coding_keeps_its_text(master, tmp_path):
    cid = code(master, DERAA, "Rebels", "Actors/Armed groups", "ben")
    armed = codebook.find_code(master, "Actors/Armed groups").id
    codebook.add_example_from_coding(master, armed, cid)

    teams.copy_for_coder(master, "ana", tmp_path / "a.tessera")

    with Project.open(tmp_path / "a.tessera") as copy:
        examples = codebook.list_examples(copy, armed)
        assert "Rebels" in [e.text for e in examples]
        assert all(e.coding_id is None for e in examples)
