"""Typed code fields: definitions, inheritance, values on codings."""

from __future__ import annotations

import pytest

from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.errors import ConfirmationNeeded, Conflict, ServiceError
from desktop.services.project import audit
from tests.services.codebook.test_codebook import apply, code


def names(fields):
    return [f.name for f in fields]


def test_the_template_ships_fields_and_sub_codes_inherit_them(project):
    casualties = code(project, "Casualties")
    assert [(f.name, f.type) for f in fieldsvc.list_fields(project, casualties.id)] == [
        ("count", "integer"), ("who", "choice"),
    ]  # fmt: skip
    killed = code(project, "Casualties/Killed")
    assert fieldsvc.list_fields(project, killed.id) == []
    assert names(fieldsvc.effective_fields(project, killed.id)) == ["count", "who"]
    assert names(fieldsvc.effective_fields(project, code(project, "Actors/Civilians").id)) == []
    assert names(fieldsvc.effective_fields(project, code(project, "Claims/Denials").id)) == [
        "stance",
        "speaker",
    ]
    by_code = fieldsvc.fields_by_code(project)
    assert names(by_code[killed.id]) == ["count", "who"]
    assert len(by_code) == len(codebook.list_codes(project))


def test_ancestor_fields_come_first(project):
    killed = code(project, "Casualties/Killed")
    fieldsvc.add_field(project, killed.id, "weapon", "text")
    assert names(fieldsvc.effective_fields(project, killed.id)) == ["count", "who", "weapon"]


def test_a_field_name_used_along_the_branch_is_refused(project):
    with pytest.raises(Conflict, match="Casualties"):
        fieldsvc.add_field(project, code(project, "Casualties/Killed").id, "Count", "integer")
    fieldsvc.add_field(project, code(project, "Casualties/Killed").id, "weapon", "text")
    with pytest.raises(Conflict):
        fieldsvc.add_field(project, code(project, "Casualties").id, "weapon", "text")
    # a cousin may use the name
    fieldsvc.add_field(project, code(project, "Actors").id, "count", "integer")


@pytest.mark.parametrize(
    "ftype,choices,message",
    [("colour", (), "unknown field type"), ("choice", (), "at least one"), ("integer", ("a",), "only a choice"),
     ("choice", ("a", "A"), "twice")],
)  # fmt: skip
def test_bad_field_definitions_are_refused(project, ftype, choices, message):
    with pytest.raises(ServiceError, match=message):
        fieldsvc.add_field(project, code(project, "Claims").id, "x", ftype, choices=choices)


def test_values_are_validated_stored_canonically_and_editable(project, doc, ana):
    c = apply(project, doc, ana, "Casualties/Killed", "At least 12 civilians were killed")
    old = fieldsvc.set_coding_values(project, c.id, {"count": "1,200", "who": "CIVILIANS"})
    assert old == {f: None for f in old} and len(old) == 2
    by_name = {f.name: f.id for f in fieldsvc.effective_fields(project, c.code_id)}
    assert fieldsvc.coding_values(project, c.id) == {
        by_name["count"]: "1200", by_name["who"]: "civilians",
    }  # fmt: skip
    # edit later; undo with what was returned
    old = fieldsvc.set_coding_values(project, c.id, {by_name["count"]: "12", "who": ""})
    assert old == {by_name["count"]: "1200", by_name["who"]: "civilians"}
    assert fieldsvc.coding_values(project, c.id) == {by_name["count"]: "12"}
    fieldsvc.set_coding_values(project, c.id, old)
    assert fieldsvc.coding_values(project, c.id)[by_name["who"]] == "civilians"
    assert audit.history(project, entity="coding", entity_id=c.id)[-1].new == {
        "values": {"count": "1200", "who": "civilians"}
    }


def test_invalid_values_change_nothing(project, doc, ana):
    c = apply(project, doc, ana, "Casualties/Killed", "At least 12 civilians were killed")
    with pytest.raises(ServiceError, match="count: 'twelve' is not a whole number"):
        fieldsvc.set_coding_values(project, c.id, {"who": "civilians", "count": "twelve"})
    with pytest.raises(ServiceError, match="not one of"):
        fieldsvc.set_coding_values(project, c.id, {"who": "bystanders"})
    with pytest.raises(ServiceError, match="no field 'stance'"):
        fieldsvc.set_coding_values(project, c.id, {"stance": "for"})
    assert fieldsvc.coding_values(project, c.id) == {}


