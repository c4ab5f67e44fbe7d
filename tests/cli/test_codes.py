"""tessera codes ...: the codebook from the shell."""

from __future__ import annotations

import pytest

from desktop.cli.main import main
from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project import templates
from desktop.services.project.project import Project
from desktop.services.teams import coders

TEXT = "At least 12 civilians were killed, rebels said.\n"


@pytest.fixture
def proj(project_target):
    path = project_target
    Project.create(path, template="conflict-news").close()
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


def paths(path) -> list[str]:
    with Project.open(path) as p:
        return [c.path for c in codebook.list_codes(p)]


def coded(path) -> int:
    """Apply Casualties/Killed and Casualties/Injured to the same passage; return the coding id."""
    with Project.open(path) as p:
        d = documents.add_document(p, name="a.txt", text=TEXT, kind="txt")
        ana = coders.add_coder(p, "ana")
        ids = {c.path: c.id for c in codebook.list_codes(p)}
        c = codings.apply_coding(
            p, document_id=d.id, code_id=ids["Casualties/Killed"], coder_id=ana.id, start=0, end=33
        )
        codings.apply_coding(
            p, document_id=d.id, code_id=ids["Casualties/Injured"], coder_id=ana.id, start=0, end=33
        )
        codings.apply_coding(
            p,
            document_id=d.id,
            code_id=ids["Casualties/Injured"],
            coder_id=ana.id,
            start=35,
            end=41,
        )
        return c.id


def test_add_list_show(proj, capsys):
    status, out, _ = run(
        capsys,
        "codes",
        "add",
        proj,
        "Frames/Blame",
        "--color",
        "#123",
        "--description",
        "Who is blamed",
    )
    assert status == 0 and "added Frames/Blame (#112233)" in out
    status, out, _ = run(capsys, "codes", "list", proj, "--paths")
    assert "Frames/Blame" in out.splitlines()
    status, out, _ = run(capsys, "codes", "list", proj, "--fields")
    assert "  - count: integer" in out
    status, out, _ = run(capsys, "codes", "show", proj, "Casualties/Killed")
    assert "field: count: integer  (from Casualties)" in out
    assert "example 1: at least 12 people were killed" in out


def test_rename_recolor_move(proj, capsys):
    assert (
        run(capsys, "codes", "rename", proj, "Claims/Demands", "Requests")[1].strip()
        == "renamed Claims/Demands to Claims/Requests"
    )
    assert "-> #00ff00" in run(capsys, "codes", "recolour", proj, "Claims/Requests", "00ff00")[1]
    status, out, _ = run(
        capsys, "codes", "move", proj, "Claims/Requests", "Actors", "--position", "0"
    )
    assert status == 0 and "to Actors/Requests" in out
    assert paths(proj)[1] == "Actors/Requests"
    status, out, _ = run(capsys, "codes", "move", proj, "Actors/Requests")
    assert "to Requests" in out


def test_refusals_are_clear_and_change_nothing(proj, capsys):
    before = paths(proj)
    status, _, err = run(capsys, "codes", "move", proj, "Actors", "Actors/Civilians")
    assert status == 1 and "into itself or one of its sub-codes" in err
    status, _, err = run(capsys, "codes", "rename", proj, "Actors/Civilians", "State forces")
    assert status == 1 and "already exists" in err
    status, _, err = run(capsys, "codes", "recolor", proj, "Actors", "blueish")
    assert status == 1 and "invalid colour" in err
    status, _, err = run(capsys, "codes", "show", proj, "Nope")
    assert status == 1 and "no code 'Nope'" in err
    assert paths(proj) == before


def test_delete_asks_for_yes_when_codings_go(proj, capsys):
    coded(proj)
    status, _, err = run(capsys, "codes", "delete", proj, "Casualties")
    assert status == 1 and "3 codings" in err and "--yes" in err
    assert "Casualties" in paths(proj)
    status, out, _ = run(capsys, "codes", "delete", proj, "Casualties", "--yes")
    assert status == 0 and "deleted Casualties and 3 sub-codes, with 3 codings" in out
    assert not any(p.startswith("Casualties") for p in paths(proj))


