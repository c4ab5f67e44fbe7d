"""The shipped codebook templates ask only for what a code does not already say: no
field of a code (or inherited from its parents) offers a choice that restates the code's
own name, as "kind: killed" on Casualties/Killed did."""

from __future__ import annotations

import pytest

from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.project import templates
from desktop.services.project.project import Project


def _words(text: str) -> list[str]:
    return [w.rstrip("s") for w in text.casefold().replace("-", " ").split()]


def restates(choice: str, name: str) -> bool:
    """Whether a choice says what the code's name says ("killed" / "Killed", "civilian" /
    "Civilians", "state" / "State forces")."""
    a, b = _words(choice), _words(name)
    n = min(len(a), len(b))
    return n > 0 and a[:n] == b[:n]


def test_the_check_catches_a_restated_name():
    assert restates("killed", "Killed") and restates("civilian", "Civilians")
    assert restates("state", "State forces") and restates("international", "International actors")
    assert not restates("combatants", "Killed") and not restates("for", "Accusations")


@pytest.mark.parametrize("name", [t.key for t in templates.list_templates() if t.builtin])
def test_no_field_of_a_shipped_template_restates_its_code(tmp_path, name):
    with Project.create(tmp_path / "t.tessera", template=name) as p:
        restated = []
        for code in codebook.list_codes(p):
            for f in fieldsvc.effective_fields(p, code.id):
                restated += [
                    f"{code.path}: {f.name}={c}" for c in f.choices if restates(c, code.name)
                ]
        assert restated == []


def test_a_casualty_asks_for_the_count_and_who_not_the_kind(tmp_path):
    with Project.create(tmp_path / "t.tessera", template="conflict-news") as p:
        killed = codebook.find_code(p, "Casualties/Killed")
        assert [f.name for f in fieldsvc.effective_fields(p, killed.id)] == ["count", "who"]
        army = codebook.find_code(p, "Actors/State forces")
        assert fieldsvc.effective_fields(p, army.id) == []  # the sub-code says which actor
