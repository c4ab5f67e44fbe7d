"""Attributes, sets, cases, memos, categories and the document filter, through the
services a window or the CLI calls."""

from __future__ import annotations

import pytest

from desktop.services.codebook import codebook
from desktop.services.coding import codings, memos
from desktop.services.coding.codings import CategoryNotCodable
from desktop.services.documents import attributes, attributes_csv, cases, documents, sets
from desktop.services.documents.filter import DocumentFilter
from desktop.services.errors import ConfirmationNeeded, ServiceError
from desktop.services.project.audit import history


@pytest.fixture
def corpus(project):
    ids = {}
    for i, (_outlet, date, _words) in enumerate(
        [("Reuters", "2018-03-01", 500), ("AFP", "2018-07-09", 1200), ("Reuters", "2019-01-02", 80)]
    ):
        d = documents.add_document(project, name=f"a{i}.txt", text=f"article {i}\n", kind="txt",
                                   metadata={"date": date, "title": f"Title {i}"})  # fmt: skip
        ids[i] = d.id
    attributes.add_attribute(project, "outlet", "choice", ["Reuters", "AFP"])
    attributes.add_attribute(project, "words", "integer")
    for i, (outlet, words) in enumerate([("reuters", "500"), ("AFP", 1200), ("Reuters", "80")]):
        attributes.set_values(project, ids[i], {"outlet": outlet, "words": words})
    return ids


def test_builtin_attributes_hold_the_metadata_and_cannot_be_removed(project, corpus):
    d = documents.get_document(project, corpus[0])
    assert d.title == "Title 0" and d.date == "2018-03-01"
    assert attributes.values_of(project, d.id)["title"] == "Title 0"
    with pytest.raises(ServiceError, match="built-in"):
        attributes.delete_attribute(project, "title", confirm_values=True)
    with pytest.raises(ServiceError, match="built-in"):
        attributes.rename_attribute(project, "date", "when")
    documents.update_metadata(project, d.id, title="")
    assert documents.get_document(project, d.id).title is None


def test_typed_values_are_checked_and_stored_canonically(project, corpus):
    assert attributes.values_of(project, corpus[0])["outlet"] == "Reuters"
    with pytest.raises(ServiceError, match="not a whole number"):
        attributes.set_values(project, corpus[0], {"words": "many", "outlet": "AFP"})
    # nothing of a rejected change is stored
    assert attributes.values_of(project, corpus[0])["outlet"] == "Reuters"
    with pytest.raises(ConfirmationNeeded):
        attributes.delete_attribute(project, "words")
    assert attributes.delete_attribute(project, "words", confirm_values=True) == 3


def test_filter_by_attributes_sets_and_cases(project, corpus):
    def ids(text, **kw):
        return DocumentFilter.parse(text, **kw).document_ids(project)

    assert ids("outlet = Reuters and date in 2018") == [corpus[0]]
    assert ids("words >= 500") == [corpus[0], corpus[1]]
    assert ids("outlet in AFP, Reuters") == list(corpus.values())
    assert ids("outlet != AFP") == [corpus[0], corpus[2]]
    made = sets.set_from_filter(project, "Reuters 2018", "outlet = Reuters and date in 2018")
    assert made.documents == (corpus[0],)
    assert ids("set = 'Reuters 2018'") == [corpus[0]]
    attributes.add_attribute(project, "country", "text", scope="case")
    cases.add_case(project, "Syria desk", values={"country": "Syria"})
    cases.set_documents(project, "Syria desk", [corpus[1]])
    assert ids("case.country = syria") == [corpus[1]]
    assert ids("", cases=["Syria desk"]) == [corpus[1]]
    with pytest.raises(ServiceError, match="no attribute 'tone'.*outlet"):
        ids("tone > 1")
    with pytest.raises(ServiceError, match="not a number"):
        ids("words > lots")


def test_sets_hold_documents_and_codes(project, corpus):
    code = codebook.add_code(project, "Talks")
    sets.add_set(project, "core")
    assert sets.add_members(project, "core", documents=[corpus[1]], codes=[code.id]) == 2
    assert sets.add_members(project, "core", documents=[corpus[1]]) == 0
    info = sets.get_set(project, "core")
    assert info.documents == (corpus[1],) and info.codes == (code.id,)
    sets.remove_members(project, "core", codes=[code.id])
    assert sets.get_set(project, "core").codes == ()


