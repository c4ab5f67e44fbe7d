"""Item models over the services' dataclasses: no widget per row, data formatted only
when a view asks for it, so a project with thousands of documents opens at once."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from desktop.core import wording
from desktop.core.text import starts_right_to_left
from desktop.services.codebook.codebook import CodeInfo
from desktop.services.coding.codings import CodingInfo
from desktop.services.documents.documents import DocumentInfo
from desktop.services.documents.listing import SORT_KEYS, DocumentListing, DocumentOrder
from desktop.services.errors import ServiceError
from desktop.services.teams.coders import CoderInfo
from desktop.ui import theme
from desktop.ui.look import swatch

ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLOR_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3
PATH_ROLE = Qt.ItemDataRole.UserRole + 4

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def reading_alignment(text: str) -> int | None:
    """A cell's alignment for ``text``: right for text that starts right to left (an
    Arabic or Hebrew quote reads from the right edge), else the view's default."""
    return _RIGHT if starts_right_to_left(text) else None


def one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DocumentListModel(QAbstractTableModel):
    """The documents of a services' DocumentListing. Filtering and sorting read the
    order of the rows from the database (ids and names only); a row's document is read
    when a view first shows it, with the rest of its page, and kept in a bounded cache:
    100,000 documents list without reading them all."""

    HEADERS = ("Name", "Kind", "Pages", "Codings")
    PAGE = 200  # rows read at once
    CACHED = 5000  # rows kept (about a screenful times the pages scrolled through)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._listing: DocumentListing | None = None
        self._order = DocumentOrder([], [])
        self._cache: OrderedDict[int, DocumentInfo] = OrderedDict()
        self._filter = ""
        self._sort = (0, Qt.SortOrder.AscendingOrder)
        self.paged = False  # whether any document has pages
        self.rows_read = 0  # documents read from the listing so far
        self.largest = 0  # the most documents the list has held (unfiltered: all of them)

    def set_listing(self, listing: DocumentListing) -> None:
        """Show ``listing``'s documents (and its counts), read afresh."""
        self.beginResetModel()
        self._listing = listing
        self._cache.clear()
        self.largest = 0
        self._order = self._read_order()
        self.paged = listing.any_paged()
        self.endResetModel()

    def refresh(self) -> None:
        """Read the counts and the order again (codings or a name changed): the same
        documents keep their selection; documents added or deleted reset the list."""
        self._cache.clear()
        self._reorder()

    def _reorder(self) -> None:
        if self._listing is None:
            return
        order = self._read_order()
        if len(order.ids) != len(self._order.ids) or set(order.ids) != set(self._order.ids):
            self.beginResetModel()  # (a new name may no longer match the filter)
            self._order = order
            self.endResetModel()
        elif order.ids == self._order.ids:
            self._order = order
            self._all_changed()
        else:
            self._move_to(order)

    def _read_order(self) -> DocumentOrder:
        if self._listing is None:
            return DocumentOrder([], [])
        column, order = self._sort
        found = self._listing.order(
            self._filter, SORT_KEYS[column], order == Qt.SortOrder.DescendingOrder
        )
        self.largest = max(self.largest, len(found.ids))
        return found

    def _all_changed(self) -> None:
        if self._order.ids:
            last = self.index(len(self._order.ids) - 1, len(self.HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def _move_to(self, order: DocumentOrder) -> None:
        """The same rows in a new order: selections follow their documents."""
        self.layoutAboutToBeChanged.emit()
        old = self._order.ids
        self._order = order
        for idx in self.persistentIndexList():
            row = order.row_of(old[idx.row()]) if 0 <= idx.row() < len(old) else -1
            self.changePersistentIndex(
                idx, self.index(row, idx.column()) if row >= 0 else QModelIndex()
            )
        self.layoutChanged.emit()

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self._filter = text.strip().lower()
        self._order = self._read_order()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        if self._listing is not None:
            self._move_to(self._read_order())

    def document(self, row: int) -> DocumentInfo:
        did = self._order.ids[row]
        info = self._cache.get(did)
        if info is None:
            self._fetch(row)
            # deleted since the order was read: its name until the list is read again
            info = self._cache.get(did) or DocumentInfo(did, self._order.names[row], "", "", 0)
        return info

    def _fetch(self, row: int) -> None:
        """Read the page of rows that holds ``row`` (those not in the cache)."""
        a = row - row % self.PAGE
        ids, names = self._order.ids[a : a + self.PAGE], self._order.names[a : a + self.PAGE]
        missing = [i for i, did in enumerate(ids) if did not in self._cache]
        if self._listing is None or not missing:
            return
        try:
            rows = self._listing.rows([ids[i] for i in missing], [names[i] for i in missing])
        except ServiceError:  # a team server out of reach: the names show, the rest later
            return
        self.rows_read += len(rows)
        for d in rows:
            self._cache[d.id] = d
        while len(self._cache) > self.CACHED:
            self._cache.popitem(last=False)

    def loaded(self) -> int:
        """How many documents are held in memory."""
        return len(self._cache)

    def info(self, document_id: int) -> DocumentInfo | None:
        """A document by id, shown or filtered out (None: there is none)."""
        info = self._cache.get(document_id)
        if info is None and self._listing is not None:
            info = self._listing.info(document_id)
        return info

    def row_of(self, document_id: int) -> int:
        return self._order.row_of(document_id)

    def update(self, info: DocumentInfo) -> None:
        """One document's new name or metadata: its row, in its place in the order
        (read again when shown: ``info`` may count other coders' codings)."""
        self._cache.pop(info.id, None)
        self._reorder()

    def bump(self, document_id: int, delta: int) -> None:
        d = self._cache.get(document_id)
        if d is not None:
            self._cache[document_id] = replace(d, codings=max(0, d.codings + delta))
        row = self.row_of(document_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 3), self.index(row, 3))

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._order.ids)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == ID_ROLE:
            return self._order.ids[row]
        if role == Qt.ItemDataRole.DisplayRole and col == 0:
            return self._order.names[row]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (
                _RIGHT
                if col >= 2
                else reading_alignment(self._order.names[row])
                if col == 0
                else None
            )
        if role not in _DOCUMENT_ROLES:
            return None
        d = self.document(row)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 1:
                return d.kind
            if col == 2:
                return str(d.pages) if d.pages else "–"
            return str(d.codings) if d.codings else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            bits = [d.name] if not d.title or d.title == d.name else [d.title, d.name]
            bits += [v for v in (d.author, d.date, d.source) if v]
            pages = f", {d.pages} pages" if d.pages else ""
            bits.append(f"{d.kind}{pages}, {d.length:,} characters, "
                        f"{wording.count(d.codings, 'coding')}")  # fmt: skip
            notes = (d.import_notes or "").splitlines()
            if notes:
                bits += ["", "Imported with a note:", *notes]
            return "\n".join(bits)
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and d.import_notes:
            return _note_icon()
        return None


