"""Reliability data from a CSV table: one row per unit, one column per coder.

* Delimiters ``,`` ``;`` and tab, told from the header row, and the encodings that
  ``codings import`` reads (``csvio.CsvReader``).
* A unit-ID column is not a coder: ``id_column`` names it; otherwise the first column is
  taken as IDs when its name is unit, id, item or case (any case), or when its values are
  all present and all distinct (three rows or more, two coder columns left). ``notes``
  says what was done; ``id_column=""`` reads every column as a coder.
* At the nominal level a column whose every cell is a number has its numbers written one
  way (``1``, ``1.0`` and ``01`` are the same value), so percent agreement, pi and kappa
  do not change with the level.
* ``order`` (labels low to high) gives ordinal labels their ranks 1, 2, ...
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.csvio import CsvFormatError, CsvReader

ID_NAMES = ("unit", "id", "item", "case")


class TableError(ValueError):
    """A table that cannot be read as reliability data; the message names file and line."""


@dataclass
class Table:
    coders: list[str]
    matrix: list[list[Any]]  # coders x units
    unit_ids: list[str] | None = None
    id_column: str | None = None
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)


def read_table(
    path: Path | str,
    level: str = "nominal",
    *,
    id_column: str | None = None,
    order: list[str] | None = None,
) -> Table:
    path = Path(path)
    if not path.exists():
        raise TableError(f"{path}: no such file")
    if path.is_dir():
        raise TableError(f"{path}: is a directory, not a CSV file")
    try:
        with CsvReader(path) as reader:
            header, header_line, delimiter = reader.header, reader.header_line, reader.delimiter
            rows = list(reader)
    except CsvFormatError as exc:
        raise TableError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: not a text file we can read ({exc.reason})") from None
    names = [h.strip() for h in header]
    for i, name in enumerate(names, 1):
        if not name:
            raise TableError(f"{path}, line {header_line}: column {i} has no coder name")
    for line, row in rows:
        if len(row) != len(names):
            raise TableError(
                f"{path}, line {line}: {len(row)} cells, but the header names {len(names)} coders"
            )
    notes: list[str] = []
    if delimiter != ",":
        notes.append(f"columns separated by {'tab' if delimiter == chr(9) else repr(delimiter)}")
    id_index = _id_index(path, names, rows, id_column, notes)
    unit_ids = None
    if id_index is not None:
        unit_ids = [row[id_index].strip() for _, row in rows]
    coder_cols = [i for i in range(len(names)) if i != id_index]
    coders = [names[i] for i in coder_cols]
    if len(coders) < 2:
        raise TableError(f"{path}: needs at least two coder columns (found {len(coders)})")
    rank = None
    if order:
        rank = {label.strip(): r for r, label in enumerate(order, 1)}
        notes.append("labels ranked " + " < ".join(order))
    matrix: list[list[Any]] = []
    normalised = []
    for j in coder_cols:
        cells = [(line, row[j].strip()) for line, row in rows]
        column = []
        numeric = level == "nominal" and rank is None and _all_numbers(c for _, c in cells)
        if numeric and any(c and c != _canonical(c) for _, c in cells):
            normalised.append(names[j])
        for line, text in cells:
            column.append(_value(text, level, rank, numeric, path, line, j + 1, names[j]))
        matrix.append(column)
    if normalised:
        notes.append(
            "numbers written differently read as the same value in "
            + ", ".join(normalised)
            + " (every cell of the column is a number)"
        )
    return Table(coders, matrix, unit_ids, names[id_index] if id_index is not None else None,
                 delimiter, notes)  # fmt: skip


def _id_index(path: Path, names, rows, id_column: str | None, notes: list[str]) -> int | None:
    if id_column is not None:
        if id_column == "":
            return None
        folded = [n.casefold() for n in names]
        if id_column.casefold() not in folded:
            raise TableError(
                f"{path}: no column {id_column!r} for --id-column (the header has "
                + ", ".join(repr(n) for n in names)
                + ")"
            )
        index = folded.index(id_column.casefold())
        notes.append(f"column {names[index]!r} read as unit IDs (--id-column)")
        return index
    if len(names) < 3:
        return None
    if names[0].casefold() in ID_NAMES:
        notes.append(
            f"column {names[0]!r} read as unit IDs (its name); --id-column '' reads it as a coder"
        )
        return 0
    values = [row[0].strip() for _, row in rows]
    if len(values) >= 3 and all(values) and len(set(values)) == len(values):
        notes.append(
            f"column {names[0]!r} read as unit IDs (every value distinct); "
            "--id-column '' reads it as a coder"
        )
        return 0
    return None


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _all_numbers(cells) -> bool:
    seen = False
    for c in cells:
        if not c:
            continue
        if _number(c) is None:
            return False
        seen = True
    return seen


def _canonical(text: str) -> str:
    number = _number(text)
    assert number is not None
    return str(int(number)) if number.is_integer() else repr(number)


def _value(text: str, level: str, rank, numeric: bool, path, line: int, column: int, coder: str):
    if not text:
        return None
    where = f"{path}, line {line}, column {column} ({coder})"
    if rank is not None:
        if text not in rank:
            raise TableError(f"{where}: {text!r} is not one of the --order labels")
        return rank[text]
    if level == "nominal":
        return _canonical(text) if numeric else text
    number = _number(text)
    if number is None:
        try:
            float(text)
        except ValueError:
            raise TableError(
                f"{where}: {text!r} is not a number (the {level} level needs numbers)"
            ) from None
        raise TableError(f"{where}: {text!r} is not finite")
    if level == "ratio" and number < 0:
        raise TableError(f"{where}: {text} is negative (the ratio level needs values >= 0)")
    return int(number) if number.is_integer() else number
