"""The code inspector under the codebook tree: the selected code's definition, inclusion
and exclusion criteria, anchor examples and fields. A text is saved when it loses focus
or on Enter (Shift+Enter for a new line), as one undoable change; the inspector itself
never writes: it asks through its signals."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
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
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.codebook.codebook import CodeInfo, ExampleInfo
from desktop.services.codebook.fields import FieldInfo
from desktop.ui import theme
from desktop.ui.look import swatch
from desktop.ui.models import one_line

TEXTS = (
    ("description", "Definition", "What this code means: when a passage belongs here"),
    ("inclusion", "Include when", "Criteria for coding a passage with it"),
    ("exclusion", "Exclude when", "Look-alikes that belong elsewhere"),
)


class TextBox(QPlainTextEdit):
    """A short multi-line text that commits on focus-out or Enter."""

    committed = Signal(str)

    def __init__(self, placeholder: str, lines: int = 3) -> None:
        super().__init__()
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 14)
        self.stored = ""

    def load(self, text: str, force: bool = False) -> None:
        """Show the stored text unless the user is editing this box."""
        dirty = self.toPlainText() != self.stored
        self.stored = text
        if (force or not (self.hasFocus() and dirty)) and self.toPlainText() != text:
            self.setPlainText(text)

    def commit(self) -> None:
        text = self.toPlainText().strip()
        if text != self.stored.strip():
            self.committed.emit(text)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            e.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.commit()
            return
        if e.key() == Qt.Key.Key_Escape:
            self.setPlainText(self.stored)
            return
        super().keyPressEvent(e)

    def focusOutEvent(self, e: QFocusEvent) -> None:
        super().focusOutEvent(e)
        self.commit()


class ExampleList(QListWidget):
    remove_pressed = Signal()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_pressed.emit()
            return
        super().keyPressEvent(e)


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("fieldLabel")
    return label


class CodeInspector(QWidget):
    """A header (the toggle, the code's colour and path), always shown, and below it the
    editors, shown while a code is selected and the inspector is open. It asks for no
    more height than what it shows, so the codebook tree above it keeps the rest."""

    text_committed = Signal(int, str, str)  # code id, key (description|...), text
    example_added = Signal(int, str)  # code id, text
    example_removed = Signal(int)  # example id
    fields_requested = Signal(int)  # code id
    colour_requested = Signal(int)  # code id
    open_changed = Signal(bool)  # the user opened (True) or collapsed the editors
    size_changed = Signal()  # the height it needs changed

    EXAMPLE_ROWS = 4  # anchor examples shown before their list scrolls

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeInspector")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # the panel colour
        self.code_id: int | None = None
        self.is_open = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_header())
        self.scroll = QScrollArea()
        self.scroll.setObjectName("inspectorScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self._build_body())
        outer.addWidget(self.scroll, 1)
        self.show_code(None, [], [])

    def _build_header(self) -> QWidget:
        self.header = QWidget()
        self.header.setObjectName("inspectorHeader")
        self.header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        lay = QVBoxLayout(self.header)
        lay.setContentsMargins(4, 6, 10, 4)
        lay.setSpacing(0)
        self.toggle = QToolButton()
        self.toggle.setObjectName("inspectorToggle")
        self.toggle.setText("CODE")
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow)
        self.toggle.setToolTip("Show or hide the definition, criteria, examples and fields")
        self.toggle.setAccessibleName("Code inspector: show or hide the definition")
        self.toggle.clicked.connect(lambda on: self.set_open(on, by_user=True))
        lay.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        head = QHBoxLayout()
        head.setContentsMargins(6, 0, 0, 0)
        self.swatch = QToolButton()
        self.swatch.setObjectName("inspectorColour")
        self.swatch.setToolTip("Change the colour")
        self.swatch.setAutoRaise(True)
        self.swatch.clicked.connect(
            lambda: self.code_id is not None and self.colour_requested.emit(self.code_id)
        )
        self.path = QLabel()
        self.path.setObjectName("inspectorPath")
        self.path.setWordWrap(True)
        head.addWidget(self.swatch)
        head.addWidget(self.path, 1)
        lay.addLayout(head)
        return self.header

    def _build_body(self) -> QWidget:
        self.body = body = QWidget()
        body.setObjectName("inspectorBody")
        lay = QVBoxLayout(body)
        lay.setContentsMargins(10, 2, 10, 8)
        lay.setSpacing(4)
        self.boxes: dict[str, TextBox] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        for i, (key, label, placeholder) in enumerate(TEXTS):
            box = TextBox(placeholder, 3 if key == "description" else 2)
            box.setObjectName(f"inspector_{key}")
            box.committed.connect(lambda text, key=key: self._commit(key, text))
            self.boxes[key] = box
            if key == "description":
                grid.addWidget(_label(label), 0, 0, 1, 2)
                grid.addWidget(box, 1, 0, 1, 2)
            else:
                grid.addWidget(_label(label), 2, i - 1)
                grid.addWidget(box, 3, i - 1)
        lay.addLayout(grid)
        lay.addWidget(_label("Anchor examples"))
        self.examples = ExampleList()
        self.examples.setObjectName("inspectorExamples")
        self.examples.setWordWrap(True)
        self.examples.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.examples.remove_pressed.connect(self._remove_example)
        lay.addWidget(self.examples)
        add = QHBoxLayout()
        self.new_example = QLineEdit(placeholderText="Add an example: type or paste, Enter")
        self.new_example.setObjectName("inspectorNewExample")
        self.new_example.returnPressed.connect(self._add_example)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._remove_example)
        add.addWidget(self.new_example, 1)
        add.addWidget(self.remove_button)
        lay.addLayout(add)
        fields = QHBoxLayout()
        self.fields = QLabel()
        self.fields.setObjectName("hint")
        self.fields.setWordWrap(True)
        self.fields_button = QPushButton("Fields…")
        self.fields_button.setToolTip("Define the values a coding of this code carries")
        self.fields_button.clicked.connect(
            lambda: self.code_id is not None and self.fields_requested.emit(self.code_id)
        )
        fields.addWidget(self.fields, 1)
        fields.addWidget(self.fields_button)
        lay.addLayout(fields)
        return body

    # -- size ------------------------------------------------------------------------
    def header_height(self) -> int:
        return self.header.sizeHint().height()

    def sizeHint(self) -> QSize:
        hint = self.header.sizeHint()
        if self.scroll.isVisibleTo(self):
            body = self.body.sizeHint()
            hint = QSize(max(hint.width(), body.width()), hint.height() + body.height())
        return hint

    def minimumSizeHint(self) -> QSize:
        return QSize(self.header.minimumSizeHint().width(), self.header_height())

    def _fit(self) -> None:
        """Never taller than what is shown: the splitter gives the rest to the tree."""
        self.setMaximumHeight(self.sizeHint().height())
        self.updateGeometry()
        self.size_changed.emit()

    def set_open(self, shown: bool, *, by_user: bool = False) -> None:
        """Show (True) or collapse the editors below the header."""
        self.is_open = shown
        self.toggle.setChecked(shown)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.scroll.setVisible(shown and self.code_id is not None)
        self._fit()
        if by_user:
            self.open_changed.emit(shown)

    # -- showing ---------------------------------------------------------------------
    def show_code(
        self, code: CodeInfo | None, examples: list[ExampleInfo], fields: list[FieldInfo],
        owners: dict[int, str] | None = None,
    ) -> None:  # fmt: skip
        same = code is not None and code.id == self.code_id
        self.code_id = code.id if code else None
        enabled = code is not None
        for w in (*self.boxes.values(), self.examples, self.new_example, self.remove_button,
                  self.fields_button):  # fmt: skip
            w.setEnabled(enabled)
        if code is None:
            self.swatch.setIcon(QIcon())
            self.swatch.setVisible(False)
            self.path.setText("Select a code to see and edit its definition.")
            for box in self.boxes.values():
                box.load("", force=True)
            self.examples.clear()
            self.fields.setText("")
            self.set_open(self.is_open)
            return
        self.swatch.setVisible(True)
        self.swatch.setIcon(QIcon(swatch(code.color)))
        self.path.setText(f"<b>{_esc(code.path)}</b> <span style='color:{theme.current().muted}'>· "
                          f"{wording.count(code.codings, 'coding')}</span>")  # fmt: skip
        for key, box in self.boxes.items():
            box.load(getattr(code, key), force=not same)
        self.examples.clear()
        for ex in examples:
            item = QListWidgetItem(f"“{one_line(ex.text, 200)}”")
            item.setData(Qt.ItemDataRole.UserRole, ex.id)
            item.setToolTip(ex.text + ("\n(from a coding)" if ex.coding_id else ""))
            self.examples.addItem(item)
        self._size_examples()
        self.fields.setText(_fields_text(code, fields, owners or {}))
        self.set_open(self.is_open)

    def _size_examples(self) -> None:
        """The list is as tall as its examples (up to EXAMPLE_ROWS), and gone when empty:
        the line below it says how to add one."""
        n = self.examples.count()
        self.examples.setVisible(n > 0)
        rows = sum(self.examples.sizeHintForRow(r) for r in range(min(n, self.EXAMPLE_ROWS)))
        self.examples.setFixedHeight(rows + 2 * self.examples.frameWidth() + 2)

    def edit_definition(self) -> None:
        if not self.is_open:
            self.set_open(True, by_user=True)
        box = self.boxes["description"]
        self.scroll.ensureWidgetVisible(box)
        box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        box.moveCursor(box.textCursor().MoveOperation.End)

    # -- asking ----------------------------------------------------------------------
    def _commit(self, key: str, text: str) -> None:
        if self.code_id is not None:
            self.text_committed.emit(self.code_id, key, text)

    def _add_example(self) -> None:
        text = self.new_example.text().strip()
        if text and self.code_id is not None:
            self.new_example.clear()
            self.example_added.emit(self.code_id, text)

    def _remove_example(self) -> None:
        item = self.examples.currentItem()
        if item is not None:
            self.example_removed.emit(item.data(Qt.ItemDataRole.UserRole))


def _fields_text(code: CodeInfo, fields: list[FieldInfo], owners: dict[int, str]) -> str:
    """'Fields: count (integer), kind (killed, injured) · from Casualties: who (…)'."""
    if not fields:
        return "No fields: codings of this code carry no values."
    groups: dict[int, list[str]] = {}
    for f in fields:
        kind = ", ".join(f.choices) if f.choices else f.type
        groups.setdefault(f.code_id, []).append(f"{f.name}{' *' if f.required else ''} ({kind})")
    parts = []
    for owner, items in groups.items():
        head = "Fields" if owner == code.id else f"From {owners.get(owner, 'a parent')}"
        parts.append(f"{head}: {', '.join(items)}")
    return " · ".join(parts)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
