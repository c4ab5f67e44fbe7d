"""Corpus search through the full-text index, and coding every hit."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop.services.analysis import search as svc
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from tests.services.analysis.conftest import TEXT_A, TEXT_B, span

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "projects"


def found(corpus, query, **kw):
    r = svc.search(corpus.project, query, **kw)
    return [(h.document, h.match) for h in r.all(corpus.project)]


def test_words_fold_case_and_give_kwic_lines(corpus):
    r = svc.search(corpus.project, "TALKS")
    [h] = r.all(corpus.project)
    assert (h.document, h.match, h.start, h.end) == ("a.txt", "Talks", *span(TEXT_A, "Talks"))
    assert h.left.endswith("civilians. ") and "\n" not in h.left  # one line per hit
    assert h.right.startswith(" on a ceasefire")


def test_prefix_phrase_and_boolean_operators(corpus):
    assert found(corpus, "negotiat*") == [("a.txt", "negotiators"), ("b.txt", "negotiations")]
    assert found(corpus, '"the army"') == [("a.txt", "the army")]
    assert found(corpus, "killed OR killing") == [("a.txt", "killing"), ("b.txt", "killed")]
    assert found(corpus, "negotiat* NOT envoy") == [("a.txt", "negotiators")]
    assert found(corpus, "negotiat* AND envoy") == [("b.txt", "envoy"), ("b.txt", "negotiations")]
    # an apostrophe separates words, as in the index
    assert found(corpus, "Dera\u2019a") == [("b.txt", "Dera\u2019a")]
    assert found(corpus, "army", documents=["b.txt"]) == []


def test_regex_option(corpus):
    assert found(corpus, r"\d+ civilians", regex=True) == [("a.txt", "12 civilians")]


@pytest.mark.parametrize(
    "query, regex, message",
    [
        ("", False, "empty"),
        ("   ", False, "empty"),
        ("AND talks", False, "AND needs a word"),
        ('"unclosed', False, "unmatched quote"),
        ("(talks", False, "not closed"),
        ("talks[", True, "invalid regular expression 'talks\\['"),
        ("!!!", False, "no letters or digits"),
    ],
)
def test_bad_queries_name_the_problem(corpus, query, regex, message):
    with pytest.raises(ServiceError, match=message):
        svc.search(corpus.project, query, regex=regex)


def test_the_index_follows_imports_and_deletions(corpus):
    p = corpus.project
    assert found(corpus, "envoy") == [("b.txt", "envoy")]
    documents.delete_document(p, corpus.b, confirm_codings=True)
    assert found(corpus, "envoy") == []
    documents.add_document(p, name="c.txt", text="An envoy again.", kind="txt")
    assert found(corpus, "envoy") == [("c.txt", "envoy")]


def test_a_project_made_before_the_index_is_indexed_on_upgrade(tmp_path):
    path = tmp_path / "old.tessera"
    shutil.copy(FIXTURES / "schema-v2.tessera", path)
    with Project.open(path) as p:
        r = svc.search(p, "ceasefire")
        assert [h.document for h in r.all(p)] == ["deraa.txt"]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM document_fts").fetchone()[0] == 3
    conn.close()


def test_code_all_previews_then_codes_in_one_step(corpus):
    p = corpus.project
    killed = corpus.ids["Casualties/Killed"]
    r = svc.search(p, "kill*")
    plan = svc.plan_code_all(p, r, "Casualties/Killed", corpus.ana, "sentence")
    sentence_a = span(TEXT_A, "Rebels accused the army of killing 12 civilians.")
    sentence_b = span(TEXT_B, "Nobody was killed in Dera\u2019a.")
    assert plan.passages == ((corpus.a, *sentence_a), (corpus.b, *sentence_b))
    assert plan.already_coded == ()
    # by word: ana's "killing 12 civilians" already covers the word "killing"
    by_word = svc.plan_code_all(p, r, "Casualties/Killed", corpus.ana, "word")
    assert by_word.already_coded == ((corpus.a, *span(TEXT_A, "killing")),)
    assert len(by_word.to_code) == 1
    before = len(codings.list_codings(p, code_ids=[killed]))
    report = svc.code_all(p, plan)
    assert len(report.coding_ids) == 2
    got = {
        (c.document_id, c.start, c.end)
        for c in codings.list_codings(p, code_ids=[killed], coder_ids=[corpus.ana])
    }
    assert {(corpus.a, *sentence_a), (corpus.b, *sentence_b)} <= got
    # running it again finds everything already coded
    again = svc.plan_code_all(p, r, "Casualties/Killed", corpus.ana, "sentence")
    assert again.to_code == ()
    assert svc.remove_codings(p, report.coding_ids) == 2
    assert len(codings.list_codings(p, code_ids=[killed])) == before


def test_code_all_is_all_or_nothing(corpus, monkeypatch):
    p = corpus.project
    plan = svc.plan_code_all(p, svc.search(p, "kill*"), "Casualties/Killed", corpus.ana, "sentence")
    real = codings.insert_coding
    calls = []

    def failing(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise ServiceError("disk trouble")
        return real(*a, **k)

    monkeypatch.setattr(codings, "insert_coding", failing)
    n = len(codings.list_codings(p))
    with pytest.raises(ServiceError):
        svc.code_all(p, plan)
    assert len(codings.list_codings(p)) == n


ARABIC = "قال الجيشُ إنّ الحـــرب انتهت. قُتِلَ ١٢ مدنيا في الحرب.\n"
PERSIAN = "می\u200cخواهم بروم. ۱۲ نفر کشته شدند.\n"


@pytest.fixture
def folding_corpus(tmp_path):
    p = Project.create(tmp_path / "f.tessera")
    documents.add_document(p, name="ar.txt", text=ARABIC, kind="txt")
    documents.add_document(p, name="fa.txt", text=PERSIAN, kind="txt")
    documents.add_document(
        p, name="fr.txt", text="Un cafe\u0301 noir, un café crème. Straße\n", kind="txt"
    )
    yield p
    p.close()


def _hits(p, query, **kw):
    return [(h.document, h.match) for h in svc.search(p, query, **kw).all(p)]


def test_search_folds_harakat_tatweel_digits_and_points_at_the_original(folding_corpus):
    p = folding_corpus
    # the index alone cuts "قُتِلَ" at its marks and keeps the tatweel: found by folding
    assert _hits(p, "قتل") == [("ar.txt", "قُتِلَ")]
    assert _hits(p, "الحرب") == [("ar.txt", "الحـــرب"), ("ar.txt", "الحرب")]
    assert _hits(p, "12") == [("ar.txt", "١٢"), ("fa.txt", "۱۲")]
    assert _hits(p, "میخواهم") == [("fa.txt", "می\u200cخواهم")]
    [h] = svc.search(p, "قتل").all(p)
    assert ARABIC[h.start : h.end] == "قُتِلَ"


def test_search_folds_nfc_nfd_and_full_case(folding_corpus):
    p = folding_corpus
    assert _hits(p, "café") == [("fr.txt", "cafe\u0301"), ("fr.txt", "café")]
    assert _hits(p, "cafe") == []  # accents are letters: "cafe" is another word
    assert _hits(p, "STRASSE") == [("fr.txt", "Straße")]


def test_exact_search_matches_the_same_characters_only(folding_corpus):
    p = folding_corpus
    assert _hits(p, "قتل", exact=True) == []
    assert _hits(p, "الحرب", exact=True) == [("ar.txt", "الحرب")]
    assert _hits(p, "café", exact=True) == [("fr.txt", "café")]
    assert _hits(p, "CAFÉ", exact=True) == []


CHINESE = "联合国秘书长呼吁立即停火。秘书长说停火。\n"
JAPANESE = "日本の首相は停戦を呼びかけた。首相は言った。\n"
THAI = "เป็นเวลาสามวันที่มีการสู้รบ เขาสามารถหนีได้\n"


@pytest.fixture
def unspaced_corpus(tmp_path):
    p = Project.create(tmp_path / "u.tessera")
    for name, text in (("ja.txt", JAPANESE), ("th.txt", THAI), ("zh.txt", CHINESE)):
        documents.add_document(p, name=name, text=text, kind="txt")
    documents.add_document(p, name="en.txt", text="The ceasefire (停火) held.\n", kind="txt")
    yield p
    p.close()


def test_words_of_scripts_without_spaces_are_found_as_dictionary_words(unspaced_corpus):
    p = unspaced_corpus
    # the index holds "联合国秘书长呼吁立即停火" as one word: these are found in the text
    assert _hits(p, "秘书") == [("zh.txt", "秘书"), ("zh.txt", "秘书")]
    assert _hits(p, "秘书长") == [("zh.txt", "秘书长"), ("zh.txt", "秘书长")]
    assert _hits(p, "停火") == [("en.txt", "停火"), ("zh.txt", "停火"), ("zh.txt", "停火")]
    assert _hits(p, "首相") == [("ja.txt", "首相"), ("ja.txt", "首相")]
    # "สาม" (three) is a word in "สามวัน", not inside "สามารถ" (can)
    assert _hits(p, "สาม") == [("th.txt", "สาม")]
    # across two dictionary words, never half of one
    assert _hits(p, "书长") == [] and _hits(p, "国秘") == []
    [h] = svc.search(p, "สาม").all(p)
    assert THAI[h.start : h.end] == "สาม" and h.left == "เป็นเวลา" and h.right.startswith("วัน")


def test_operators_phrases_and_prefixes_in_scripts_without_spaces(unspaced_corpus):
    p = unspaced_corpus
    assert _hits(p, "停火 NOT ceasefire") == [("zh.txt", "停火"), ("zh.txt", "停火")]
    assert _hits(p, "停火 AND ceasefire") == [("en.txt", "ceasefire"), ("en.txt", "停火")]
    assert _hits(p, "首相 OR สาม") == [("ja.txt", "首相"), ("ja.txt", "首相"), ("th.txt", "สาม")]
    assert _hits(p, '"秘书 长"') == [("zh.txt", "秘书长"), ("zh.txt", "秘书长")]
    assert _hits(p, "停*") == [("en.txt", "停火"), ("ja.txt", "停戦"), ("zh.txt", "停火"),
                               ("zh.txt", "停火")]  # fmt: skip
    assert _hits(p, "秘书", exact=True) == [("zh.txt", "秘书"), ("zh.txt", "秘书")]