def test_merge_reports_moves_and_duplicates(proj, capsys):
    coded(proj)
    status, out, _ = run(capsys, "codes", "merge", proj, "Casualties/Injured", "Casualties/Killed")
    assert status == 0
    assert (
        "merged Casualties/Injured into Casualties/Killed: 1 coding moved, 1 duplicate collapsed"
        in out
    )
    with Project.open(proj) as p:
        assert len(codings.list_codings(p)) == 2
        assert codebook.find_code(p, "Casualties/Injured") is None


def test_describe_and_examples(proj, capsys):
    coding_id = coded(proj)
    status, out, _ = run(
        capsys,
        "codes",
        "describe",
        proj,
        "Casualties/Killed",
        "--inclusion",
        "Deaths only",
        "--exclusion",
        "Injuries",
    )
    assert status == 0 and "set inclusion, exclusion" in out
    assert run(capsys, "codes", "describe", proj, "Casualties/Killed")[0] == 1
    run(capsys, "codes", "example", "add", proj, "Casualties/Killed", "two dead")
    run(capsys, "codes", "example", "add", proj, "Casualties/Killed", "--from-coding", coding_id)
    status, out, _ = run(capsys, "codes", "example", "list", proj, "Casualties/Killed")
    assert out.splitlines() == [
        "1. at least 12 people were killed", "2. two dead", f"3. At least 12 civilians were killed  (coding {coding_id})",
    ]  # fmt: skip
    assert (
        "removed example 'two dead'"
        in run(capsys, "codes", "example", "remove", proj, "Casualties/Killed", "2")[1]
    )
    assert run(capsys, "codes", "example", "remove", proj, "Casualties/Killed", "9")[0] == 1
    with Project.open(proj) as p:
        c = codebook.find_code(p, "Casualties/Killed")
        assert (c.inclusion, c.exclusion, len(c.examples)) == ("Deaths only", "Injuries", 2)


def test_fields_add_list_remove(proj, capsys):
    status, out, _ = run(
        capsys,
        "codes",
        "field",
        "add",
        proj,
        "Claims/Accusations",
        "target",
        "choice",
        "--choices",
        "army|rebels",
        "--required",
    )
    assert status == 0 and "added field target: choice (army | rebels), required" in out
    status, out, _ = run(capsys, "codes", "field", "list", proj, "Claims/Accusations")
    assert out.splitlines() == [
        "stance: choice (for | against | neutral)  (from Claims)", "speaker: text  (from Claims)",
        "target: choice (army | rebels), required",
    ]  # fmt: skip
    assert "Casualties: count: integer" in run(capsys, "codes", "field", "list", proj)[1]
    status, _, err = run(
        capsys, "codes", "field", "add", proj, "Casualties/Killed", "count", "integer"
    )
    assert status == 1 and "already applies" in err
    assert run(capsys, "codes", "field", "add", proj, "Claims", "x", "colour")[0] == 1
    assert (
        "removed field 'target'"
        in run(capsys, "codes", "field", "remove", proj, "Claims/Accusations", "target")[1]
    )


def test_field_remove_with_values_needs_yes(proj, capsys):
    cid = coded(proj)
    with Project.open(proj) as p:
        fieldsvc.set_coding_values(p, cid, {"count": "12"})
    status, _, err = run(capsys, "codes", "field", "remove", proj, "Casualties", "count")
    assert status == 1 and "--yes" in err
    assert (
        "and 1 value"
        in run(capsys, "codes", "field", "remove", proj, "Casualties", "count", "--yes")[1]
    )


