from __future__ import annotations

import pytest

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import Conflict, ServiceError
from desktop.services.project import audit
from tests.services.conftest import ARTICLE


def span(text: str) -> tuple[int, int]:
    start = ARTICLE.index(text)
    return start, start + len(text)


def test_apply_stores_the_quote_in_code_points_after_an_emoji(project, doc, ana):
    killed = codebook.find_code(project, "Casualties/Killed")
    start, end = span("in Dera\u2019a province")
    c = codings.apply_coding(
        project, document_id=doc.id, code_id=killed.id, coder_id=ana.id, start=start, end=end
    )
    assert c.quote == "in Dera\u2019a province"
    assert codings.list_codings(project, document_id=doc.id) == [c]
    assert codebook.get_code(project, killed.id).codings == 1
    assert documents.list_documents(project)[0].codings == 1


@pytest.mark.parametrize("start,end", [(5, 5), (9, 3), (-1, 4), (0, len(ARTICLE) + 1)])
def test_ranges_outside_the_text_are_refused(project, doc, ana, start, end):
    code = codebook.find_code(project, "Actors")
    with pytest.raises(ServiceError):
        codings.apply_coding(
            project, document_id=doc.id, code_id=code.id, coder_id=ana.id, start=start, end=end
        )
    assert codings.list_codings(project) == []


def test_the_same_coding_twice_is_a_conflict(project, doc, ana):
    code = codebook.find_code(project, "Actors")
    codings.apply_coding(
        project, document_id=doc.id, code_id=code.id, coder_id=ana.id, start=0, end=6
    )
    with pytest.raises(Conflict):
        codings.apply_coding(
            project, document_id=doc.id, code_id=code.id, coder_id=ana.id, start=0, end=6
        )
    assert len(codings.list_codings(project)) == 1


def test_remove_then_restore_gives_back_the_same_coding(project, doc, ana):
    code = codebook.find_code(project, "Claims")
    c = codings.apply_coding(
        project, document_id=doc.id, code_id=code.id, coder_id=ana.id, start=0, end=6, memo="who?"
    )
    removed = codings.remove_coding(project, c.id)
    assert codings.list_codings(project) == []
    back = codings.restore_coding(project, removed)
    assert (back.id, back.start, back.end, back.memo, back.created_at) == (
        c.id,
        0,
        6,
        "who?",
        c.created_at,
    )


def test_memo_changes_and_every_change_is_audited(project, doc, ana):
    code = codebook.find_code(project, "Claims")
    c = codings.apply_coding(
        project, document_id=doc.id, code_id=code.id, coder_id=ana.id, start=0, end=6
    )
    assert codings.set_memo(project, c.id, "check source") == ""
    assert codings.get_coding(project, c.id).memo == "check source"
    codings.remove_coding(project, c.id)
    rows = audit.history(project, entity="coding", entity_id=c.id)
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert rows[1].old == {"memo": ""} and rows[1].new == {"memo": "check source"}
    assert all(r.actor == "ana" for r in rows)


def test_filters_by_coder_and_code(project, doc, ana):
    from desktop.services.teams import coders

    ben = coders.add_coder(project, "ben")
    a = codebook.find_code(project, "Actors")
    k = codebook.find_code(project, "Casualties/Killed")
    codings.apply_coding(project, document_id=doc.id, code_id=a.id, coder_id=ana.id, start=0, end=6)
    codings.apply_coding(project, document_id=doc.id, code_id=a.id, coder_id=ben.id, start=0, end=6)
    codings.apply_coding(
        project, document_id=doc.id, code_id=k.id, coder_id=ben.id, start=8, end=12
    )
    assert len(codings.list_codings(project, coder_ids=[ben.id])) == 2
    assert len(codings.list_codings(project, code_ids=[a.id])) == 2
    assert [c.coder_id for c in codings.list_codings(project, coder_ids=[ana.id])] == [ana.id]


def test_history_of_a_coding_imported_in_bulk_finds_the_import_entry(project, doc, ana, tmp_path):
    from desktop.services.exchange import csv_import

    csv_path = tmp_path / "c.csv"
    csv_path.write_text(
        "document,code,coder,start,end\nderaa.txt,Actors,ana,0,6\nderaa.txt,Claims,ana,0,6\n",
        "utf-8",
    )
    csv_import.import_codings_csv(project, csv_path)
    first, second = codings.list_codings(project)
    for c in (first, second):
        rows = audit.history(project, entity="coding", entity_id=c.id)
        assert [r.action for r in rows] == ["import"]
        assert rows[0].new["count"] == 2
    assert audit.history(project, entity="coding", entity_id=second.id + 1) == []