_DOCUMENT_ROLES = frozenset((Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                             Qt.ItemDataRole.DecorationRole))  # fmt: skip


class _Node:
    __slots__ = ("children", "code", "parent", "row")

    def __init__(self, code: CodeInfo | None, parent: _Node | None, row: int) -> None:
        self.code = code
        self.parent = parent
        self.row = row
        self.children: list[_Node] = []


class CodebookModel(QAbstractItemModel):
    """The code tree: name with a colour swatch, codings count, and the key (1-9 unless
    remapped) that applies the code."""

    HEADERS = ("Code", "Codings", "Key")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._root = _Node(None, None, 0)
        self._by_id: dict[int, _Node] = {}
        self.codes: list[CodeInfo] = []
        self.key_labels = "123456789"

    def set_codes(self, codes: list[CodeInfo]) -> None:
        self.beginResetModel()
        self.codes = list(codes)
        self._root = _Node(None, None, 0)
        self._by_id = {}
        for c in codes:  # depth first: parents come before their children
            parent = self._by_id.get(c.parent_id, self._root) if c.parent_id else self._root
            node = _Node(c, parent, len(parent.children))
            parent.children.append(node)
            self._by_id[c.id] = node
        self._keys = {c.id: i + 1 for i, c in enumerate([c for c in codes if c.is_codable][:9])}
        self.endResetModel()

    def bump(self, code_id: int, delta: int) -> None:
        node = self._by_id.get(code_id)
        if node is not None:
            node.code = replace(node.code, codings=max(0, node.code.codings + delta))
            idx = self.createIndex(node.row, 1, node)
            self.dataChanged.emit(idx, idx)

    def key_label(self, code_id: int) -> str:
        """The key that applies the code (as remapped; "" for none)."""
        n = self._keys.get(code_id)
        return self.key_labels[n - 1] if n and n <= len(self.key_labels) else ""

    def set_key_labels(self, keys: str) -> None:
        """Show ``keys`` (the keys for codes 1 to 9, "" when turned off) in the tree."""
        if keys != self.key_labels:
            self.key_labels = keys
            self.layoutChanged.emit()  # every level of the tree repaints; nothing moves

    def quick_codes(self) -> list[CodeInfo]:
        """The codes the keys 1-9 apply, in tree order (categories are skipped: they are
        never applied)."""
        return [c for c in self.codes if c.is_codable][:9]

    def code(self, code_id: int) -> CodeInfo | None:
        node = self._by_id.get(code_id)
        return node.code if node else None

    def index_of(self, code_id: int, column: int = 0) -> QModelIndex:
        node = self._by_id.get(code_id)
        return self.createIndex(node.row, column, node) if node else QModelIndex()

    def _node(self, index: _Index) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    def index(self, row: int, column: int, parent: _Index = _ROOT) -> QModelIndex:
        p = self._node(parent)
        if 0 <= row < len(p.children) and 0 <= column < len(self.HEADERS):
            return self.createIndex(row, column, p.children[row])
        return QModelIndex()

    def parent(self, index: _Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        p = index.internalPointer().parent
        if p is None or p is self._root:
            return QModelIndex()
        return self.createIndex(p.row, 0, p)

    def rowCount(self, parent: _Index = _ROOT) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        c: CodeInfo = index.internalPointer().code
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return c.name
            if col == 1:
                return str(c.codings) if c.codings else ""
            return self.key_label(c.id)
        if role == ID_ROLE:
            return c.id
        if role == PATH_ROLE:
            return c.path
        if role == COLOR_ROLE:
            return QColor(c.color)
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return swatch(c.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"<b>{_esc(c.path)}</b>"
            if c.description:
                tip += f"<br>{_esc(c.description)}"
            key = self.key_label(c.id)
            if key:
                tip += f"<br><i>Select text and press {_esc(key)} to apply</i>"
            if not c.is_codable:
                tip += "<br><i>Category: organises the codebook, not applied to text</i>"
            return tip
        if role == Qt.ItemDataRole.FontRole and col == 0 and not c.is_codable:
            font = QFont()
            font.setItalic(True)
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 1:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return theme.current().colour("muted")
        return None


def _note_icon() -> QIcon:
    """The mark of a document whose import noted something (its tooltip says what)."""
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CodingsModel(QAbstractTableModel):
    """The codings of the current document (already filtered by coder)."""

    HEADERS = ("Code", "Coder", "Quote", "Memo", "Page")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[CodingInfo] = []
        self._codes: dict[int, CodeInfo] = {}
        self._coders: dict[int, CoderInfo] = {}
        self._pages: list[int] = []
        self._row_of: dict[int, int] = {}
        self._sort = (4, Qt.SortOrder.AscendingOrder)

    def set_codings(
        self, codings: list[CodingInfo], codes: dict[int, CodeInfo], coders: dict[int, CoderInfo],
        pages: list[int] | None = None,
    ) -> None:  # fmt: skip
        self.beginResetModel()
        self._rows = list(codings)
        self._codes = codes
        self._coders = coders
        self._pages = list(pages or [])
        column, order = self._sort
        if (column, order) != (4, Qt.SortOrder.AscendingOrder):  # rows come in document order
            paged = dict(zip((c.id for c in self._rows), self._pages, strict=False))
            self._rows.sort(key=self._key(column), reverse=order == Qt.SortOrder.DescendingOrder)
            if self._pages:
                self._pages = [paged.get(c.id, 0) for c in self._rows]
        self._reindex()
        self.endResetModel()

    def coding(self, row: int) -> CodingInfo:
        return self._rows[row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        pages = dict(zip((c.id for c in self._rows), self._pages, strict=False))
        self._rows.sort(key=self._key(column), reverse=order == Qt.SortOrder.DescendingOrder)
        if self._pages:
            self._pages = [pages.get(c.id, 0) for c in self._rows]
        self._reindex()
        self.layoutChanged.emit()

    def _key(self, column: int):
        codes, coders = self._codes, self._coders

        def code(c):
            return codes[c.code_id].path.lower() if c.code_id in codes else ""

        def coder(c):
            return coders[c.coder_id].name.lower() if c.coder_id in coders else ""

        position = lambda c: (c.start, c.end, c.id)  # noqa: E731
        return (lambda c: (code(c), c.start), lambda c: (coder(c), c.start), position,
                lambda c: (c.memo.lower(), c.start), position)[column]  # fmt: skip

    def _reindex(self) -> None:
        self._row_of = {c.id: i for i, c in enumerate(self._rows)}

    def add(self, coding: CodingInfo, page: int = 0) -> None:
        n = len(self._rows)
        self.beginInsertRows(_ROOT, n, n)
        self._rows.append(coding)
        self._row_of[coding.id] = n
        if self._pages or page:
            self._pages += [0] * (n - len(self._pages)) + [page]
        self.endInsertRows()

    def remove(self, coding_id: int) -> None:
        row = self.row_of(coding_id)
        if row >= 0:
            self.beginRemoveRows(_ROOT, row, row)
            del self._rows[row]
            if row < len(self._pages):
                del self._pages[row]
            self._reindex()
            self.endRemoveRows()

    def update(self, coding: CodingInfo) -> None:
        row = self.row_of(coding.id)
        if row >= 0:
            self._rows[row] = coding
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def row_of(self, coding_id: int) -> int:
        return self._row_of.get(coding_id, -1)

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def _page(self, row: int) -> str:
        return str(self._pages[row]) if row < len(self._pages) and self._pages[row] else ""

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        c = self._rows[index.row()]
        col = index.column()
        code = self._codes.get(c.code_id)
        coder = self._coders.get(c.coder_id)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return code.name if code else f"#{c.code_id}"
            if col == 1:
                return coder.name if coder else f"#{c.coder_id}"
            if col == 2:
                return one_line(c.quote)
            if col == 3:
                return one_line(c.memo, 80)
            return self._page(index.row())
        if role == SORT_ROLE:
            return (
                code.path if code else "",
                coder.name if coder else "",
                c.start,
                c.memo,
                c.start,
            )[col]
        if role == ID_ROLE:
            return c.id
        if role == COLOR_ROLE:
            if col == 0 and code:
                return QColor(code.color)
            if col == 1 and coder:
                return QColor(coder.color)
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            if col == 0 and code:
                return swatch(code.color)
            if col == 1 and coder:
                return swatch(coder.color, round_=True)
            return None
        if role == PATH_ROLE:
            return code.path if code else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return reading_alignment(c.quote if col == 2 else c.memo) if col in (2, 3) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            head = f"<b>{_esc(code.path)}</b><br>" if code else ""
            memo = f"<br><i>{_esc(c.memo)}</i>" if c.memo else ""
            return f"{head}“{_esc(one_line(c.quote, 600))}”{memo}"
        return None