def test_import_csv_and_refi(proj, tmp_path, capsys, shared_dir):
    csv = tmp_path / "book.csv"
    csv.write_text(
        "path,color,description\nActors,#000000,\nFrames,,Framing\nFrames/Blame,,\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "codes", "import", proj, csv, "--dry-run")
    assert "would import" in out and "Frames" not in paths(proj)
    status, out, _ = run(capsys, "codes", "import", proj, csv)
    assert status == 0
    assert "added Frames\nadded Frames/Blame\nupdated Actors: colour\n" in out
    assert out.rstrip().endswith("2 added, 1 updated, 0 unchanged")
    taguette = shared_dir / "refi" / "samples" / "taguette-1.4.1_codebook.qdc"
    status, out, _ = run(capsys, "codes", "import", proj, taguette)
    assert status == 0 and "(written by Taguette 1.4.1): 3 added" in out


def test_import_refusal_names_the_line(proj, tmp_path, capsys):
    csv = tmp_path / "bad.csv"
    csv.write_text("path,color\nA,#000\nA/B,nope\nA,\n", encoding="utf-8")
    before = paths(proj)
    status, _, err = run(capsys, "codes", "import", proj, csv)
    assert status == 1
    assert (
        "nothing imported" in err
        and "line 3: invalid colour" in err
        and "line 4: the path 'A' appears twice" in err
    )
    assert paths(proj) == before


def test_frequencies_table(proj, capsys):
    coded(proj)
    status, out, _ = run(capsys, "codes", "frequencies", proj)
    lines = out.splitlines()
    assert lines[0].split() == ["code", "a.txt", "total", "with", "sub-codes"]
    assert lines[-1].split() == ["Total", "3", "3"]
    assert any(line.split() == ["Casualties", "0", "3"] for line in lines)


def test_template_save_list_and_new(proj, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(templates.ENV_DATA_DIR, str(tmp_path / "data"))
    run(capsys, "codes", "add", proj, "Frames")
    status, out, _ = run(
        capsys, "codes", "template", "save", proj, "Pilot study", "--description", "first round"
    )
    assert status == 0 and "saved template 'pilot-study' (14 codes)" in out
    assert run(capsys, "codes", "template", "save", proj, "Pilot study")[0] == 1
    status, out, _ = run(capsys, "codes", "template", "list")
    assert "pilot-study" in out and "saved" in out and "conflict-news" in out
    new = tmp_path / "new.tessera"
    status, out, _ = run(capsys, "new", new, "--template", "pilot-study")
    assert status == 0 and "14 codes" in out
    assert paths(new) == paths(proj)
    assert run(capsys, "codes", "template", "delete", "pilot-study")[0] == 0


def test_export_codebook_and_frequencies_through_tessera_export(proj, tmp_path, capsys, shared_dir):
    from lxml import etree

    coded(proj)
    qdc = tmp_path / "book.qdc"
    status, out, err = run(
        capsys, "export", proj, "--what", "codebook", "--format", "qdc", "-o", qdc
    )
    assert status == 0, err
    etree.XMLSchema(etree.parse(str(shared_dir / "refi" / "Codebook.xsd"))).assertValid(
        etree.parse(str(qdc))
    )
    csv = tmp_path / "book.csv"
    assert run(capsys, "export", proj, "--what", "codebook", "--format", "csv", "-o", csv)[0] == 0
    other = tmp_path / "other.tessera"
    run(capsys, "new", other)
    assert run(capsys, "codes", "import", other, csv)[0] == 0
    assert paths(other) == paths(proj)
    freq = tmp_path / "f.csv"
    assert run(capsys, "export", proj, "--what", "frequencies", "-o", freq)[0] == 0
    assert "Casualties/Injured,2,2,2" in freq.read_text("utf-8").splitlines()


def test_field_set(proj, capsys):
    cid = coded(proj)
    with Project.open(proj) as p:
        fieldsvc.set_coding_values(p, cid, {"who": "combatants"})
    status, out, _ = run(
        capsys,
        "codes",
        "field",
        "set",
        proj,
        "Casualties",
        "who",
        "--rename-choice",
        "combatants",
        "fighters",
        "--required",
    )
    assert status == 0
    assert "renamed the value 'combatants' of 'who' to 'fighters' (1 coding value)" in out
    assert "field who: choice (civilians | fighters | unknown), required" in out
    status, _, err = run(
        capsys, "codes", "field", "set", proj, "Casualties", "who", "--choices", "civilians|unknown"
    )
    assert status == 1 and "would no longer be valid" in err
    assert (
        "field tally: integer"
        in run(capsys, "codes", "field", "set", proj, "Casualties", "count", "--rename", "tally")[1]
    )
    assert run(capsys, "codes", "field", "set", proj, "Casualties", "count")[0] == 1
