"""Coding actions of the window: apply a code (click, digit key, Ctrl+K, menu), in-vivo
coding, removing a coding, editing a memo, and the codebook's own edits. Each one is a
command on the undo stack."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QMenu

from desktop.core import wording
from desktop.core.codepath import escape_name
from desktop.services.errors import ServiceError
from desktop.ui import theme
from desktop.ui.coding import commands as cmd
from desktop.ui.models import one_line

if TYPE_CHECKING:
    from desktop.ui.workbench.host import WorkbenchWindow


class CodingActions:
    def __init__(self, window: WorkbenchWindow) -> None:
        self.w = window
        self.after_apply: list = []  # called with the new CodingInfo (typed values)
        self.undo_button = self._undo_link()  # "Undo" while "Removed …" shows
        self._undo_message = ""
        self._undo_target: tuple[int, str] = (0, "")
        self._undo_index = -1  # the undo stack's index right after the removal
        window.picker.picked.connect(self._picked)
        window.codebook_panel.code_clicked.connect(self._code_clicked)
        window.codebook_panel.context_requested.connect(self.codebook_menu)
        window.viewer.code_as_requested.connect(self.open_picker)
        window.viewer.in_vivo_requested.connect(self.in_vivo)
        window.viewer.remove_requested.connect(self.remove)
        window.viewer.memo_requested.connect(self.edit_memo)
        window.codings_panel.remove_requested.connect(
            lambda cid: self.remove(cid, select_next=True)
        )
        window.codings_panel.memo_requested.connect(self.edit_memo)

    @property
    def ctx(self):
        return self.w.ctx

    def _selection(self) -> tuple[int, int] | None:
        if self.w.document_id is None:
            return None
        if self.ctx.coder is None:  # a read-only project opened by a coder it does not know
            self.ctx.error.emit(
                f"{self.ctx.project.path.name} is open for reading only: "
                f"{self.ctx.reader or 'this coder'} cannot code in it."
            )
            return None
        rng = self.w.viewer.selected_range()
        if rng is None:
            self.w.statusBar().showMessage("Select some text first, then choose a code.", 4000)
        return rng

    # -- applying ------------------------------------------------------------------------
    def apply_code(self, code_id: int) -> bool:
        rng = self._selection()
        if rng is None:
            return False
        code = self.w.codes.get(code_id)
        return self._run_apply(
            cmd.ApplyCoding(
                self.ctx,
                document_id=self.w.document_id,
                start=rng[0],
                end=rng[1],
                code_id=code_id,
                label=code.path if code else "",
            )  # fmt: skip
        )

    def apply_new_code(self, path: str) -> bool:
        rng = self._selection()
        if rng is None:
            return False
        existing = next((c for c in self.w.codes.values() if c.path == path), None)
        if existing:
            return self.apply_code(existing.id)
        command = cmd.ApplyCoding(
            self.ctx, document_id=self.w.document_id, start=rng[0], end=rng[1],
            new_code_path=path,
        )  # fmt: skip
        if not self._run_apply(command):
            return False
        if command.code_id is not None:  # the new code, selected where the coder sees it
            self.w.codebook_panel.view.select_code(command.code_id)
        return True

    def _run_apply(self, command: cmd.ApplyCoding) -> bool:
        if not self.ctx.run(command):
            return False
        for hook in self.after_apply:
            hook(command.info)
        return True

    def apply_quick(self, n: int) -> None:
        quick = self.w.codebook_panel.model.quick_codes()
        if n <= len(quick):
            self.apply_code(quick[n - 1].id)

    def _code_clicked(self, code_id: int) -> None:
        if self.w.viewer.textCursor().hasSelection():
            self.apply_code(code_id)

    def open_picker(self) -> None:
        if self._selection() is None:
            return
        v = self.w.viewer
        rect = v.cursorRect(v.textCursor())
        at = v.viewport().mapToGlobal(QPoint(rect.left(), rect.bottom() + 6))
        codable = [c for c in self.w.codebook_panel.model.codes if c.is_codable]
        self.w.picker.open_with(codable, at)

    def _picked(self, code_id: int | None, path: str) -> None:
        if code_id is not None:
            self.apply_code(code_id)
        else:
            self.apply_new_code(path)

    def in_vivo(self) -> None:
        rng = self._selection()
        if rng is None:
            return
        name = one_line(self.w.viewer.text[rng[0] : rng[1]], 60).strip("“”\"'.,;: ")
        if name:
            self.apply_new_code(escape_name(name))

    # -- codings ------------------------------------------------------------------------
    def _coding(self, coding_id: int):
        return self.w.codings_by_id.get(coding_id)

    def remove(self, coding_id: int, *, select_next: bool = False) -> None:
        c = self._coding(coding_id)
        if c is None:
            return
        code = self.w.codes.get(c.code_id)
        panel = self.w.codings_panel
        row = panel.model.row_of(coding_id)
        if not self.ctx.run(cmd.RemoveCoding(self.ctx, c, code.path if code else "")):
            return
        what = f"the coding “{code.path if code else 'code'}” on “{one_line(c.quote, 50)}”"
        self._offer_undo(f"Removed {what} · Undo (Ctrl+Z) brings it back", coding_id, what)
        # from the list: the neighbour that took its row is selected and shown in the
        # text, so that what a second Delete would remove is in plain view
        if select_next and row >= 0 and panel.model.rowCount():
            nxt = panel.model.coding(min(row, panel.model.rowCount() - 1))
            self.w.show_coding(nxt.id)

    def _undo_link(self) -> QLabel:
        """The status bar's Undo link, added once, now: a widget added to the bar while a
        message shows would bring back the widgets the message hides (Qt re-shows them)."""
        bar = self.w.statusBar()
        link = QLabel()
        link.setObjectName("statusUndo")
        link.setAccessibleName("Undo the removal")
        link.setToolTip("Bring the coding back (Ctrl+Z)")
        link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)  # fmt: skip
        link.hide()
        bar.addPermanentWidget(link)
        bar.messageChanged.connect(
            lambda text: link.setVisible(bool(text) and text == self._undo_message)
        )
        link.linkActivated.connect(lambda _href: self._undo_removal())
        return link

    def _offer_undo(self, message: str, coding_id: int, what: str) -> None:
        """Say what was removed, with an Undo button beside the message while it shows;
        Undo brings the coding back and selects it again."""
        self._undo_message, self._undo_target = message, (coding_id, what)
        self._undo_index = self.ctx.undo_stack.index()
        self.undo_button.setText(  # in the theme of the moment
            f"<a href='undo' style='color:{theme.current().ink}; font-weight:600'>Undo</a>"
        )
        self.w.show_message(message, 10_000)
        self.undo_button.show()

    def _undo_removal(self) -> None:
        coding_id, what = self._undo_target
        self.undo_button.hide()
        if self.ctx.undo_stack.index() != self._undo_index:  # never undo something else
            self.w.show_message(
                "Other changes came after the removal: Edit > Undo steps back through them.",
                8000,
            )
            return
        self.w.actions.undo.trigger()
        if coding_id in self.w.codings_by_id:
            self.w.show_coding(coding_id)
            self.w.show_message(f"Restored {what}", 5000)

    def edit_memo(self, coding_id: int) -> None:
        c = self._coding(coding_id)
        if c is None:
            return
        code = self.w.codes.get(c.code_id)
        memo = self.w.prompts.edit_memo(code.path if code else "", c.quote, c.memo)
        if memo is not None and memo != c.memo:
            self.ctx.run(cmd.SetMemo(self.ctx, c, memo))

    # -- codebook -------------------------------------------------------------------------
    def codebook_menu(self, code_id: int | None, global_pos) -> None:
        self.build_codebook_menu(code_id).exec(global_pos)

    def build_codebook_menu(self, code_id: int | None) -> QMenu:
        menu = QMenu(self.w)
        code = self.w.codes.get(code_id) if code_id is not None else None
        menu.addAction("New code…", lambda: self.add_code(None))
        if code:
            menu.addAction(f"New sub-code of “{code.name}”…", lambda: self.add_code(code.id))
            menu.addSeparator()
            menu.addAction("Rename…", lambda: self.rename_code(code.id))
            menu.addAction("Edit definition…", lambda: self.edit_definition(code.id))
            menu.addAction("Change colour…", lambda: self.recolour(code.id))
            menu.addAction("Move under…", lambda: self.move_code(code.id))
            if code.parent_id is not None:
                menu.addAction(
                    "Move to top level", lambda: self.ctx.run(cmd.MoveCode(self.ctx, code.id, None))
                )
            menu.addSeparator()
            menu.addAction("Delete…", lambda: self.delete_code(code.id))
        self.w.codebook_ui.extend_menu(menu, code)  # Merge into…, Fields…
        return menu

    def add_code(self, parent_id: int | None) -> None:
        name = self.w.prompts.ask_text("New code", "Name of the new code:")
        if name and name.strip():
            self.ctx.run(cmd.AddCode(self.ctx, parent_id, name.strip()))

    def rename_code(self, code_id: int) -> None:
        code = self.w.codes[code_id]
        name = self.w.prompts.ask_text("Rename code", "New name:", code.name)
        if name and name.strip() and name.strip() != code.name:
            self.ctx.run(cmd.UpdateCode(self.ctx, code_id, name=name.strip()))

    def edit_definition(self, code_id: int) -> None:
        code = self.w.codes[code_id]
        text = self.w.prompts.ask_text(
            "Definition", f"Definition of “{code.path}”:", code.description, multiline=True
        )
        if text is not None and text != code.description:
            self.ctx.run(cmd.UpdateCode(self.ctx, code_id, description=text))

    def recolour(self, code_id: int) -> None:
        code = self.w.codes[code_id]
        color = self.w.prompts.ask_color(code.color)
        if color and color != code.color:
            self.ctx.run(cmd.UpdateCode(self.ctx, code_id, color=color))

    def move_code(self, code_id: int) -> None:
        code = self.w.codes[code_id]
        path = self.w.prompts.ask_text(
            "Move code", f"Move “{code.name}” under the code (path, e.g. Actors):"
        )
        if path is None:
            return
        parent = next((c for c in self.w.codes.values() if c.path == path.strip()), None)
        if path.strip() and parent is None:
            self.w.prompts.error(f"There is no code “{path.strip()}”.")
            return
        self.ctx.run(cmd.MoveCode(self.ctx, code_id, parent.id if parent else None))

    def delete_code(self, code_id: int) -> None:
        from desktop.services.codebook import codebook
        from desktop.services.coding import codings

        code = self.w.codes[code_id]
        visible = self.ctx.blind_ids
        try:
            if visible is None:
                n = codebook.count_codings_under(self.w.project, code_id)
            else:  # blind mode: her codings only; others' are not counted out loud
                ids = codebook.subtree_ids(self.w.project, code_id)
                n = len(codings.list_codings(self.w.project, code_ids=ids, coder_ids=visible))
        except ServiceError as exc:
            self.w.prompts.error(str(exc))
            return
        question = f"Delete the code “{code.path}” and its sub-codes?"
        if visible is not None:
            question += (
                f"\n\nThis also deletes the codings made with them: {n} of yours, and other "
                "coders' if they have any (Undo brings them back)."
            )
        elif n:
            question += (
                f"\n\nThis also deletes {wording.count(n, 'coding')} made with them "
                "(Undo brings them back)."
            )
        if self.w.prompts.confirm("Delete code", question):
            self.ctx.run(cmd.DeleteCode(self.ctx, code_id, code.path))
