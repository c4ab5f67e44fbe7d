"""The documents as one table (what the Documents window shows), and an attribute deleted
then defined again with its values (what undo of a deletion needs)."""

from __future__ import annotations

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import attributes, cases, documents, sets
from desktop.services.documents.table import load_rows, load_table
from desktop.services.teams import coders


def _corpus(project):
    a = documents.add_document(project, name="b.txt", text="beta\n", kind="txt",
                               metadata={"title": "Beta", "date": "2019"})  # fmt: skip
    b = documents.add_document(project, name="a.txt", text="alpha\n", kind="txt")
    attributes.add_attribute(project, "outlet", "choice", ["Reuters", "AFP"])
    attributes.add_attribute(project, "words", "integer")
    attributes.set_values(project, a.id, {"outlet": "AFP", "words": 12})
    sets.add_set(project, "Phase 1")
    sets.add_set(project, "Empty")
    sets.add_members(project, "Phase 1", documents=[a.id, b.id])
    cases.add_case(project, "Syria desk")
    cases.set_documents(project, "Syria desk", [a.id])
    coder = coders.get_or_add_coder(project, "ana")
    code = codebook.list_codes(project)[1]
    codings.apply_coding(project, document_id=a.id, code_id=code.id, coder_id=coder.id,
                         start=0, end=4)  # fmt: skip
    return a.id, b.id


def test_the_table_has_every_document_with_its_values_sets_and_cases(project):
    a, b = _corpus(project)
    t = load_table(project)
    assert [x.name for x in t.attributes] == ["title", "author", "date", "source", "url",
                                              "outlet", "words"]  # fmt: skip
    assert [r.name for r in t.rows] == ["a.txt", "b.txt"]
    row_b = t.rows[1]
    assert row_b.id == a and row_b.codings == 1
    assert row_b.values == ("Beta", None, "2019", None, None, "AFP", "12")
    assert [t.sets[i] for i in row_b.sets] == ["Phase 1"] and set(t.sets.values()) == {
        "Phase 1", "Empty"}  # fmt: skip
    assert [t.cases[i] for i in row_b.cases] == ["Syria desk"]
    assert t.rows[0].values == (None,) * 7 and t.rows[0].cases == ()


def test_rows_are_read_again_by_id(project):
    a, b = _corpus(project)
    t = load_table(project)
    attributes.set_values(project, b, {"words": "7"})
    (row,) = load_rows(project, [b], t.attributes)
    assert row.values[-1] == "7" and row.name == "a.txt"
    documents.delete_document(project, b)
    assert load_rows(project, [b], t.attributes) == ()


def test_a_deleted_attribute_comes_back_with_its_values_in_its_place(project):
    a, b = _corpus(project)
    attributes.set_values(project, b, {"outlet": "Reuters"})
    removed = attributes.remove_attribute(project, "outlet")
    assert "outlet" not in [x.name for x in attributes.list_attributes(project)]
    assert removed.values == {a: "AFP", b: "Reuters"}
    documents.delete_document(project, b)  # a value's document may go in between
    back = attributes.restore_attribute(project, removed)
    assert back.type == "choice" and back.choices == ("Reuters", "AFP")
    assert [x.name for x in attributes.list_attributes(project)][-2:] == ["outlet", "words"]
    assert attributes.values_of(project, a)["outlet"] == "AFP"


def test_a_deleted_document_comes_back_with_all_that_went_with_it(project):
    from desktop.services.analysis import search
    from desktop.services.codebook import examples, fields
    from desktop.services.coding import memos
    from desktop.services.documents import removal

    a, b = _corpus(project)
    memos.set_document_memo(project, a, "Key article.")
    code = codebook.list_codes(project)[1]
    field = fields.add_field(project, code.id, "stance", "text")
    (coding,) = codings.list_codings(project, document_id=a)
    fields.set_coding_values(project, coding.id, {field.id: "hostile"})
    codings.set_memo(project, coding.id, "rebels' claim")
    example = examples.add_example_from_coding(project, code.id, coding.id)
    before = load_table(project)
    original = codings.get_coding(project, coding.id)
    removed = removal.remove_document(project, a, confirm_codings=True)
    assert removed.codings == 1 and documents.find_document(project, "b.txt") is None

    def linked() -> int | None:
        return next(
            e for e in examples.list_examples(project, code.id) if e.id == example.id
        ).coding_id

    assert example.coding_id == coding.id and linked() is None
    assert [h.document for h in search.search(project, "beta").all(project)] == []
    removal.restore_document(project, removed)
    assert load_table(project) == before
    d = documents.get_document(project, a)
    assert d.name == "b.txt" and d.title == "Beta"
    assert memos.document_memo(project, a) == "Key article."
    back = codings.get_coding(project, coding.id)
    assert back == original
    assert back.memo == "rebels' claim" and back.values == ((field.id, "hostile"),)
    assert linked() == coding.id
    assert [h.document for h in search.search(project, "beta").all(project)] == ["b.txt"]
    # the same text imported again meanwhile: it cannot come back, and says why
    removed = removal.remove_document(project, a, confirm_codings=True)
    documents.add_document(project, name="again.txt", text="beta\n", kind="txt")
    import pytest

    from desktop.services.errors import ServiceError

    with pytest.raises(ServiceError, match="same text is in the project again"):
        removal.restore_document(project, removed)
    assert documents.find_document(project, "b.txt") is None
