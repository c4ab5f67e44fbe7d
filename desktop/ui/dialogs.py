"""Dialogs and the questions the window asks (the memo editor among them). Every question goes through ``Prompts`` so
a test can answer it without a modal dialog ever showing."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QObject,
    QSettings,
    QSize,
    QSortFilterProxyModel,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.codebook.codebook import CodeInfo
from desktop.services.teams.coders import CoderInfo
from desktop.ui import a11y
from desktop.ui.look import swatch
from desktop.ui.models import one_line

FILE_FILTER = "Documents (*.txt *.md *.html *.htm *.pdf *.docx *.rtf *.odt);;All files (*)"
PROJECT_FILTER = "Tessera projects (*.tessera);;All files (*)"


class ReloadWhenShown(QObject):
    """Reads a window's data again after the project changed: on the next turn of the
    event loop while the window is shown (a burst of changes reads once), else when it
    is shown next (a hidden window reads nothing)."""

    def __init__(self, window: QWidget, reload) -> None:
        super().__init__(window)
        self._window, self._reload = window, reload
        self.stale = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.now)
        window.installEventFilter(self)

    def later(self, *_args) -> None:
        if self._window.isVisible():
            self._timer.start()
        else:
            self.stale = True

    def now(self) -> None:
        self.stale = False
        self._reload()

    def eventFilter(self, obj, e) -> bool:
        if obj is self._window and e.type() == QEvent.Type.Show and self.stale:
            self.now()
        return False


def project_window(w, attr: str, cls, make, refresh):
    """The window ``w.<attr>`` of the open project, made anew (``make()``) when there is
    none or it shows another project, else ``refresh(win)``d; shown, raised and focused.
    None when no project is open."""
    ctx = w.ctx
    if ctx is None:
        return None
    win = getattr(w, attr, None)
    if not isinstance(win, cls) or win.ctx is not ctx:
        if isinstance(win, cls):
            win.close()
        win = make()
        setattr(w, attr, win)
    else:
        refresh(win)
    win.show()
    win.raise_()
    win.activateWindow()
    return win


def fit_window(window: QWidget, key: str, default: QSize) -> None:
    """Give a window or dialog the size it was last closed at (else ``default``), never
    larger than the screen's available area, centred over its parent; make Esc and
    Ctrl+W close it; remember its size when it closes. ``key`` names it in the settings."""
    settings = _settings_of(window)
    saved = settings.value(f"windows/{key}")
    if isinstance(saved, QByteArray) and not saved.isEmpty():
        window.restoreGeometry(saved)
    else:
        window.resize(default)
    window.winId()  # the platform window, so that its frame's size is known
    screen = (window.parentWidget() or window).screen().availableGeometry()
    size = window.size().boundedTo(screen.size() - _frame_room(window))
    window.resize(size)
    anchor = window.parentWidget().frameGeometry() if window.parentWidget() else screen
    rect = window.frameGeometry()
    rect.moveCenter(anchor.center())
    rect.moveLeft(max(screen.left(), min(rect.left(), screen.right() - rect.width())))
    rect.moveTop(max(screen.top(), min(rect.top(), screen.bottom() - rect.height())))
    window.move(rect.topLeft())
    for keys in (QKeySequence(Qt.Key.Key_Escape), QKeySequence("Ctrl+W")):
        shortcut = QShortcut(keys, window, window.close)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
    window.installEventFilter(_SizeKeeper(window, settings, key))


def _frame_room(window: QWidget) -> QSize:
    """The room a window's frame takes (none until it has been shown once)."""
    frame, inner = window.frameGeometry(), window.geometry()
    return QSize(max(0, frame.width() - inner.width()), max(0, frame.height() - inner.height()))


def _settings_of(widget: QWidget) -> QSettings:
    w: QWidget | None = widget
    while w is not None:
        settings = getattr(w, "settings", None)
        if isinstance(settings, QSettings):
            return settings
        w = w.parentWidget()
    return QSettings("Tessera", "Tessera")


class _SizeKeeper(QObject):
    def __init__(self, window: QWidget, settings: QSettings, key: str) -> None:
        super().__init__(window)
        self.settings, self.key = settings, key

    def eventFilter(self, obj, e) -> bool:
        if e.type() in (QEvent.Type.Close, QEvent.Type.Hide):
            self.settings.setValue(f"windows/{self.key}", obj.saveGeometry())
        elif e.type() == QEvent.Type.Show:
            # every control a screen reader would meet unnamed gets the name a sighted
            # user reads beside it (the controls named on purpose keep theirs)
            a11y.name_from_context(obj)
            QTimer.singleShot(0, obj, lambda: a11y.name_from_context(obj))  # built on show
        return False


