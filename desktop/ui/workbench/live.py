"""The window on a server project follows what other clients change, and says when the
server's connection is lost and back (desktop.services.project.live does the
listening and the reconnecting, in a thread of its own here).

What others changed reaches the window through the context's own signals, as if a
command of this window had done it (the codebook, the documents list, the coders, the
codings of a document, the view's filters), so every view that follows the context
follows others' work too. The document's text is never read again; the scroll
positions, the text's selection and the chosen coding are kept. Changes arriving
close together are shown together (``GATHER_MS``).

While the connection is lost, the status bar says "Connection lost, retrying…", and
every action is refused with a message (the project refuses sessions: nothing is
half done, nothing queued); when it is back the status bar says so and the window
reads again what it shows, since what changed meanwhile was not announced. An action
another client's change made impossible (a code deleted a moment before) is refused by
the services with a message; the window then reads again what it shows."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, QTimer, Signal
from PySide6.QtWidgets import QLabel

from desktop.services.project import live
from desktop.services.project.live import BACK, LOST, POLLING, Changes, Watch
from desktop.services.project.storage_errors import StorageFailure

if TYPE_CHECKING:
    from desktop.ui.workbench.host import WorkbenchWindow

GATHER_MS = 150
FEW = 3  # codings changed in more documents at once: everything shown is read again
LOST_TEXT = "Connection lost, retrying…"
BACK_TEXT = "Connected to the server again; the window shows what is stored now."
STOP_WAIT_MS = 20_000
POLL_ENV = "TESSERA_LIVE_POLL"  # set (to 1) to look for changes by polling, not LISTEN


class _WatchThread(QThread):
    def __init__(self, watch: Watch, parent: QObject) -> None:
        super().__init__(parent)
        self.watch = watch

    def run(self) -> None:
        self.watch.run()


class LiveUpdates(QObject):
    """Live updates for one window and its server project (see the module's doc)."""

    heard = Signal(object)  # Changes, from the watch's thread
    state = Signal(str, str)  # (state, detail), from the watch's thread
    shown = Signal(object)  # Changes, once the window shows them

    def __init__(self, w: WorkbenchWindow) -> None:
        super().__init__(w)  # type: ignore[arg-type]
        self.w = w
        self.ctx = w.ctx
        self.project = w.project
        self.mode = ""  # LISTENING or POLLING once connected
        self.pending = Changes()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(GATHER_MS)
        self.timer.timeout.connect(self._show)
        self.badge = QLabel(LOST_TEXT)
        self.badge.setObjectName("connectionBadge")
        self.badge.hide()
        w.statusBar().addPermanentWidget(self.badge)
        self.heard.connect(self._heard)
        self.state.connect(self._state)
        self.ctx.error.connect(self._refused)
        self.watch = Watch(
            self.project, on_changes=self.heard.emit, on_state=self.state.emit,
            poll=bool(os.environ.get(POLL_ENV)),
        )  # fmt: skip
        self.thread = _WatchThread(self.watch, self)
        self._previous_hook = sys.excepthook
        sys.excepthook = self._excepthook
        self.thread.start()

    def stop(self) -> None:
        """Stop listening (before the project is closed)."""
        self.watch.stop()
        # at most a connection attempt or a check the network does not answer
        self.thread.wait(STOP_WAIT_MS)
        self.timer.stop()
        if sys.excepthook == self._excepthook:
            sys.excepthook = self._previous_hook
        self.w.statusBar().removeWidget(self.badge)
        self.badge.deleteLater()

    @property
    def lost(self) -> bool:
        return self.project.offline is not None

    # -- what others changed -------------------------------------------------------------
    def _heard(self, changes: Changes) -> None:
        self.pending.merge(changes)
        if not self.timer.isActive():
            self.timer.start()

    def _refused(self, _message: str) -> None:
        """An action was refused: perhaps another client's change made it impossible;
        the window reads again what it shows."""
        self._heard(Changes.everything())

    def _show(self) -> None:
        if self.lost or self.w.ctx is not self.ctx:
            return  # shown once the connection is back (BACK shows everything)
        changes, self.pending = self.pending, Changes()
        if not changes:
            return
        try:
            with keeping_view(self.w):
                self._apply(changes)
        except StorageFailure as exc:
            if exc.kind != "connection":
                raise
            self.pending.merge(changes)  # the connection went meanwhile: again when back
            return
        self.shown.emit(changes)

    def _apply(self, changes: Changes) -> None:
        w, ctx = self.w, self.ctx
        if changes.coders:
            w.refresh_coders()
        if changes.settings:  # blind mode, the reviewer
            ctx.refresh_blind()
            ctx.filter_changed.emit()
        if changes.codebook:
            ctx.codebook_changed.emit()
        if changes.documents:
            shown = w.document_id  # (the list's refresh forgets a document that is gone)
            ctx.documents_changed.emit()
            self._follow_deleted_document(shown)
        current = w.document_id
        if changes.codebook or changes.coders:  # colours and names of the spans
            ctx.codings_changed.emit(current or 0)
        elif changes.codings:
            coded = changes.coded
            if 0 in coded or len(coded) > FEW:  # the current document's, and every count
                ctx.codings_changed.emit(0)
                if not changes.documents:
                    ctx.documents_changed.emit()
            else:
                for document_id in sorted(coded):
                    ctx.codings_changed.emit(document_id)

    def _follow_deleted_document(self, shown: int | None) -> None:
        w = self.w
        if shown is None:
            return
        model = w.documents_panel.model
        if model.info(shown) is not None:
            return
        w.show_message("The document shown was deleted by someone else.", 10_000)
        if model.rowCount():
            w.documents_panel.select(model.document(0).id)
        else:
            w.document_id = None
            w.viewer.set_text("")
            w.refresh_codings()

    # -- the connection ------------------------------------------------------------------
    def _state(self, state: str, detail: str) -> None:
        if state == LOST:
            self.badge.setText(LOST_TEXT)
            self.badge.setToolTip(
                "Until the connection is back, nothing can be changed or read from the "
                f"server; what is shown stays.\n{detail}"
            )
            self.badge.show()
            # an undo refused now would be dropped from the stack: wait for the server
            for action in (self.w.actions.undo, self.w.actions.redo):
                action.setEnabled(False)
            return
        self.mode = detail if state == BACK else state
        if state == BACK:
            self.badge.hide()
            stack = self.ctx.undo_stack
            self.w.actions.undo.setEnabled(stack.canUndo())
            self.w.actions.redo.setEnabled(stack.canRedo())
            self.w.show_message(BACK_TEXT, 10_000)
            self._heard(Changes.everything())
        elif state == POLLING:
            self.w.show_message(
                "The server does not pass on notifications: others' changes are looked for "
                f"every {live.POLL_S:g} s.",
                10_000,
            )

    def _excepthook(self, kind, exc, tb) -> None:
        """A read refused because the connection is lost (opening a document, say):
        the status bar says so instead of a traceback on the console."""
        if isinstance(exc, StorageFailure) and exc.kind == "connection":
            w = self.w
            w.show_message(str(exc), 10_000)
            if w.document_id is not None:  # the list shows the document still shown
                w.documents_panel.select(w.document_id, emit=False)
            return
        self._previous_hook(kind, exc, tb)


@contextmanager
def keeping_view(w: WorkbenchWindow) -> Iterator[None]:
    """Whatever the block reloads, the document stays where it was scrolled to, its
    selection stays, and so do the chosen coding and the side panels' scroll positions."""
    viewer = w.viewer
    views = [viewer, w.documents_panel.view, w.codebook_panel.view, w.codings_panel.view]
    scrolled = [(v.verticalScrollBar(), v.verticalScrollBar().value()) for v in views]
    document = w.document_id
    cursor = viewer.textCursor()
    anchor, position = cursor.anchor(), cursor.position()
    coding = w.codings_panel.current_coding()
    try:
        yield
    finally:
        if w.document_id == document:
            if coding is not None:
                w.codings_panel.select(coding)
            now = viewer.textCursor()
            if (now.anchor(), now.position()) != (anchor, position):
                from PySide6.QtGui import QTextCursor

                c = QTextCursor(viewer.document())
                c.setPosition(anchor)
                c.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
                viewer.setTextCursor(c)
            for bar, value in scrolled:
                bar.setValue(value)


def attach(w: WorkbenchWindow) -> LiveUpdates | None:
    """Start live updates for the window's project if it is on a server (after any
    earlier one is stopped); None for a file."""
    detach(w)
    if not w.project.is_server:
        return None
    w.live = LiveUpdates(w)  # type: ignore[attr-defined]
    return w.live  # type: ignore[attr-defined]


def detach(w: WorkbenchWindow) -> None:
    """Stop the window's live updates, if any (before its project is closed)."""
    current = getattr(w, "live", None)
    if current is not None:
        w.live = None  # type: ignore[attr-defined]
        current.stop()
        current.deleteLater()
