"""Undoable changes to documents and to the study around them: names, attribute values,
memos, set and case membership, attribute definitions. Each ``do``/``undo_`` is a
service call (one transaction) and says what changed through the context:
``document_changed`` for one document's name, attributes, memo, sets or cases,
``study_changed`` when attributes, sets or cases were defined, renamed or deleted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from desktop.services.coding import memos
from desktop.services.documents import attributes, cases, documents, removal, sets
from desktop.services.errors import ServiceError
from desktop.ui.workbench.context import Command, Context


class RenameDocument(Command):
    def __init__(self, ctx: Context, document_id: int, name: str) -> None:
        super().__init__(ctx, f"Rename document to {name.strip()}")
        self.document_id, self.new, self.old = document_id, name.strip(), ""

    def do(self) -> None:
        self.old = documents.update_metadata(self.ctx.project, self.document_id, name=self.new)[
            "name"
        ]
        if self.old == self.new:
            self.setObsolete(True)

    def undo_(self) -> None:
        documents.update_metadata(self.ctx.project, self.document_id, name=self.old)

    def announce(self) -> None:
        self.ctx.document_changed.emit(self.document_id)


class SetValues(Command):
    """Set (None or "" clears) attribute values of one document, by attribute name."""

    def __init__(
        self, ctx: Context, document_id: int, values: Mapping[str, object], label: str = ""
    ) -> None:
        what = label or ", ".join(values)
        super().__init__(ctx, f"Edit {what}")
        self.document_id, self.new = document_id, dict(values)
        self.old: dict[str, str | None] = {}

    def do(self) -> None:
        self.old = attributes.set_values(self.ctx.project, self.document_id, self.new)
        if not self.old and not self._pushed_once:
            self.setObsolete(True)  # nothing changed: no undo step

    def undo_(self) -> None:
        attributes.set_values(self.ctx.project, self.document_id, self.old)

    def announce(self) -> None:
        self.ctx.document_changed.emit(self.document_id)


class SetDocumentMemo(Command):
    def __init__(self, ctx: Context, document_id: int, text: str) -> None:
        super().__init__(ctx, "Edit document memo")
        self.document_id, self.new, self.old = document_id, text, ""

    def do(self) -> None:
        self.old = memos.set_document_memo(self.ctx.project, self.document_id, self.new)
        if self.old == (self.new or "") and not self._pushed_once:
            self.setObsolete(True)

    def undo_(self) -> None:
        memos.set_document_memo(self.ctx.project, self.document_id, self.old)

    def announce(self) -> None:
        self.ctx.document_changed.emit(self.document_id)
        self.ctx.memos_changed.emit()


class ChangeSet(Command):
    """Put documents in a set (``add``) or take them out; with ``create`` the set is
    made first (and deleted again on undo)."""

    def __init__(
        self, ctx: Context, set_name: str, document_ids: Iterable[int], *, add: bool = True,
        create: bool = False,
    ) -> None:  # fmt: skip
        ids = sorted(set(document_ids))
        verb = "Add to" if add else "Remove from"
        super().__init__(ctx, f"{verb} {'new ' if create else ''}set {set_name}")
        self.set_name, self.ids, self.add, self.create = set_name, ids, add, create
        self.changed: list[int] = []

    def do(self) -> None:
        p = self.ctx.project
        if self.create:
            sets.add_set(p, self.set_name)
        before = set(sets.get_set(p, self.set_name).documents)
        if self.add:
            self.changed = [d for d in self.ids if d not in before]
            sets.add_members(p, self.set_name, documents=self.changed)
        else:
            self.changed = [d for d in self.ids if d in before]
            sets.remove_members(p, self.set_name, documents=self.changed)
        if not self.changed and not self.create and not self._pushed_once:
            self.setObsolete(True)

    def undo_(self) -> None:
        p = self.ctx.project
        if self.create:
            sets.delete_set(p, self.set_name)
            return
        if self.add:
            sets.remove_members(p, self.set_name, documents=self.changed)
        else:
            sets.add_members(p, self.set_name, documents=self.changed)

    def announce(self) -> None:
        if self.create:
            self.ctx.study_changed.emit()
        for did in self.changed:
            self.ctx.document_changed.emit(did)


class ChangeCase(Command):
    """Put documents in a case or take them out; with ``create`` the case is made first."""

    def __init__(
        self, ctx: Context, case_name: str, document_ids: Iterable[int], *, add: bool = True,
        create: bool = False,
    ) -> None:  # fmt: skip
        ids = sorted(set(document_ids))
        verb = "Add to" if add else "Remove from"
        super().__init__(ctx, f"{verb} {'new ' if create else ''}case {case_name}")
        self.case_name, self.ids, self.add, self.create = case_name, ids, add, create
        self.changed: list[int] = []

    def do(self) -> None:
        p = self.ctx.project
        if self.create:
            cases.add_case(p, self.case_name)
        before = set(cases.get_case(p, self.case_name).documents)
        self.changed = [d for d in self.ids if (d in before) != self.add]
        cases.set_documents(p, self.case_name, self.changed, add=self.add)

    def undo_(self) -> None:
        p = self.ctx.project
        if self.create:
            cases.delete_case(p, self.case_name)
            return
        cases.set_documents(p, self.case_name, self.changed, add=not self.add)

    def announce(self) -> None:
        if self.create:
            self.ctx.study_changed.emit()
        for did in self.changed:
            self.ctx.document_changed.emit(did)


class Several(Command):
    """Several commands as one undo step (a Properties dialog's changes). If one fails,
    those done before it are undone and the failure is reported."""

    def __init__(self, ctx: Context, text: str, parts: list[Command]) -> None:
        super().__init__(ctx, text)
        self.parts = parts

    def do(self) -> None:
        done: list[Command] = []
        try:
            for part in self.parts:
                part.do()
                done.append(part)
        except ServiceError:
            for part in reversed(done):
                part.undo_()
            raise
        self.parts = [p for p in self.parts if not p.isObsolete()]
        if not self.parts:
            self.setObsolete(True)

    def undo_(self) -> None:
        for part in reversed(self.parts):
            part.undo_()

    def announce(self) -> None:
        for part in self.parts:
            part.announce()


class AddAttribute(Command):
    def __init__(self, ctx: Context, name: str, kind: str, choices: Iterable[str] = ()) -> None:
        super().__init__(ctx, f"Add attribute {name.strip()}")
        self.name, self.kind, self.choices = name.strip(), kind, list(choices)

    def do(self) -> None:
        self.name = attributes.add_attribute(
            self.ctx.project, self.name, self.kind, self.choices
        ).name

    def undo_(self) -> None:
        attributes.delete_attribute(self.ctx.project, self.name, confirm_values=True)

    def announce(self) -> None:
        self.ctx.study_changed.emit()


class RenameAttribute(Command):
    def __init__(self, ctx: Context, name: str, new_name: str) -> None:
        super().__init__(ctx, f"Rename attribute {name} to {new_name.strip()}")
        self.old, self.new = name, new_name.strip()

    def do(self) -> None:
        self.new = attributes.rename_attribute(self.ctx.project, self.old, self.new).name

    def undo_(self) -> None:
        attributes.rename_attribute(self.ctx.project, self.new, self.old)

    def announce(self) -> None:
        self.ctx.study_changed.emit()


class DeleteAttribute(Command):
    """Delete an attribute and (the user has confirmed) its values; undo defines it again
    with every value it had."""

    def __init__(self, ctx: Context, name: str) -> None:
        super().__init__(ctx, f"Delete attribute {name}")
        self.name = name
        self.saved: attributes.RemovedAttribute | None = None

    def do(self) -> None:
        if self.saved is None:
            self.saved = attributes.remove_attribute(self.ctx.project, self.name)
        else:
            attributes.remove_attribute(self.ctx.project, self.name)

    def undo_(self) -> None:
        assert self.saved is not None
        attributes.restore_attribute(self.ctx.project, self.saved)

    def announce(self) -> None:
        self.ctx.study_changed.emit()


class DeleteDocuments(Command):
    """Delete documents with their codings (the user has confirmed); undo puts them
    back with their ids, codings, values, memberships and memo."""

    def __init__(self, ctx: Context, document_ids: Iterable[int], label: str) -> None:
        super().__init__(ctx, f"Delete {label}")
        self.ids = list(document_ids)
        self.removed: list[removal.RemovedDocument] = []

    def do(self) -> None:
        self.removed = []
        try:
            for did in self.ids:
                self.removed.append(
                    removal.remove_document(self.ctx.project, did, confirm_codings=True)
                )
        except ServiceError:
            self.undo_()
            raise

    def undo_(self) -> None:
        for r in reversed(self.removed):
            removal.restore_document(self.ctx.project, r)
        self.removed = []

    def announce(self) -> None:
        self.ctx.documents_changed.emit()
        self.ctx.codings_changed.emit(0)
