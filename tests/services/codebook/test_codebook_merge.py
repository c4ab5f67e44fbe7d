"""Merging code A into code B: codings, duplicates, fields, children, undo."""

from __future__ import annotations

import pytest

from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.codebook.merge import merge_codes
from desktop.services.coding import codings
from desktop.services.errors import Conflict, ServiceError
from desktop.services.project import audit
from desktop.services.teams import coders
from tests.services.codebook.test_codebook import apply, code, dump


def test_merge_moves_codings_collapses_duplicates_and_keeps_every_other_coding(project, doc, ana):
    ben = coders.add_coder(project, "ben")
    apply(project, doc, ana, "Claims/Accusations", "Rebels said")
    apply(project, doc, ana, "Claims/Denials", "Rebels said")  # duplicate of the above once merged
    apply(project, doc, ben, "Claims/Denials", "Rebels said")  # another coder: not a duplicate
    apply(project, doc, ana, "Claims/Denials", "talks with Russia", memo="denial?")
    before = len(codings.list_codings(project))
    denials, accusations = code(project, "Claims/Denials"), code(project, "Claims/Accusations")
    report = merge_codes(project, denials.id, accusations.id)
    assert report.duplicates_collapsed == 1
    assert report.codings_moved == 2
    assert len(codings.list_codings(project)) == before - report.duplicates_collapsed
    assert codebook.find_code(project, "Claims/Denials") is None
    assert code(project, "Claims/Accusations").codings == 4 - 1
    assert report.merged == (("Claims/Denials", "Claims/Accusations"),)
    assert [e.action for e in audit.history(project, entity="code", entity_id=denials.id)][
        -1
    ] == "merge"


def test_merge_collapsed_duplicate_gives_its_memo_and_values(project, doc, ana):
    a = apply(
        project, doc, ana, "Casualties/Killed", "At least 12 civilians were killed", memo="from A"
    )
    b = apply(project, doc, ana, "Casualties/Injured", "At least 12 civilians were killed")
    fieldsvc.set_coding_values(project, a.id, {"count": "12", "who": "civilians"})
    fieldsvc.set_coding_values(project, b.id, {"who": "combatants"})
    report = merge_codes(project, a.code_id, b.code_id)
    assert report.duplicates_collapsed == 1
    merged = codings.get_coding(project, b.id)
    assert merged.memo == "from A"
    names = {f.id: f.name for f in fieldsvc.effective_fields(project, b.code_id)}
    assert {names[k]: v for k, v in fieldsvc.coding_values(project, b.id).items()} == {
        "count": "12",
        "who": "combatants",
    }
    assert [(d.field, d.value) for d in report.values_dropped] == [("who", "civilians")]


def test_values_follow_fields_by_name_and_type_and_the_rest_is_reported(project, doc, ana):
    # A = Claims (stance: choice for/against/neutral, speaker: text); B = a new code
    # with its own "stance" of the same type but fewer choices and no "speaker".
    target = codebook.add_code(project, "Positions")
    fieldsvc.add_field(project, target.id, "Stance", "choice", choices=["for", "against"])
    c1 = apply(project, doc, ana, "Claims", "Rebels said")
    c2 = apply(project, doc, ana, "Claims", "talks with Russia")
    fieldsvc.set_coding_values(project, c1.id, {"stance": "for", "speaker": "a rebel"})
    fieldsvc.set_coding_values(project, c2.id, {"stance": "neutral"})
    claims = code(project, "Claims")
    report = merge_codes(project, claims.id, target.id)
    stance = fieldsvc.list_fields(project, target.id)[0]
    assert fieldsvc.coding_values(project, c1.id) == {stance.id: "for"}
    assert fieldsvc.coding_values(project, c2.id) == {}
    dropped = sorted((d.coding_id, d.field, d.value) for d in report.values_dropped)
    assert dropped == [(c1.id, "speaker", "a rebel"), (c2.id, "stance", "neutral")]
    assert report.values_moved == 1


def test_children_move_and_namesakes_merge_recursively(project, doc, ana):
    codebook.add_code(project, "Harm/Killed")
    codebook.add_code(project, "Harm/Killed/Children")
    codebook.add_code(project, "Harm/Arrested")
    k = apply(project, doc, ana, "Harm/Killed", "At least 12 civilians were killed")
    harm, casualties = code(project, "Harm"), code(project, "Casualties")
    report = merge_codes(project, harm.id, casualties.id)
    paths = [c.path for c in codebook.list_codes(project)]
    assert "Casualties/Killed/Children" in paths and "Casualties/Arrested" in paths
    assert not any(p.startswith("Harm") for p in paths)
    assert codings.get_coding(project, k.id).code_id == code(project, "Casualties/Killed").id
    assert report.merged == (("Harm", "Casualties"), ("Harm/Killed", "Casualties/Killed"))
    assert sorted(report.children_moved) == ["Casualties/Arrested", "Casualties/Killed/Children"]


