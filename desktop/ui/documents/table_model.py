"""The Documents table's model: one row per document, one column per attribute. It
holds the rows the table service read in one go and filters and sorts them here in
Python (a sort proxy would call ``data`` for every cell of 10,000 rows); each row keeps
the lower-cased text of all its cells, so the text filter is one substring test per row.
Edits are not stored here: ``setData`` hands them to ``edit_requested`` (the window
turns them into undoable commands) and the rows are read again once they are done."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.services.documents.attributes import AttributeInfo
from desktop.services.documents.table import DocumentRow, DocumentTable
from desktop.ui.models import ID_ROLE

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_SEP = "\x1f"
KIND_ROLE = Qt.ItemDataRole.UserRole + 20  # the column's attribute type, or a column kind
CHOICES_ROLE = Qt.ItemDataRole.UserRole + 21


@dataclass(frozen=True)
class Column:
    key: str  # "name", "codings", "sets", "cases", or "attr:<id>"
    title: str
    kind: str  # attribute type (text, integer, decimal, date, choice, boolean) or the key
    attribute: AttributeInfo | None = None

    @property
    def editable(self) -> bool:
        return self.key == "name" or self.attribute is not None


# edit_requested(document id, column, value): value is the text typed, "yes"/"no" for
# a check box, or None to clear; returns whether the change was made
EditHandler = Callable[[int, Column, object], bool]


class DocumentTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.columns: list[Column] = []
        self.set_names: dict[int, str] = {}
        self.case_names: dict[int, str] = {}
        self._all: list[DocumentRow] = []
        self._hay: dict[int, str] | None = None  # document id -> its cells, lower-cased
        self._rows: list[DocumentRow] = []
        self._row_of: dict[int, int] = {}
        self._text = ""
        self._set: int | None = None
        self._ids: frozenset[int] | None = None  # the documents a condition selected
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)
        self.edit_requested: EditHandler | None = None

    # -- loading -----------------------------------------------------------------------
    def set_table(self, table: DocumentTable) -> None:
        self.beginResetModel()
        attrs = [Column(f"attr:{a.id}", attribute_label(a), a.type, a) for a in table.attributes]
        self.columns = [Column("name", "Name", "name"), *attrs,
                        Column("codings", "Codings", "codings"), Column("sets", "Sets", "sets"),
                        Column("cases", "Case", "cases")]  # fmt: skip
        self.set_names, self.case_names = dict(table.sets), dict(table.cases)
        self._all = list(table.rows)
        self._hay = None  # made when first filtered by text (or when the window is idle)
        self._apply()
        self.endResetModel()

    def replace_rows(self, rows: Iterable[DocumentRow], gone: Iterable[int] = ()) -> None:
        """New versions of some rows (after an edit) and the ids of documents that went;
        the filter and the order are applied again, the selection keeps its documents."""
        fresh = {r.id: r for r in rows}
        gone = set(gone) - set(fresh)
        if not fresh and not gone:
            return
        self.layoutAboutToBeChanged.emit()
        old = {i: d.id for i, d in enumerate(self._rows)}
        persistent = self.persistentIndexList()
        self._all = [fresh.get(d.id, d) for d in self._all if d.id not in gone]
        if self._hay is not None:
            for r in fresh.values():
                self._hay[r.id] = self._haystack(r)
            for did in gone:
                self._hay.pop(did, None)
        self._apply()
        for idx in persistent:
            row = self._row_of.get(old.get(idx.row(), -1), -1)
            new = self.index(row, idx.column()) if row >= 0 else QModelIndex()
            self.changePersistentIndex(idx, new)
        self.layoutChanged.emit()

    def bump_codings(self, document_id: int, delta: int) -> None:
        row = self._row_of.get(document_id, -1)
        for i, d in enumerate(self._all):
            if d.id == document_id:
                self._all[i] = d._replace(codings=max(0, d.codings + delta))
                if row >= 0:
                    self._rows[row] = self._all[i]
                    col = self.column_of("codings")
                    self.dataChanged.emit(self.index(row, col), self.index(row, col))
                break

    # -- filtering and sorting ---------------------------------------------------------
    def set_filter(self, text: str) -> None:
        self._refilter(text=text.strip().lower())

    def set_set_filter(self, set_id: int | None) -> None:
        self._refilter(set_id=set_id)

    def set_id_filter(self, ids: Iterable[int] | None) -> None:
        """Only these documents (those a condition selected); None: no such filter."""
        self._refilter(ids=None if ids is None else frozenset(ids))

    _KEEP = object()

    def _refilter(self, text=_KEEP, set_id=_KEEP, ids=_KEEP) -> None:
        self.beginResetModel()
        if text is not self._KEEP:
            self._text = text
        if set_id is not self._KEEP:
            self._set = set_id
        if ids is not self._KEEP:
            self._ids = ids
        self._apply()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        old = [d.id for d in self._rows]
        persistent = self.persistentIndexList()
        self._sort = (column, order)
        self._apply()
        for idx in persistent:
            did = old[idx.row()] if 0 <= idx.row() < len(old) else None
            row = self._row_of.get(did, -1)
            self.changePersistentIndex(
                idx, self.index(row, idx.column()) if row >= 0 else QModelIndex()
            )
        self.layoutChanged.emit()

    def _apply(self) -> None:
        rows = self._all
        if self._set is not None:
            rows = [d for d in rows if self._set in d.sets]
        if self._ids is not None:
            rows = [d for d in rows if d.id in self._ids]
        if self._text:
            text, hay = self._text, self.haystacks()
            rows = [d for d in rows if text in hay[d.id]]
        column, order = self._sort
        rows = sorted(rows, key=self._key(column)) if column > 0 else sorted(rows, key=_by_name)
        if order == Qt.SortOrder.DescendingOrder:
            rows.reverse()
        self._rows = rows
        self._row_of = {d.id: i for i, d in enumerate(rows)}

    def _key(self, column: int):
        """A sort key for a column: numbers as numbers, empty cells last, then by name."""
        col = self.columns[column] if 0 <= column < len(self.columns) else self.columns[0]
        if col.key == "codings":
            return lambda d: (d.codings, d.name.lower())
        if col.key in ("sets", "cases"):
            return lambda d: (self._members(d, col.key).lower() or "\uffff", d.name.lower())
        if col.attribute is None:
            return _by_name
        i = self.columns.index(col) - 1
        if col.kind in ("integer", "decimal"):
            number = int if col.kind == "integer" else float
            return lambda d: (_number(d.values[i], number), d.name.lower())
        return lambda d: (
            (0, d.values[i].lower()) if d.values[i] is not None else (1, ""),
            d.name.lower(),
        )

    # -- what the view and the window ask ---------------------------------------------
    def shown_ids(self) -> list[int]:
        return [d.id for d in self._rows]

    def all_rows(self) -> list[DocumentRow]:
        return self._all

    def row_info(self, row: int) -> DocumentRow:
        return self._rows[row]

    def row_of(self, document_id: int) -> int:
        return self._row_of.get(document_id, -1)

    def column_of(self, key: str) -> int:
        return next((i for i, c in enumerate(self.columns) if c.key == key), -1)

    def attribute_columns(self) -> list[Column]:
        return [c for c in self.columns if c.attribute is not None]

    def text(self, d: DocumentRow, column: int) -> str:
        col = self.columns[column]
        if col.key == "name":
            return d.name
        if col.key == "codings":
            return str(d.codings) if d.codings else ""
        if col.key in ("sets", "cases"):
            return self._members(d, col.key)
        value = d.values[column - 1]
        return "" if value is None else value

    def _members(self, d: DocumentRow, key: str) -> str:
        names = self.set_names if key == "sets" else self.case_names
        ids = d.sets if key == "sets" else d.cases
        return ", ".join(sorted((names.get(i, "?") for i in ids), key=str.lower))

    def haystacks(self) -> dict[int, str]:
        """The text filter's index: every row's cells, lower-cased, in one string."""
        if self._hay is None:
            self._hay = {r.id: self._haystack(r) for r in self._all}
        return self._hay

    def _haystack(self, d: DocumentRow) -> str:
        parts = [d.name, d.kind, *(v for v in d.values if v is not None),
                 self._members(d, "sets"), self._members(d, "cases")]  # fmt: skip
        return _SEP.join(parts).lower()

    # -- Qt ----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.ToolTipRole:
            if col.attribute is not None:
                kind = {"boolean": "yes/no"}.get(col.kind, col.kind)
                extra = f": {', '.join(col.attribute.choices)}" if col.attribute.choices else ""
                built = " (built-in)" if col.attribute.builtin else ""
                return f"{col.title}: {kind}{extra}{built}. Double-click a cell to edit it."
            return {"name": "The document's name. Double-click to rename.",
                    "codings": "Codings of every coder",
                    "sets": "The sets the document belongs to (right-click to change)",
                    "cases": "The cases the document belongs to (Properties to change)",
                    }.get(col.key)  # fmt: skip
        if role == KIND_ROLE:
            return col.kind
        return None

    def flags(self, index: _Index):
        f = super().flags(index)
        if not index.isValid():
            return f
        col = self.columns[index.column()]
        if col.kind == "boolean":
            return f | Qt.ItemFlag.ItemIsUserCheckable
        if col.editable:
            return f | Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        d = self._rows[index.row()]
        column = index.column()
        col = self.columns[column]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.text(d, column)
        if role == ID_ROLE:
            return d.id
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.text(d, column)
            return text if text and (len(text) > 24 or column == 0) else None
        if role == Qt.ItemDataRole.CheckStateRole and col.kind == "boolean":
            value = d.values[column - 1]
            return {"yes": Qt.CheckState.Checked, "no": Qt.CheckState.Unchecked}.get(
                value, Qt.CheckState.PartiallyChecked
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and col.kind in ("integer", "decimal",
                                                                      "codings"):  # fmt: skip
            return _RIGHT
        if role == KIND_ROLE:
            return col.kind
        if role == CHOICES_ROLE and col.attribute is not None:
            return list(col.attribute.choices)
        return None

    def setData(self, index: _Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.edit_requested is None:
            return False
        d = self._rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.CheckStateRole and col.kind == "boolean":
            state = Qt.CheckState(value) if isinstance(value, int) else value
            value = "yes" if state == Qt.CheckState.Checked else "no"
        elif role != Qt.ItemDataRole.EditRole or not col.editable:
            return False
        if value == self.text(d, index.column()) and role == Qt.ItemDataRole.EditRole:
            return False  # nothing changed: no command, no undo step
        return self.edit_requested(d.id, col, value)


def attribute_label(a: AttributeInfo) -> str:
    """How an attribute is headed: built-in ones capitalised (Title, URL), others as named."""
    if not a.builtin:
        return a.name
    return "URL" if a.name == "url" else a.name[:1].upper() + a.name[1:]


def _by_name(d: DocumentRow):
    return (d.name.lower(), d.id)


def _number(value: str | None, number=float):
    """A sort key for a stored number (canonical digits): empty cells after every number."""
    if value is None:
        return (1, 0)
    try:
        return (0, number(value))
    except ValueError:
        return (0, float(value))
