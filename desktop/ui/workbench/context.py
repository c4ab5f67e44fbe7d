"""What the window works on: the open project, the active coder, the coder filter and the
undo stack. Commands change the project through services and then tell the context
what changed; views listen to its signals and refresh only what they show."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from desktop.services.teams import coders as coders_svc
from desktop.services.teams import teams
from desktop.services.teams.coders import CoderInfo

MINE, ALL, CHOSEN = "mine", "all", "chosen"


class Context(QObject):
    codings_changed = Signal(int)  # document id (0: several or unknown): reload them
    coding_added = Signal(object)  # CodingInfo
    coding_removed = Signal(object)  # CodingInfo
    coding_updated = Signal(object)  # CodingInfo
    codebook_changed = Signal()
    documents_changed = Signal()  # documents came or went: reload the list
    document_changed = Signal(int)  # one document's name, attributes, memo, sets or cases
    memos_changed = Signal()  # the journal, or a document's or code's memo
    study_changed = Signal()  # attributes, sets or cases defined, renamed or deleted
    coder_changed = Signal()
    filter_changed = Signal()
    error = Signal(str)

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.coder: CoderInfo | None = None
        self.reader = ""  # the name of a coder the project could not add (read-only file)
        self.view_mode = MINE
        self.chosen_coders: set[int] = set()
        self.blind_ids: list[int] | None = None  # blind mode: whose codings this coder may see
        self.undo_stack = QUndoStack(self)

    # -- coder ---------------------------------------------------------------------
    def set_coder(self, name: str) -> CoderInfo | None:
        """Work as ``name``, adding the coder if the project does not know it yet. A
        project that cannot be written to (read-only, or damaged and opened to look)
        cannot add one: then there is no active coder (None) and ``reader`` keeps the
        name, so the window shows every coder's codings for reading."""
        try:
            coder = coders_svc.get_or_add_coder(self.project, name)
        except ServiceError:
            if coders_svc.find_coder(self.project, name.strip()) is not None:
                raise
            coder = None
        self.coder = coder
        self.reader = name.strip() if coder is None else ""
        self.project.actor = coder.name if coder else name.strip()
        self.refresh_blind()
        if coder is None:
            self.view_mode = ALL
        self.coder_changed.emit()
        self.filter_changed.emit()
        return coder

    def set_view(self, mode: str, chosen: set[int] | None = None) -> None:
        self.view_mode = mode
        if chosen is not None:
            self.chosen_coders = set(chosen)
        self.filter_changed.emit()

    def refresh_blind(self) -> None:
        """Read blind mode again (teams.visible_coder_ids): None when it hides nothing."""
        coder_id = self.coder.id if self.coder else None
        self.blind_ids = teams.visible_coder_ids(self.project, coder_id)

    def visible_coder_ids(self) -> list[int] | None:
        """Coder ids whose codings are shown; None means everyone's. Blind mode narrows
        whatever view is chosen to what teams.visible_coder_ids allows."""
        if self.view_mode == ALL:
            ids = None
        elif self.view_mode == CHOSEN:
            ids = sorted(self.chosen_coders)
        else:
            ids = [self.coder.id] if self.coder else []
        if self.blind_ids is None:
            return ids
        return list(self.blind_ids) if ids is None else [i for i in ids if i in self.blind_ids]

    # -- running commands ---------------------------------------------------------------
    def run(self, command: Command) -> bool:
        """Do the command once; on success put it on the undo stack (which does not
        redo it again). A refused action shows its reason and leaves no stack entry."""
        try:
            command.first_do()
        except ServiceError as exc:
            self.error.emit(str(exc))
            return False
        command.announce()
        self.undo_stack.push(command)
        return True


class Command(QUndoCommand):
    """A user action as a command over services: ``do`` and ``undo_`` call services
    and ``announce`` tells the context what changed."""

    def __init__(self, ctx: Context, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self._pushed_once = False

    def first_do(self) -> None:
        self.do()

    def redo(self) -> None:
        if not self._pushed_once:  # QUndoStack.push calls redo: already done by first_do
            self._pushed_once = True
            return
        self._guarded(self.do)

    def undo(self) -> None:
        self._guarded(self.undo_)

    def _guarded(self, fn) -> None:
        try:
            fn()
        except ServiceError as exc:
            self.ctx.error.emit(f"Cannot {self.text().lower()}: {exc}")
            self.setObsolete(True)
        self.announce()

    def do(self) -> None:
        raise NotImplementedError

    def undo_(self) -> None:
        raise NotImplementedError

    def announce(self) -> None:
        pass