def test_category_is_refused_with_a_message(project, doc, ana):
    cat = codebook.add_code(project, "Groups", is_codable=False)
    child = codebook.add_code(project, "Groups/Rebels")
    assert codebook.get_code(project, cat.id).is_codable is False
    with pytest.raises(CategoryNotCodable, match="'Groups' is a category"):
        codings.apply_coding(project, document_id=doc.id, code_id=cat.id, coder_id=ana.id,
                             start=0, end=6)  # fmt: skip
    codings.apply_coding(project, document_id=doc.id, code_id=child.id, coder_id=ana.id,
                         start=0, end=6)  # fmt: skip
    codebook.update_code(project, cat.id, is_codable=True)
    codings.apply_coding(project, document_id=doc.id, code_id=cat.id, coder_id=ana.id,
                         start=0, end=6)  # fmt: skip


def test_memos_of_every_kind_are_listed_searched_audited_and_exported(project, doc, ana, tmp_path):
    code = codebook.add_code(project, "Talks")
    c = codings.apply_coding(project, document_id=doc.id, code_id=code.id, coder_id=ana.id,
                             start=0, end=6, memo="rebels quoted")  # fmt: skip
    memos.add_journal_entry(project, "First pass done", title="Day 1")
    memos.set_document_memo(project, doc.id, "a wire story about rebels")
    memos.set_code_memo(project, code.id, "includes ceasefires")
    found = memos.list_memos(project)
    assert [x.kind for x in found] == ["journal", "document", "code", "coding"]
    assert found[3].owner_id == c.id and "deraa.txt" in found[3].about
    assert [x.kind for x in memos.list_memos(project, "REBELS")] == ["document", "coding"]
    for ext in ("md", "html", "docx"):
        assert memos.export_memos(found, tmp_path / f"m.{ext}") == 4
    assert "includes ceasefires" in (tmp_path / "m.md").read_text()
    entities = {e.entity for e in history(project)}
    assert {"journal_entry", "document", "code"} <= entities


