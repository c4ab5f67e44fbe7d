"""The window's side of "the file system says no": a coding applied while the disk is
full (or the project is in use) becomes the context's error message, leaves no undo
entry and no half-written row, and the next action works. Needs Qt (no window)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project import storage_errors
from desktop.services.project.project import Project

pytest.importorskip("PySide6")


@pytest.fixture
def ctx(tmp_path):
    from desktop.ui.workbench.context import Context

    storage_errors.install()  # what desktop/app.py should do at start-up
    p = Project.create(tmp_path / "w.tessera")
    codebook.add_code(p, "Talks")
    documents.add_document(p, name="d.txt", text="The talks failed. " * 20, kind="txt")
    c = Context(p)
    c.set_coder("ana")
    yield c
    p.close()


@pytest.mark.parametrize(
    "message, words",
    [("database or disk is full", "the disk is full"), ("database is locked", "in use")],
)
def test_a_refused_save_is_a_message_not_a_crash(ctx, message, words):
    from desktop.ui.coding.commands import ApplyCoding

    errors: list[str] = []
    ctx.error.connect(errors.append)
    doc = documents.list_documents(ctx.project)[0]
    code = codebook.list_codes(ctx.project)[0]

    def fail(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError(message)

    event.listen(ctx.project.engine, "before_cursor_execute", fail)
    try:
        ok = ctx.run(
            ApplyCoding(ctx, document_id=doc.id, start=0, end=9, code_id=code.id, label="Talks")
        )
    finally:
        event.remove(ctx.project.engine, "before_cursor_execute", fail)
    assert ok is False
    assert len(errors) == 1 and words in errors[0]
    assert ctx.undo_stack.count() == 0
    assert codings.list_codings(ctx.project) == []
    assert ctx.run(
        ApplyCoding(ctx, document_id=doc.id, start=0, end=9, code_id=code.id, label="Talks")
    )
    assert len(codings.list_codings(ctx.project)) == 1
