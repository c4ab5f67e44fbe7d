"""Undoable changes to the project journal (document, code and coding memos have their
commands beside their owners: documents.commands.SetDocumentMemo, coding.commands.
UpdateCode and SetMemo)."""

from __future__ import annotations

from datetime import datetime

from desktop.services.coding import memos
from desktop.ui.workbench.context import Command, Context


class AddJournalEntry(Command):
    def __init__(self, ctx: Context, text: str, title: str = "") -> None:
        super().__init__(ctx, "Add journal entry")
        self.text, self.title = text, title
        self.entry_id: int | None = None
        self.at: datetime | None = None

    def do(self) -> None:
        self.entry_id = memos.add_journal_entry(self.ctx.project, self.text, self.title, self.at)

    def undo_(self) -> None:
        old = memos.delete_journal_entry(self.ctx.project, self.entry_id)
        self.at = datetime.fromisoformat(old["at"])  # redo puts it back at the same time

    def announce(self) -> None:
        self.ctx.memos_changed.emit()


class EditJournalEntry(Command):
    def __init__(self, ctx: Context, entry_id: int, text: str, title: str) -> None:
        super().__init__(ctx, "Edit journal entry")
        self.entry_id, self.new = entry_id, {"text": text, "title": title}
        self.old: dict = {}

    def do(self) -> None:
        self.old = memos.update_journal_entry(self.ctx.project, self.entry_id, **self.new)
        if self.old == self.new and not self._pushed_once:
            self.setObsolete(True)

    def undo_(self) -> None:
        memos.update_journal_entry(self.ctx.project, self.entry_id, **self.old)

    def announce(self) -> None:
        self.ctx.memos_changed.emit()


class DeleteJournalEntry(Command):
    """Delete an entry; undo writes it again with its date (under a new id)."""

    def __init__(self, ctx: Context, entry_id: int) -> None:
        super().__init__(ctx, "Delete journal entry")
        self.entry_id = entry_id
        self.old: dict = {}

    def do(self) -> None:
        self.old = memos.delete_journal_entry(self.ctx.project, self.entry_id)

    def undo_(self) -> None:
        self.entry_id = memos.add_journal_entry(
            self.ctx.project, self.old["text"], self.old["title"],
            datetime.fromisoformat(self.old["at"]),
        )  # fmt: skip

    def announce(self) -> None:
        self.ctx.memos_changed.emit()
