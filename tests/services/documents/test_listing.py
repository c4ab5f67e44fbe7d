"""The documents list read a page at a time: the order (filtered and sorted by the
database) agrees with sorting every document in Python, and a page's rows are the
documents as ``list_documents`` gives them, counting the chosen coders' codings."""

from __future__ import annotations

import pytest

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.documents.listing import SORT_KEYS, DocumentListing
from desktop.services.teams import coders

NAMES = [
    "b.txt",
    "A.txt",
    "c 10%.txt",
    "c_1.txt",
    "Beta.pdf",
    "alpha.docx",
    "a!b.txt",
    "c1.txt",
    "Ärger.txt",
]


@pytest.fixture
def listed(project):
    """Eight documents of three kinds, some paged, coded by two coders."""
    ana, ben = coders.add_coder(project, "ana"), coders.add_coder(project, "ben")
    code = codebook.find_code(project, "Actors").id
    docs = []
    for i, name in enumerate(NAMES):
        kind = name.rsplit(".", 1)[1]
        pages = [(0, 3), (3, 6)][: i % 3] if kind == "pdf" or i % 3 else None
        docs.append(documents.add_document(project, name=name, text=f"text {i} of {name}",
                                           kind=kind, pages=pages))  # fmt: skip
    for i, d in enumerate(docs):
        for k in range(i % 4):
            who = ana if k % 2 else ben
            codings.apply_coding(project, document_id=d.id, code_id=code, coder_id=who.id,
                                 start=k, end=k + 2)  # fmt: skip
    return project, ana, ben


def reference(project, key: str, descending: bool, contains: str = "", coder_ids=None):
    """The order as Python sorts every document: by the key, ties by name A to Z."""
    docs = [d for d in documents.list_documents(project, coder_ids)
            if contains.lower() in d.name.lower()]  # fmt: skip
    by_name = sorted(docs, key=lambda d: (d.name.lower(), d.name, d.id), reverse=descending)
    if key == "name":
        return [d.id for d in by_name]
    value = {"kind": lambda d: d.kind, "pages": lambda d: d.pages, "codings": lambda d: d.codings}
    return [d.id for d in sorted(sorted(docs, key=lambda d: (d.name.lower(), d.name, d.id)),
                                 key=value[key], reverse=descending)]  # fmt: skip


@pytest.mark.parametrize("key", SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_the_order_is_the_documents_sorted_by_each_column(listed, key, descending):
    project, ana, _ben = listed
    for coder_ids in (None, [ana.id]):
        order = DocumentListing(project, coder_ids).order("", key, descending)
        assert order.ids == reference(project, key, descending, coder_ids=coder_ids)
        names = {d.id: d.name for d in documents.list_documents(project)}
        assert order.names == [names[i] for i in order.ids]


@pytest.mark.parametrize("contains", ["A", "c_", "10%", "!b", ".TXT", "zz", "ärg", "ÄRGER"])
def test_the_filter_matches_a_part_of_the_name_whatever_its_case(listed, contains):
    project = listed[0]
    order = DocumentListing(project).order(contains, "name")
    assert order.ids == reference(project, "name", False, contains)
    if contains in ("c_", "10%", "ärg", "ÄRGER"):  # LIKE's wildcards are plain letters
        assert len(order.ids) == 1


def test_a_page_of_rows_is_the_documents_as_listed(listed):
    project, ana, ben = listed
    everyone = {d.id: d for d in documents.list_documents(project)}
    mine = {d.id: d for d in documents.list_documents(project, [ana.id])}
    order = DocumentListing(project).order("", "codings", True)
    page = order.ids[2:6]
    assert DocumentListing(project).rows(page, order.names[2:6]) == [everyone[i] for i in page]
    assert DocumentListing(project, [ana.id]).rows(page) == [mine[i] for i in page]
    assert DocumentListing(project, []).rows(page)[0].codings == 0
    assert DocumentListing(project).info(page[0]) == everyone[page[0]]


def test_a_deleted_document_has_no_row_and_the_order_knows_its_rows(listed):
    project = listed[0]
    listing = DocumentListing(project)
    order = listing.order()
    gone = order.ids[1]
    documents.delete_document(project, gone, confirm_codings=True)
    assert [d.id for d in listing.rows(order.ids[:3], order.names[:3])] == [
        order.ids[0], order.ids[2]]  # fmt: skip
    assert listing.info(gone) is None
    assert order.row_of(order.ids[2]) == 2 and order.row_of(-5) == -1


def test_any_paged(project):
    listing = DocumentListing(project)
    assert not listing.any_paged()
    documents.add_document(project, name="a.txt", text="abc", kind="txt")
    assert not listing.any_paged()
    documents.add_document(project, name="b.pdf", text="abcdef", kind="pdf", pages=[(0, 6)])
    assert listing.any_paged()


def test_an_unknown_sort_key_is_refused(project):
    with pytest.raises(ValueError, match="sort documents by 'size'"):
        DocumentListing(project).order("", "size")