def test_attributes_csv_round_trip_and_all_or_nothing(project, corpus, tmp_path):
    out = tmp_path / "a.csv"
    assert attributes_csv.export_attributes_csv(project, out) == 3
    before = attributes.all_values(project)
    text = out.read_bytes().decode("utf-8")
    bad = text.replace(",500\r\n", ",5oo\r\n").replace("AFP", "BBC") + "missing.txt,,,,,,,,\r\n"
    (tmp_path / "bad.csv").write_bytes(bad.encode("utf-8"))
    report = attributes_csv.import_attributes_csv(project, tmp_path / "bad.csv")
    assert not report.ok and len(report.problems) == 3
    assert any(p.startswith("line 2, column 'words'") for p in report.problems)
    assert any("column 'outlet'" in p and "BBC" in p for p in report.problems)
    assert any("missing.txt" in p for p in report.problems)
    assert attributes.all_values(project) == before
    (tmp_path / "good.csv").write_bytes(text.replace(",500\r\n", ",501\r\n").encode("utf-8"))
    report = attributes_csv.import_attributes_csv(project, tmp_path / "good.csv")
    assert report.ok and report.values == 1
    attributes_csv.export_attributes_csv(project, tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes().decode("utf-8") == text.replace(
        ",500\r\n", ",501\r\n"
    )


def test_merge_and_copy_for_coder_carry_the_study(project, corpus, tmp_path):
    from desktop.services.teams import merge, teams

    code = codebook.add_code(project, "Talks")
    sets.add_set(project, "core")
    sets.add_members(project, "core", documents=[corpus[0]], codes=[code.id])
    copy = tmp_path / "ben.tessera"
    teams.copy_for_coder(project, "ben", copy)
    from desktop.services.project.project import Project

    with Project.open(copy) as ben:
        ben.actor = "ben"
        assert attributes.values_of(ben, corpus[0])["outlet"] == "Reuters"
        attributes.add_attribute(ben, "tone", "decimal")
        attributes.set_values(ben, corpus[1], {"tone": "0.5", "outlet": "Reuters"})
        attributes.set_values(ben, corpus[2], {"words": 81})
        sets.add_members(ben, "core", documents=[corpus[1]])
        memos.add_journal_entry(ben, "ben's note")
        memos.set_code_memo(ben, code.id, "ben: about talks")
        attributes.add_attribute(ben, "country", "text", scope="case")
        cases.add_case(ben, "Desk", values={"country": "UK"})
        cases.set_documents(ben, "Desk", [corpus[2]])
    report = merge.merge_projects(project, [copy])
    assert report.sources[0].ok, report.sources[0].describe()
    vals = attributes.all_values(project)
    assert vals[corpus[1]]["tone"] == "0.5"
    assert vals[corpus[1]]["outlet"] == "AFP"  # differing value: the target's kept, and said
    assert vals[corpus[2]]["words"] == "80"
    text = "\n".join(report.sources[0].describe())
    assert "'AFP' here and 'Reuters' in the source" in text and "'80' here" in text
    assert sets.get_set(project, "core").documents == (corpus[0], corpus[1])
    assert cases.get_case(project, "Desk").values == {"country": "UK"}
    kinds = [x.text for x in memos.list_memos(project)]
    assert "ben's note" in kinds and "ben: about talks" in kinds


def test_choices_are_added_renamed_and_removed_with_the_values_that_hold_them(project, corpus):
    # rename Reuters -> Reuters UK and add BBC: the two documents holding Reuters follow
    edit = attributes.edit_choices(project, "outlet", ["Reuters UK", "AFP", "BBC"],
                                   {"Reuters": "Reuters UK"})  # fmt: skip
    assert attributes.get_attribute(project, "outlet").choices == ("Reuters UK", "AFP", "BBC")
    outlets = {d: attributes.values_of(project, d).get("outlet") for d in corpus.values()}
    assert sorted(outlets.values()) == ["AFP", "Reuters UK", "Reuters UK"]
    # removing AFP, which one document holds, is refused with the count...
    with pytest.raises(ConfirmationNeeded, match="1 document holds the removed choice 'AFP'") as e:
        attributes.edit_choices(project, "outlet", ["Reuters UK", "BBC"])
    assert e.value.count == 1
    assert attributes.values_of(project, corpus[1])["outlet"] == "AFP"  # nothing changed
    # ...and clears that value once confirmed; restoring puts choices and value back
    cleared = attributes.edit_choices(project, "outlet", ["Reuters UK", "BBC"],
                                      clear_removed=True)  # fmt: skip
    assert "outlet" not in attributes.values_of(project, corpus[1])
    attributes.restore_choices(project, cleared)
    assert attributes.values_of(project, corpus[1])["outlet"] == "AFP"
    attributes.restore_choices(project, edit)
    assert attributes.get_attribute(project, "outlet").choices == ("Reuters", "AFP")
    assert attributes.values_of(project, corpus[0])["outlet"] == "Reuters"
    with pytest.raises(ServiceError, match="listed twice"):
        attributes.edit_choices(project, "outlet", ["AFP", "afp"])
    with pytest.raises(ServiceError, match="only a choice"):
        attributes.edit_choices(project, "words", ["1"])


def test_a_removed_case_or_set_comes_back_whole(project, corpus):
    attributes.add_attribute(project, "region", "text", scope="case")
    cases.add_case(project, "Syria", "the country", {"region": "Levant"})
    cases.set_documents(project, "Syria", [corpus[0], corpus[1]])
    gone = cases.remove_case(project, "Syria")
    assert cases.list_cases(project) == []
    assert documents.get_document(project, corpus[0]) is not None  # documents stay
    cases.restore_case(project, gone)
    back = cases.get_case(project, "Syria")
    assert (back.memo, back.values, back.documents, back.guid) == (
        "the country", {"region": "Levant"}, (corpus[0], corpus[1]), gone.guid)  # fmt: skip
    sets.add_set(project, "Phase 1", "early")
    code = codebook.add_code(project, "Violence")
    sets.add_members(project, "Phase 1", documents=[corpus[2]], codes=[code.id])
    removed = sets.remove_set(project, "Phase 1")
    assert sets.list_sets(project) == []
    sets.restore_set(project, removed)
    again = sets.get_set(project, "Phase 1")
    assert (again.memo, again.documents, again.codes) == ("early", (corpus[2],), (code.id,))


def test_memos_with_characters_word_cannot_hold_still_export(project, doc, tmp_path):
    """A bell or a reversed byte-order mark pasted into a memo is left out of the Word
    file (XML cannot carry it) instead of failing the export."""
    memos.set_document_memo(project, doc.id, "pasted \x07 from a terminal \ufffe here")
    found = memos.list_memos(project)
    for ext in ("md", "html", "docx"):
        assert memos.export_memos(found, tmp_path / f"odd.{ext}") == 1
    import docx

    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "odd.docx")).paragraphs)
    assert "pasted  from a terminal  here" in text