def test_children_moved_under_b_bring_inherited_values_to_bs_fields(project, doc, ana):
    # "Harm" defines count:integer; its child "Wounded" inherits it. Merged into
    # Casualties (which has count:integer), the value moves to Casualties' count.
    harm = codebook.add_code(project, "Harm")
    fieldsvc.add_field(project, harm.id, "count", "integer")
    codebook.add_code(project, "Harm/Wounded")
    c = apply(project, doc, ana, "Harm/Wounded", "At least 12 civilians were killed")
    fieldsvc.set_coding_values(project, c.id, {"count": "12"})
    merge_codes(project, harm.id, code(project, "Casualties").id)
    count = [
        f
        for f in fieldsvc.effective_fields(project, code(project, "Casualties/Wounded").id)
        if f.name == "count"
    ]
    assert fieldsvc.coding_values(project, c.id) == {count[0].id: "12"}


def test_examples_move_to_b(project):
    a, b = code(project, "Actors/Armed groups"), code(project, "Actors/State forces")
    report = merge_codes(project, a.id, b.id)
    assert report.examples_moved == 2
    assert code(project, "Actors/State forces").examples == (
        "government troops", "the army", "rebel fighters", "opposition brigades",
    )  # fmt: skip


def test_merge_into_itself_or_a_sub_code_is_refused(project):
    actors = code(project, "Actors")
    before = dump(project)
    with pytest.raises(ServiceError):
        merge_codes(project, actors.id, actors.id)
    with pytest.raises(Conflict):
        merge_codes(project, actors.id, code(project, "Actors/Civilians").id)
    assert dump(project) == before


def test_merge_into_the_parent_merges_namesake_siblings(project, doc, ana):
    codebook.add_code(project, "Actors/Civilians/Civilians")
    inner = code(project, "Actors/Civilians/Civilians")
    c = apply(project, doc, ana, "Actors/Civilians/Civilians", "civilians")
    merge_codes(project, code(project, "Actors/Civilians").id, code(project, "Actors").id)
    assert codebook.find_code(project, "Actors/Civilians").id == inner.id
    assert codings.get_coding(project, c.id).code_id == inner.id


def test_undo_of_merge_restores_everything_exactly(project, doc, ana):
    ben = coders.add_coder(project, "ben")
    harm = codebook.add_code(project, "Harm", description="harm done")
    fieldsvc.add_field(project, harm.id, "count", "integer")
    fieldsvc.add_field(project, harm.id, "note", "text")
    codebook.add_code(project, "Harm/Killed")
    codebook.add_code(project, "Harm/Arrested")
    codebook.add_example(project, harm.id, "a harm")
    c1 = apply(project, doc, ana, "Harm/Killed", "At least 12 civilians were killed", memo="m1")
    fieldsvc.set_coding_values(project, c1.id, {"count": "12", "note": "n"})
    dup = apply(project, doc, ana, "Casualties/Killed", "At least 12 civilians were killed")
    apply(project, doc, ben, "Harm", "Rebels said")
    a2 = apply(project, doc, ana, "Harm/Arrested", "talks with Russia")
    codebook.add_example_from_coding(project, code(project, "Claims").id, a2.id)
    before = dump(project)
    report = merge_codes(project, harm.id, code(project, "Casualties").id)
    assert report.duplicates_collapsed == 1
    assert dump(project) != before
    codebook.restore_code_tree(project, report.snapshot)
    assert dump(project) == before
    assert codings.get_coding(project, dup.id).memo == ""


def test_undo_of_merge_into_the_parent_with_a_namesake_child(project, doc, ana):
    codebook.add_code(project, "Actors/Civilians/Civilians")
    apply(project, doc, ana, "Actors/Civilians/Civilians", "civilians")
    apply(project, doc, ana, "Actors/Civilians", "12 civilians")
    before = dump(project)
    report = merge_codes(project, code(project, "Actors/Civilians").id, code(project, "Actors").id)
    codebook.restore_code_tree(project, report.snapshot)
    assert dump(project) == before
