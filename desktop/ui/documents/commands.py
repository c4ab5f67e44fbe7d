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
    """Put documents (and codes) in a set (``add``) or take them out; with ``create`` the
    set is made first (and deleted again on undo)."""

    def __init__(
        self, ctx: Context, set_name: str, document_ids: Iterable[int] = (), *, add: bool = True,
        create: bool = False, code_ids: Iterable[int] = (),
    ) -> None:  # fmt: skip
        ids, codes = sorted(set(document_ids)), sorted(set(code_ids))
        verb = "Add to" if add else "Remove from"
        super().__init__(ctx, f"{verb} {'new ' if create else ''}set {set_name}")
        self.set_name, self.ids, self.codes, self.add = set_name, ids, codes, add
        self.create = create
        self.changed: list[int] = []
        self.changed_codes: list[int] = []

    def do(self) -> None:
        p = self.ctx.project
        if self.create:
            sets.add_set(p, self.set_name)
        x = sets.get_set(p, self.set_name)
        self.changed = [d for d in self.ids if (d in x.documents) != self.add]
        self.changed_codes = [c for c in self.codes if (c in x.codes) != self.add]
        change = sets.add_members if self.add else sets.remove_members
        change(p, self.set_name, documents=self.changed, codes=self.changed_codes)
        if not (self.changed or self.changed_codes or self.create or self._pushed_once):
            self.setObsolete(True)

    def undo_(self) -> None:
        p = self.ctx.project
        if self.create:
            sets.delete_set(p, self.set_name)
            return
        change = sets.remove_members if self.add else sets.add_members
        change(p, self.set_name, documents=self.changed, codes=self.changed_codes)

    def announce(self) -> None:
        if self.create or self.changed_codes:
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
    def __init__(
        self, ctx: Context, name: str, kind: str, choices: Iterable[str] = (),
        scope: str = "document",
    ) -> None:  # fmt: skip
        super().__init__(ctx, f"Add {'case ' if scope == 'case' else ''}attribute {name.strip()}")
        self.name, self.kind, self.choices = name.strip(), kind, list(choices)
        self.scope = scope

    def do(self) -> None:
        self.name = attributes.add_attribute(
            self.ctx.project, self.name, self.kind, self.choices, self.scope
        ).name

    def undo_(self) -> None:
        attributes.delete_attribute(
            self.ctx.project, self.name, scope=self.scope, confirm_values=True
        )

    def announce(self) -> None:
        self.ctx.study_changed.emit()


class RenameAttribute(Command):
    def __init__(self, ctx: Context, name: str, new_name: str, scope: str = "document") -> None:
        super().__init__(ctx, f"Rename attribute {name} to {new_name.strip()}")
        self.old, self.new, self.scope = name, new_name.strip(), scope

    def do(self) -> None:
        p = self.ctx.project
        self.new = attributes.rename_attribute(p, self.old, self.new, self.scope).name

    def undo_(self) -> None:
        attributes.rename_attribute(self.ctx.project, self.new, self.old, self.scope)

    def announce(self) -> None:
        self.ctx.study_changed.emit()


class DeleteAttribute(Command):
    """Delete an attribute and (the user has confirmed) its values; undo defines it again
    with every value it had."""

    def __init__(self, ctx: Context, name: str, scope: str = "document") -> None:
        super().__init__(ctx, f"Delete attribute {name}")
        self.name, self.scope = name, scope
        self.saved: attributes.RemovedAttribute | None = None

    def do(self) -> None:
        removed = attributes.remove_attribute(self.ctx.project, self.name, self.scope)
        self.saved = self.saved or removed

    def undo_(self) -> None:
        assert self.saved is not None
        attributes.restore_attribute(self.ctx.project, self.saved)

    def announce(self) -> None:
        self.ctx.study_changed.emit()


