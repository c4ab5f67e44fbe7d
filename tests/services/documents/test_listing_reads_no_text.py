"""Listing documents, exporting and importing codings and agreement read a document's
name, hash and length, never its text: on SQLite every such query is answered from the
listing index, so its cost follows the number of documents, not the size of the corpus
(a text is stored before those columns, and reading past it walks its pages)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import event

from desktop.services.documents import documents
from desktop.services.documents.listing import DocumentListing
from desktop.services.exchange import exchange


@pytest.fixture
def sqlite_only(project):
    if project.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps long text out of the row (TOAST)")
    return project


def document_queries(project, work) -> list[tuple[str, str]]:
    """(statement, SQLite's query plan) of each SELECT on the document table ``work()``
    runs that does not ask for the text."""
    seen: list[str] = []

    def remember(_conn, _cursor, statement, *_rest):
        flat = " ".join(statement.split())
        if flat.startswith("SELECT") and " FROM document" in flat and "document.text" not in flat:
            seen.append(statement)

    event.listen(project.engine, "before_cursor_execute", remember)
    try:
        work()
    finally:
        event.remove(project.engine, "before_cursor_execute", remember)
    out = []
    with project.engine.connect() as conn:
        for statement in seen:
            params = (None,) * statement.count("?")
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
            out.append((statement, " / ".join(r[-1] for r in plan)))
    return out


def test_the_document_list_reads_the_listing_index(sqlite_only, doc):
    plans = document_queries(sqlite_only, lambda: documents.list_documents(sqlite_only))
    assert plans, "list_documents ran no query on the document table"
    for statement, plan in plans:
        assert "COVERING INDEX ix_document_listing" in plan, (statement, plan)


def test_export_of_codings_reads_no_text(sqlite_only, doc):
    plans = document_queries(
        sqlite_only, lambda: exchange.export_codings(sqlite_only, io.StringIO())
    )
    assert plans
    for statement, plan in plans:
        assert "COVERING INDEX" in plan, (statement, plan)


def test_a_page_of_the_documents_list_reads_the_listing_index(sqlite_only, doc):
    listing = DocumentListing(sqlite_only)
    order = listing.order()
    plans = document_queries(sqlite_only, lambda: listing.rows(order.ids, order.names))
    assert plans, "the page's rows were read by no query on the document table"
    for statement, plan in plans:
        assert "COVERING INDEX ix_document_listing" in plan, (statement, plan)
