"""Document sets and cases across the analysis services: every query keeps to the
documents of chosen sets or cases, matrices and charts count by set or case, and a
number field of the codings is summed over time."""

from __future__ import annotations

import pytest

from desktop.services.analysis import charts, matrix, saved, search, words
from desktop.services.analysis.retrieval import RetrievalQuery, retrieve
from desktop.services.codebook import codebook, fields
from desktop.services.coding import codings
from desktop.services.documents import attributes, cases, documents, sets
from desktop.services.errors import NotFound, ServiceError
from desktop.services.project.project import Project
from desktop.services.teams import coders


@pytest.fixture
def grouped(corpus):
    """The corpus with a.txt in the set "Phase 1" and b.txt in the case Syria."""
    p = corpus.project
    sets.add_set(p, "Phase 1")
    sets.add_members(p, "Phase 1", documents=[corpus.a])
    attributes.add_attribute(p, "country", scope="case")
    cases.add_case(p, "Syria", values={"country": "Syria"})
    cases.set_documents(p, "Syria", [corpus.b])
    return corpus


def _docs(result, project) -> list[str]:
    return [x.document for x in result.page(project, 0, 100)]


def test_retrieval_keeps_to_a_set_or_a_case(grouped):
    p = grouped.project
    killed = RetrievalQuery("Casualties/Killed")
    assert _docs(retrieve(p, killed), p) == ["a.txt", "b.txt"]
    in_set = retrieve(p, RetrievalQuery("Casualties/Killed", sets=("Phase 1",)))
    assert _docs(in_set, p) == ["a.txt"]
    assert _docs(retrieve(p, RetrievalQuery("Casualties/Killed", cases=("Syria",))), p) == ["b.txt"]
    # the same as conditions, as the documents filter writes them
    for cond, expected in (('document.set = "Phase 1"', ["a.txt"]),
                           ("document.set != Phase 1", ["b.txt"]),
                           ("document.case in Syria, Nowhere", None),
                           ("document.case.country = syria", ["b.txt"])):  # fmt: skip
        q = RetrievalQuery("Casualties/Killed", where=(cond,))
        if expected is None:
            with pytest.raises(NotFound, match="no case named 'Nowhere'"):
                retrieve(p, q)
        else:
            assert _docs(retrieve(p, q), p) == expected, cond
    with pytest.raises(NotFound, match="no set named 'Phase 2'"):
        retrieve(p, RetrievalQuery("Casualties/Killed", sets=("Phase 2",)))


def test_search_words_and_matrices_keep_to_a_set(grouped):
    p = grouped.project
    assert search.search(p, "killed").documents == ((grouped.b, "b.txt"),)
    assert search.search(p, "killed", sets=["Phase 1"]).documents == ()
    assert [d for _, d in search.search(p, "civilians", sets=["Phase 1"]).documents] == ["a.txt"]
    r = words.word_frequencies(p, sets=["Phase 1"], collocations=0)
    assert r.documents == 1 and "envoy" not in {w.word for w in r.rows}
    r = words.word_frequencies(p, cases=["Syria"], collocations=0)
    assert r.documents == 1 and "envoy" in {w.word for w in r.rows}
    m = matrix.code_matrix(p, ["Casualties/Killed"], sets=["Phase 1"])
    assert (m.columns, m.counts) == (("a.txt",), ((1,),))
    c = matrix.cooccurrence_matrix(p, ["Actors/State forces", "Claims/Accusations"],
                                   cases=["Syria"])  # fmt: skip
    assert c.totals == (0, 0)


def test_matrix_by_set_and_by_case(grouped):
    p = grouped.project
    sets.add_set(p, "Everything")
    sets.add_members(p, "Everything", documents=[grouped.a, grouped.b])
    codes = ["Actors/State forces", "Casualties/Killed"]
    m = matrix.code_matrix(p, codes, "set")
    # a document in two sets counts in both; none is in no set
    assert m.columns == ("Everything", "Phase 1")
    assert m.counts == ((2, 2), (2, 1))
    m = matrix.code_matrix(p, codes, "case", measure="documents")
    assert m.columns == ("Syria", "(none)")  # a.txt belongs to no case
    assert m.counts == ((0, 1), (1, 1))


def test_frequencies_stacked_by_set_or_attribute(grouped):
    p = grouped.project
    data = charts.frequencies(p, ["Actors/State forces", "Casualties/Killed"], by="set")
    assert data.series == ("Phase 1", "(none)")
    assert data.values == ((2, 1), (0, 1))
    data = charts.frequencies(p, ["Casualties/Killed"], by="source")
    assert dict(zip(data.series, data.values, strict=True)) == {"AFP": (1,), "Reuters": (1,)}


