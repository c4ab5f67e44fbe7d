"""tessera words, and saved queries through tessera retrieve --save / --saved."""

from __future__ import annotations

import json

import pytest

from desktop.cli.main import main
from desktop.services.codebook import codebook
from desktop.services.documents import documents
from desktop.services.project.project import Project
from tests.services.analysis.conftest import build


@pytest.fixture
def proj(tmp_path):
    path = tmp_path / "c.tessera"
    with Project.create(path, template="conflict-news") as p:
        build(p)
        documents.add_document(
            p, name="c.txt", kind="txt", metadata={"source": "AFP"},
            text="Le cessez-le-feu a échoué. Les négociateurs et les négociateurs sont partis.\n"
                 "Die Verhandlungen sind gescheitert, und die Soldaten sind geblieben.\n",
        )  # fmt: skip
    return path


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_words_counts_without_stop_words_of_any_shipped_language(proj, capsys):
    status, out, _ = run(capsys, "words", proj, "--format", "json", "--top", "100")
    assert status == 0
    doc = json.loads(out)
    counted = {r["word"]: r["count"] for r in doc["rows"]}
    assert counted["négociateurs"] == 2 and counted["army"] == 1
    for stop in ("the", "les", "die", "und", "of", "et", "sind"):
        assert stop not in counted
    assert doc["documents"] == 3


def test_words_of_a_code_are_keyed_against_the_rest(proj, capsys):
    status, out, _ = run(capsys, "words", proj, "--code", "Casualties/Killed", "--format", "json")
    doc = json.loads(out)
    assert status == 0 and doc["code"] == "Casualties/Killed"
    assert {r["word"] for r in doc["rows"]} == {"killing", "civilians", "killed"}
    assert all(r["g2"] > 0 and r["reference"] == 0 for r in doc["rows"])


def test_words_where_document_attribute_and_project_stop_words(proj, capsys):
    status, out, _ = run(capsys, "words", proj, "--where", "document.source = AFP", "--format", "csv",
                         "--add-stopwords", "envoy", "--remove-stopwords", "nobody")  # fmt: skip
    assert status == 0
    words = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert "envoy" not in words and "army" not in words and "négociateurs" in words
    # the change is kept in the project: the next run leaves "envoy" out too
    _, out, _ = run(capsys, "words", proj, "--format", "json", "--top", "200")
    assert "envoy" not in {r["word"] for r in json.loads(out)["rows"]}


def test_words_bad_condition_is_named(proj, capsys):
    status, _, err = run(capsys, "words", proj, "--where", "count >= 3")
    assert status == 1 and "'count >= 3'" in err and "Traceback" not in err


def test_saved_query_reruns_and_reports_a_deleted_code(proj, capsys):
    status, out, err = run(capsys, "retrieve", proj, "--code", "Claims/Accusations", "--and",
                           "Actors/State forces", "--format", "json", "--save", "overlap")  # fmt: skip
    assert status == 0 and "saved as 'overlap'" in err
    first = json.loads(out)["passages"]
    status, out, _ = run(capsys, "retrieve", proj, "--saved", "overlap", "--format", "json")
    assert status == 0 and json.loads(out)["passages"] == first
    with Project.open(proj) as p:
        code = next(c for c in codebook.list_codes(p) if c.path == "Claims/Accusations")
        codebook.delete_code(p, code.id, confirm_codings=True)
    status, _, err = run(capsys, "retrieve", proj, "--saved", "overlap")
    assert status == 1 and "'Claims/Accusations', which no longer exists" in err


def test_chinese_japanese_and_thai_are_counted_by_dictionary_word(tmp_path, capsys):
    path = tmp_path / "u.tessera"
    with Project.create(path) as p:
        for name, text in (
            ("zh.txt", "联合国秘书长呼吁立即停火。秘书长说停火。\n"),
            ("ja.txt", "日本の首相は停戦を呼びかけた。首相は言った。\n"),
            ("th.txt", "เป็นเวลาสามวันที่มีการสู้รบ สามวัน\n"),
        ):
            documents.add_document(p, name=name, kind="txt", text=text)
    status, out, _ = run(capsys, "words", path, "--format", "json", "--top", "100")
    assert status == 0
    counted = {r["word"]: r["count"] for r in json.loads(out)["rows"]}
    assert counted["停火"] == 2 and counted["秘书"] == 2 and counted["首相"] == 2
    assert counted["สาม"] == 2 and counted["วัน"] == 2
    assert not any(len(w) > 4 for w in counted)  # no clause counted as one word
    status, out, _ = run(capsys, "search", path, "停火", "--format", "json")
    assert status == 0 and json.loads(out)["total"] == 2
