"""tessera retrieve | search | matrix, as scripts use them."""

from __future__ import annotations

import json
import subprocess
import sys

import docx
import pytest

from desktop.cli.main import main
from desktop.services.coding import codings
from desktop.services.project.project import Project
from tests.services.analysis.conftest import TEXT_A, build, span


@pytest.fixture
def proj(tmp_path):
    path = tmp_path / "c.tessera"
    with Project.create(path, template="conflict-news") as p:
        build(p)
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_retrieve_json_shape_and_counts(proj, capsys):
    status, out, _ = run(capsys, "retrieve", proj, "--code", "Casualties/Killed", "--where",
                         "count >= 10", "--context", "sentence", "--format", "json")  # fmt: skip
    assert status == 0
    doc = json.loads(out)
    [p] = doc["passages"]
    assert {k: p[k] for k in ("document", "code", "coder", "start", "end", "text")} == {
        "document": "a.txt", "code": "Casualties/Killed", "coder": "ana",
        "start": span(TEXT_A, "killing 12 civilians")[0], "end": span(TEXT_A, "killing 12 civilians")[1],
        "text": "killing 12 civilians",
    }  # fmt: skip
    assert p["before"] == "Rebels accused the army of " and p["values"]["count"] == "12"
    assert doc["counts"] == {
        "total": 1,
        "codes": {"Casualties/Killed": 1},
        "documents": {"a.txt": 1},
    }


def test_retrieve_combinations_from_the_shell(proj, capsys):
    _, out, _ = run(capsys, "retrieve", proj, "--code", "Claims/Accusations", "--and",
                    "Actors/State forces", "--format", "json")  # fmt: skip
    assert [p["text"] for p in json.loads(out)["passages"]] == ["the army"]
    _, out, _ = run(capsys, "retrieve", proj, "--code", "Actors/State forces", "--near",
                    "Claims/Accusations", "--within", "19", "--format", "json")  # fmt: skip
    assert len(json.loads(out)["passages"]) == 2
    _, out, _ = run(capsys, "retrieve", proj, "--code", "Actors/State forces", "--followed-by",
                    "Casualties/Killed", "--within", "5", "--format", "csv")  # fmt: skip
    lines = out.splitlines()
    assert lines[0].startswith("document,page,code,coder,start,end,text") and len(lines) == 2


def test_retrieve_html_and_docx_appendix(proj, capsys, tmp_path):
    out = tmp_path / "appendix.docx"
    status, _, err = run(capsys, "retrieve", proj, "--code", "Casualties", "--subcodes",
                         "--format", "docx", "-o", out)  # fmt: skip
    assert status == 0 and "2 passages" in err
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "killing 12 civilians" in text and "a.txt, characters" in text
    html = tmp_path / "a.html"
    run(capsys, "retrieve", proj, "--code", "Casualties/Killed", "--format", "html", "-o", html)
    assert "<mark>killing 12 civilians</mark>" in html.read_text("utf-8")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["retrieve", "{p}", "--code", "Nope"], "no code named 'Nope'"),
        (
            ["retrieve", "{p}", "--code", "Casualties/Killed", "--where", "size > 3"],
            "no field 'size'",
        ),
        (
            ["retrieve", "{p}", "--code", "Casualties/Killed", "--context", "chapter"],
            "unknown context",
        ),
        (["search", "{p}", "("], "not closed"),
        (["search", "{p}", ""], "empty"),
        (["search", "{p}", "a[", "--regex"], "invalid regular expression"),
        (
            ["matrix", "{p}", "--codes", "Casualties/Killed", "--by", "colour"],
            "no attribute 'colour'",
        ),
        (["search", "{p}", "kill*", "--code-all", "Nope"], "no code named 'Nope'"),
    ],
)
def test_bad_input_fails_with_a_message_and_changes_nothing(proj, capsys, argv, message):
    with Project.open(proj) as p:
        before = len(codings.list_codings(p))
    status, out, err = run(capsys, *[a.replace("{p}", str(proj)) for a in argv])
    assert status == 1 and message in err and "Traceback" not in err
    with Project.open(proj) as p:
        assert len(codings.list_codings(p)) == before


def test_search_json_and_code_all(proj, capsys):
    status, out, _ = run(capsys, "search", proj, "negotiat*", "--format", "json")
    doc = json.loads(out)
    assert status == 0 and doc["total"] == 2
    assert doc["hits"][0].keys() >= {"document", "start", "end", "left", "match", "right"}
    assert [h["match"] for h in doc["hits"]] == ["negotiators", "negotiations"]
    status, out, _ = run(capsys, "search", proj, "kill*", "--code-all", "Casualties/Killed",
                         "--extend", "word", "--coder", "ana", "--dry-run")  # fmt: skip
    assert status == 0 and out.startswith("would code 1:") and "1 already coded" in out
    status, out, _ = run(capsys, "search", proj, "kill*", "--code-all", "Casualties/Killed",
                         "--extend", "word", "--coder", "ana")  # fmt: skip
    assert out.startswith("coded 1:")
    _, out, _ = run(capsys, "search", proj, "kill*", "--code-all", "Casualties/Killed",
                    "--extend", "word", "--coder", "ana", "--dry-run")  # fmt: skip
    assert out.startswith("would code 0:")


def test_code_all_needs_a_coder_when_there_are_several(proj, capsys):
    status, _, err = run(capsys, "search", proj, "kill*", "--code-all", "Casualties/Killed")
    assert status == 1 and "--coder" in err


