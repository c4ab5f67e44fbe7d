"""The review window's choices: which document, which code (or all), which unit, and
which coders to compare (a tick box each, in the coder's colour)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from desktop.services.codebook.codebook import CodeInfo
from desktop.services.documents.documents import DocumentInfo
from desktop.services.teams.coders import CoderInfo
from desktop.ui.look import swatch

UNITS = (("char", "characters"), ("word", "words"), ("sentence", "sentences"))


class ChoicesBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewBar")
        top = QHBoxLayout(self)
        top.setContentsMargins(10, 6, 10, 6)
        top.setSpacing(8)
        self.document_box = QComboBox()
        self.code_box = QComboBox()
        # long names must not widen the window past a small screen: the boxes elide them
        for box, chars in ((self.document_box, 16), (self.code_box, 12)):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(chars)
        self.unit_box = QComboBox()
        for key, label in UNITS:
            self.unit_box.addItem(label, key)
        self.coders_row = QHBoxLayout()
        self.coders_row.setSpacing(10)
        for label, widget in (("Document", self.document_box), ("Code", self.code_box),
                              ("Unit", self.unit_box)):  # fmt: skip
            top.addWidget(QLabel(label))
            top.addWidget(widget)
            top.addSpacing(6)
        top.addWidget(QLabel("Coders"))
        top.addLayout(self.coders_row)
        top.addStretch(1)

    def fill_documents(self, docs: list[DocumentInfo]) -> None:
        self.document_box.clear()
        for d in docs:
            self.document_box.addItem(d.name, d.id)

    def fill_codes(self, codes: list[CodeInfo], current: int | None) -> None:
        self.code_box.clear()
        self.code_box.addItem("All codes", None)
        for c in codes:
            self.code_box.addItem(swatch(c.color), c.path, c.id)
        self.code_box.setCurrentIndex(max(self.code_box.findData(current), 0))

    def set_coders(
        self, coders: list[CoderInfo], chosen: list[int], toggled: Callable[..., object]
    ) -> dict[int, QCheckBox]:
        """A tick box per coder, ticked if chosen; ``toggled`` hears every change."""
        while self.coders_row.count():
            item = self.coders_row.takeAt(0)
            if item.widget():
                item.widget().setParent(None)
                item.widget().deleteLater()
        boxes: dict[int, QCheckBox] = {}
        for c in coders:
            box = QCheckBox(c.name.replace("&", "&&"))  # not a keyboard mnemonic
            box.setIcon(swatch(c.color, round_=True))
            box.setChecked(c.id in chosen)
            box.toggled.connect(toggled)
            self.coders_row.addWidget(box)
            boxes[c.id] = box
        return boxes