class Prompts:
    """The window's questions to the user. Tests replace it with canned answers."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def ask_coder(self, names: list[str], current: str = "") -> str | None:
        items = list(names) or [current or ""]
        idx = items.index(current) if current in items else 0
        name, ok = QInputDialog.getItem(
            self.parent, "Who is coding?",
            "Your name as a coder (your codings are kept apart from other coders'):",
            items, idx, True,
        )  # fmt: skip
        return name.strip() if ok and name.strip() else None

    def ask_text(
        self, title: str, label: str, text: str = "", multiline: bool = False
    ) -> str | None:
        if multiline:
            value, ok = QInputDialog.getMultiLineText(self.parent, title, label, text)
        else:
            value, ok = QInputDialog.getText(
                self.parent, title, label, QLineEdit.EchoMode.Normal, text
            )
        return value if ok else None

    def edit_memo(self, code_path: str, quote: str, text: str) -> str | None:
        """The memo editor over a coding's memo: the new memo, or None if not saved."""
        editor = MemoEditor(self.parent, code_path, quote, text)
        editor.exec()
        return editor.answer()

    def confirm(self, title: str, message: str) -> bool:
        answer = QMessageBox.question(self.parent, title, message)
        return answer == QMessageBox.StandardButton.Yes

    def error(self, message: str) -> None:
        QMessageBox.warning(self.parent, "Tessera", message)

    def summary(self, title: str, message: str, details: str = "") -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, message, parent=self.parent)
        if details:
            box.setDetailedText(details)
        box.exec()

    def choose_coders(self, coders: list[CoderInfo], chosen: set[int]) -> set[int] | None:
        dlg = ChooseCodersDialog(coders, chosen, self.parent)
        return dlg.chosen() if dlg.exec() == QDialog.DialogCode.Accepted else None

    def choose_encodings(self, previews) -> dict[str, str] | None:
        """Files in a guessed encoding: the user checks or changes each; None cancels."""
        from desktop.ui.documents.importing import EncodingDialog

        dlg = EncodingDialog(previews, self.parent)
        return dlg.choices() if dlg.exec() == QDialog.DialogCode.Accepted else None

    # -- files: dialogs start in the last folder used, else the project's folder, never in
    # the working directory the app happened to be started from
    def start_folder(self) -> str:
        settings = _settings_of(self.parent)
        last = settings.value("files/lastFolder", "", str)
        if last and Path(last).is_dir():
            return last
        project = getattr(getattr(self.parent, "ctx", None), "project", None)
        if project is not None and Path(project.path).parent.is_dir():
            return str(Path(project.path).parent)
        return str(Path.home())

    def _used(self, *paths: str) -> None:
        if paths and paths[0]:
            _settings_of(self.parent).setValue("files/lastFolder", str(Path(paths[0]).parent))

    def _in_start(self, suggested: str) -> str:
        """A suggested file name placed in the start folder (a full path stays as is)."""
        if suggested and Path(suggested).is_absolute():
            return suggested
        return str(Path(self.start_folder()) / suggested) if suggested else self.start_folder()

    def open_files(self) -> list[str]:
        files, _ = QFileDialog.getOpenFileNames(
            self.parent, "Import documents", self.start_folder(), FILE_FILTER
        )
        self._used(*files)
        return files

    def open_project(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self.parent, "Open project", self.start_folder(), PROJECT_FILTER
        )
        self._used(path)
        return path or None

    def new_project(self, templates: list[str]) -> tuple[str, str] | None:
        path, _ = QFileDialog.getSaveFileName(
            self.parent, "New project", self.start_folder(), PROJECT_FILTER
        )
        self._used(path)
        if not path:
            return None
        if not path.endswith(".tessera"):
            path += ".tessera"
        template, ok = QInputDialog.getItem(
            self.parent, "Codebook template", "Start the codebook from:", templates, 0, False
        )
        return (path, template) if ok else None

    def ask_color(self, current: str) -> str | None:
        color = QColorDialog.getColor(QColor(current), self.parent, "Code colour")
        return color.name() if color.isValid() else None

    def save_path(self, title: str, suggested: str, file_filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            self.parent, title, self._in_start(suggested), file_filter
        )
        self._used(path)
        return path or None


QUOTE_SHOWN = 240  # characters of the passage shown above the memo (all of it in the tooltip)


