"""The small editor that asks for a coding's typed field values, by keyboard: Tab moves
between fields, Enter saves, Esc skips (the coding stays; a required value left out
marks it incomplete). Choice and yes/no fields are combos with type-ahead, dates are ISO
line edits, numbers are validated as typed and again on save."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.fields import FieldValueError, canonical_value
from desktop.services.codebook.fields import FieldInfo

EMPTY = "—"
_PATTERNS = {
    "integer": r"-?[0-9][0-9,_]*|-?",
    "decimal": r"-?[0-9]*([.,][0-9]*)?",
    "date": r"[0-9]{0,4}(-[0-9]{0,2}(-[0-9]{0,2})?)?",
}


def editor_for(field: FieldInfo, value: str | None) -> QWidget:
    if field.type in ("choice", "boolean"):
        combo = QComboBox()
        items = list(field.choices) if field.type == "choice" else ["yes", "no"]
        combo.addItems([EMPTY, *items])
        combo.setCurrentIndex(items.index(value) + 1 if value in items else 0)
        combo.setObjectName(f"field_{field.id}")
        return combo
    edit = QLineEdit(value or "")
    edit.setObjectName(f"field_{field.id}")
    pattern = _PATTERNS.get(field.type)
    if pattern:
        edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), edit))
    edit.setPlaceholderText(
        {"date": "YYYY-MM-DD", "integer": "a whole number", "decimal": "a number"}.get(
            field.type, ""
        )
    )
    return edit


def raw_value(editor: QWidget) -> str:
    if isinstance(editor, QComboBox):
        return "" if editor.currentIndex() <= 0 else editor.currentText()
    return editor.text().strip()


class FieldValuesForm(QWidget):
    """One row per effective field: label (an asterisk when required) and editor."""

    def __init__(self, fields: list[FieldInfo], values: dict[int, str], parent=None) -> None:
        super().__init__(parent)
        self.fields = list(fields)
        self.editors: dict[int, QWidget] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        for f in self.fields:
            ed = editor_for(f, values.get(f.id))
            ed.setMinimumWidth(180)
            self.editors[f.id] = ed
            label = QLabel(f"{f.name}{' *' if f.required else ''}")
            label.setToolTip(f"{f.type}{': ' + ', '.join(f.choices) if f.choices else ''}")
            form.addRow(label, ed)

    def first_editor(self) -> QWidget | None:
        return self.editors[self.fields[0].id] if self.fields else None

    def check(self) -> tuple[dict[int, str | None], list[str], QWidget | None]:
        """(values to store, problems in words, the editor of the first problem)."""
        out: dict[int, str | None] = {}
        problems: list[str] = []
        first: QWidget | None = None
        for f in self.fields:
            ed = self.editors[f.id]
            raw = raw_value(ed)
            if not raw:
                out[f.id] = None
                continue
            try:
                out[f.id] = canonical_value(f.type, raw, f.choices)
            except FieldValueError as exc:
                problems.append(f"{f.name}: {exc}")
                first = first or ed
        return out, problems, first

    def missing_required(self, values: dict[int, str | None]) -> list[FieldInfo]:
        return [f for f in self.fields if f.required and not values.get(f.id)]


class FieldValuesPopup(QFrame):
    """A small frame floating over the window near the coded passage (a child of the
    window, not a popup window: the window keeps its shortcuts and the keyboard is never
    grabbed). ``saved`` carries the values to store; ``skipped`` the names of required
    fields left empty (the coding is kept, incomplete). Leaving it (focus elsewhere)
    counts as Esc."""

    saved = Signal(int, object)  # coding id, {field id: value or None}
    skipped = Signal(int, list)  # coding id, names of required fields without a value

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("fieldPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.coding_id: int | None = None
        self.form: FieldValuesForm | None = None
        self._done = True
        self.title = QLabel()
        self.title.setObjectName("fieldPopupTitle")
        self.message = QLabel()
        self.message.setObjectName("fieldPopupError")
        self.message.setWordWrap(True)
        self.message.hide()
        self.hint = QLabel("Tab next field · Enter saves · Esc skips")
        self.hint.setObjectName("hint")
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(12, 10, 12, 10)
        self.lay.setSpacing(8)
        self.lay.addWidget(self.title)
        self.lay.addWidget(self.message)
        self.lay.addWidget(self.hint)
        self.hide()
        QApplication.instance().focusChanged.connect(self._focus_changed)

    def open_for(
        self, coding_id: int, title: str, fields: list[FieldInfo], values: dict[int, str],
        at: QPoint,
    ) -> None:  # fmt: skip
        if not self._done:
            self.skip()
        if self.form is not None:
            self.form.hide()
            self.form.deleteLater()
        self.coding_id = coding_id
        self.title.setText(title)
        self.message.hide()
        self.form = FieldValuesForm(fields, values, self)
        for ed in self.form.editors.values():
            ed.installEventFilter(self)
        self.lay.insertWidget(1, self.form)
        self.adjustSize()
        self._place(at)
        self.show()
        self.raise_()
        first = self.form.first_editor()
        if first is not None:
            first.setFocus(Qt.FocusReason.PopupFocusReason)
        self._done = False

    def _place(self, at: QPoint) -> None:
        parent = self.parentWidget()
        p = parent.mapFromGlobal(at)
        x = max(4, min(p.x(), parent.width() - self.width() - 4))
        y = p.y() if p.y() + self.height() < parent.height() - 4 else p.y() - self.height() - 30
        self.move(x, max(4, y))

    def _inside(self, widget: QWidget | None) -> bool:
        while widget is not None:
            if widget is self:
                return True
            widget = widget.parentWidget()
        return False

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not self._done and new is not None and not self._inside(new):
            self.skip()

    def _step(self, obj: QObject, forward: bool) -> None:
        editors = list(self.form.editors.values())
        i = editors.index(obj) if obj in editors else -1
        editors[(i + (1 if forward else -1)) % len(editors)].setFocus(Qt.FocusReason.TabFocusReason)

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if (
            e.type() == QEvent.Type.ShortcutOverride
            and e.text().isprintable()
            and e.text()
            and not (
                e.modifiers()
                & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
            )
        ):
            e.accept()  # typing here, not the window's 1-9 keys
            return False
        if e.type() == QEvent.Type.KeyPress and not (
            isinstance(obj, QComboBox) and obj.view().isVisible()
        ):
            key = e.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.save()
                return True
            if key == Qt.Key.Key_Escape:
                self.skip()
                return True
            if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                back = key == Qt.Key.Key_Backtab or bool(
                    e.modifiers() & Qt.KeyboardModifier.ShiftModifier
                )
                self._step(obj, not back)
                return True
        return super().eventFilter(obj, e)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.adjustSize()

    def save(self) -> None:
        if self.form is None or self._done:
            return
        values, problems, first = self.form.check()
        if problems:
            self._say("; ".join(problems))
            if first is not None:
                first.setFocus()
            return
        lacking = self.form.missing_required(values)
        if lacking:
            names = ", ".join(f.name for f in lacking)
            verb = "is" if len(lacking) == 1 else "are"
            self._say(
                f"{names} {verb} required: fill it in, or press Esc to leave the coding incomplete."
            )
            self.form.editors[lacking[0].id].setFocus()
            return
        self._done = True
        self.hide()
        self.saved.emit(self.coding_id, values)

    def skip(self) -> None:
        if self.form is None or self._done:
            return
        self._done = True
        values, _problems, _first = self.form.check()
        lacking = [f.name for f in self.form.missing_required(values)]
        self.hide()
        self.skipped.emit(self.coding_id, lacking)

    @property
    def is_open(self) -> bool:
        return not self._done
