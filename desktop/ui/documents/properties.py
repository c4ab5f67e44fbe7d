"""A document's Properties: its name, its attribute values (each edited as its type
asks: a list for a choice, yes/no, a checked date or number), its memo, and the sets and
cases it belongs to. OK stores every change as one undoable step; a value the attribute
refuses is named in the dialog and nothing is stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.core.fields import FieldValueError
from desktop.services.coding import memos
from desktop.services.documents import attributes, cases, documents, sets
from desktop.ui import a11y
from desktop.ui.codebook.field_editor import editor_for, raw_value
from desktop.ui.dialogs import fit_window
from desktop.ui.documents import commands as dcmd
from desktop.ui.documents.table_model import attribute_label

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench

_NEW = Qt.ItemDataRole.UserRole + 1  # a set or case made in this dialog, not stored yet


class PropertiesDialog(QDialog):
    def __init__(self, w: Workbench, document_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent or (w if isinstance(w, QWidget) else None))
        self.w, self.document_id = w, document_id
        p = w.project
        self.info = documents.get_document(p, document_id)
        self.attrs = attributes.list_attributes(p)
        self.values = attributes.values_of(p, document_id)
        self.memo_text = memos.document_memo(p, document_id)
        self.setWindowTitle(f"Properties — {self.info.name}")
        self.setObjectName("documentProperties")

        # left: name, what the document is, its attributes (scrolls when there are many)
        form_host = QWidget()
        form = QFormLayout(form_host)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name = QLineEdit(self.info.name)
        form.addRow(self._label("&Name", self.name), self.name)
        pages = f", {wording.count(self.info.pages, 'page')}" if self.info.pages else ""
        about = QLabel(f"{self.info.kind}{pages}, {self.info.length:,} characters, "
                       f"{wording.count(self.info.codings, 'coding')}")  # fmt: skip
        about.setObjectName("hint")
        about.setWordWrap(True)
        form.addRow(QLabel("Document"), about)
        self.editors: dict[str, QWidget] = {}
        for a in self.attrs:
            ed = editor_for(a, self.values.get(a.name))
            ed.setObjectName(f"attr_{a.id}")
            a11y.name(ed, a.name, _kind_words(a))
            ed.setToolTip(_kind_words(a))
            self.editors[a.name] = ed
            form.addRow(self._label(attribute_label(a), ed), ed)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(form_host)

        # right: memo, sets, cases
        self.memo = QPlainTextEdit(self.memo_text)
        self.memo.setTabChangesFocus(True)
        self.memo.setPlaceholderText("What this document is, why it matters, what to look at")
        a11y.name(self.memo, "Memo")
        p_sets = sets.list_sets(p)
        self.sets = self._checklist("Sets", [(x.name, document_id in x.documents) for x in p_sets])
        p_cases = cases.list_cases(p)
        self.cases = self._checklist(
            "Cases", [(c.name, document_id in c.documents) for c in p_cases]
        )
        new_set = QPushButton("New se&t…")
        new_set.clicked.connect(lambda: self._new_item(self.sets, "New set", "Name of the set:"))
        new_case = QPushButton("New &case…")
        new_case.clicked.connect(
            lambda: self._new_item(
                self.cases, "New case", "Name of the case (an interviewee, an event, an outlet):"
            )  # fmt: skip
        )
        lists = QGridLayout()
        lists.addWidget(self._label("&Sets", self.sets), 0, 0)
        lists.addWidget(self._label("C&ases", self.cases), 0, 1)
        lists.addWidget(self.sets, 1, 0)
        lists.addWidget(self.cases, 1, 1)
        lists.addWidget(new_set, 2, 0, Qt.AlignmentFlag.AlignLeft)
        lists.addWidget(new_case, 2, 1, Qt.AlignmentFlag.AlignLeft)
        right = QVBoxLayout()
        right.addWidget(self._label("&Memo", self.memo))
        right.addWidget(self.memo, 1)
        right.addLayout(lists, 1)

        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(scroll, 1)
        body.addLayout(right, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(body, 1)
        lay.addWidget(self.problem)
        lay.addWidget(buttons)
        fit_window(self, "documentProperties", QSize(820, 560))

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text if "&" in text else text.replace("&", "&&"))
        label.setBuddy(buddy)
        return label

    def _checklist(self, what: str, items: list[tuple[str, bool]]) -> QListWidget:
        box = QListWidget()
        box.setObjectName(f"{what.lower()}List")
        a11y.name(box, what, f"Check the {what.lower()} this document belongs to")
        for name, on in items:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            item.setData(_NEW, False)
            box.addItem(item)
        return box

    def _new_item(self, box: QListWidget, title: str, label: str) -> None:
        name = self.w.prompts.ask_text(title, label)
        if not name or not name.strip():
            return
        name = name.strip()
        for i in range(box.count()):
            if box.item(i).text().lower() == name.lower():
                box.item(i).setCheckState(Qt.CheckState.Checked)
                return
        item = QListWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        item.setData(_NEW, True)
        box.addItem(item)

    # -- OK ------------------------------------------------------------------------------
    def changes(self) -> tuple[list[dcmd.Command], list[str]]:
        """The commands OK would run, and the problems that stop it (in words)."""
        ctx = self.w.ctx
        parts: list = []
        problems: list[str] = []
        name = self.name.text().strip()
        if not name:
            problems.append("The document needs a name.")
        elif name != self.info.name:
            parts.append(dcmd.RenameDocument(ctx, self.document_id, name))
        new_values: dict[str, str | None] = {}
        for a in self.attrs:
            raw = raw_value(self.editors[a.name])
            try:
                value = attributes.check_value(a, raw)
            except FieldValueError as exc:
                problems.append(f"{a.name}: {exc}")
                continue
            if value != self.values.get(a.name):
                new_values[a.name] = value
        if new_values:
            parts.append(dcmd.SetValues(ctx, self.document_id, new_values))
        memo = self.memo.toPlainText()
        if memo.strip() != self.memo_text.strip():
            parts.append(dcmd.SetDocumentMemo(ctx, self.document_id, memo))
        for box, make in ((self.sets, dcmd.ChangeSet), (self.cases, dcmd.ChangeCase)):
            for i in range(box.count()):
                item = box.item(i)
                on = item.checkState() == Qt.CheckState.Checked
                new = bool(item.data(_NEW))
                was = False if new else self._was_checked(box, item.text())
                if new and on:
                    parts.append(make(ctx, item.text(), [self.document_id], create=True))
                elif not new and on != was:
                    parts.append(make(ctx, item.text(), [self.document_id], add=on))
        return parts, problems

    def _was_checked(self, box: QListWidget, name: str) -> bool:
        p = self.w.project
        if box is self.sets:
            return self.document_id in sets.get_set(p, name).documents
        return self.document_id in cases.get_case(p, name).documents

    def save(self) -> None:
        parts, problems = self.changes()
        if problems:
            self.problem.setText("Nothing was stored: " + " ".join(problems))
            self.problem.show()
            a11y.announce(self, self.problem.text())
            return
        if parts:
            ctx = self.w.ctx
            command = parts[0] if len(parts) == 1 else dcmd.Several(
                ctx, f"Edit properties of {self.info.name}", parts)  # fmt: skip
            if not ctx.run(command):
                return
        self.accept()


def _kind_words(a: attributes.AttributeInfo) -> str:
    if a.type == "choice":
        return f"one of: {', '.join(a.choices)}"
    return {"boolean": "yes or no", "date": "a date, YYYY-MM-DD", "integer": "a whole number",
            "decimal": "a number", "text": "text"}.get(a.type, a.type)  # fmt: skip
