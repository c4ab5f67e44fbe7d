"""New attribute: a name, a type (text, whole number, number, date, choice, yes/no) and,
for a choice, its choices one per line. The services check it again when it is stored."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.dialogs import fit_window

TYPES = (("text", "Text"), ("integer", "Whole number"), ("decimal", "Number"),
         ("date", "Date (YYYY-MM-DD)"), ("choice", "Choice from a list"), ("boolean", "Yes/no"))  # fmt: skip


class AttributeDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New attribute")
        self.setObjectName("attributeDialog")
        self.name = QLineEdit(placeholderText="e.g. outlet, country, language")
        self.kind = QComboBox()
        for key, label in TYPES:
            self.kind.addItem(label, key)
        self.choices = QPlainTextEdit()
        self.choices.setPlaceholderText("One choice per line")
        self.choices.setTabChangesFocus(True)
        self.choices_label = QLabel("&Choices")
        self.choices_label.setBuddy(self.choices)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        form = QFormLayout()
        name_label = QLabel("&Name")
        name_label.setBuddy(self.name)
        kind_label = QLabel("&Type")
        kind_label.setBuddy(self.kind)
        form.addRow(name_label, self.name)
        form.addRow(kind_label, self.kind)
        form.addRow(self.choices_label, self.choices)
        self.buttons = buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.problem)
        lay.addWidget(buttons)
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self._kind_changed()
        fit_window(self, "attributeDialog", QSize(440, 320))

    def _kind_changed(self) -> None:
        choice = self.kind.currentData() == "choice"
        self.choices.setEnabled(choice)
        self.choices_label.setEnabled(choice)

    def value(self) -> tuple[str, str, list[str]]:
        kind = self.kind.currentData()
        choices = [c.strip() for c in self.choices.toPlainText().splitlines() if c.strip()]
        return self.name.text().strip(), kind, choices if kind == "choice" else []

    def _accept(self) -> None:
        name, kind, choices = self.value()
        problem = ""
        if not name:
            problem = "The attribute needs a name."
        elif kind == "choice" and not choices:
            problem = "A choice attribute needs its choices, one per line."
        if problem:
            self.problem.setText(problem)
            self.problem.show()
            return
        self.accept()
