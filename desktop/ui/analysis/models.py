"""Table models of the analysis results. ``PassagesModel`` is lazy: it holds the
query's result (numpy columns) and turns one page of rows at a time into passages,
when the view shows them, so a million rows never become a million Python objects."""

from __future__ import annotations

import html
from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from desktop.services.analysis.retrieval import Passage, RetrievalResult
from desktop.services.analysis.search import SearchHit
from desktop.ui import theme

PAGE = 100  # rows turned into passages at a time
_KEEP_PAGES = 30
PASSAGE_ROLE = Qt.ItemDataRole.UserRole + 1  # (before, text, after) of a passage / a hit
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the Passage or hit object of the row
_ROOT = QModelIndex()


class PassagesModel(QAbstractTableModel):
    COLUMNS = ("Document", "Page", "Code", "Coder", "Passage", "Memo", "Fields")
    SORT_KEYS = {0: "document", 2: "code", 3: "coder", 4: "length"}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.project = None
        self.result: RetrievalResult | None = None
        self.context: str | int = "none"
        self._pages: OrderedDict[int, list[Passage]] = OrderedDict()

    def set_result(
        self, project, result: RetrievalResult | None, context: str | int = "none",
        first_page: list[Passage] | None = None,
    ) -> None:  # fmt: skip
        """``first_page``: rows 0..PAGE-1 read by the worker (``first_page_of``), so that
        showing the result reads no text on the UI thread."""
        self.beginResetModel()
        self.project, self.result, self.context = project, result, context
        self._pages.clear()
        if first_page is not None and result is not None:
            self._pages[0] = first_page
        self.endResetModel()

    @staticmethod
    def first_page_of(project, result: RetrievalResult, context: str | int) -> list[Passage]:
        return result.page(project, 0, PAGE, context=context)

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() or self.result is None else len(self.result)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def passage(self, row: int) -> Passage | None:
        if self.result is None or not 0 <= row < len(self.result):
            return None
        n = row // PAGE
        page = self._pages.get(n)
        if page is None:
            page = self.result.page(self.project, n * PAGE, PAGE, context=self.context)
            self._pages[n] = page
            while len(self._pages) > _KEEP_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(n)
        return page[row - n * PAGE]

    def loaded_pages(self) -> int:
        return len(self._pages)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            PASSAGE_ROLE,
            ROW_ROLE,
        ):
            return None
        p = self.passage(index.row())
        if p is None:
            return None
        if role == ROW_ROLE:
            return p
        col = index.column()
        if role == PASSAGE_ROLE:
            return (p.before, p.text, p.after) if col == 4 else None
        if col == 4 and role == Qt.ItemDataRole.ToolTipRole:
            return f"{p.document}, characters {p.start}–{p.end}\n\n{p.before}{p.text}{p.after}"
        values = (
            p.document, "" if p.page is None else str(p.page), p.code, p.coder,
            _flat(p.before + p.text + p.after), p.memo,
            "; ".join(f"{k}: {v}" for k, v in p.values.items()),
        )  # fmt: skip
        return values[col]


