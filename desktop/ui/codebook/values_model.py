"""The codings table with a Values column: a coding's typed field values
("count=12; kind=killed"), with a warning mark when a required value is missing."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from desktop.services.codebook.fields import FieldInfo
from desktop.services.coding.codings import CodingInfo
from desktop.ui import theme
from desktop.ui.models import ID_ROLE, SORT_ROLE, CodingsModel

_Index = QModelIndex | QPersistentModelIndex
VALUES = 5
INCOMPLETE = "⚠"


def format_values(fields: list[FieldInfo], values: dict[int, str]) -> str:
    return "; ".join(f"{f.name}={values[f.id]}" for f in fields if values.get(f.id))


def missing(fields: list[FieldInfo], values: dict[int, str]) -> list[str]:
    return [f.name for f in fields if f.required and not values.get(f.id)]


class CodingsValuesModel(CodingsModel):
    HEADERS = (*CodingsModel.HEADERS, "Values")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._values: dict[int, dict[int, str]] = {}
        self._fields: dict[int, list[FieldInfo]] = {}

    # -- what the window feeds in ------------------------------------------------------
    def set_fields(self, fields_by_code: dict[int, list[FieldInfo]]) -> None:
        self._fields = dict(fields_by_code)
        self._values_changed()

    def set_values(self, values: dict[int, dict[int, str]]) -> None:
        self._values = dict(values)
        self._values_changed()

    def set_coding_values(self, coding_id: int, values: dict[int, str]) -> None:
        self._values[coding_id] = dict(values)
        row = self.row_of(coding_id)
        if row >= 0:
            idx = self.index(row, VALUES)
            self.dataChanged.emit(idx, idx)

    def has_fields(self) -> bool:
        return any(self._fields.values())

    def fields_of(self, coding: CodingInfo) -> list[FieldInfo]:
        return self._fields.get(coding.code_id, [])

    def values_of(self, coding_id: int) -> dict[int, str]:
        return dict(self._values.get(coding_id, {}))

    def _values_changed(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0, VALUES), self.index(self.rowCount() - 1, VALUES))

    # -- display ---------------------------------------------------------------------------
    def _text(self, c: CodingInfo) -> str:
        fields = self.fields_of(c)
        values = self._values.get(c.id, {})
        text = format_values(fields, values)
        return f"{INCOMPLETE} {text}".strip() if missing(fields, values) else text

    def _key(self, column: int):
        if column == VALUES:
            return lambda c: (self._text(c).lower(), c.start)
        return super()._key(column)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            index.isValid()
            and index.column() != VALUES
            and role == Qt.ItemDataRole.ToolTipRole
            and self.fields_of(self.coding(index.row()))
        ):
            # a narrow table hides the Values column: the row's tooltip carries them too
            tip = super().data(index, role) or ""
            text = self._text(self.coding(index.row()))
            return f"{tip}<br>{html.escape(text)}" if text else tip
        if not index.isValid() or index.column() != VALUES:
            return super().data(index, role)
        c = self.coding(index.row())
        if role == ID_ROLE:
            return c.id
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return self._text(c)
        if role == Qt.ItemDataRole.ToolTipRole:
            fields = self.fields_of(c)
            if not fields:
                return None
            values = self._values.get(c.id, {})
            lines = [f"{f.name}: {values.get(f.id, '—')}" for f in fields]
            gone = missing(fields, values)
            if gone:
                lines.append(f"Incomplete: {', '.join(gone)} required")
            lines.append("Double-click to edit")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and missing(
            self.fields_of(c), self._values.get(c.id, {})
        ):
            return theme.current().colour("danger")
        return None