def test_saved_query_names_a_deleted_set(grouped):
    p = grouped.project
    saved.save_query(p, "phase", "retrieve", {"code": "Casualties/Killed", "sets": ["Phase 1"]})
    assert saved.open_query(p, "phase").problems == ()
    sets.delete_set(p, "Phase 1")
    assert saved.open_query(p, "phase").problems == (
        "saved query 'phase' uses the set 'Phase 1', which no longer exists",
    )


# -- a number field summed over time ---------------------------------------------------


@pytest.fixture
def reports(project_target):
    """Casualty reports over three weeks of March 2018 (week 11 reports none), and one
    report without a date."""
    p = Project.create(project_target, template="conflict-news")
    p.actor = "ana"
    ana = coders.add_coder(p, "ana").id
    ben = coders.add_coder(p, "ben").id
    ids = {c.path: c.id for c in codebook.list_codes(p)}
    # the kind of harm as a choice field of its own (the template has count and who)
    fields.add_field(p, ids["Casualties"], "kind", "choice", choices=("killed", "injured"))
    for name, date, reports_ in (
        ("mon.txt", "2018-03-05", [("Casualties/Killed", 5, "killed", ana),
                                   ("Casualties/Injured", 3, "injured", ana)]),
        ("wed.txt", "2018-03-07", [("Casualties/Killed", 2, "killed", ben)]),
        ("later.txt", "2018-03-21", [("Casualties/Killed", 4, "killed", ana),
                                     ("Casualties/Killed", 1, None, ben)]),
        ("undated.txt", None, [("Casualties/Killed", 7, "killed", ana)]),
    ):  # fmt: skip
        meta = {"date": date} if date else {}
        text = f"{name}: people were killed and injured near the border."
        doc = documents.add_document(p, name=name, text=text, kind="txt", metadata=meta)
        for k, (path, count, kind, coder) in enumerate(reports_):
            c = codings.apply_coding(p, document_id=doc.id, code_id=ids[path], coder_id=coder,
                                     start=k, end=k + 10)  # fmt: skip
            fields.set_coding_values(p, c.id, {"count": count} | ({"kind": kind} if kind else {}))
    yield p
    p.close()


def test_a_number_field_summed_per_week_by_kind(reports):
    data = charts.field_over_time(reports, "Casualties", "count", by="kind", period="week")
    assert data.categories == ("2018-W10", "2018-W11", "2018-W12")  # the empty week shown
    assert dict(zip(data.series, data.values, strict=True)) == {
        "injured": (3, 0, 0),
        "killed": (7, 0, 4),
        "(none)": (0, 0, 1),
    }
    assert data.skipped == 1  # the undated report
    assert "count of Casualties per week" in data.title


def test_a_number_field_by_code_coder_or_in_all(reports):
    data = charts.field_over_time(reports, "Casualties", "count", period="month")
    assert (data.categories, data.series, data.values) == (("2018-03",), ("count",), ((15,),))
    data = charts.field_over_time(reports, "Casualties", "count", by="code", period="month")
    assert data.series == ("Casualties/Killed", "Casualties/Injured")  # codebook order
    assert data.values == ((12,), (3,))
    data = charts.field_over_time(reports, "Casualties", "count", by="coder", period="month")
    assert dict(zip(data.series, data.values, strict=True)) == {"ana": (12,), "ben": (3,)}
    # blind coding: ben sees his own reports only
    ben = next(c.id for c in coders.list_coders(reports) if c.name == "ben")
    data = charts.field_over_time(reports, "Casualties", "count", period="month",
                                  visible_coders=[ben])  # fmt: skip
    assert data.values == ((3,),)
    # conditions as for retrieval
    data = charts.field_over_time(reports, "Casualties", "count", period="month",
                                  where=["kind = killed"])  # fmt: skip
    assert data.values == ((11,),)


def test_a_field_chart_names_what_it_cannot_sum(reports):
    with pytest.raises(NotFound, match="no field 'deaths' .*fields: count, kind, who"):
        charts.field_over_time(reports, "Casualties", "deaths")
    with pytest.raises(ServiceError, match="'kind' is a choice field"):
        charts.field_over_time(reports, "Casualties", "kind")
    with pytest.raises(NotFound, match="no field 'colour'"):
        charts.field_over_time(reports, "Casualties", "count", by="colour")
    with pytest.raises(NotFound, match="no attribute 'published'"):
        charts.field_over_time(reports, "Casualties", "count", attribute="published")
    with pytest.raises(ServiceError, match="period takes year, month, week"):
        charts.field_over_time(reports, "Casualties", "count", period="day")


def test_codings_over_time_show_the_empty_periods_between(reports):
    data = charts.over_time(reports, ["Casualties/Killed"], period="week")
    assert data.categories == ("2018-W10", "2018-W11", "2018-W12")
    assert data.values == ((2, 0, 2),) and data.skipped == 1
