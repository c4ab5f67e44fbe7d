"""The codebook as a tree: create, rename, recolour, move, delete and undo."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db import models as m
from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.coding import codings
from desktop.services.errors import ConfirmationNeeded, Conflict, ServiceError
from desktop.services.project import audit
from tests.services.conftest import ARTICLE


def span(text: str) -> tuple[int, int]:
    start = ARTICLE.index(text)
    return start, start + len(text)


def code(project, path):
    found = codebook.find_code(project, path)
    assert found is not None, path
    return found


def dump(project) -> dict:
    """Every row of every codebook table, to compare states exactly."""
    with project.session() as s:
        out = {}
        for model in (m.Code, m.CodeField, m.CodeExample, m.Coding, m.CodingValue):
            cols = [c.key for c in model.__table__.columns]
            rows = [tuple(getattr(r, k) for k in cols) for r in s.scalars(select(model))]
            out[model.__tablename__] = sorted(rows, key=repr)
        return out


def apply(project, doc, coder, path, text, **kw):
    start, end = span(text)
    return codings.apply_coding(
        project,
        document_id=doc.id,
        code_id=code(project, path).id,
        coder_id=coder.id,
        start=start,
        end=end,
        **kw,
    )


def test_add_code_creates_missing_parents_and_is_recorded(project):
    added = codebook.add_code(
        project, "Frames/Humanitarian/Aid", color="#A0B", description="Aid delivery"
    )
    assert added.path == "Frames/Humanitarian/Aid"
    assert added.color == "#aa00bb"
    assert code(project, "Frames/Humanitarian").parent_id == code(project, "Frames").id
    created = [r for r in audit.history(project, entity="code") if r.action == "create"]
    assert {r.new["name"] for r in created} >= {"Frames", "Humanitarian", "Aid"}


def test_sibling_names_are_unique_but_cousins_may_share(project):
    with pytest.raises(Conflict):
        codebook.add_code(project, "Actors/Civilians")
    codebook.add_code(project, "Casualties/Civilians")  # another parent: fine
    with pytest.raises(Conflict):
        codebook.update_code(project, code(project, "Actors/Civilians").id, name="State forces")


def test_rename_and_recolour_return_old_and_new_for_undo(project):
    c = code(project, "Claims/Demands")
    old, new = codebook.update_code(project, c.id, name="Requests", color="00ff00")
    assert (new["name"], new["color"]) == ("Requests", "#00ff00")
    assert code(project, "Claims/Requests").color == "#00ff00"
    codebook.update_code(project, c.id, **{k: old[k] for k in ("name", "color")})
    assert code(project, "Claims/Demands").color == c.color
    entries = audit.history(project, entity="code", entity_id=c.id)
    assert [e.action for e in entries][-2:] == ["update", "update"]


def test_bad_colour_is_refused(project):
    c = code(project, "Claims")
    with pytest.raises(ServiceError, match="colour"):
        codebook.update_code(project, c.id, color="reddish")
    assert code(project, "Claims").color == c.color


def test_definition_and_criteria(project):
    c = code(project, "Claims/Denials")
    codebook.update_code(
        project,
        c.id,
        description="A party denies.",
        inclusion="Explicit denials.",
        exclusion="Silence.",
    )
    got = codebook.get_code(project, c.id)
    assert (got.description, got.inclusion, got.exclusion) == (
        "A party denies.",
        "Explicit denials.",
        "Silence.",
    )


def test_move_reorders_and_can_be_undone(project):
    killed = code(project, "Casualties/Killed")
    old_parent, old_order = codebook.move_code(project, killed.id, None, position=0)
    assert codebook.list_codes(project)[0].path == "Killed"
    codebook.move_code(project, killed.id, old_parent, old_order)
    assert code(project, "Casualties/Killed").sort_order == killed.sort_order
    assert [c.path for c in codebook.list_codes(project) if c.parent_id == old_parent][
        0
    ] == "Casualties/Killed"


def test_a_move_that_makes_a_cycle_is_refused(project):
    actors = code(project, "Actors")
    before = codebook.list_codes(project)
    with pytest.raises(Conflict, match="itself"):
        codebook.move_code(project, actors.id, code(project, "Actors/Civilians").id)
    with pytest.raises(Conflict):
        codebook.move_code(project, actors.id, actors.id)
    assert codebook.list_codes(project) == before


def test_a_move_onto_a_namesake_is_refused(project):
    codebook.add_code(project, "Casualties/Civilians")
    with pytest.raises(Conflict):
        codebook.move_code(
            project, code(project, "Casualties/Civilians").id, code(project, "Actors").id
        )


def test_delete_needs_confirmation_when_codings_go_with_it(project, doc, ana):
    apply(project, doc, ana, "Casualties/Killed", "At least 12 civilians were killed")
    casualties = code(project, "Casualties")
    with pytest.raises(ConfirmationNeeded) as info:
        codebook.delete_code(project, casualties.id)
    assert info.value.count == 1
    assert code(project, "Casualties/Killed").codings == 1
    assert codebook.delete_code(project, casualties.id, confirm_codings=True) == 1
    assert codebook.find_code(project, "Casualties") is None
    assert codings.list_codings(project) == []


def test_delete_without_codings_needs_no_confirmation(project):
    snap = codebook.delete_code_tree(project, code(project, "Claims").id)
    assert snap.coding_count == 0
    assert len(snap.codes) == 4
    assert codebook.find_code(project, "Claims/Denials") is None


def test_undo_of_delete_restores_ids_codings_values_and_examples_exactly(project, doc, ana):
    killed = apply(
        project, doc, ana, "Casualties/Killed", "At least 12 civilians were killed", memo="count!"
    )
    fieldsvc.set_coding_values(project, killed.id, {"count": "12", "who": "civilians"})
    other = apply(project, doc, ana, "Actors/Armed groups", "Rebels")
    ex = codebook.add_example_from_coding(project, code(project, "Actors").id, killed.id)
    before = dump(project)
    snap = codebook.delete_code_tree(project, code(project, "Casualties").id, confirm_codings=True)
    assert snap.coding_count == 1
    after_delete = dump(project)
    assert after_delete["coding_value"] == []
    # the example elsewhere lost its link to the deleted coding, and gets it back
    assert [e for e in codebook.list_examples(project, ex.code_id) if e.id == ex.id][
        0
    ].coding_id is None
    assert codebook.restore_code_tree(project, snap) == snap.code_ids
    assert dump(project) == before
    assert fieldsvc.coding_values(project, killed.id) != {}
    assert codings.get_coding(project, other.id).code_id == other.code_id
    actions = [r.action for r in audit.history(project, entity="coding", entity_id=killed.id)]
    assert actions[-3:] == ["delete", "restore", "update"]  # the update: its field values back
    assert audit.history(project, entity="coding", entity_id=killed.id)[-1].new == {
        "values": {"count": "12", "who": "civilians"}
    }


def test_restore_is_refused_when_its_place_is_taken(project):
    snap = codebook.delete_code_tree(project, code(project, "Claims").id)
    codebook.add_code(project, "Claims")
    with pytest.raises(ServiceError, match="another code"):
        codebook.restore_code_tree(project, snap)
    assert code(project, "Claims").description == ""


def test_examples_add_from_coding_update_remove_restore(project, doc, ana):
    coding = apply(project, doc, ana, "Claims", "talks with Russia had \u201cfailed\u201d")
    claims = code(project, "Claims")
    first = codebook.add_example(project, claims.id, "  they lied  ")
    second = codebook.add_example_from_coding(project, claims.id, coding.id)
    assert (
        second.text == "talks with Russia had \u201cfailed\u201d" and second.coding_id == coding.id
    )
    assert [e.text for e in codebook.list_examples(project, claims.id)] == [
        "they lied",
        second.text,
    ]
    assert codebook.get_code(project, claims.id).examples == ("they lied", second.text)
    assert codebook.update_example(project, first.id, "they lied again") == "they lied"
    removed = codebook.remove_example(project, first.id)
    assert [e.id for e in codebook.list_examples(project, claims.id)] == [second.id]
    codebook.restore_example(project, removed)
    assert [e.text for e in codebook.list_examples(project, claims.id)] == [
        "they lied again",
        second.text,
    ]
    with pytest.raises(ServiceError):
        codebook.add_example(project, claims.id, "   ")


def test_a_move_that_would_give_two_fields_of_one_name_is_refused(project):
    frames = codebook.add_code(project, "Frames")
    fieldsvc.add_field(project, frames.id, "Count", "integer")
    with pytest.raises(Conflict, match="'Count'"):
        codebook.move_code(project, frames.id, code(project, "Casualties").id)
    codebook.move_code(project, frames.id, code(project, "Claims").id)  # no clash there
    assert code(project, "Claims/Frames").id == frames.id
