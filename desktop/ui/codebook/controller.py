"""Wires the codebook features into the workbench window: the tree's drag and drop and
keys, merge, the inspector, typed field values (asked for when a code is applied, shown
and edited in the codings panel), field definitions, frequencies and templates.

The window's files only hold the hooks: workbench/panels.py uses the tree and values
models of this package, workbench/main_window.py creates ``CodebookUI`` and calls
``attach``, workbench/menus.py puts its actions in the Codebook menu, coding/actions.py
calls ``after_apply`` hooks and ``extend_menu``. Questions go through methods here
(``ask_merge_target``, ``ask_fields``) that tests replace."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu, QSplitter

from desktop.core import wording
from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.codebook.codebook import CodeInfo
from desktop.services.codebook.fields import FieldInfo
from desktop.services.coding import codings
from desktop.services.coding.codings import CodingInfo
from desktop.services.errors import Conflict, ServiceError
from desktop.services.project import templates
from desktop.ui.codebook import commands as ccmd
from desktop.ui.codebook.code_dialogs import CodeChooser, FieldsDialog
from desktop.ui.codebook.field_editor import FieldValuesPopup
from desktop.ui.codebook.inspector import TEXTS, CodeInspector
from desktop.ui.codebook.values import ASK_VALUES_KEY, ValueActions
from desktop.ui.coding.commands import MoveCode

if TYPE_CHECKING:
    from desktop.ui.workbench.context import Command, Context
    from desktop.ui.workbench.host import WorkbenchWindow


INSPECTOR_OPEN_KEY = "window/inspectorOpen"
INSPECTOR_HEIGHT_KEY = "window/inspectorHeight"


class CodebookUI(ValueActions, QObject):
    def __init__(self, window: WorkbenchWindow) -> None:
        super().__init__(window)
        self.w = w = window
        self.fields_by_code: dict[int, list[FieldInfo]] = {}
        self.frequencies_dialog = None
        self._freq_timer = QTimer(self)
        self._freq_timer.setSingleShot(True)
        self._freq_timer.setInterval(250)
        self._freq_timer.timeout.connect(
            lambda: self.frequencies_dialog is not None and self.frequencies_dialog.refresh()
        )
        self._fresh: int | None = None  # the coding just applied, while its values are asked
        panel = w.codebook_panel
        self.tree = panel.view
        self.tree_model = panel.model
        self.tree_model.move_requested.connect(self.move_code)
        self.tree_model.move_refused.connect(self.say)
        self.tree.hint.connect(lambda text: self.say(text, 3000))
        self.tree.rename_requested.connect(lambda cid: w.coding.rename_code(cid))
        self.tree.delete_requested.connect(lambda cid: w.coding.delete_code(cid))
        self.tree.new_requested.connect(self.new_code)
        self.tree.define_requested.connect(lambda _cid: self.inspector.edit_definition())
        self.tree.selectionModel().currentChanged.connect(lambda *_: self.show_current())
        # the inspector, between the tree and the codings
        self.inspector = CodeInspector()
        self._place_inspector()
        self.inspector.text_committed.connect(self.edit_text)
        self.inspector.example_added.connect(
            lambda cid, text: self.run(ccmd.AddExample(self.ctx, cid, text))
        )
        self.inspector.example_removed.connect(
            lambda eid: self.run(ccmd.RemoveExample(self.ctx, eid))
        )
        self.inspector.fields_requested.connect(self.edit_fields)
        self.inspector.colour_requested.connect(lambda cid: w.coding.recolour(cid))
        # codings panel: Values column, context menu, double-click on values
        cp = w.codings_panel
        self.codings_model = cp.model
        cp.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        cp.view.customContextMenuRequested.connect(self._codings_menu)
        cp.view.doubleClicked.disconnect()
        cp.view.doubleClicked.connect(self._double_clicked)
        self.codings_model.modelReset.connect(self._load_values)
        # typed values when a code is applied
        self.popup = FieldValuesPopup(w)
        self.popup.saved.connect(self.store_values)
        self.popup.skipped.connect(self._skipped)
        w.coding.after_apply.append(self.ask_values)
        # tooltips over highlights: criteria and values too
        self._base_tooltip = w.viewer.tooltip_for
        w.viewer.tooltip_for = self._tooltip
        # the highlight's context menu: values and "use as example" too
        self._base_viewer_menu = w.viewer.build_context_menu
        w.viewer.build_context_menu = self._viewer_menu
        # Codebook > Ask for field values when coding (the menu bar is declared in menus.py)
        self.ask_values_action = ask = QAction("Ask for field values when coding", w)
        ask.setCheckable(True)
        ask.setChecked(self.asking_values)
        ask.toggled.connect(lambda on: w.settings.setValue(ASK_VALUES_KEY, on))

    def _place_inspector(self) -> None:
        """Under the tree, in a splitter of its own: the window's right splitter keeps
        its two parts, so a layout saved before the inspector existed still fits. The
        tree takes what the inspector does not need (``_fit_inspector``)."""
        w = self.w
        self.codebook_split = split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("codebookSplit")
        panel = w.right_split.replaceWidget(0, split)
        split.addWidget(panel)
        split.addWidget(self.inspector)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setChildrenCollapsible(False)
        split.setHandleWidth(1)
        panel.show()
        self.inspector.set_open(w.settings.value(INSPECTOR_OPEN_KEY, True, bool))
        self.inspector.open_changed.connect(self._inspector_toggled)
        self.inspector.size_changed.connect(self._fit_inspector)
        split.splitterMoved.connect(self._inspector_dragged)
        split.installEventFilter(self)
        w.right_split.setSizes([630, 280])  # the window's saved layout, if any, comes after

    def _inspector_toggled(self, shown: bool) -> None:
        self.w.settings.setValue(INSPECTOR_OPEN_KEY, shown)

    def _inspector_dragged(self, *_args) -> None:
        """The user sized the inspector: that height is kept (as far as its content asks)."""
        height = self.codebook_split.sizes()[1]
        if height > self.inspector.header_height():
            self.w.settings.setValue(INSPECTOR_HEIGHT_KEY, height)

    def _fit_inspector(self) -> None:
        """The inspector gets the height its content needs, at most the height the user
        last dragged it to (else about two fifths of the column); the tree the rest."""
        split = self.codebook_split
        total = sum(split.sizes())
        if total <= 0:
            return
        wanted = self.inspector.sizeHint().height()
        limit = self.w.settings.value(INSPECTOR_HEIGHT_KEY, 0, int) or int(total * 0.4)
        height = max(self.inspector.header_height(), min(wanted, limit))
        if split.sizes()[1] != height:
            split.setSizes([total - height, height])

    def eventFilter(self, obj, e) -> bool:
        if obj is self.codebook_split and e.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, obj, self._fit_inspector)  # not once the split is gone
        return False

    # -- plumbing --------------------------------------------------------------------
    @property
    def ctx(self) -> Context:
        return self.w.ctx

    @property
    def project(self):
        return self.w.project

    def attach(self, ctx: Context) -> None:
        """A project was opened: listen to its context."""
        self.popup.skip()
        if self.frequencies_dialog is not None and self.frequencies_dialog.isVisible():
            self.frequencies_dialog.close()
        ctx.codebook_changed.connect(self._codebook_changed)
        ctx.coding_added.connect(self._coding_changed)
        ctx.coding_added.connect(self._coding_counted)
        ctx.coding_removed.connect(self._coding_counted)
        for signal in (ctx.coding_added, ctx.coding_removed, ctx.codings_changed,
                       ctx.codebook_changed):  # fmt: skip
            signal.connect(self._frequencies_stale)
        ctx.coding_updated.connect(self._coding_changed)
        # another coder, or blind mode turned on or lifted: whose codings are counted changes
        ctx.filter_changed.connect(self.show_current)
        ctx.filter_changed.connect(self._frequencies_stale)
        self._load_fields()

    def say(self, text: str, ms: int = 6000) -> None:
        self.w.statusBar().showMessage(text, ms)

    def run(self, command: Command) -> bool:
        return self.ctx.run(command)

    def run_quietly(self, command: Command) -> bool:
        """Like Context.run, but a refusal goes to the status bar (drag and drop)."""
        try:
            command.first_do()
        except ServiceError as exc:
            self.say(str(exc))
            return False
        command.announce()
        self.ctx.undo_stack.push(command)
        return True

    def _codebook_changed(self) -> None:
        self._load_fields()
        self.show_current()

    def _load_fields(self) -> None:
        self.fields_by_code = fieldsvc.fields_by_code(self.project)
        self.codings_model.set_fields(self.fields_by_code)  # the panel shows Values if any

    def _coding_counted(self, c: CodingInfo) -> None:
        if c.code_id == self.inspector.code_id:
            self.show_current()

    # -- tree ------------------------------------------------------------------------
    def show_current(self) -> None:
        if self.w.ctx is None:
            return
        cid = self.tree.current_code()
        code = self.tree_model.code(cid) if cid is not None else None  # counts kept current
        if code is None:
            self.inspector.show_code(None, [], [])
            return
        visible = self.ctx.blind_ids
        if visible is not None:  # blind mode: the tree's count adds up every coder's codings
            shown = codings.list_codings(self.project, code_ids=[code.id], coder_ids=visible)
            code = replace(code, codings=len(shown))
        try:
            examples = codebook.list_examples(self.project, code.id)
            fields = fieldsvc.effective_fields(self.project, code.id)
        except ServiceError:
            examples, fields = [], []
        owners = {
            f.code_id: self.w.codes[f.code_id].name for f in fields if f.code_id in self.w.codes
        }
        self.inspector.show_code(code, examples, fields, owners)

    def move_code(self, code_id: int, parent_id: int | None, position: int | None) -> bool:
        """A drop in the tree: move, undoably; a refusal goes to the status bar."""
        if parent_id is not None:
            self.tree.collapsed_ids.discard(parent_id)
        code = self.w.codes.get(code_id)
        done = self.run_quietly(MoveCode(self.ctx, code_id, parent_id, position))
        if done:
            self.tree.select_code(code_id)
            where = self.w.codes[parent_id].path if parent_id else "the top level"
            self.say(f"Moved “{code.name if code else code_id}” to {where}.", 4000)
        return done

    def new_code(self, parent_id: int | None) -> None:
        """Insert in the tree: a new (sub-)code, selected so its definition can follow."""
        stack = self.ctx.undo_stack
        before = stack.count()
        self.w.coding.add_code(parent_id)
        if stack.count() > before:
            new_id = getattr(stack.command(stack.count() - 1), "code_id", None)
            if new_id is not None:
                self.tree.select_code(new_id)

    def extend_menu(self, menu: QMenu, code: CodeInfo | None) -> None:
        """The codebook's context menu: Merge into…, Fields… and the code's sets before
        Delete."""
        if code is None:
            return
        from desktop.ui.codebook.code_sets import set_menus

        before = next((a for a in menu.actions() if a.text() == "Delete…"), None)
        actions = menu.actions()
        if before is not None and actions.index(before) > 0:
            before = actions[actions.index(before) - 1]  # its separator
        merge = QAction("Merge into…", menu)
        merge.triggered.connect(lambda: self.merge_code(code.id))
        fields = QAction("Fields…", menu)
        fields.triggered.connect(lambda: self.edit_fields(code.id))
        for a in (merge, fields, *set_menus(self.w, menu, code)):
            menu.insertAction(before, a) if before is not None else menu.addAction(a)

    # -- merge -----------------------------------------------------------------------
    def _subtree(self, code_id: int) -> set[int]:
        out, grew = {code_id}, True
        while grew:
            more = {c.id for c in self.w.codes.values() if c.parent_id in out} - out
            out |= more
            grew = bool(more)
        return out

    def ask_merge_target(self, code: CodeInfo, candidates: list[CodeInfo]) -> int | None:
        dlg = CodeChooser(
            "Merge code",
            f"Merge “{code.path}” into which code? Its codings, anchor examples and sub-codes "
            "move there and it disappears. Undo puts everything back.",
            candidates,
            self.w,
        )
        return dlg.chosen() if dlg.exec() == QDialog.DialogCode.Accepted else None

    def merge_code(self, code_id: int, target_id: int | None = None) -> bool:
        code = self.w.codes.get(code_id)
        if code is None:
            return False
        if target_id is None:
            skip = self._subtree(code_id)
            candidates = [c for c in self.tree_model.codes if c.id not in skip]
            target_id = self.ask_merge_target(code, candidates)
            if target_id is None:
                return False
        target = self.w.codes.get(target_id)
        label = f"Merge {code.path} into {target.path if target else target_id}"
        command = ccmd.MergeCode(self.ctx, code_id, target_id, label)
        if not self.run(command):
            return False
        r = command.report
        bits = [f"{wording.count(r.codings_moved, 'coding')} moved"]
        if r.duplicates_collapsed:
            bits.append(f"{wording.count(r.duplicates_collapsed, 'duplicate')} joined")
        if r.values_dropped:
            bits.append(f"{wording.count(len(r.values_dropped), 'field value')} dropped")
        self.tree.select_code(target_id)
        self.say(f"Merged “{r.source_path}” into “{r.target_path}”: {', '.join(bits)}. "
                 "Ctrl+Z undoes it.")  # fmt: skip
        return True

    # -- definitions and examples --------------------------------------------------------
    def edit_text(self, code_id: int, key: str, text: str) -> None:
        code = self.w.codes.get(code_id)
        label = dict((k, lab) for k, lab, _p in TEXTS)[key].lower()
        self.run(ccmd.EditCode(
            self.ctx, code_id, f"Edit {label} of {code.name if code else 'code'}", **{key: text}
        ))  # fmt: skip

    # -- field definitions -------------------------------------------------------------------
    def ask_fields(
        self, code: CodeInfo, own: list[FieldInfo], inherited: list[FieldInfo]
    ) -> list[dict] | None:
        dlg = FieldsDialog(code, own, inherited, self.w)
        return dlg.specs() if dlg.exec() == QDialog.DialogCode.Accepted else None

    def edit_fields(self, code_id: int | None = None) -> None:
        code_id = code_id if code_id is not None else self.tree.current_code()
        code = self.w.codes.get(code_id) if code_id is not None else None
        if code is None:
            self.say("Select a code in the codebook first.", 4000)
            return
        own = fieldsvc.list_fields(self.project, code.id)
        inherited = [
            f for f in fieldsvc.effective_fields(self.project, code.id) if f.code_id != code.id
        ]
        specs = self.ask_fields(code, own, inherited)
        if specs is None:
            return
        commands = self._field_commands(code.id, own, specs)
        if commands is None or not commands:
            return
        if len(commands) == 1:
            self.run(commands[0])
            return
        stack = self.ctx.undo_stack
        stack.beginMacro(f"Edit fields of {code.name}")
        done = 0
        try:
            for c in commands:
                if not self.run(c):
                    break
                done += 1
        finally:
            stack.endMacro()
        if not done:  # nothing changed: step back over the empty entry (the next edit drops it)
            stack.undo()

    def _field_commands(self, code_id: int, own: list[FieldInfo], specs: list[dict]) -> list | None:
        kept = {s["id"] for s in specs if s.get("id") is not None}
        gone = [f for f in own if f.id not in kept]
        if gone:
            visible = self.ctx.blind_ids
            seen = (
                None
                if visible is None
                else {c.id for c in codings.list_codings(self.project, coder_ids=visible)}
            )
            counts: dict[int, int] = {}
            for coding_id, values in fieldsvc.all_coding_values(self.project).items():
                if seen is None or coding_id in seen:
                    for fid in values:
                        counts[fid] = counts.get(fid, 0) + 1
            if seen is not None:
                # blind mode: count only her values, and ask whether or not other coders'
                # codings carry some (asking only when they do would tell her they do)
                what = ", ".join(f"{f.name} ({counts.get(f.id, 0)} of your values)" for f in gone)
                question = (
                    f"Deleting {what} deletes those values too, and other coders' values for "
                    "them if they have any (Undo brings them back). Go on?"
                )
            elif with_values := [f for f in gone if counts.get(f.id)]:
                what = ", ".join(f"{f.name} ({counts[f.id]} values)" for f in with_values)
                question = (
                    f"Deleting {what} deletes those values too (Undo brings them back). Go on?"
                )
            else:
                question = ""
            if question and not self.w.prompts.confirm("Delete fields", question):
                return None
        out: list = [ccmd.DeleteField(self.ctx, f.id, f.name) for f in gone]
        by_id = {f.id: f for f in own}
        for s in specs:
            f = by_id.get(s.get("id"))
            if f is None:
                out.append(ccmd.AddField(self.ctx, code_id, s))
                continue
            changes: dict = {}
            if s["name"] != f.name:
                changes["name"] = s["name"]
            if s["type"] != f.type:
                changes["type"] = s["type"]
            choices = list(s["choices"]) if s["type"] == "choice" else []
            if f.type == "choice" and s["type"] == "choice":
                current = list(f.choices)
                if len(choices) == len(current):  # a value renamed in place: its codings follow
                    for i, (before, after) in enumerate(zip(current, choices, strict=True)):
                        if before != after and before not in choices and after not in current:
                            out.append(ccmd.RenameChoice(self.ctx, f.id, before, after))
                            current[i] = after
                if choices != current:
                    changes["choices"] = choices
            elif s["type"] == "choice" and choices != list(f.choices):
                changes["choices"] = choices
            if bool(s["required"]) != f.required:
                changes["required"] = bool(s["required"])
            if changes:
                out.append(ccmd.UpdateField(self.ctx, f.id, **changes))
        return out

    def _frequencies_stale(self, *_args) -> None:
        """Keep an open frequencies window current, once per burst of changes."""
        if self.frequencies_dialog is not None and self.frequencies_dialog.isVisible():
            self._freq_timer.start()

    def merge_current(self) -> None:
        cid = self.tree.current_code()
        if cid is None:
            self.say("Select a code in the codebook first.", 4000)
        else:
            self.merge_code(cid)

    def show_frequencies(self):
        from desktop.ui.codebook.frequencies_dialog import FrequenciesDialog

        if self.frequencies_dialog is None:
            self.frequencies_dialog = FrequenciesDialog(self.w)
        else:
            self.frequencies_dialog.refresh()
        self.frequencies_dialog.show()
        self.frequencies_dialog.raise_()
        return self.frequencies_dialog

    def save_template(self) -> None:
        name = self.w.prompts.ask_text(
            "Save codebook as template",
            "Name of the template (File > New project… offers it):",
            self.project.name,
        )
        if not name or not name.strip():
            return
        try:
            try:
                info = templates.save_template(self.project, name.strip())
            except Conflict as exc:
                if "already exists" not in str(exc) or not self.w.prompts.confirm(
                    "Replace template", f"A template called “{name.strip()}” exists. Replace it?"
                ):
                    if "already exists" not in str(exc):
                        raise
                    return
                info = templates.save_template(self.project, name.strip(), overwrite=True)
        except ServiceError as exc:
            self.w.prompts.error(str(exc))
            return
        self.say(f"Saved the codebook ({info.codes} codes) as the template “{info.name}”.")
