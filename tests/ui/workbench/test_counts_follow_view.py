"""The documents list and the codebook count the codings the view shows: the coder's own
in "my codings", everyone's in "all coders" (the status bar says whose)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.teams import coders
from tests.ui.helpers import select


def counts(window) -> tuple[int, int]:
    doc = window.documents_panel.model.info(window.document_id)
    state = codebook.find_code(window.project, "Actors/State forces").id
    return doc.codings, window.codebook_panel.model.code(state).codings


def test_counts_follow_the_coder_view(window, qtbot):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)  # mine
    other = coders.add_coder(window.project, "Jonas")
    text = window.viewer.text
    a = text.index("air strikes")
    codings.apply_coding(window.project, document_id=window.document_id,
                         code_id=codebook.find_code(window.project, "Actors/State forces").id,
                         coder_id=other.id, start=a, end=a + 11)  # fmt: skip
    window.set_view("mine")
    window.refresh_documents()
    window.refresh_codebook()
    assert counts(window) == (1, 1)
    window.set_view("all")
    assert counts(window) == (2, 2)
    window.set_view("mine")
    assert counts(window) == (1, 1)
