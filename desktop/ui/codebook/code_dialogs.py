"""Dialogs of the codebook: choose a code (merge target) and define a code's fields."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.fields import FIELD_TYPES
from desktop.services.codebook.codebook import CodeInfo
from desktop.services.codebook.fields import FieldInfo
from desktop.ui.look import swatch


class CodeChooser(QDialog):
    """Type to filter, arrows to choose, Enter to accept."""

    def __init__(self, title: str, message: str, codes: list[CodeInfo], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(420, 420)
        lay = QVBoxLayout(self)
        text = QLabel(message)
        text.setWordWrap(True)
        lay.addWidget(text)
        self.filter = QLineEdit(placeholderText="Type to find a code")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        lay.addWidget(self.filter)
        self.list = QListWidget()
        for c in codes:
            item = QListWidgetItem(swatch(c.color), c.path)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            self.list.addItem(item)
        self.list.itemActivated.connect(lambda _i: self.accept())
        lay.addWidget(self.list, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.filter.installEventFilter(self)
        self._filter("")

    def _filter(self, text: str) -> None:
        text = text.strip().lower()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hidden = bool(text) and text not in item.text().lower()
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        if first is not None:
            self.list.setCurrentItem(first)

    def eventFilter(self, obj, e) -> bool:
        if obj is self.filter and e.type() == e.Type.KeyPress and e.key() in (
            Qt.Key.Key_Up, Qt.Key.Key_Down,
        ):  # fmt: skip
            self.list.keyPressEvent(e)
            return True
        return super().eventFilter(obj, e)

    def chosen(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item and not item.isHidden() else None


class FieldsDialog(QDialog):
    """A code's own fields as rows (name, type, choices, required); inherited fields are
    listed above, read-only. ``specs()`` gives the rows; an ``id`` of None is a new field."""

    COLUMNS = ("Name", "Type", "Choices (comma-separated)", "Required")

    def __init__(
        self, code: CodeInfo, own: list[FieldInfo], inherited: list[FieldInfo], parent=None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Fields of {code.path}")
        self.resize(620, 340)
        lay = QVBoxLayout(self)
        intro = QLabel(
            "Values a coder enters for each coding of this code (and of its sub-codes). "
            "Only required fields must be filled in."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        if inherited:
            names = ", ".join(f"{f.name} ({f.type})" for f in inherited)
            note = QLabel(f"Inherited: {names}")
            note.setObjectName("hint")
            note.setWordWrap(True)
            lay.addWidget(note)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        h.resizeSection(0, 130)
        h.resizeSection(1, 100)
        h.resizeSection(3, 70)
        for f in own:
            self.add_row(f.name, f.type, list(f.choices), f.required, f.id)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        add = QPushButton("Add field")
        add.clicked.connect(lambda: self.add_row("", "text", [], False, None, edit=True))
        remove = QPushButton("Remove field")
        remove.clicked.connect(self.remove_current)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        lay.addLayout(row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def add_row(
        self, name: str, type_: str, choices: list[str], required: bool, field_id: int | None,
        edit: bool = False,
    ) -> int:  # fmt: skip
        r = self.table.rowCount()
        self.table.insertRow(r)
        item = QTableWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, field_id)
        self.table.setItem(r, 0, item)
        combo = QComboBox()
        combo.addItems(FIELD_TYPES)
        combo.setCurrentText(type_)
        self.table.setCellWidget(r, 1, combo)
        self.table.setItem(r, 2, QTableWidgetItem(", ".join(choices)))
        box = QWidget()
        check = QCheckBox()
        check.setChecked(required)
        bl = QHBoxLayout(box)
        bl.setContentsMargins(8, 0, 0, 0)
        bl.addWidget(check)
        self.table.setCellWidget(r, 3, box)
        if edit:
            self.table.setCurrentCell(r, 0)
            self.table.editItem(item)
        return r

    def remove_current(self) -> None:
        r = self.table.currentRow()
        if r >= 0:
            self.table.removeRow(r)

    def specs(self) -> list[dict]:
        out = []
        for r in range(self.table.rowCount()):
            name = (self.table.item(r, 0).text() if self.table.item(r, 0) else "").strip()
            if not name:
                continue
            type_ = self.table.cellWidget(r, 1).currentText()
            raw = self.table.item(r, 2).text() if self.table.item(r, 2) else ""
            choices = [c.strip() for c in raw.split(",") if c.strip()] if type_ == "choice" else []
            required = self.table.cellWidget(r, 3).findChild(QCheckBox).isChecked()
            out.append({"id": self.table.item(r, 0).data(Qt.ItemDataRole.UserRole), "name": name,
                        "type": type_, "choices": choices, "required": required})  # fmt: skip
        return out
