"""Review > Compare coders…: one document with every chosen coder's codings side by side
(a margin column and an underline colour per coder), the disagreements listed and
navigable, and the reviewer's adjudication into the ``consensus`` coder, undoable on the
window's undo stack. Each coder's agreement with the consensus is shown beside it and
recomputed after every action.

Keys: N or F8 next disagreement, P or Shift+F8 previous, 1–9 accept the version of the
coder in that column, A accept all agreements (the passages every coder coded the same
way), C code the selection as consensus, X clear the consensus there, Ctrl+Z /
Ctrl+Shift+Z undo and redo."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.services.codebook import codebook
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.review import review
from desktop.services.review.review import CONSENSUS, Disagreement
from desktop.services.teams import coders, teams
from desktop.services.teams.coders import CoderInfo
from desktop.ui import a11y, theme
from desktop.ui.dialogs import fit_window
from desktop.ui.review.adjudication import AdjudicationActions
from desktop.ui.review.bar import ChoicesBar
from desktop.ui.review.models import short
from desktop.ui.review.side import PANEL_PARTS, ReviewPanel, consensus_note, detail_html, esc
from desktop.ui.review.viewer import ReviewViewer
from desktop.ui.workbench.context import Context
from desktop.ui.workbench.spans import Span
from desktop.ui.workers import Task, TaskRunner

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench


def open_review_window(w: Workbench) -> ReviewWindow | None:
    """Open (or raise) the review window of the main window's project. In blind mode
    only the reviewer may compare coders."""
    ctx = w.ctx
    if ctx is None:
        return None
    active = ctx.coder.id if ctx.coder else None
    if teams.visible_coder_ids(ctx.project, active) is not None:
        rev = teams.reviewer(ctx.project)
        w.prompts.error(
            "Blind coding is on: only the reviewer"
            + (f" ({rev})" if rev else "")
            + " can compare coders' codings."
        )
        return None
    existing = getattr(w, "review_window", None)
    if isinstance(existing, ReviewWindow) and existing.ctx is ctx:
        existing.show()
        existing.raise_()
        existing.activateWindow()
        return existing
    win = ReviewWindow(ctx, w, document_id=w.document_id)
    w.review_window = win
    win.show()
    return win


class ReviewWindow(AdjudicationActions, QMainWindow):
    current_changed = Signal(int)  # row in the list (-1: none)
    agreement_done = Signal()  # the agreement with the consensus is shown

    def __init__(
        self,
        ctx: Context,
        parent: QWidget | None = None,
        *,
        document_id: int | None = None,
        coder_ids: list[int] | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("reviewWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.ctx = ctx
        self.document_id: int | None = None
        self.code_filter: int | None = None
        self.unit = "char"
        self.all_coders: list[CoderInfo] = []
        self.coder_ids: list[int] = []
        self.consensus: CoderInfo | None = None
        self.codes: dict[int, codebook.CodeInfo] = {}
        self.items: list[Disagreement] = []
        self.open_count = 0
        self.pending_agreements: list[Disagreement] = []  # agreed, not in the consensus
        self.current = -1
        self._loading = False
        self.runner = TaskRunner(self)
        self._agreement_gen = 0
        self.agreement_busy = False
        self._build()
        self._shortcuts()
        ctx.codings_changed.connect(self._codings_changed)
        ctx.codebook_changed.connect(self._codebook_changed)
        ctx.error.connect(lambda msg: self.statusBar().showMessage(msg, 8000))
        ctx.undo_stack.indexChanged.connect(self._undo_index_changed)
        ctx.destroyed.connect(self._context_gone)
        fit_window(self, "compareCoders", QSize(1360, 860))
        self.setWindowTitle(f"Compare coders — {ctx.project.name}")
        self._load_choices(document_id, coder_ids)

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        bar = ChoicesBar(self)
        self.bar = bar
        self.document_box, self.code_box, self.unit_box = (
            bar.document_box,
            bar.code_box,
            bar.unit_box,
        )
        self.document_box.currentIndexChanged.connect(self._document_picked)
        self.code_box.currentIndexChanged.connect(self._code_picked)
        self.unit_box.currentIndexChanged.connect(self._unit_picked)

        self.viewer = ReviewViewer()
        self.viewer.tooltip_for = self._tooltip
        self.viewer.coding_clicked.connect(self._stripe_clicked)
        self.viewer.selectionChanged.connect(self._sync_buttons)
        self.legend = QLabel()
        self.legend.setObjectName("reviewLegend")
        self.legend.setContentsMargins(12, 4, 12, 4)
        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.legend)
        lay.addWidget(self.viewer, 1)

        side = ReviewPanel(self)
        for name in PANEL_PARTS:
            setattr(self, name, getattr(side, name))
        self.open_only.toggled.connect(lambda _on: self.refresh())
        self.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.go_to(cur.row(), from_table=True)
        )
        self.prev_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.own_button.clicked.connect(self.code_selection)
        self.clear_button.clicked.connect(self.clear_current)
        self.accept_all_button.clicked.connect(self.accept_all_agreements)
        self.undo_button.clicked.connect(self.ctx.undo_stack.undo)
        self.redo_button.clicked.connect(self.ctx.undo_stack.redo)
        self.panel = side

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(side)
        split.setStretchFactor(0, 1)
        split.setSizes([760, 600])
        split.setChildrenCollapsible(False)
        self.split = split
        centre = QWidget()
        c = QVBoxLayout(centre)
        c.setContentsMargins(0, 0, 0, 0)
        c.setSpacing(0)
        c.addWidget(bar)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        c.addWidget(line)
        c.addWidget(split, 1)
        self.setCentralWidget(centre)

    def _shortcuts(self) -> None:
        def key(seq, slot) -> None:
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slot)

        key("N", self.next)
        key("F8", self.next)
        key("P", self.previous)
        key("Shift+F8", self.previous)
        key("C", self.code_selection)
        key("X", self.clear_current)
        key("A", self.accept_all_agreements)
        key("Ctrl+Z", self.ctx.undo_stack.undo)
        key("Ctrl+Shift+Z", self.ctx.undo_stack.redo)
        key("Ctrl+Y", self.ctx.undo_stack.redo)
        for n in range(1, 10):
            key(str(n), lambda n=n: self.accept_column(n - 1))
        # (Esc and Ctrl+W close it: fit_window) Shift+F10 opens the context menu, Tab
        # leaves the tables; names for what a screen reader would otherwise announce
        a11y.context_menu_key(self)
        a11y.tab_leaves_all(self)
        for widget, name in (
            (self.document_box, "Document"), (self.code_box, "Code"), (self.unit_box, "Unit"),
            (self.viewer, "Text with the coders' codings"), (self.table, "Disagreements"),
            (self.panel.consensus_table, "Agreement with the consensus"),
        ):  # fmt: skip
            a11y.name(widget, name)

    # -- choices ---------------------------------------------------------------------------
    def _load_choices(self, document_id: int | None, coder_ids: list[int] | None) -> None:
        project = self.ctx.project
        self._loading = True
        self.codes = {c.id: c for c in codebook.list_codes(project)}
        self.consensus = coders.find_coder(project, CONSENSUS)
        self.all_coders = [c for c in coders.list_coders(project) if c.name != CONSENSUS]
        docs = documents.list_documents(project)
        self.bar.fill_documents(docs)
        self._fill_codes()
        self._loading = False
        if document_id is None and docs:
            document_id = docs[0].id
        i = self.document_box.findData(document_id)
        if i >= 0:
            self._loading = True
            self.document_box.setCurrentIndex(i)
            self._loading = False
        self.document_id = document_id if i >= 0 else None
        self._build_coder_boxes(coder_ids)
        self.refresh(reload_text=True)

    def _fill_codes(self) -> None:
        self.bar.fill_codes(list(self.codes.values()), self.code_filter)

    def _build_coder_boxes(self, chosen: list[int] | None) -> None:
        if chosen is None:
            chosen = self._default_coders()
        self.coder_boxes = self.bar.set_coders(self.all_coders, chosen, self._coders_picked)
        self.coder_ids = [c.id for c in self.all_coders if c.id in chosen]

    def _default_coders(self) -> list[int]:
        """The coders who coded the document (all coders if fewer than two did)."""
        if self.document_id is None:
            return [c.id for c in self.all_coders]
        from desktop.services.coding import codings

        used = {
            c.coder_id for c in codings.list_codings(self.ctx.project, document_id=self.document_id)
        }
        ids = [c.id for c in self.all_coders if c.id in used]
        return ids if len(ids) >= 2 else [c.id for c in self.all_coders]

    def set_coders(self, coder_ids: list[int]) -> None:
        self._loading = True
        for cid, box in self.coder_boxes.items():
            box.setChecked(cid in coder_ids)
        self._loading = False
        self._coders_picked()

    def set_document(self, document_id: int) -> None:
        self.document_box.setCurrentIndex(self.document_box.findData(document_id))

    def _coders_picked(self, *_args) -> None:
        if self._loading:
            return
        self.coder_ids = [cid for cid, box in self.coder_boxes.items() if box.isChecked()]
        self.refresh()

    def _document_picked(self, _i: int) -> None:
        if self._loading:
            return
        self.document_id = self.document_box.currentData()
        self.current = -1
        self.refresh(reload_text=True)

    def _code_picked(self, _i: int) -> None:
        if self._loading:
            return
        self.code_filter = self.code_box.currentData()
        self.current = -1
        self.refresh()

    def _unit_picked(self, _i: int) -> None:
        self.unit = self.unit_box.currentData()
        self.refresh()

    # -- refreshing ------------------------------------------------------------------------
    def refresh(self, *, reload_text: bool = False) -> None:
        """Recompute the disagreements and the agreement with the consensus; keep the
        current disagreement if it is still there."""
        project = self.ctx.project
        key = self.items[self.current].key if 0 <= self.current < len(self.items) else None
        if reload_text:
            text = documents.get_text(project, self.document_id) if self.document_id else ""
            pages = documents.get_pages(project, self.document_id) if self.document_id else []
            self.viewer.set_text(text, pages)
        self.consensus = coders.find_coder(project, CONSENSUS)
        colors = {c.id: c.color for c in self.all_coders}
        names = {c.id: c.name for c in self.all_coders}
        consensus_id = self.consensus.id if self.consensus else None
        self.items = []
        agreed: list[Disagreement] = []
        message = ""
        if self.document_id is None:
            message = "The project has no documents."
        elif len(self.coder_ids) < 2:
            message = "Choose at least two coders to compare."
        else:
            try:
                args = (project, self.document_id, self.coder_ids,
                        [self.code_filter] if self.code_filter else None, self.unit)  # fmt: skip
                self.items = review.disagreements(*args, consensus_id=consensus_id)
                agreed = review.agreements(*args, consensus_id=consensus_id)
            except ServiceError as exc:
                message = str(exc)
        found = self.items
        if self.open_only.isChecked():
            self.items = [d for d in found if not d.resolved]
        chosen = [(cid, names[cid], colors[cid]) for cid in self.coder_ids]
        self.model.set_rows(self.items, chosen, {c.id: c.color for c in self.codes.values()})
        self.panel.size_columns()
        self._paint_document(chosen)
        self.accept_buttons = self.panel.set_accept_buttons(chosen, self.accept_column)
        open_ = self.open_count = sum(1 for d in found if not d.resolved)
        self.pending_agreements = [a for a in agreed if not a.consensus]
        self.panel.set_accept_all(len(self.pending_agreements))
        self._refresh_agreement(chosen)
        if message:
            self.count_label.setText(f"<b>Disagreements</b> · {esc(message)}")
        else:
            self.count_label.setText(
                f"<b>Disagreements: {len(found)}</b> · {open_} open · {len(found) - open_} decided"
            )
        row = self.model.row_of(key) if key is not None else -1
        if row < 0 and self.items:
            row = min(max(self.current, 0), len(self.items) - 1)
        self.go_to(row)

    def _paint_document(self, chosen: list[tuple[int, str, str]]) -> None:
        if self.document_id is None:
            self.viewer.set_review([], [], [])
            return
        from desktop.services.coding import codings

        ids = [cid for cid, _n, _c in chosen] + ([self.consensus.id] if self.consensus else [])
        rows = codings.list_document_codings(
            self.ctx.project, self.document_id, coder_ids=ids, text=self.viewer.text
        )
        if self.code_filter:
            rows = [c for c in rows if c.code_id == self.code_filter]
        self._codings_by_id = {c.id: c for c in rows}
        self.legend.setText(
            self.viewer.show_codings(rows, chosen, self.consensus, self.codes, self.items)
        )

    def _refresh_agreement(self, chosen: list[tuple[int, str, str]]) -> None:
        """Recompute each coder's agreement with the consensus in a worker (a long
        document takes a moment); a newer request makes an older answer stale."""
        self._agreement_gen += 1
        gen = self._agreement_gen
        colors = {cid: colour for cid, _n, colour in chosen}
        if len(chosen) == 0 or self.document_id is None:
            self._show_agreement(gen, [], colors)
            return
        project = self.ctx.project
        args = dict(
            coder_ids=[cid for cid, _n, _c in chosen],
            consensus_id=self.consensus.id if self.consensus else None,
            unit=self.unit,
            document_ids=[self.document_id],
            code_ids=[self.code_filter] if self.code_filter else None,
        )
        task = Task(lambda progress, cancelled: review.consensus_agreement(project, **args))
        task.channel.finished.connect(lambda rows: self._show_agreement(gen, rows, colors))
        task.channel.failed.connect(lambda error: self._show_agreement(gen, [], colors, error))
        self.agreement_busy = True
        self.consensus_note.setText(
            f"<span style='color:{theme.current().muted}'>Computing…</span>"
        )
        self.runner.start(task)

    def _show_agreement(self, gen: int, rows: list, colors: dict, error: str = "") -> None:
        if gen != self._agreement_gen or not shiboken6.isValid(self):
            return
        self.agreement_busy = False
        self.consensus_model.set_rows(rows, colors)
        self.panel.fit_consensus_table()
        scope = self.codes[self.code_filter].path if self.code_filter in self.codes else "all codes"
        if error:
            note = f"Could not compute: {error}"
        elif not rows:
            note = ""
        else:
            note = consensus_note(
                scope, self.unit, has_consensus=self.consensus is not None,
                open_=self.open_count, pending=len(self.pending_agreements),
            )  # fmt: skip
        self.consensus_note.setText(
            f"<span style='color:{theme.current().muted}'>{esc(note)}</span>"
        )
        self.agreement_done.emit()

    def _codings_changed(self, document_id: int) -> None:
        if not document_id or document_id == self.document_id:
            self.refresh()

    def _codebook_changed(self) -> None:
        self.codes = {c.id: c for c in codebook.list_codes(self.ctx.project)}
        self._loading = True
        self._fill_codes()
        self._loading = False
        self.refresh()

    # -- navigation ------------------------------------------------------------------------
    def go_to(self, row: int, *, from_table: bool = False) -> None:
        if self._loading:
            return
        row = row if 0 <= row < len(self.items) else -1
        self.current = row
        if not from_table:
            sm = self.table.selectionModel()
            if row >= 0:
                self._loading = True
                sm.setCurrentIndex(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self._loading = False
                self.table.scrollTo(self.model.index(row, 0))
            else:
                sm.clearSelection()
        self.viewer.set_current(row if row >= 0 else None)
        self._show_detail()
        self._sync_buttons()
        self.current_changed.emit(row)

    def next(self) -> None:
        if self.items:
            self.go_to((self.current + 1) % len(self.items))

    def previous(self) -> None:
        if self.items:
            self.go_to(
                (self.current - 1) % len(self.items) if self.current >= 0 else len(self.items) - 1
            )

    def current_disagreement(self) -> Disagreement | None:
        return self.items[self.current] if 0 <= self.current < len(self.items) else None

    def _show_detail(self) -> None:
        d = self.current_disagreement()
        self.position_label.setText(
            f"{self.current + 1} of {len(self.items)}" if d else f"– of {len(self.items)}"
        )
        if d is None:
            self.detail.setText(
                f"<span style='color:{theme.current().muted}'>No disagreement selected.</span>"
            )
            return
        self.detail.setText(detail_html(d, self.all_coders, self.codes.get(d.code_id)))

    def closeEvent(self, e) -> None:
        self.runner.wait(10_000)
        super().closeEvent(e)

    def _context_gone(self, *_args) -> None:
        """The main window opened another project: this review is over."""
        self.ctx = None
        self.close()
        self.deleteLater()

    # -- viewer callbacks ------------------------------------------------------------------
    def _tooltip(self, span: Span) -> str:
        code = self.codes.get(span.code_id)
        who = next((c.name for c in self.all_coders if c.id == span.coder_id), None)
        if who is None and self.consensus and span.coder_id == self.consensus.id:
            who = self.consensus.name
        c = getattr(self, "_codings_by_id", {}).get(span.coding_id)
        parts = [f"<b style='color:{span.color}'>■</b> <b>{esc(code.path if code else '?')}</b>",
                 f"<span style='color:{theme.current().muted}'>coded by {esc(who or '?')}</span>"]  # fmt: skip
        if c and c.memo:
            parts.append(f"<i>{esc(short(c.memo, 300))}</i>")
        return "<br>".join(parts)

    def _stripe_clicked(self, coding_id: int) -> None:
        c = getattr(self, "_codings_by_id", {}).get(coding_id)
        if c is None:
            return
        for i, d in enumerate(self.items):
            if d.code_id == c.code_id and d.start <= c.start and c.end <= d.end:
                self.go_to(i)
                return
