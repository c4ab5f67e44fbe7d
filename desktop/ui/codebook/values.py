"""Typed field values and codings in the window (a part of CodebookUI): the values
editor when a code is applied, the Values column, editing values from the codings panel
and from a highlight, "use as example", and tooltips that show values and criteria."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from desktop.services.codebook import fields as fieldsvc
from desktop.services.coding.codings import CodingInfo
from desktop.services.errors import ServiceError
from desktop.ui.codebook import commands as ccmd
from desktop.ui.codebook.values_model import VALUES, format_values
from desktop.ui.models import ID_ROLE

ASK_VALUES_KEY = "coding/ask_values"


class ValueActions:
    """Mixed into CodebookUI: uses its window (``w``), popup, models and ``run``."""

    # -- typed values: loading ---------------------------------------------------------
    def _load_values(self) -> None:
        m = self.codings_model
        if self.w.ctx is None or not m.rowCount() or not m.has_fields():
            m.set_values({})
            return
        ids = {m.coding(r).id for r in range(m.rowCount())}
        every = fieldsvc.all_coding_values(self.project)
        m.set_values({cid: v for cid, v in every.items() if cid in ids})

    def _coding_changed(self, c: CodingInfo) -> None:
        if self.codings_model.row_of(c.id) >= 0 and self.fields_by_code.get(c.code_id):
            with contextlib.suppress(ServiceError):
                self.codings_model.set_coding_values(
                    c.id, fieldsvc.coding_values(self.project, c.id)
                )

    # -- anchor examples from codings ----------------------------------------------------
    def use_as_example(self, coding_id: int) -> bool:
        c = self.w.codings_by_id.get(coding_id)
        if c is None:
            return False
        if self.run(ccmd.AddExample(self.ctx, c.code_id, coding_id=coding_id)):
            code = self.w.codes.get(c.code_id)
            self.say(f"Added the quote as an anchor example of “{code.path if code else ''}”.")
            return True
        return False

    # -- typed values ----------------------------------------------------------------------
    @property
    def asking_values(self) -> bool:
        return self.w.settings.value(ASK_VALUES_KEY, True, bool)

    def ask_values(self, coding: CodingInfo) -> None:
        """Called after a code was applied: ask for its fields' values, if it has any."""
        if not self.asking_values:
            return
        fields = fieldsvc.effective_fields(self.project, coding.code_id)
        if not fields:
            return
        v = self.w.viewer
        rect = v.cursorRect(v.textCursor())
        at = v.viewport().mapToGlobal(QPoint(rect.left(), rect.bottom() + 6))
        self.popup.skip()
        self._fresh = coding.id
        code = self.w.codes.get(coding.code_id)
        self.popup.open_for(coding.id, code.path if code else "Values", fields, {}, at)

    def edit_values(self, coding_id: int) -> None:
        c = self.w.codings_by_id.get(coding_id)
        if c is None:
            return
        fields = fieldsvc.effective_fields(self.project, c.code_id)
        if not fields:
            self.say("This code has no fields: use Fields… in the codebook's menu to add some.")
            return
        view = self.w.codings_panel.view
        row = self.codings_model.row_of(coding_id)
        rect = view.visualRect(self.codings_model.index(row, VALUES)) if row >= 0 else None
        at = (view.viewport().mapToGlobal(rect.bottomLeft()) if rect is not None and rect.isValid()
              else view.mapToGlobal(QPoint(0, 0)))  # fmt: skip
        self.popup.skip()
        self._fresh = None
        code = self.w.codes.get(c.code_id)
        values = fieldsvc.coding_values(self.project, coding_id)
        self.popup.open_for(coding_id, code.path if code else "Values", fields, values, at)

    def store_values(self, coding_id: int, values: dict) -> None:
        fresh = self._fresh == coding_id
        self._fresh = None
        try:
            current = fieldsvc.coding_values(self.project, coding_id)
        except ServiceError as exc:
            self.say(str(exc))
            return
        changed = {fid: v for fid, v in values.items() if current.get(fid) != v}
        if changed:
            self.run(ccmd.SetValues(self.ctx, coding_id, changed))
        if fresh:
            self.w.viewer.setFocus()

    def _skipped(self, coding_id: int, missing: list[str]) -> None:
        fresh = self._fresh == coding_id
        self._fresh = None
        if fresh:
            self.w.viewer.setFocus()
        if missing:
            self.say(
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required: the coding "
                "is kept and marked incomplete (⚠ in the Values column; double-click it to fill in).",
                10000,
            )

    # -- codings panel -----------------------------------------------------------------------
    def _double_clicked(self, index) -> None:
        cid = index.data(ID_ROLE)
        if cid is None:
            return
        if index.column() == VALUES:
            self.edit_values(cid)
        else:
            self.w.codings_panel.memo_requested.emit(cid)

    def _codings_menu(self, pos: QPoint) -> None:
        view = self.w.codings_panel.view
        cid = view.indexAt(pos).data(ID_ROLE)
        if cid is not None:
            self.build_codings_menu(cid).exec(view.viewport().mapToGlobal(pos))

    def build_codings_menu(self, coding_id: int) -> QMenu:
        menu = QMenu(self.w)
        c = self.w.codings_by_id.get(coding_id)
        if c is None:
            return menu
        code = self.w.codes.get(c.code_id)
        name = code.name if code else "its code"
        values = menu.addAction("Edit values…", lambda: self.edit_values(coding_id))
        values.setEnabled(bool(self.fields_by_code.get(c.code_id)))
        menu.addAction(f"Use as example of “{name}”", lambda: self.use_as_example(coding_id))
        menu.addSeparator()
        menu.addAction("Edit memo…", lambda: self.w.coding.edit_memo(coding_id))
        menu.addAction("Remove coding", lambda: self.w.coding.remove(coding_id))
        return menu

    def _viewer_menu(self, pos: QPoint) -> QMenu:
        menu = self._base_viewer_menu(pos)
        spans = self.w.viewer.spans_at_point(pos)
        if not spans:
            return menu
        before = next((a for a in menu.actions() if a.text() == "Copy"), None)
        acts = menu.actions()
        if before is not None and acts.index(before) > 0:
            before = acts[acts.index(before) - 1]  # its separator
        for span in spans:
            code = self.w.codes.get(span.code_id)
            name = code.name if code else "its code"
            items = []
            if self.fields_by_code.get(span.code_id):
                items.append(
                    (
                        f"Edit values of “{name}”…",
                        lambda _on=False, c=span.coding_id: self.edit_values(c),
                    )
                )
            items.append(
                (
                    f"Use as example of “{name}”",
                    lambda _on=False, c=span.coding_id: self.use_as_example(c),
                )
            )
            for text, slot in items:
                a = QAction(text, menu)
                a.triggered.connect(slot)
                menu.insertAction(before, a) if before is not None else menu.addAction(a)
        return menu

    def _tooltip(self, span) -> str:
        text = self._base_tooltip(span)
        code = self.w.codes.get(span.code_id)
        extra = []
        if code and code.inclusion:
            extra.append(f"<b>Include:</b> {_esc(_short(code.inclusion))}")
        if code and code.exclusion:
            extra.append(f"<b>Exclude:</b> {_esc(_short(code.exclusion))}")
        shown = format_values(
            self.fields_by_code.get(span.code_id, []), self.codings_model.values_of(span.coding_id)
        )
        if shown:
            extra.insert(0, _esc(shown))
        return "<br>".join([text, *extra]) if extra else text


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:299] + "…"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