def test_matrix_json_and_cooccurrence(proj, capsys):
    _, out, _ = run(capsys, "matrix", proj, "--codes", "Casualties/Killed", "Actors/State forces",
                    "--by", "coder", "--format", "json")  # fmt: skip
    assert json.loads(out) == {"rows": ["Casualties/Killed", "Actors/State forces"],
                               "columns": ["ana", "ben"], "counts": [[1, 1], [2, 0]]}  # fmt: skip
    _, out, _ = run(capsys, "matrix", proj, "--codes", "Actors/State forces", "Claims/Accusations",
                    "--cooccurrence", "--format", "json")  # fmt: skip
    doc = json.loads(out)
    assert doc["counts"] == [[0, 1], [1, 0]] and doc["c_coefficient"][0][1] == 0.5
    status, out, _ = run(capsys, "matrix", proj, "--codes", "Actors/State forces",
                         "Claims/Accusations", "--cooccurrence", "--same", "paragraph")  # fmt: skip
    assert status == 0 and out.splitlines()[1] == "Actors/State forces,0,2,2"


def test_blind_as_a_coder(proj, capsys):
    run(capsys, "blind", "on", proj, "--reviewer", "rev")
    _, out, _ = run(
        capsys, "retrieve", proj, "--code", "Casualties/Killed", "--as", "ben", "--format", "json"
    )
    assert [p["coder"] for p in json.loads(out)["passages"]] == ["ben"]


def test_the_console_script_runs_retrieve(proj):
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli.main", "retrieve", str(proj), "--code",
         "Casualties/Killed", "--format", "json"],
        capture_output=True, text=True, encoding="utf-8",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"]["total"] == 2


def test_search_cli_folds_by_default_and_exact_on_request(tmp_path, capsys):
    from desktop.cli.main import main
    from desktop.services.documents import documents as docs
    from desktop.services.project.project import Project

    path = tmp_path / "ar.tessera"
    p = Project.create(path)
    docs.add_document(p, name="ar.txt", text="قُتِلَ ١٢ مدنيا.\n", kind="txt")
    p.close()
    assert main(["search", str(path), "قتل 12", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(h["match"], h["start"], h["end"]) for h in out["hits"]] == [
        ("قُتِلَ", 0, 6),
        ("١٢", 7, 9),
    ]
    assert main(["search", str(path), "قتل", "--exact", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0


def test_every_query_keeps_to_a_set_or_a_case(proj, capsys):
    assert run(capsys, "sets", "add", proj, "Phase 1", "--where", "source = Reuters")[0] == 0
    _, out, _ = run(capsys, "retrieve", proj, "--code", "Casualties/Killed", "--set", "Phase 1",
                    "--format", "json")  # fmt: skip
    assert [p["document"] for p in json.loads(out)["passages"]] == ["a.txt"]
    _, out, _ = run(capsys, "retrieve", proj, "--code", "Casualties/Killed", "--where",
                    'document.set != "Phase 1"', "--format", "json")  # fmt: skip
    assert [p["document"] for p in json.loads(out)["passages"]] == ["b.txt"]
    _, out, _ = run(capsys, "search", proj, "negotiat*", "--set", "Phase 1", "--format", "json")
    assert [h["match"] for h in json.loads(out)["hits"]] == ["negotiators"]
    _, out, _ = run(capsys, "words", proj, "--set", "Phase 1", "--format", "json")
    doc = json.loads(out)
    assert doc["documents"] == 1 and "envoy" not in {r["word"] for r in doc["rows"]}
    _, out, _ = run(capsys, "matrix", proj, "--codes", "Casualties/Killed", "Actors/State forces",
                    "--by", "set", "--format", "json")  # fmt: skip
    assert json.loads(out) == {"rows": ["Casualties/Killed", "Actors/State forces"],
                               "columns": ["Phase 1", "(none)"], "counts": [[1, 1], [2, 0]]}  # fmt: skip
    status, _, err = run(capsys, "words", proj, "--set", "Phase 2")
    assert status == 1 and "no set named 'Phase 2'" in err
    status, _, err = run(capsys, "retrieve", proj, "--code", "Casualties/Killed", "--case", "Syria")
    assert status == 1 and "no case named 'Syria'" in err


def test_chart_tables_from_the_shell(proj, capsys):
    _, out, _ = run(capsys, "chart", proj, "codes", "--by", "source")
    assert out.splitlines()[:2] == ["code,AFP,Reuters,total", "Actors/State forces,0,2,2"]
    _, out, _ = run(capsys, "chart", proj, "field", "--code", "Casualties", "--field", "count",
                    "--by", "who", "--period", "year", "--format", "json")  # fmt: skip
    doc = json.loads(out)
    assert (doc["categories"], doc["series"], doc["values"]) == (["2018", "2019"], ["civilians"],
                                                                [[12, 0]])  # fmt: skip
    _, out, _ = run(capsys, "chart", proj, "time", "--codes", "Casualties/Killed", "--period",
                    "month")  # fmt: skip
    lines = out.splitlines()
    assert lines[0] == "month,Casualties/Killed,total"
    assert lines[1] == "2018-03,1,1" and lines[-1] == "2019-01,1,1" and len(lines) == 12
    status, _, err = run(capsys, "chart", proj, "field", "--code", "Casualties")
    assert status == 1 and "needs --code PATH and --field NAME" in err
    status, _, err = run(capsys, "chart", proj, "field", "--code", "Casualties", "--field", "who")
    assert status == 1 and "'who' is a choice field" in err