def test_required_fields_are_enforced_on_request(project, doc, ana):
    killed = code(project, "Casualties/Killed")
    count = fieldsvc.list_fields(project, code(project, "Casualties").id)[0]
    fieldsvc.update_field(project, count.id, required=True)
    c = apply(project, doc, ana, "Casualties/Killed", "At least 12 civilians were killed")
    assert fieldsvc.missing_required(project, c.id) == ["count"]
    with pytest.raises(ServiceError, match="missing required field"):
        fieldsvc.set_coding_values(project, c.id, {"who": "civilians"}, require_complete=True)
    assert fieldsvc.coding_values(project, c.id) == {}
    fieldsvc.set_coding_values(
        project, c.id, {"who": "civilians", "count": "3"}, require_complete=True
    )
    assert fieldsvc.missing_required(project, c.id) == []
    assert killed.id == c.code_id


def test_set_values_inside_a_callers_session(project, doc, ana):
    c = apply(project, doc, ana, "Claims", "Rebels said")
    with project.session() as s:
        fieldsvc.set_coding_values(s, c.id, {"speaker": "rebels"}, actor="importer")
    assert list(fieldsvc.coding_values(project, c.id).values()) == ["rebels"]
    assert audit.history(project, entity="coding", entity_id=c.id)[-1].actor == "importer"


def test_update_field_checks_stored_values_and_undoes(project, doc, ana):
    c = apply(project, doc, ana, "Claims", "Rebels said")
    fieldsvc.set_coding_values(project, c.id, {"stance": "neutral", "speaker": "12"})
    stance, speaker = fieldsvc.list_fields(project, code(project, "Claims").id)
    with pytest.raises(Conflict, match="1 coding value"):
        fieldsvc.update_field(project, stance.id, choices=["for", "against"])
    old, new = fieldsvc.update_field(project, speaker.id, type="integer", name="speakers")
    assert new["type"] == "integer"
    fieldsvc.update_field(project, speaker.id, **old)
    assert fieldsvc.get_field(project, speaker.id) == speaker
    with pytest.raises(Conflict):
        fieldsvc.update_field(project, stance.id, type="date")


def test_delete_field_asks_and_restores_with_values(project, doc, ana):
    c = apply(project, doc, ana, "Claims", "Rebels said")
    fieldsvc.set_coding_values(project, c.id, {"stance": "for"})
    stance = fieldsvc.list_fields(project, code(project, "Claims").id)[0]
    with pytest.raises(ConfirmationNeeded):
        fieldsvc.delete_field(project, stance.id)
    snap = fieldsvc.delete_field(project, stance.id, confirm_values=True)
    assert fieldsvc.coding_values(project, c.id) == {}
    assert fieldsvc.restore_field(project, snap) == stance
    assert fieldsvc.coding_values(project, c.id) == {stance.id: "for"}


def test_field_spec_text_round_trip():
    text = "count:integer:required; kind:choice:killed|in\\|jured; who\\:m:text"
    specs = fieldsvc.parse_field_specs(text)
    assert specs == [
        {"name": "count", "type": "integer", "choices": [], "required": True},
        {"name": "kind", "type": "choice", "choices": ["killed", "in|jured"], "required": False},
        {"name": "who:m", "type": "text", "choices": [], "required": False},
    ]
    assert fieldsvc.parse_field_specs(fieldsvc.format_field_specs(specs)) == specs
    with pytest.raises(ServiceError):
        fieldsvc.parse_field_specs("count")
    with pytest.raises(ServiceError):
        fieldsvc.parse_field_specs("count:integer:a|b")


def test_rename_choice_renames_stored_values_and_undoes(project, doc, ana):
    c = apply(project, doc, ana, "Casualties/Injured", "At least 12 civilians were killed")
    fieldsvc.set_coding_values(project, c.id, {"who": "combatants"})
    who = fieldsvc.list_fields(project, code(project, "Casualties").id)[1]
    assert fieldsvc.rename_choice(project, who.id, "Combatants", "fighters") == 1
    assert fieldsvc.get_field(project, who.id).choices == ("civilians", "fighters", "unknown")
    assert fieldsvc.coding_values(project, c.id) == {who.id: "fighters"}
    with pytest.raises(Conflict):
        fieldsvc.rename_choice(project, who.id, "fighters", "Civilians")
    with pytest.raises(ServiceError):
        fieldsvc.rename_choice(project, who.id, "bystanders", "x")
    fieldsvc.rename_choice(project, who.id, "fighters", "combatants")
    assert fieldsvc.get_field(project, who.id) == who
    assert fieldsvc.coding_values(project, c.id) == {who.id: "combatants"}


def test_field_names_clash_ignoring_case_beyond_ascii(project):
    claims = code(project, "Claims")
    fieldsvc.add_field(project, claims.id, "Ämter", "text")
    with pytest.raises(Conflict):
        fieldsvc.add_field(project, claims.id, "ämter", "text")
    with pytest.raises(Conflict):
        fieldsvc.add_field(project, code(project, "Claims/Denials").id, "ÄMTER", "integer")
