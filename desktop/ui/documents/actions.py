"""What can be done to documents from a right-click (the main window's documents list
and the Documents table): open, rename, properties, memo, sets, cases, delete. Every change is
an undoable command; a deletion says first how many codings go with it. Questions go
through the window's prompts, so tests answer them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMenu, QWidget

from desktop.core import wording
from desktop.services.documents import cases, documents, sets
from desktop.services.errors import ServiceError
from desktop.ui.documents import commands as dcmd
from desktop.ui.models import ID_ROLE

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench, WorkbenchWindow


class DocumentActions(QObject):
    def __init__(self, w: Workbench) -> None:
        super().__init__(w if isinstance(w, QObject) else None)
        self.w = w
        self.properties_dialog = None  # the Properties dialog open now, if any

    @property
    def ctx(self):
        return self.w.ctx

    def _name(self, document_id: int) -> str:
        return documents.get_document(self.w.project, document_id).name

    # -- the menu ------------------------------------------------------------------------
    def build_menu(self, ids: list[int], parent: QWidget | None = None) -> QMenu:
        """The context menu for the documents ``ids`` (the first is the one clicked)."""
        menu = QMenu(parent or (self.w if isinstance(self.w, QWidget) else None))
        menu.setToolTipsVisible(True)
        if not ids:
            return menu
        one = len(ids) == 1
        did = ids[0]
        menu.addAction("&Open", lambda: self.open(did))
        if one:
            menu.addAction("&Rename…", lambda: self.rename(did))
            menu.addAction("&Properties…", lambda: self.properties(did, parent))
            menu.addAction("&Memo…", lambda: self.memo(did))
        menu.addSeparator()
        self._sets_menu(menu.addMenu("Add to &set"), ids)
        self._cases_menu(menu.addMenu("Add to &case"), ids)
        menu.addSeparator()
        label = "&Delete…" if one else f"&Delete {len(ids)} documents…"
        menu.addAction(label, lambda: self.delete(ids))
        return menu

    def pop_up(self, menu: QMenu, global_pos) -> None:
        """Show a context menu (tests look at it instead)."""
        menu.exec(global_pos)

    def _sets_menu(self, menu: QMenu, ids: list[int]) -> None:
        self._membership_menu(menu, ids, sets.list_sets(self.w.project), "set",
                              self.change_set, self.new_set)  # fmt: skip

    def _cases_menu(self, menu: QMenu, ids: list[int]) -> None:
        self._membership_menu(menu, ids, cases.list_cases(self.w.project), "case",
                              self.change_case, self.new_case)  # fmt: skip

    @staticmethod
    def _membership_menu(menu: QMenu, ids: list[int], groups, noun: str, change, new) -> None:
        """One checkable entry per set or case (checked: every document is in it; toggling
        adds them all or takes them all out), then New set… or New case…"""
        chosen = set(ids)
        for g in groups:
            a = menu.addAction(g.name.replace("&", "&&"))
            a.setCheckable(True)
            inside = chosen <= set(g.documents)
            a.setChecked(inside)
            a.setToolTip(f"{wording.count(len(g.documents), 'document')} in this {noun}")
            a.triggered.connect(lambda _=False, n=g.name, add=not inside: change(n, ids, add=add))
        if menu.actions():
            menu.addSeparator()
        menu.addAction(f"&New {noun}…", lambda: new(ids))

    # -- the actions ---------------------------------------------------------------------
    def open(self, document_id: int) -> None:
        self.w.show_document(document_id)

    def rename(self, document_id: int) -> bool:
        old = self._name(document_id)
        name = self.w.prompts.ask_text("Rename document", "New name:", old)
        if not name or not name.strip() or name.strip() == old:
            return False
        return self.ctx.run(dcmd.RenameDocument(self.ctx, document_id, name))

    def memo(self, document_id: int) -> bool:
        from desktop.services.coding import memos

        d = documents.get_document(self.w.project, document_id)
        old = memos.document_memo(self.w.project, document_id)
        text = self.w.prompts.ask_text("Document memo", f"Memo on “{d.name}”:", old,
                                       multiline=True)  # fmt: skip
        if text is None or text == old:
            return False
        return self.ctx.run(dcmd.SetDocumentMemo(self.ctx, document_id, text))

    def properties(self, document_id: int, parent: QWidget | None = None):
        """The document's Properties dialog, over ``parent`` (the window asking)."""
        from desktop.ui.documents.properties import PropertiesDialog

        if self.properties_dialog is not None:
            self.properties_dialog.close()
        window = parent.window() if parent is not None else None
        dlg = self.properties_dialog = PropertiesDialog(self.w, document_id, window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.finished.connect(lambda *_: self._forget(dlg))
        dlg.show()
        return dlg

    def _forget(self, dlg) -> None:
        if self.properties_dialog is dlg:
            self.properties_dialog = None

    def change_set(self, name: str, ids: list[int], *, add: bool = True) -> bool:
        return self.ctx.run(dcmd.ChangeSet(self.ctx, name, ids, add=add))

    def new_set(self, ids: list[int]) -> bool:
        name = self.w.prompts.ask_text("New set", "Name of the new set:")
        if not name or not name.strip():
            return False
        return self.ctx.run(dcmd.ChangeSet(self.ctx, name.strip(), ids, create=True))

    def change_case(self, name: str, ids: list[int], *, add: bool = True) -> bool:
        return self.ctx.run(dcmd.ChangeCase(self.ctx, name, ids, add=add))

    def new_case(self, ids: list[int]) -> bool:
        name = self.w.prompts.ask_text(
            "New case", "Name of the case (an interviewee, an event, an outlet):"
        )
        if not name or not name.strip():
            return False
        return self.ctx.run(dcmd.ChangeCase(self.ctx, name.strip(), ids, create=True))

    def delete(self, ids: list[int]) -> bool:
        """Delete documents after saying what goes with them (codings of every coder)."""
        p = self.w.project
        try:
            infos = [documents.get_document(p, did) for did in ids]
        except ServiceError as exc:
            self.w.prompts.error(str(exc))
            return False
        n = sum(d.codings for d in infos)
        what = f"“{infos[0].name}”" if len(infos) == 1 else wording.count(len(infos), "document")
        whose = "its" if len(infos) == 1 else "their"
        goes = f" and {whose} {wording.count(n, 'coding')} (of every coder)" if n else ""
        if not self.w.prompts.confirm(
            "Delete documents" if len(infos) > 1 else "Delete document",
            f"Delete {what}{goes}? {whose.capitalize()} text, attribute values, memo and set "
            "and case memberships go too. Edit > Undo brings them back.",
        ):
            return False
        label = infos[0].name if len(infos) == 1 else wording.count(len(infos), "document")
        if not self.ctx.run(dcmd.DeleteDocuments(self.ctx, [d.id for d in infos], label)):
            return False
        self.w.show_message(
            f"Deleted {what} and {wording.count(n, 'coding')} · Edit > Undo (Ctrl+Z) brings "
            "them back", 10_000)  # fmt: skip
        return True


def attach_list_menu(w: WorkbenchWindow, actions: DocumentActions) -> None:
    """The documents list's right-click menu."""
    view = w.documents_panel.view
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def show_menu(pos) -> None:
        idx = view.indexAt(pos)
        if not idx.isValid():
            return
        menu = actions.build_menu([idx.data(ID_ROLE)], view)
        actions.pop_up(menu, view.viewport().mapToGlobal(pos))

    view.customContextMenuRequested.connect(show_menu)