class HitsModel(QAbstractTableModel):
    """Keyword-in-context lines: the left context right-aligned against the match.

    The hits are kept as plain tuples (``row_of``): the garbage collector stops
    tracking tuples of strings and numbers, so a search with a hundred thousand hits
    adds nothing to its full collections, which would otherwise stop the window for a
    tenth of a second each while the worker gathers the hits. The view takes any
    number of rows at once without stopping (it asks only for those it shows:
    tests/benchmarks/bench_analysis.py measures a search's 130,000)."""

    COLUMNS = ("Document", "Left", "Match", "Right")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.hits: list[tuple] = []

    @staticmethod
    def row_of(h: SearchHit) -> tuple:
        return (h.document, h.document_id, h.start, h.end, h.left, h.match, h.right)

    def set_hits(self, hits: list) -> None:
        """Hits as SearchHit objects or as ``row_of`` tuples (a list of tuples, as the
        worker makes it, is kept as it is: no pass over it on the window's thread)."""
        self.beginResetModel()
        if hits and type(hits[0]) is not tuple:
            hits = [h if type(h) is tuple else self.row_of(h) for h in hits]
        self.hits = hits if isinstance(hits, list) else list(hits)
        self.endResetModel()

    def hit(self, row: int) -> SearchHit:
        return SearchHit(*self.hits[row])

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.hits)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else 4

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        h = self.hits[index.row()]
        col = index.column()
        if role == ROW_ROLE:
            return SearchHit(*h)
        if role == Qt.ItemDataRole.DisplayRole:
            return h[(0, 4, 5, 6)[col]]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = (Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight,
                     Qt.AlignmentFlag.AlignHCenter, Qt.AlignmentFlag.AlignLeft)[col]  # fmt: skip
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and col == 2:
            from PySide6.QtGui import QFont

            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{h[0]}, characters {h[2]}–{h[3]}"
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Left context sorts by the words nearest the match (read right to left),
        right context by the words after it, the others by document and position."""
        keys = {
            1: lambda h: h[4][::-1].lower().lstrip(),
            2: lambda h: h[5].lower(),
            3: lambda h: h[6].lower().lstrip(),
        }
        key = keys.get(column, lambda h: (h[0].lower(), h[2]))
        self.layoutAboutToBeChanged.emit()
        self.hits.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class GridModel(QAbstractTableModel):
    """A matrix of numbers with row and column labels, shaded as a heat map."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[str] = []
        self.columns: list[str] = []
        self.values: list[list[float]] = []
        self._max = 0.0

    def set_grid(self, rows, columns, values) -> None:
        self.beginResetModel()
        self.rows, self.columns = list(rows), list(columns)
        self.values = [list(r) for r in values]
        self._max = max((v for r in self.values for v in r), default=0) or 0
        self.endResetModel()

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.columns[section]
            if orientation == Qt.Orientation.Horizontal
            else self.rows[section]
        )

    def shade(self, value: float) -> float:
        """0..1: how dark the cell is drawn."""
        return 0.0 if not self._max else max(0.0, min(1.0, value / self._max))

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        v = self.values[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{v:.3f}" if isinstance(v, float) and not float(v).is_integer() else str(int(v))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            background, text = theme.heat(self.shade(v) if v else 0.0)
            return background if role == Qt.ItemDataRole.BackgroundRole else text
        return None

    def tsv(self) -> str:
        lines = ["\t".join(["", *self.columns])]
        for name, row in zip(self.rows, self.values, strict=True):
            lines.append("\t".join([name, *(_num(v) for v in row)]))
        return "\n".join(lines) + "\n"


class PassageDelegate(QStyledItemDelegate):
    """Draws a passage with its context, the passage itself in bold."""

    def paint(self, painter, option, index) -> None:
        parts = index.data(PASSAGE_ROLE)
        if not parts:
            return super().paint(painter, option, index)
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        # Only about two lines show: laying out the whole context (a paragraph can be
        # long) took milliseconds a cell, a tenth of a second a screen. The cell's
        # tooltip holds all of it.
        room = 3 * max(1, option.rect.width()) // max(1, option.fontMetrics.averageCharWidth())
        before, text, after = (_flat(x) for x in parts)
        if len(before) > room:
            before = "…" + before[-room:]
        if len(text) > room:
            text = text[:room] + "…"
        if len(after) > room:
            after = after[:room] + "…"
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(2)
        doc.setHtml(
            f"<span style='color:gray'>{html.escape(before)}</span><b>{html.escape(text)}</b>"
            f"<span style='color:gray'>{html.escape(after)}</span>"
        )
        rect: QRect = option.rect
        doc.setTextWidth(rect.width())
        shown, more = _whole_lines(doc, rect.height())
        painter.save()
        painter.translate(rect.topLeft())
        # only the lines that fit whole: never half a line cut by the row's edge
        painter.setClipRect(0, 0, rect.width(), shown)
        doc.drawContents(painter)
        if more:  # the rest is in the tooltip: say that there is more
            painter.setClipping(False)
            fm = option.fontMetrics
            mark = " …"
            width = fm.horizontalAdvance(mark) + 3
            line = QRect(rect.width() - width, shown - fm.height() - 1, width, fm.height())
            # over the end of the last line, on the cell's own background
            roles = option.palette.ColorRole
            if option.state & QStyle.StateFlag.State_Selected:
                painter.fillRect(line, option.palette.color(roles.Highlight))
            else:
                alternate = option.features & option.ViewItemFeature.Alternate
                painter.fillRect(line, option.palette.color(roles.AlternateBase if alternate
                                                            else roles.Base))  # fmt: skip
            painter.setPen(option.palette.color(roles.PlaceholderText))
            painter.drawText(line, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                             mark)  # fmt: skip
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        s = super().sizeHint(option, index)
        return QSize(s.width(), max(s.height(), option.fontMetrics.height() * 2 + 6))


def _whole_lines(doc: QTextDocument, height: int) -> tuple[int, bool]:
    """The height of the document's lines that fit whole in ``height``, and whether
    any line is left out."""
    layout = doc.documentLayout()
    bottom, more = 0, False
    block = doc.firstBlock()
    while block.isValid():
        top = layout.blockBoundingRect(block).top()
        lines = block.layout()
        for i in range(lines.lineCount()):
            line = lines.lineAt(i)
            end = top + line.y() + line.height()
            if end > height:
                return (int(bottom) if bottom else height), True
            bottom = end
        block = block.next()
    return int(bottom + 2) if bottom else height, more


def _flat(s: str) -> str:
    return s.replace("\n", " ").replace("\t", " ")


def _num(v: float) -> str:
    return f"{v:.4f}" if isinstance(v, float) and not float(v).is_integer() else str(int(v))
