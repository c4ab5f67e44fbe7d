"""Find in the document (Ctrl+F): every match highlighted, Enter / F3 for the next,
Shift+Enter / Shift+F3 for the previous, Esc closes. Matches fold what readers treat as
the same (case, accents composed or not, Arabic harakat and tatweel, digits of any script,
ZWNJ: see core.folding) unless "Exact" is ticked (Alt+X)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from desktop.ui.workbench.viewer import DocumentViewer


class _FindEdit(QLineEdit):
    def __init__(self, bar: FindBar) -> None:
        super().__init__()
        self.bar = bar

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.bar.step(not (e.modifiers() & Qt.KeyboardModifier.ShiftModifier))
        elif e.key() == Qt.Key.Key_Escape:
            self.bar.close_bar()
        else:
            super().keyPressEvent(e)


class FindBar(QWidget):
    def __init__(self, viewer: DocumentViewer) -> None:
        super().__init__()
        self.setObjectName("findBar")
        self.viewer = viewer
        self.edit = _FindEdit(self)
        self.edit.setPlaceholderText("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName("Find in document")
        self.exact = QCheckBox("E&xact")
        self.exact.setAccessibleName("Exact match")
        self.exact.setToolTip(
            "Only the same characters: case, accents, Arabic vowel marks and tatweel, "
            "digits of other scripts and ZWNJ count (Alt+X)"
        )
        self.exact.setMinimumWidth(self.exact.sizeHint().width())  # never clipped to "Exac"
        self.exact.toggled.connect(lambda _on: self._search(self.edit.text()))
        self.count = QLabel()
        self.count.setObjectName("hint")
        prev_btn = QToolButton(text="↑", toolTip="Previous match (Shift+Enter)")
        next_btn = QToolButton(text="↓", toolTip="Next match (Enter)")
        close_btn = QToolButton(text="✕", toolTip="Close (Esc)")
        prev_btn.clicked.connect(lambda: self.step(False))
        next_btn.clicked.connect(lambda: self.step(True))
        close_btn.clicked.connect(self.close_bar)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 6, 12, 6)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.exact)
        lay.addWidget(self.count)
        lay.addWidget(prev_btn)
        lay.addWidget(next_btn)
        lay.addWidget(close_btn)
        self.edit.textChanged.connect(self._search)
        self.total = 0
        self.hide()

    def open_bar(self) -> None:
        self.show()
        sel = self.viewer.textCursor().selectedText()
        if sel and "\u2029" not in sel and len(sel) < 80:
            self.edit.setText(sel)
        self.edit.setFocus()
        self.edit.selectAll()
        self._search(self.edit.text())

    def close_bar(self) -> None:
        self.viewer.clear_find()
        self.hide()
        self.viewer.setFocus()

    def reset(self) -> None:
        self.total = 0
        self.count.clear()
        if self.isVisible():
            self.edit.clear()

    def _search(self, text: str) -> None:
        self.total = self.viewer.find_all(text, exact=self.exact.isChecked())
        self.count.setText(f"{self.total} matches" if text else "")

    def step(self, forward: bool = True) -> None:
        if not self.isVisible():
            self.open_bar()
        if self.total:
            n = self.viewer.find_step(forward)
            self.count.setText(f"{n} of {self.total}")
