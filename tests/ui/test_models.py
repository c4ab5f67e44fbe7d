"""Item models on their own: fed with service dataclasses, no window, checked with Qt's
model tester."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt

from desktop.services.codebook.codebook import CodeInfo
from desktop.services.coding.codings import CodingInfo
from desktop.services.teams.coders import CoderInfo
from desktop.ui.models import CodebookModel, CodingsModel

CODES = [
    CodeInfo(1, None, "Actors", "Actors", "#4363d8", depth=0, codings=0),
    CodeInfo(2, 1, "State forces", "Actors/State forces", "#4363d8", depth=1, codings=5),
    CodeInfo(3, 1, "Armed groups", "Actors/Armed groups", "#3a86c8", depth=1, codings=2),
    CodeInfo(4, None, "Claims", "Claims", "#f58231", description="A statement", codings=1),
]


def test_codebook_model_is_a_tree_with_counts_and_keys(qapp, qtmodeltester):
    model = CodebookModel()
    model.set_codes(CODES)
    qtmodeltester.check(model)
    assert model.rowCount() == 2  # Actors, Claims
    actors = model.index(0, 0)
    assert actors.data() == "Actors"
    assert model.rowCount(actors) == 2
    child = model.index(0, 0, actors)
    assert child.data() == "State forces"
    assert model.parent(child) == actors
    assert model.index(0, 1, actors).data() == "5"
    assert model.index(1, 2).data() == "4"  # Claims is the 4th code: key 4
    assert [c.id for c in model.quick_codes()] == [1, 2, 3, 4]
    assert "A statement" in model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index_of(3).data() == "Armed groups"
    assert model.parent(QModelIndex()) == QModelIndex()


def test_codings_model_shows_code_coder_quote_memo(qapp, qtmodeltester):
    now = datetime(2026, 1, 1)
    rows = [
        CodingInfo(10, 1, 2, 1, 0, 5, "army\nunits", "", now, now),
        CodingInfo(11, 1, 4, 2, 3, 9, "said it", "check source", now, now),
    ]
    coders = {1: CoderInfo(1, "Maya", "#4c78a8"), 2: CoderInfo(2, "Jonas", "#f58518")}
    model = CodingsModel()
    model.set_codings(rows, {c.id: c for c in CODES}, coders, pages=[1, 2])
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert [model.index(0, c).data() for c in range(5)] == [
        "State forces",
        "Maya",
        "army units",
        "",
        "1",
    ]
    assert model.index(1, 3).data() == "check source"
    assert model.index(1, 1).data() == "Jonas"
    assert model.row_of(11) == 1


def test_quotes_and_memos_that_start_right_to_left_are_right_aligned(qapp):
    """An Arabic or Hebrew quote reads from the right edge of its cell; a Latin one, or
    one that starts with a Latin word, keeps the view's alignment."""
    now = datetime(2026, 1, 1)
    rows = [
        CodingInfo(10, 1, 2, 1, 0, 5, "«قصف الجيش» 12 قرية", "מקור: רויטרס", now, now),
        CodingInfo(11, 1, 2, 1, 6, 9, "UN: قصف", "ملاحظة", now, now),
        CodingInfo(12, 1, 2, 1, 9, 12, "2018 shelling", "", now, now),
    ]
    model = CodingsModel()
    model.set_codings(rows, {c.id: c for c in CODES}, {1: CoderInfo(1, "Maya", "#4c78a8")})
    align = Qt.ItemDataRole.TextAlignmentRole
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert [model.index(r, 2).data(align) for r in range(3)] == [right, None, None]
    assert [model.index(r, 3).data(align) for r in range(3)] == [right, right, None]
    assert model.index(0, 0).data(align) is None  # the code's name: not a quote


def test_codings_model_sorts_itself_and_updates_one_row(qapp):
    now = datetime(2026, 1, 1)
    rows = [
        CodingInfo(i, 1, 2 if i % 2 else 4, 1, i * 10, i * 10 + 5, f"q{i}", "", now, now)
        for i in range(6)
    ]
    model = CodingsModel()
    model.set_codings(rows, {c.id: c for c in CODES}, {1: CoderInfo(1, "Maya", "#4c78a8")})
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 0).data() for r in range(6)] == ["State forces"] * 3 + [
        "Claims"
    ] * 3  # by path
    assert model.row_of(model.coding(0).id) == 0
    model.remove(rows[0].id)
    assert model.rowCount() == 5 and model.row_of(rows[0].id) == -1
    model.add(CodingInfo(99, 1, 4, 1, 0, 3, "new", "", now, now))
    assert model.coding(model.row_of(99)).quote == "new"


def test_document_filter_in_the_window_keeps_the_open_document(window, qtbot):
    from desktop.services.documents import documents

    other = documents.add_document(
        window.project, name="zz-other.txt", text="Other text.", kind="txt"
    )
    window.refresh_documents()
    panel = window.documents_panel
    qtbot.keyClicks(panel.filter, "zz")
    assert panel.model.rowCount() == 1
    assert window.document_id != other.id  # filtering does not open anything
    panel.select(other.id)
    assert window.document_id == other.id and window.doc_title.text() == "zz-other.txt"
    panel.filter.clear()
    assert panel.model.rowCount() == 2