class _MemoText(QPlainTextEdit):
    """Enter is a new line; Ctrl+Enter is the dialog's (save)."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__()
        self.dialog = dialog

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            e.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.dialog.accept()
            return
        super().keyPressEvent(e)


class MemoEditor(QDialog):
    def __init__(self, parent: QWidget | None, code_path: str, quote: str, text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Memo")
        self.setObjectName("memoEditor")
        self.original = text
        self.about = QLabel()
        self.about.setObjectName("memoAbout")
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.RichText)
        self.about.setText(
            f"<b>{html.escape(code_path, quote=False)}</b><br>"
            f"“{html.escape(one_line(quote, QUOTE_SHOWN), quote=False)}”"
        )
        self.about.setToolTip(quote)
        self.edit = _MemoText(self)
        self.edit.setObjectName("memoText")
        self.edit.setAccessibleName("Memo")
        self.edit.setTabChangesFocus(True)
        self.edit.setPlaceholderText("What you noticed about this passage, why it is coded so…")
        self.edit.setPlainText(text)
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
        self.size_label = QLabel()
        self.size_label.setObjectName("hint")
        keys = QLabel("Enter: new line · Ctrl+Enter: save · Esc: close without saving")
        keys.setObjectName("hint")
        keys.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip("Save (Ctrl+Enter)")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        facts = QHBoxLayout()
        facts.addWidget(keys, 1)
        facts.addWidget(self.size_label, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        lay = QVBoxLayout(self)
        lay.addWidget(self.about)
        lay.addWidget(self.edit, 1)
        lay.addLayout(facts)
        lay.addWidget(buttons)
        self.edit.textChanged.connect(self._show_size)
        self._show_size()
        fit_window(self, "memo", QSize(560, 380))
        self.edit.setFocus()

    def text(self) -> str:
        return self.edit.toPlainText()

    def _show_size(self) -> None:
        text = self.text()
        self.size_label.setText(
            f"{wording.count(len(text), 'character')} · {wording.count(len(text.split()), 'word')}"
        )

    def answer(self) -> str | None:
        """The memo to store: None if the editor was closed without saving."""
        return self.text() if self.result() == QDialog.DialogCode.Accepted else None


class ChooseCodersDialog(QDialog):
    def __init__(
        self, coders: list[CoderInfo], chosen: set[int], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Show codings of")
        self.list = QListWidget()
        for c in coders:
            item = QListWidgetItem(swatch(c.color, round_=True), f"{c.name}  ({c.codings})")
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if c.id in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.list)
        lay.addWidget(buttons)

    def chosen(self) -> set[int]:
        out = set()
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.add(item.data(Qt.ItemDataRole.UserRole))
        return out


class CodePicker(QFrame):
    """Ctrl+K: type to filter the codes, Enter applies the highlighted one, or creates a
    new code when nothing matches (a path like ``Claims/Threats`` creates it there)."""

    picked = Signal(object, str)  # code id (None: create), path

    CREATE = "＋ New code: "

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("codePicker")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.edit = QLineEdit(placeholderText="Type to find a code, Enter to apply")
        self.edit.setClearButtonEnabled(True)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.list = QListView()
        self.list.setUniformItemSizes(True)
        self.source = QStringListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list.setModel(self.proxy)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(self.edit)
        lay.addWidget(self.list)
        lay.addWidget(self.hint)
        self.edit.textChanged.connect(self._filter)
        self.edit.returnPressed.connect(self._accept)
        self.list.activated.connect(lambda _i: self._accept())
        self.edit.installEventFilter(self)
        self._ids: dict[str, int] = {}
        self.resize(420, 320)

    def open_with(self, codes: list[CodeInfo], at) -> None:
        self._ids = {c.path: c.id for c in codes}
        self.source.setStringList([c.path for c in codes])
        self.edit.clear()
        self._filter("")
        self.move(at)
        self.show()
        self.edit.setFocus()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))
            self.hint.setText("Enter applies the highlighted code · ↑↓ to choose · Esc to cancel")
        else:
            self.hint.setText(
                f"Enter creates the code “{text.strip()}” and applies it" if text.strip() else ""
            )

    def eventFilter(self, obj, event) -> bool:
        if (
            obj is self.edit
            and event.type() == event.Type.KeyPress
            and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        ):
            row = self.list.currentIndex().row() + (1 if event.key() == Qt.Key.Key_Down else -1)
            if 0 <= row < self.proxy.rowCount():
                self.list.setCurrentIndex(self.proxy.index(row, 0))
            return True
        return super().eventFilter(obj, event)

    def _accept(self) -> None:
        idx = self.list.currentIndex()
        text = self.edit.text().strip()
        self.hide()
        if self.proxy.rowCount() and idx.isValid():
            path = idx.data()
            self.picked.emit(self._ids[path], path)
        elif text:
            self.picked.emit(None, text)
