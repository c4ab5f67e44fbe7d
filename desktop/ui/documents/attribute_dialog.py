"""An attribute's dialog. New attribute: a name, a type (text, whole number, number,
date, choice, yes/no) and, for a choice, its choices one per line. Choices of an
existing choice attribute: a list where a choice is added, renamed in place (the values
holding it follow) or removed (one that documents hold is removed only once the user has
agreed that their values are cleared). The services check it again when it is stored."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.documents import attributes
from desktop.services.documents.attributes import AttributeInfo
from desktop.ui import a11y
from desktop.ui.dialogs import fit_window

TYPES = (("text", "Text"), ("integer", "Whole number"), ("decimal", "Number"),
         ("date", "Date (YYYY-MM-DD)"), ("choice", "Choice from a list"), ("boolean", "Yes/no"))  # fmt: skip
_BEFORE = Qt.ItemDataRole.UserRole + 1  # the choice's text when the dialog opened ("" new)
_HELD = Qt.ItemDataRole.UserRole + 2  # how many documents (or cases) hold it


class AttributeDialog(QDialog):
    def __init__(
        self, parent: QWidget | None = None, *, scope: str = "document",
        attribute: AttributeInfo | None = None, counts: dict[str, int] | None = None,
        confirm: Callable[[str, str], bool] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.scope, self.attribute = scope, attribute
        self.confirm = confirm or (lambda _title, _text: True)
        owners = "case" if scope == "case" else "document"
        editing = attribute is not None
        self.setWindowTitle(f"Choices of “{attribute.name}”" if editing else
                            "New case attribute" if scope == "case" else "New attribute")  # fmt: skip
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
        # the choices of an existing attribute: a list edited in place
        self.choice_list = QListWidget()
        self.choice_list.setObjectName("choiceList")
        self.choice_list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.choice_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        a11y.name(self.choice_list, "Choices", "F2 or a double-click renames a choice")
        a11y.tab_leaves(self.choice_list)
        self.add_button = QPushButton("&Add choice")
        self.add_button.clicked.connect(self.add_choice)
        self.rename_button = QPushButton("Rena&me")
        self.rename_button.clicked.connect(self.rename_current)
        self.remove_button = QPushButton("&Remove…")
        self.remove_button.clicked.connect(lambda: self.remove_current())
        self.owners = owners
        self.held = QLabel()
        self.held.setObjectName("hint")
        self.held.setWordWrap(True)
        self.choice_list.currentItemChanged.connect(lambda *_: self._show_held())
        if editing:
            self.name.setText(attribute.name)
            self.name.setReadOnly(True)
            self.name.setToolTip("Rename the attribute from its column's right-click menu")
            self.kind.setCurrentIndex(self.kind.findData(attribute.type))
            self.kind.setEnabled(False)
            for choice in attribute.choices:
                self._add_item(choice, choice, (counts or {}).get(choice, 0))
            self.choices_label.setBuddy(self.choice_list)
            side = QVBoxLayout()
            for b in (self.add_button, self.rename_button, self.remove_button):
                side.addWidget(b)
            side.addStretch(1)
            row = QHBoxLayout()
            row.addWidget(self.choice_list, 1)
            row.addLayout(side)
            form.addRow(self.choices_label, row)
            form.addRow(QLabel(), self.held)
            self.choices.hide()
            self.choice_list.setCurrentRow(0)
        else:
            form.addRow(self.choices_label, self.choices)
            for b in (self.add_button, self.rename_button, self.remove_button):
                b.hide()
            self.choice_list.hide()
            self.held.hide()
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
        fit_window(self, "attributeDialog", QSize(460, 340))

    def _kind_changed(self) -> None:
        choice = self.kind.currentData() == "choice"
        self.choices.setEnabled(choice)
        self.choices_label.setEnabled(choice)

    # -- the list of an existing attribute's choices ------------------------------------
    def _add_item(self, text: str, before: str, held: int) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        item.setData(_BEFORE, before)
        item.setData(_HELD, held)
        item.setToolTip(f"{text} · {wording.count(held, self.owners)}" if before else
                        f"{text} · new")  # fmt: skip
        self.choice_list.addItem(item)
        return item

    def _show_held(self) -> None:
        """What the current choice holds, and how to rename it."""
        item = self.choice_list.currentItem()
        if item is None:
            self.held.setText("")
            return
        before, held = item.data(_BEFORE), int(item.data(_HELD) or 0)
        what = (f"“{before}” is held by {wording.count(held, self.owners)}" if before
                else "A new choice")  # fmt: skip
        self.held.setText(f"{what}. F2 or a double-click renames it; the values follow.")

    def add_choice(self) -> QListWidgetItem:
        """A new choice at the end, its text ready to be typed."""
        item = self._add_item("new choice", "", 0)
        self.choice_list.setCurrentItem(item)
        self.choice_list.editItem(item)
        return item

    def rename_current(self) -> None:
        item = self.choice_list.currentItem()
        if item is not None:
            self.choice_list.editItem(item)

    def remove_current(self) -> bool:
        """Remove the current choice; one that documents hold only once the user agrees
        that their values are cleared."""
        item = self.choice_list.currentItem()
        if item is None:
            return False
        held = int(item.data(_HELD) or 0)
        if held and not self.confirm(
            "Remove choice",
            f"{wording.count(held, self.owners)} {wording.plural(held, 'holds', 'hold')} "
            f"“{item.data(_BEFORE)}”. Removing it clears "
            f"{wording.plural(held, 'that value', 'those values')} (Edit > Undo brings "
            f"{wording.plural(held, 'it', 'them')} back). Remove it?",
        ):
            return False
        self.choice_list.takeItem(self.choice_list.row(item))
        return True

    def renamed(self) -> dict[str, str]:
        """{choice before: its new text} for the choices renamed in the list."""
        out = {}
        for i in range(self.choice_list.count()):
            item = self.choice_list.item(i)
            before, now = item.data(_BEFORE), item.text().strip()
            if before and now and now != before:
                out[before] = now
        return out

    def value(self) -> tuple[str, str, list[str]]:
        kind = self.kind.currentData()
        if self.attribute is not None:
            items = (self.choice_list.item(i).text() for i in range(self.choice_list.count()))
            choices = [c.strip() for c in items if c.strip()]
        else:
            choices = [c.strip() for c in self.choices.toPlainText().splitlines() if c.strip()]
        return self.name.text().strip(), kind, choices if kind == "choice" else []

    def _accept(self) -> None:
        name, kind, choices = self.value()
        problem = ""
        lowered = [c.lower() for c in choices]
        if not name:
            problem = "The attribute needs a name."
        elif kind == "choice" and not choices:
            problem = "A choice attribute needs its choices, one per line."
        elif len(set(lowered)) < len(lowered):
            twice = next(c for c in choices if lowered.count(c.lower()) > 1)
            problem = f"The choice “{twice}” is listed twice."
        if problem:
            self.problem.setText(problem)
            self.problem.show()
            a11y.announce(self, problem)
            return
        self.accept()


def open_choices_dialog(window, name: str, scope: str = "document") -> AttributeDialog:
    """The choices of the choice attribute ``name`` over ``window`` (the Documents table
    or the Cases window, which has ``w``, ``ctx`` and ``attribute_dialog``); OK stores
    them as one undoable step."""
    from desktop.ui.documents import commands as dcmd

    p = window.ctx.project
    a = attributes.get_attribute(p, name, scope)
    counts = attributes.choice_counts(p, name, scope)
    if window.attribute_dialog is not None:
        window.attribute_dialog.close()
    dlg = AttributeDialog(window, scope=scope, attribute=a, counts=counts,
                          confirm=lambda title, text: window.w.prompts.confirm(title, text))  # fmt: skip
    window.attribute_dialog = dlg
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def forget(*_args) -> None:
        if window.attribute_dialog is dlg:
            window.attribute_dialog = None

    def store() -> None:
        _name, _kind, choices = dlg.value()
        renamed = dlg.renamed()
        if tuple(choices) == a.choices and not renamed:
            return
        window.ctx.run(dcmd.EditChoices(window.ctx, a.name, choices, renamed, scope))

    dlg.finished.connect(forget)
    dlg.accepted.connect(store)
    dlg.open()
    return dlg
