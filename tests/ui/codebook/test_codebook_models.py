"""The codebook package's item models on their own, checked with Qt's model tester: the
tree with drag and drop, the codings table with its Values column, the frequency table."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt

from desktop.services.codebook.codebook import CodeInfo
from desktop.services.codebook.fields import FieldInfo
from desktop.services.codebook.frequencies import FrequencyRow, FrequencyTable
from desktop.services.coding.codings import CodingInfo
from desktop.ui.codebook.frequencies_dialog import FrequencyModel
from desktop.ui.codebook.tree import CodebookTreeModel
from desktop.ui.codebook.values_model import VALUES, CodingsValuesModel

CODES = [
    CodeInfo(1, None, "Actors", "Actors", "#4363d8", codings=0),
    CodeInfo(2, 1, "State forces", "Actors/State forces", "#4363d8", depth=1, codings=5),
    CodeInfo(3, 1, "Armed groups", "Actors/Armed groups", "#3a86c8", depth=1, codings=2),
    CodeInfo(4, None, "Casualties", "Casualties", "#e6194b", inclusion="numbers", codings=1),
    CodeInfo(5, 4, "Armed groups", "Casualties/Armed groups", "#e6194b", depth=1),
]


def test_tree_model_drags_and_refuses_cycles_and_clashes(qapp, qtmodeltester):
    model = CodebookTreeModel()
    model.set_codes(CODES)
    qtmodeltester.check(model)
    actors = model.index_of(1)
    assert model.flags(actors) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.flags(QModelIndex()) & Qt.ItemFlag.ItemIsDropEnabled
    data = model.mimeData([model.index_of(2)])
    assert model.dragged_id(data) == 2
    assert model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, -1, model.index_of(4))
    assert "into itself" in model.refusal(1, 2)
    assert "already has a code of that name" in model.refusal(3, 4)
    assert model.refusal(3, 1) is None  # staying under its parent is no clash
    assert "Include:</b> numbers" in model.index_of(4).data(Qt.ItemDataRole.ToolTipRole)


def test_codings_model_values_column(qapp, qtmodeltester):
    now = datetime(2026, 1, 1)
    rows = [CodingInfo(i, 1, 4, 1, i * 10, i * 10 + 5, f"q{i}", "", now, now) for i in range(1, 4)]
    model = CodingsValuesModel()
    model.set_codings(rows, {c.id: c for c in CODES}, {})
    fields = [
        FieldInfo(7, 4, "count", "integer", required=True),
        FieldInfo(8, 4, "kind", "choice", ("killed",)),
    ]
    model.set_fields({4: fields})
    model.set_values({1: {7: "12", 8: "killed"}, 2: {8: "killed"}})
    qtmodeltester.check(model)
    assert model.headerData(VALUES, Qt.Orientation.Horizontal) == "Values"
    assert model.index(0, VALUES).data() == "count=12; kind=killed"
    assert model.index(1, VALUES).data() == "⚠ kind=killed"
    assert model.index(2, VALUES).data() == "⚠"
    model.sort(VALUES, Qt.SortOrder.AscendingOrder)
    assert model.index(0, VALUES).data() == "count=12; kind=killed"
    model.set_coding_values(3, {7: "1"})
    assert model.index(model.row_of(3), VALUES).data() == "count=1"


def test_frequency_model_keeps_totals_last_when_sorted(qapp, qtmodeltester):
    table = FrequencyTable(
        "document", ((1, "a.txt"), (2, "b.txt")),
        (FrequencyRow(1, "Actors", "Actors", 0, (0, 1), 1, 4),
         FrequencyRow(2, "Actors/State", "State", 1, (3, 0), 3, 3)),
        (3, 1), 4,
    )  # fmt: skip
    model = FrequencyModel()
    model.set_table(table)
    qtmodeltester.check(model)
    assert model.columnCount() == 5 and model.rowCount() == 3
    assert model.index(1, 0).data() == "    State"
    assert [model.index(2, c).data() for c in range(4)] == ["Total", "3", "1", "4"]
    model.sort(3, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data() == "State" and model.index(2, 0).data() == "Total"
