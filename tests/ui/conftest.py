"""Fixtures for the workbench tests: an isolated QSettings file, canned answers for every
question the window asks (no modal dialog ever shows), a project with the conflict-news
codebook and a window over it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402

from desktop.services.documents import documents  # noqa: E402
from desktop.services.project.project import Project  # noqa: E402

ARTICLE = (
    "Rebels say talks with Russia failed\n\n"
    "Syria's regime and its ally Russia resumed air strikes on the south on Wednesday "
    "after rebels said talks over a government takeover had failed.\n\n"
    "At least 12 people were killed in the town of Tafas, a monitor said.\n"
)


def pytest_collection_modifyitems(items):
    # the offscreen platform warns that it cannot propagate size hints: not our bug
    for item in items:
        if "tests/ui" in str(item.fspath).replace("\\", "/"):
            item.add_marker(
                pytest.mark.qt_log_ignore(
                    "propagateSizeHints", "does not support raise", "grabbing the"
                )
            )


class FakePrompts:
    """Records what the window asked and answers from queues set by the test."""

    def __init__(self) -> None:
        self.coder_answers: list[str | None] = ["Maya"]
        self.text_answers: list[str | None] = []
        self.confirm_answer = True
        self.chosen_coders: set[int] | None = None
        self.files: list[str] = []
        self.summaries: list[tuple[str, str, str]] = []
        self.errors: list[str] = []
        self.asked_coder = 0
        self.save_to: str | None = None

    def ask_coder(self, names, current=""):
        self.asked_coder += 1
        return self.coder_answers.pop(0) if self.coder_answers else None

    def ask_text(self, title, label, text="", multiline=False):
        return self.text_answers.pop(0) if self.text_answers else None

    def ask_color(self, current):
        return self.text_answers.pop(0) if self.text_answers else None

    # The memo editor: the real dialog is built; `on_memo_editor` (set by a test) works it
    # as a user would; without it the next of `text_answers` is typed in and saved.
    on_memo_editor = None
    memo_editors: list = []

    def edit_memo(self, code_path, quote, text):
        from PySide6.QtWidgets import QApplication

        from desktop.ui.dialogs import MemoEditor

        # over the window, whose settings (the test's own) keep the editor's size
        editor = MemoEditor(QApplication.activeWindow(), code_path, quote, text)
        self.memo_editors = [*self.memo_editors, editor]
        if self.on_memo_editor is not None:
            self.on_memo_editor(editor)
            return editor.answer()
        answer = self.text_answers.pop(0) if self.text_answers else None
        if answer is None:
            editor.reject()
        else:
            editor.edit.setPlainText(answer)
            editor.accept()
        return editor.answer()

    def confirm(self, title, message):
        return self.confirm_answer

    def error(self, message):
        self.errors.append(message)

    def summary(self, title, message, details=""):
        self.summaries.append((title, message, details))

    def choose_coders(self, coders, chosen):
        return self.chosen_coders

    def open_files(self):
        return list(self.files)

    # The import's encoding dialog: the real dialog is built; `on_encoding_dialog` (set
    # by a test) works it as a user would, and its choices are the answer.
    on_encoding_dialog = None
    encoding_dialogs: list = []

    def choose_encodings(self, previews):
        from desktop.ui.documents.importing import EncodingDialog

        dialog = EncodingDialog(previews)
        self.encoding_dialogs = [*self.encoding_dialogs, dialog]
        if self.on_encoding_dialog is not None and self.on_encoding_dialog(dialog) is False:
            return None  # the test pressed Cancel
        return dialog.choices()

    def open_project(self):
        return None

    def new_project(self, templates):
        return None

    def save_path(self, title, suggested, file_filter):
        return self.save_to


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield s
    s.sync()


@pytest.fixture
def prompts() -> FakePrompts:
    return FakePrompts()


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.tessera"
    p = Project.create(path, template="conflict-news", name="Study")
    documents.add_document(p, name="talks.txt", text=ARTICLE, kind="txt")
    p.close()
    return path


@pytest.fixture
def make_window(qtbot, settings, prompts):
    from desktop.ui.workbench.main_window import MainWindow

    made = []

    def make(path: Path, **kw):
        w = MainWindow(Project.open(path), settings=settings, prompts=kw.get("prompts", prompts))
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow)  # window shortcuts (1-9, Ctrl+K) need it
        made.append(w)
        return w

    yield make
    for w in made:
        w.shutdown()


@pytest.fixture
def window(make_window, project_path):
    return make_window(project_path)


@pytest.fixture
def themed(qapp):
    """Apply the real style and theme for one test, then put the tests' plain look back."""
    from PySide6.QtWidgets import QApplication

    from desktop.ui import look, theme

    app = QApplication.instance()
    before = (app.styleSheet(), app.palette(), app.style().name(), QApplication.font())

    def use(mode: str) -> None:
        look.apply_style(app, mode)

    yield use
    sheet, pal, style, font = before
    theme.set_mode(theme.LIGHT)
    app.setStyleSheet(sheet)
    app.setPalette(pal)
    app.setStyle(style)
    QApplication.setFont(font)
