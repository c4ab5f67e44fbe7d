"""How the workbench follows the open project: the documents list, the codebook, the
coders and the codings of the document shown are read again when the context says they
changed, or updated one row, one span and two counts when one coding came, went or
changed. The lists count the codings of the coders the view shows."""

from __future__ import annotations

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.coding.codings import CodingInfo
from desktop.services.documents import documents
from desktop.services.documents.listing import DocumentListing
from desktop.services.errors import NotFound
from desktop.services.teams import coders
from desktop.ui import theme
from desktop.ui.workbench import menus
from desktop.ui.workbench.context import MINE
from desktop.ui.workbench.spans import Span


class WorkbenchRefresh:
    """Mixed into the MainWindow: connected to its context's signals (``set_project``).
    Keeps ``codes``, ``coders`` and ``codings_by_id`` and the panels and viewer showing
    them; uses the window's ``document_id``, its pages and ``_update_status``."""

    def refresh_documents(self) -> None:
        self._lists_counted = self._counted()
        self.documents_panel.model.set_listing(DocumentListing(self.project, self._lists_counted))
        if self.document_id is not None and self.documents_panel.model.info(self.document_id):
            self.documents_panel.select(self.document_id)
        elif self.document_id is not None:  # deleted: the text it showed is gone
            self.document_id = None
            self.doc_title.setText("")
            self.viewer.set_text("")
            self.refresh_codings()
        self._update_status()

    def _document_changed(self, document_id: int) -> None:
        """One document's name or metadata changed: its row and, if shown, its title."""
        try:
            info = documents.get_document(self.project, document_id)
        except NotFound:
            self.refresh_documents()
            return
        self.documents_panel.model.update(info)
        if document_id == self.document_id:
            self.doc_title.setText(info.title or info.name)

    def refresh_codebook(self) -> None:
        codes = codebook.list_codes(self.project, self._counted())
        self.codes = {c.id: c for c in codes}
        panel = self.codebook_panel
        panel.model.set_codes(codes)
        panel.view.expandAll()
        self.viewer.labels = {c.id: c.name for c in codes}
        self._update_status()

    def refresh_coders(self) -> None:
        self.coders = {c.id: c for c in coders.list_coders(self.project)}

    def _codings_changed(self, document_id: int) -> None:
        self.refresh_codebook()  # counts, and codes a command may have added or restored
        if not document_id or document_id == self.document_id:
            self.refresh_codings()
        if document_id:
            self.documents_panel.model.refresh()

    # one coding came, went or changed: update one row, one span and two counts
    def _shown(self, c: CodingInfo) -> bool:
        visible = self.ctx.visible_coder_ids()
        return c.document_id == self.document_id and (visible is None or c.coder_id in visible)

    def _counts(self, c: CodingInfo) -> bool:
        visible = self._counted()
        return visible is None or c.coder_id in visible

    def _coding_added(self, c: CodingInfo) -> None:
        if self._counts(c):
            self.codebook_panel.model.bump(c.code_id, +1)
            self.documents_panel.model.bump(c.document_id, +1)
        if self._shown(c):
            self.codings_by_id[c.id] = c
            self.viewer.set_memo(c.id, bool(c.memo))
            self.viewer.add_span(self._span(c))
            page = self._page_of(c.start)
            self.codings_panel.model.add(c, page)
        self._update_status()

    def _coding_removed(self, c: CodingInfo) -> None:
        if self._counts(c):
            self.codebook_panel.model.bump(c.code_id, -1)
            self.documents_panel.model.bump(c.document_id, -1)
        if self.codings_by_id.pop(c.id, None) is not None:
            self.viewer.remove_span(c.id)
            self.codings_panel.model.remove(c.id)
        self._update_status()

    def _coding_updated(self, c: CodingInfo) -> None:
        if c.id in self.codings_by_id:
            self.codings_by_id[c.id] = c
            self.codings_panel.model.update(c)
            self.viewer.set_memo(c.id, bool(c.memo))

    def _page_of(self, offset: int) -> int:
        return (documents.page_of(self._page_starts, offset) or 0) if self._pages else 0

    def _span(self, c: CodingInfo) -> Span:
        to_qt = self.viewer.offsets.to_qt
        code, coder = self.codes.get(c.code_id), self.coders.get(c.coder_id)
        if coder is None:
            self.refresh_coders()
            coder = self.coders.get(c.coder_id)
        return Span(to_qt(c.start), to_qt(c.end), c.id, c.code_id, c.coder_id,
                    code.color if code else theme.current().missing_code,
                    coder.color if coder else theme.current().missing_coder)  # fmt: skip

    def _span_columns(self, rows: list[CodingInfo]) -> tuple[list, ...]:
        """The span index's columns for many codings at once (50,000 in a big document):
        one list comprehension per column, no object per coding."""
        code_colour = {i: c.color for i, c in self.codes.items()}
        coder_colour = {i: c.color for i, c in self.coders.items()}
        if any(c.coder_id not in coder_colour for c in rows):
            self.refresh_coders()
            coder_colour = {i: c.color for i, c in self.coders.items()}
        starts, ends = [c.start for c in rows], [c.end for c in rows]
        missing, missing_coder = theme.current().missing_code, theme.current().missing_coder
        if not self.viewer.offsets.trivial:
            to_qt = self.viewer.offsets.to_qt
            starts, ends = [to_qt(x) for x in starts], [to_qt(x) for x in ends]
        return (
            starts, ends, [c.id for c in rows], [c.code_id for c in rows],
            [c.coder_id for c in rows], [code_colour.get(c.code_id, missing) for c in rows],
            [coder_colour.get(c.coder_id, missing_coder) for c in rows],
        )  # fmt: skip

    @property
    def current_codings(self) -> list[CodingInfo]:
        return list(self.codings_by_id.values())

    def _counted(self) -> list[int] | None:
        """The coders whose codings the lists count: the ones the view shows."""
        return self.ctx.visible_coder_ids() if self.ctx is not None else None

    def _filter_changed(self) -> None:
        self.refresh_coders()
        menus.sync_view(self)
        self.refresh_codings()
        if self._lists_counted != "unread":  # (opening: read once, when the view is set)
            self._refresh_counted_lists()
        self._update_status()

    def _refresh_counted_lists(self) -> None:
        """The documents' and codes' counts follow the coder view: read them again when
        the coders they count change."""
        counted = self._counted()
        if counted != self._lists_counted:
            self.refresh_codebook()
            self.refresh_documents()

    def refresh_codings(self) -> None:
        if self.document_id is None:
            self.codings_by_id = {}
            self.viewer.set_spans([])
            self.codings_panel.model.set_codings([], {}, {})
            return
        rows = codings.list_document_codings(
            self.project,
            self.document_id,
            coder_ids=self.ctx.visible_coder_ids(),
            text=self.viewer.text,
        )
        self.codings_by_id = {c.id: c for c in rows}
        v = self.viewer
        columns = self._span_columns(rows)
        v.show_coders = self.ctx.view_mode != MINE and len({c.coder_id for c in rows}) > 1
        v.memo_ids = {c.id for c in rows if c.memo}
        v.set_span_columns(*columns)
        pages = [self._page_of(c.start) for c in rows] if self._pages else []
        self.codings_panel.model.set_codings(rows, self.codes, self.coders, pages)
        self.codings_panel.set_page_column(bool(self._pages))
        self.codings_panel.view.setColumnHidden(1, self.ctx.view_mode == MINE)
        self._update_status()
