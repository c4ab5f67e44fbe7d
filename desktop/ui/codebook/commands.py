"""Undoable codebook commands beyond those in desktop.ui.coding.commands: merge, definitions,
anchor examples, field definitions and field values. Each ``do``/``undo_`` is one
service call (one transaction)."""

from __future__ import annotations

from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.codebook.fields import FieldSnapshot
from desktop.services.codebook.merge import MergeReport, merge_codes
from desktop.services.codebook.snapshot import restore_code_tree
from desktop.services.coding import codings
from desktop.services.errors import ServiceError
from desktop.ui.coding.commands import UpdateCode
from desktop.ui.workbench.context import Command, Context

TEXT_KEYS = {"description", "inclusion", "exclusion"}


class EditCode(UpdateCode):
    """UpdateCode with a label saying what changed; definition and criteria edits reload
    the codebook only (no coding shows them)."""

    def __init__(self, ctx: Context, code_id: int, label: str, **changes) -> None:
        super().__init__(ctx, code_id, **changes)
        self.setText(label)

    def announce(self) -> None:
        if set(self.changes) <= TEXT_KEYS:
            self.ctx.codebook_changed.emit()
        else:
            super().announce()


class MergeCode(Command):
    """Merge code A into code B (A's codings, examples and sub-codes go to B; A goes).
    Undo restores both trees as they were, ids included."""

    def __init__(self, ctx: Context, source_id: int, target_id: int, label: str = "") -> None:
        super().__init__(ctx, label or "Merge codes")
        self.source_id, self.target_id = source_id, target_id
        self.report: MergeReport | None = None

    def do(self) -> None:
        self.report = merge_codes(self.ctx.project, self.source_id, self.target_id)

    def undo_(self) -> None:
        assert self.report is not None
        restore_code_tree(self.ctx.project, self.report.snapshot)

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()
        self.ctx.codings_changed.emit(0)


class AddExample(Command):
    """Add an anchor example (typed, or a coding's quote with ``coding_id``)."""

    def __init__(
        self, ctx: Context, code_id: int, text: str = "", *, coding_id: int | None = None
    ) -> None:
        super().__init__(ctx, "Add anchor example" if coding_id is None else "Use as example")
        self.code_id, self.text_, self.coding_id = code_id, text, coding_id
        self.info: codebook.ExampleInfo | None = None

    def do(self) -> None:
        if self.info is not None:
            self.info = codebook.restore_example(self.ctx.project, self.info)
        elif self.coding_id is not None:
            self.info = codebook.add_example_from_coding(
                self.ctx.project, self.code_id, self.coding_id
            )
        else:
            self.info = codebook.add_example(self.ctx.project, self.code_id, self.text_)

    def undo_(self) -> None:
        assert self.info is not None
        self.info = codebook.remove_example(self.ctx.project, self.info.id)

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()


class RemoveExample(Command):
    def __init__(self, ctx: Context, example_id: int) -> None:
        super().__init__(ctx, "Remove anchor example")
        self.example_id = example_id
        self.info: codebook.ExampleInfo | None = None

    def do(self) -> None:
        self.info = codebook.remove_example(self.ctx.project, self.example_id)

    def undo_(self) -> None:
        assert self.info is not None
        self.info = codebook.restore_example(self.ctx.project, self.info)
        self.example_id = self.info.id

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()


class SetValues(Command):
    """Set (or clear, with None) typed field values of a coding."""

    def __init__(self, ctx: Context, coding_id: int, values: dict[int, str | None]) -> None:
        super().__init__(ctx, "Edit field values")
        self.coding_id, self.new = coding_id, dict(values)
        self.old: dict[int, str | None] = {}

    def do(self) -> None:
        self.old = fieldsvc.set_coding_values(self.ctx.project, self.coding_id, self.new)

    def undo_(self) -> None:
        fieldsvc.set_coding_values(self.ctx.project, self.coding_id, self.old)

    def announce(self) -> None:
        try:
            self.ctx.coding_updated.emit(codings.get_coding(self.ctx.project, self.coding_id))
        except ServiceError:
            self.ctx.codings_changed.emit(0)


class AddField(Command):
    def __init__(self, ctx: Context, code_id: int, spec: dict) -> None:
        super().__init__(ctx, f"Add field {spec['name']}")
        self.code_id, self.spec = code_id, spec
        self.field_id: int | None = None
        self.snapshot: FieldSnapshot | None = None

    def do(self) -> None:
        if self.snapshot is not None:
            self.field_id = fieldsvc.restore_field(self.ctx.project, self.snapshot).id
        else:
            self.field_id = fieldsvc.add_field(
                self.ctx.project, self.code_id, self.spec["name"], self.spec["type"],
                choices=self.spec.get("choices", ()), required=bool(self.spec.get("required")),
            ).id  # fmt: skip

    def undo_(self) -> None:
        assert self.field_id is not None
        self.snapshot = fieldsvc.delete_field(self.ctx.project, self.field_id, confirm_values=True)

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()


class UpdateField(Command):
    def __init__(self, ctx: Context, field_id: int, **changes) -> None:
        super().__init__(ctx, "Change field")
        self.field_id, self.changes = field_id, changes
        self.old: dict = {}

    def do(self) -> None:
        old, _new = fieldsvc.update_field(self.ctx.project, self.field_id, **self.changes)
        self.old = {k: old[k] for k in self.changes}

    def undo_(self) -> None:
        fieldsvc.update_field(self.ctx.project, self.field_id, **self.old)

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()
        self.ctx.codings_changed.emit(0)


class RenameChoice(Command):
    """Rename one value of a choice field, and the stored values with it."""

    def __init__(self, ctx: Context, field_id: int, old: str, new: str) -> None:
        super().__init__(ctx, f"Rename {old} to {new}")
        self.field_id, self.old, self.new = field_id, old, new

    def do(self) -> None:
        fieldsvc.rename_choice(self.ctx.project, self.field_id, self.old, self.new)

    def undo_(self) -> None:
        fieldsvc.rename_choice(self.ctx.project, self.field_id, self.new, self.old)

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()
        self.ctx.codings_changed.emit(0)


class DeleteField(Command):
    """Delete a field and (the caller has confirmed) the values codings have for it."""

    def __init__(self, ctx: Context, field_id: int, name: str = "") -> None:
        super().__init__(ctx, f"Delete field {name}".strip())
        self.field_id = field_id
        self.snapshot: FieldSnapshot | None = None

    def do(self) -> None:
        self.snapshot = fieldsvc.delete_field(self.ctx.project, self.field_id, confirm_values=True)

    def undo_(self) -> None:
        assert self.snapshot is not None
        self.field_id = fieldsvc.restore_field(self.ctx.project, self.snapshot).id

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()
        self.ctx.codings_changed.emit(0)
