"""Undoable coding and codebook actions. Each ``do``/``undo_`` is one service call,
so each is one transaction: nothing to save, nothing lost when the app is killed.
Deleted codes come back with their ids (codebook.restore_code_tree), so commands
further down the stack keep pointing at the right rows."""

from __future__ import annotations

from desktop.services.codebook import codebook
from desktop.services.codebook.snapshot import CodeTreeSnapshot, restore_code_tree
from desktop.services.coding import codings
from desktop.services.coding.codings import CodingInfo
from desktop.services.errors import ServiceError
from desktop.ui.workbench.context import Command, Context


class _CodingCommand(Command):
    """Announces exactly which coding came or went, so views update one row."""

    added: bool | None = None
    info: CodingInfo | None = None
    document_id = 0

    def announce(self) -> None:
        if self.info is None or self.added is None:
            self.ctx.codings_changed.emit(self.document_id)
        elif self.added:
            self.ctx.coding_added.emit(self.info)
        else:
            self.ctx.coding_removed.emit(self.info)
        self.added = None


class ApplyCoding(_CodingCommand):
    """Code [start, end) of a document; with ``new_code_path`` the code is created first
    (and removed again on undo)."""

    def __init__(
        self, ctx: Context, *, document_id: int, start: int, end: int, code_id: int | None = None,
        new_code_path: str | None = None, label: str = "",
    ) -> None:  # fmt: skip
        super().__init__(ctx, f"Code as {label or new_code_path or 'code'}")
        assert ctx.coder is not None
        self.document_id, self.start, self.end = document_id, start, end
        self.code_id = code_id
        self.new_code_path = new_code_path
        self.coder_id = ctx.coder.id
        self.info: CodingInfo | None = None
        self.code_snapshot: CodeTreeSnapshot | None = None

    def do(self) -> None:
        if self.new_code_path:
            if self.code_snapshot is None:
                self.code_id = codebook.add_code(self.ctx.project, self.new_code_path).id
            else:
                restore_code_tree(self.ctx.project, self.code_snapshot)
        if self.info is None:
            self.info = codings.apply_coding(
                self.ctx.project, document_id=self.document_id, code_id=self.code_id,
                coder_id=self.coder_id, start=self.start, end=self.end,
            )  # fmt: skip
        else:
            self.info = codings.restore_coding(self.ctx.project, self.info)
        self.added = True

    def undo_(self) -> None:
        if self.info is not None:
            self.info = codings.remove_coding(self.ctx.project, self.info.id)
            self.added = False
        if self.new_code_path and self.code_id is not None:
            self.code_snapshot = codebook.delete_code_tree(self.ctx.project, self.code_id)

    def announce(self) -> None:
        if self.new_code_path:  # the code came or went too: reload codebook and codings
            self.added = None
        super().announce()


class RemoveCoding(_CodingCommand):
    def __init__(self, ctx: Context, coding: CodingInfo, label: str = "") -> None:
        super().__init__(ctx, f"Remove coding {label}".strip())
        self.info = coding
        self.document_id = coding.document_id

    def do(self) -> None:
        self.info = codings.remove_coding(self.ctx.project, self.info.id)
        self.added = False

    def undo_(self) -> None:
        self.info = codings.restore_coding(self.ctx.project, self.info)
        self.added = True


class SetMemo(Command):
    def __init__(self, ctx: Context, coding: CodingInfo, memo: str) -> None:
        super().__init__(ctx, "Edit memo")
        self.coding_id, self.document_id = coding.id, coding.document_id
        self.new, self.old = memo, coding.memo

    def do(self) -> None:
        self.old = codings.set_memo(self.ctx.project, self.coding_id, self.new)

    def undo_(self) -> None:
        codings.set_memo(self.ctx.project, self.coding_id, self.old)

    def announce(self) -> None:
        try:
            self.ctx.coding_updated.emit(codings.get_coding(self.ctx.project, self.coding_id))
        except ServiceError:
            self.ctx.codings_changed.emit(self.document_id)


class AddCode(Command):
    def __init__(self, ctx: Context, parent_id: int | None, name: str) -> None:
        super().__init__(ctx, f"Add code {name}")
        self.parent_id, self.name = parent_id, name
        self.code_id: int | None = None
        self.snapshot: CodeTreeSnapshot | None = None

    def do(self) -> None:
        if self.snapshot is None:
            self.code_id = codebook.add_child(self.ctx.project, self.parent_id, self.name).id
        else:
            restore_code_tree(self.ctx.project, self.snapshot)

    def undo_(self) -> None:
        self.snapshot = codebook.delete_code_tree(self.ctx.project, self.code_id)

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()


class UpdateCode(Command):
    """Rename, recolour or redefine a code."""

    def __init__(self, ctx: Context, code_id: int, **changes) -> None:
        super().__init__(ctx, "Rename code" if "name" in changes else "Change code")
        self.code_id, self.changes = code_id, changes
        self.old: dict = {}

    def do(self) -> None:
        old, _new = codebook.update_code(self.ctx.project, self.code_id, **self.changes)
        self.old = {k: old[k] for k in self.changes}

    def undo_(self) -> None:
        codebook.update_code(self.ctx.project, self.code_id, **self.old)

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()
        self.ctx.codings_changed.emit(0)


class MoveCode(Command):
    def __init__(
        self, ctx: Context, code_id: int, new_parent_id: int | None, position: int | None = None
    ) -> None:
        super().__init__(ctx, "Move code")
        self.code_id, self.new_parent_id, self.position = code_id, new_parent_id, position
        self.old: tuple[int | None, int] = (None, 0)

    def do(self) -> None:
        self.old = codebook.move_code(
            self.ctx.project, self.code_id, self.new_parent_id, self.position
        )

    def undo_(self) -> None:
        parent, order = self.old
        codebook.move_code(self.ctx.project, self.code_id, parent, order)

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()
        self.ctx.codings_changed.emit(0)


class DeleteCode(Command):
    """Delete a code, its sub-codes and (the caller has confirmed) their codings; undo
    puts them all back with their ids."""

    def __init__(self, ctx: Context, code_id: int, label: str = "") -> None:
        super().__init__(ctx, f"Delete code {label}".strip())
        self.code_id = code_id
        self.snapshot: CodeTreeSnapshot | None = None

    def do(self) -> None:
        self.snapshot = codebook.delete_code_tree(
            self.ctx.project, self.code_id, confirm_codings=True
        )

    def undo_(self) -> None:
        assert self.snapshot is not None
        restore_code_tree(self.ctx.project, self.snapshot)

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()
        self.ctx.codings_changed.emit(0)
