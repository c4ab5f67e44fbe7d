"""Saving a codebook as a template and starting projects from it."""

from __future__ import annotations

import json

import pytest

from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.errors import Conflict, ServiceError
from desktop.services.project import templates
from desktop.services.project.project import Project, template_path
from tests.services.codebook.test_codebook import code


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv(templates.ENV_DATA_DIR, str(folder))
    return folder


def snapshot_of(project):
    by_code = fieldsvc.fields_by_code(project)
    return [
        (c.path, c.color, c.description, c.inclusion, c.exclusion, c.examples,
         [(f.name, f.type, f.choices, f.required) for f in by_code[c.id] if f.code_id == c.id])
        for c in codebook.list_codes(project)
    ]  # fmt: skip


def test_shipped_templates_are_listed(data_dir):
    listed = {t.key: t for t in templates.list_templates()}
    assert listed["conflict-news"].builtin and listed["conflict-news"].codes == 13
    assert listed["empty"].codes == 0


def test_save_and_create_a_project_from_it(project, tmp_path, data_dir):
    claims = code(project, "Claims")
    codebook.add_example(project, claims.id, "they said")
    fieldsvc.add_field(
        project, code(project, "Casualties/Killed").id, "weapon", "text", required=True
    )
    info = templates.save_template(project, "My Study (2026)", description="for the pilot")
    assert info.key == "my-study-2026"
    assert info.path == data_dir / "templates" / "my-study-2026.json"
    assert json.loads(info.path.read_text("utf-8"))["name"] == "My Study (2026)"
    assert [t.key for t in templates.list_templates() if not t.builtin] == ["my-study-2026"]
    for key in ("my-study-2026", "My Study (2026)"):
        assert template_path(key) == info.path
    with Project.create(tmp_path / "new.tessera", template="My Study (2026)") as new:
        assert snapshot_of(new) == snapshot_of(project)


def test_overwrite_is_explicit_and_builtin_names_are_taken(project):
    templates.save_template(project, "pilot")
    with pytest.raises(Conflict):
        templates.save_template(project, "pilot")
    templates.save_template(project, "pilot", overwrite=True)
    with pytest.raises(Conflict):
        templates.save_template(project, "Conflict news")
    with pytest.raises(ServiceError):
        templates.save_template(project, "  ")


def test_unknown_template_lists_the_known_ones(project, tmp_path):
    templates.save_template(project, "pilot")
    with pytest.raises(ServiceError, match="conflict-news, empty, pilot"):
        Project.create(tmp_path / "x.tessera", template="nope")
    assert not (tmp_path / "x.tessera").exists()


def test_delete_template(project):
    templates.save_template(project, "pilot")
    templates.delete_template("pilot")
    assert [t for t in templates.list_templates() if not t.builtin] == []
    with pytest.raises(ServiceError):
        templates.delete_template("pilot")


def test_a_broken_template_is_refused_clearly(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"codes": [{"name": "A", "fields": [{"name": "x", "type": "colour"}]}]})
    )
    with pytest.raises(ServiceError, match="unknown field type"):
        Project.create(tmp_path / "y.tessera", template=str(bad))
