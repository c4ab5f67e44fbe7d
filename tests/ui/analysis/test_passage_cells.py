"""A passage cell shows only the lines that fit whole (a row never shows half a line)
and marks that there is more."""

from __future__ import annotations

from PySide6.QtGui import QFont, QTextDocument

from desktop.ui.analysis.models import _whole_lines


def document(words: int, width: int = 300) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultFont(QFont("DejaVu Sans", 10))
    doc.setDocumentMargin(2)
    doc.setPlainText(" ".join(["passage"] * words))
    doc.setTextWidth(width)
    doc.documentLayout().blockBoundingRect(doc.firstBlock())  # lay it out
    return doc


def test_only_whole_lines_are_shown_and_the_rest_is_marked(qapp):
    doc = document(200)  # many lines
    line = doc.firstBlock().layout().lineAt(0).height()
    for rows in (1, 2, 3):
        room = int(rows * line + line / 2) + 2  # room for the lines and half of the next
        shown, more = _whole_lines(doc, room)
        assert more
        assert rows * line <= shown <= room and shown < (rows + 1) * line


def test_a_short_passage_is_shown_whole(qapp):
    doc = document(3)
    shown, more = _whole_lines(doc, 100)
    assert not more and shown <= 100