class EditChoices(Command):
    """New choices of a choice attribute (renamed ones carry their values; the user has
    agreed that values of a removed choice are cleared); undo puts both back."""

    def __init__(
        self, ctx: Context, name: str, choices: Iterable[str], renamed: Mapping[str, str],
        scope: str = "document",
    ) -> None:  # fmt: skip
        super().__init__(ctx, f"Edit the choices of {name}")
        self.name, self.choices, self.renamed = name, list(choices), dict(renamed)
        self.scope = scope
        self.saved: attributes.ChoiceEdit | None = None

    def do(self) -> None:
        self.saved = attributes.edit_choices(self.ctx.project, self.name, self.choices,
                                             self.renamed, scope=self.scope,
                                             clear_removed=True)  # fmt: skip

    def undo_(self) -> None:
        assert self.saved is not None
        attributes.restore_choices(self.ctx.project, self.saved)

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


class AddCase(Command):
    def __init__(self, ctx: Context, name: str) -> None:
        super().__init__(ctx, f"Add case {name.strip()}")
        self.name = name.strip()

    def do(self) -> None:
        self.name = cases.add_case(self.ctx.project, self.name).name

    def undo_(self) -> None:
        cases.delete_case(self.ctx.project, self.name)

    def announce(self) -> None:
        self.ctx.study_changed.emit()


class RenameCase(Command):
    def __init__(self, ctx: Context, name: str, new_name: str) -> None:
        super().__init__(ctx, f"Rename case {name} to {new_name.strip()}")
        self.old, self.new = name, new_name.strip()

    def do(self) -> None:
        cases.update_case(self.ctx.project, self.old, new_name=self.new)

    def undo_(self) -> None:
        cases.update_case(self.ctx.project, self.new, new_name=self.old)

    def announce(self) -> None:
        self.ctx.study_changed.emit()


class DeleteCase(Command):
    """Delete a case (its documents stay); undo makes it again with its memo, values
    and documents."""

    def __init__(self, ctx: Context, name: str) -> None:
        super().__init__(ctx, f"Delete case {name}")
        self.name = name
        self.saved: cases.CaseInfo | None = None

    def do(self) -> None:
        self.saved = cases.remove_case(self.ctx.project, self.name)

    def undo_(self) -> None:
        assert self.saved is not None
        cases.restore_case(self.ctx.project, self.saved)

    def announce(self) -> None:
        self.ctx.study_changed.emit()
        for did in self.saved.documents if self.saved else ():
            self.ctx.document_changed.emit(did)


class SetCaseValues(Command):
    """Set (None or "" clears) attribute values of one case, by attribute name."""

    def __init__(self, ctx: Context, case_name: str, values: Mapping[str, object]) -> None:
        super().__init__(ctx, f"Edit {', '.join(values)} of {case_name}")
        self.case_name, self.new = case_name, dict(values)
        self.old: dict[str, str | None] = {}

    def do(self) -> None:
        self.old = cases.set_values(self.ctx.project, self.case_name, self.new)
        if not self.old and not self._pushed_once:
            self.setObsolete(True)

    def undo_(self) -> None:
        cases.set_values(self.ctx.project, self.case_name, self.old)

    def announce(self) -> None:
        self.ctx.study_changed.emit()


class RenameSet(Command):
    def __init__(self, ctx: Context, name: str, new_name: str) -> None:
        super().__init__(ctx, f"Rename set {name} to {new_name.strip()}")
        self.old, self.new = name, new_name.strip()

    def do(self) -> None:
        sets.rename_set(self.ctx.project, self.old, self.new)

    def undo_(self) -> None:
        sets.rename_set(self.ctx.project, self.new, self.old)

    def announce(self) -> None:
        self.ctx.study_changed.emit()


class DeleteSet(Command):
    """Delete a set (its documents and codes stay); undo makes it again with them."""

    def __init__(self, ctx: Context, name: str) -> None:
        super().__init__(ctx, f"Delete set {name}")
        self.name = name
        self.saved: sets.SetInfo | None = None

    def do(self) -> None:
        self.saved = sets.remove_set(self.ctx.project, self.name)

    def undo_(self) -> None:
        assert self.saved is not None
        sets.restore_set(self.ctx.project, self.saved)

    def announce(self) -> None:
        self.ctx.study_changed.emit()
        for did in self.saved.documents if self.saved else ():
            self.ctx.document_changed.emit(did)
