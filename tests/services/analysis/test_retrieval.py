"""Coded passages across the corpus: the combinations a researcher asks for."""

from __future__ import annotations

import pytest

from desktop.services.analysis.retrieval import RetrievalQuery, retrieve
from desktop.services.errors import ServiceError
from desktop.services.teams import teams
from tests.services.analysis.conftest import TEXT_A, span


def quotes(corpus, query, **kw):
    result = retrieve(corpus.project, query, **kw)
    return [p.text for p in result.page(corpus.project, 0, 100)]


def test_a_code_lists_its_passages_across_documents_in_order(corpus):
    q = RetrievalQuery("Casualties/Killed")
    result = retrieve(corpus.project, q)
    passages = result.page(corpus.project, 0, 10)
    assert [(p.document, p.text, p.coder) for p in passages] == [
        ("a.txt", "killing 12 civilians", "ana"),
        ("b.txt", "killed", "ben"),
    ]
    assert passages[0].values == {"count": "12", "who": "civilians"}
    assert result.counts_by_document() == {"a.txt": 1, "b.txt": 1}
    assert result.counts_by_code() == {"Casualties/Killed": 2}


def test_subcodes_are_included_on_request(corpus):
    assert quotes(corpus, RetrievalQuery("Casualties")) == []
    assert len(quotes(corpus, RetrievalQuery("Casualties", subcodes=True))) == 2


def test_and_is_the_text_coded_with_both(corpus):
    got = retrieve(
        corpus.project, RetrievalQuery("Claims/Accusations", op="and", other="Actors/State forces")
    )
    [p] = got.page(corpus.project, 0, 10)
    assert p.text == "the army" and (p.start, p.end) == span(TEXT_A, "the army")
    assert p.code == "Claims/Accusations AND Actors/State forces" and p.coder == "ana"
    assert p.coding_id is None


def test_not_keeps_passages_sharing_no_character(corpus):
    got = quotes(
        corpus, RetrievalQuery("Actors/State forces", op="not", other="Claims/Accusations")
    )
    assert got == ["Government troops"]


def test_or_lists_each_coding_once(corpus):
    got = quotes(corpus, RetrievalQuery("Actors/State forces", op="or", other="Casualties/Killed"))
    assert got == ["Government troops", "the army", "killing 12 civilians", "killed"]


def test_near_within_characters_and_same_sentence(corpus):
    # "Government troops" ends 19 characters before "Rebels accused ..." starts.
    far = RetrievalQuery("Actors/State forces", op="near", other="Claims/Accusations", within=10)
    assert quotes(corpus, far) == ["the army"]  # it overlaps (distance 0)
    close = RetrievalQuery("Actors/State forces", op="near", other="Claims/Accusations", within=19)
    assert quotes(corpus, close) == ["Government troops", "the army"]
    sentence = RetrievalQuery(
        "Actors/State forces", op="near", other="Claims/Accusations", same="sentence"
    )
    assert quotes(corpus, sentence) == ["the army"]
    paragraph = RetrievalQuery(
        "Actors/State forces", op="near", other="Claims/Accusations", same="paragraph"
    )
    assert quotes(corpus, paragraph) == ["Government troops", "the army"]


def test_followed_by_counts_only_what_starts_after(corpus):
    q = RetrievalQuery("Actors/State forces", op="followed_by", other="Casualties/Killed", within=5)
    assert quotes(corpus, q) == ["the army"]  # " of " then "killing"
    q = RetrievalQuery(
        "Casualties/Killed", op="followed_by", other="Actors/State forces", within=1000
    )
    assert quotes(corpus, q) == []


def test_conditions_on_fields_documents_and_memos(corpus):
    assert quotes(corpus, RetrievalQuery("Casualties/Killed", where=("count >= 10",))) == [
        "killing 12 civilians"
    ]
    assert quotes(
        corpus, RetrievalQuery("Casualties/Killed", where=("Casualties: count < 10",))
    ) == ["killed"]
    assert quotes(
        corpus, RetrievalQuery("Casualties/Killed", where=("document.source = afp",))
    ) == ["killed"]
    assert quotes(
        corpus, RetrievalQuery("Casualties/Killed", where=("document.date <= 2018",))
    ) == ["killing 12 civilians"]
    assert quotes(corpus, RetrievalQuery("Actors/State forces", where=("memo ~ VERIFY",))) == [
        "the army"
    ]


@pytest.mark.parametrize(
    "query, message",
    [
        (RetrievalQuery("Nope/Nothing"), "no code named 'Nope/Nothing'"),
        (RetrievalQuery("Casualties/Killed", where=("casualties >= 3",)), "no field 'casualties'"),
        (RetrievalQuery("Casualties/Killed", where=("count >= many",)), "'many' is not a number"),
        (RetrievalQuery("Casualties/Killed", where=("document.date >= last week",)), "not a date"),
        (
            RetrievalQuery("Casualties/Killed", where=("document.colour = red",)),
            "no attribute 'colour'",
        ),
        (RetrievalQuery("Casualties/Killed", coders=("zoe",)), "no coder named 'zoe'"),
        (RetrievalQuery("Casualties/Killed", op="near", other="Actors"), "needs a distance"),
    ],
)
def test_bad_input_names_the_problem(corpus, query, message):
    with pytest.raises(ServiceError, match=message):
        retrieve(corpus.project, query)


def test_context_sentence_paragraph_and_words(corpus):
    r = retrieve(corpus.project, RetrievalQuery("Casualties/Killed", documents=("a.txt",)))
    [p] = r.page(corpus.project, 0, 1, context="sentence")
    assert p.before + p.text + p.after == "Rebels accused the army of killing 12 civilians."
    [p] = r.page(corpus.project, 0, 1, context="paragraph")
    assert p.before.startswith("Government") and p.after == "."
    [p] = r.page(corpus.project, 0, 1, context=2)
    assert p.before == "army of " and p.after == ".\nTalks on"


def test_blind_mode_shows_only_the_coders_own_codings(corpus):
    teams.set_blind(corpus.project, True, reviewer_name="rev")
    visible = teams.visible_coder_ids(corpus.project, corpus.ben)
    got = quotes(corpus, RetrievalQuery("Casualties/Killed"), visible_coders=visible)
    assert got == ["killed"]
    # asking for another coder's codings in blind mode gives nothing, not their codings
    got = quotes(
        corpus, RetrievalQuery("Casualties/Killed", coders=("ana",)), visible_coders=visible
    )
    assert got == []


def test_sorting_by_coder(corpus):
    r = retrieve(corpus.project, RetrievalQuery("Casualties/Killed")).sorted_by(
        "coder", descending=True
    )
    assert [p.coder for p in r.page(corpus.project)] == ["ben", "ana"]


def test_a_scan_read_in_stretches_of_ids_finds_the_same_passages(corpus, monkeypatch):
    from desktop.services.analysis import fetch, matrix

    q = RetrievalQuery("Actors", subcodes=True, op="near", other="Claims", within=40)
    whole = [(p.document, p.start, p.end) for p in retrieve(corpus.project, q).page(corpus.project)]
    codes = ["Actors/State forces", "Claims/Accusations", "Casualties/Killed"]
    cooc = matrix.cooccurrence_matrix(corpus.project, codes, same="sentence")
    monkeypatch.setattr(fetch, "_SCAN_ROWS", 2)  # a query per two ids
    got = [(p.document, p.start, p.end) for p in retrieve(corpus.project, q).page(corpus.project)]
    assert got == whole and len(whole) == 2
    assert matrix.cooccurrence_matrix(corpus.project, codes, same="sentence") == cooc
