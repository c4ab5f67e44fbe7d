"""Reliability data: the coders x units matrix every coefficient is computed from.

Values are encoded once as category indices (``-1`` = missing). A column may stand for
several identical units (``weights``): the project-level computation reduces a million
character units to the few distinct coding patterns they show, and every coefficient
here is computed from those weighted patterns exactly as from the full matrix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")
MISSING = -1


def is_missing(value: Any) -> bool:
    """None, NaN and empty (or blank) strings are missing values."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return False


@dataclass(frozen=True, eq=False)
class ReliabilityData:
    """Coders x units, as category indices into ``categories`` (``MISSING`` = no value).

    ``categories`` are the distinct values in order: as first seen for nominal data,
    ascending for numeric data (ordinal ranks follow that order). ``weights[u]`` is how
    many units column ``u`` stands for (all ones for a plain matrix).
    """

    codes: np.ndarray
    categories: tuple
    weights: np.ndarray
    coders: tuple[str, ...]
    numeric: bool = False

    @classmethod
    def from_matrix(
        cls,
        matrix: Sequence[Sequence[Any]] | np.ndarray,
        *,
        level: str = "nominal",
        coders: Sequence[str] | None = None,
    ) -> ReliabilityData:
        """Build from rows = coders, columns = units; missing values as in ``is_missing``.

        Ordinal, interval and ratio data need numbers (a ``ValueError`` says which cell
        is not one); nominal values may be anything hashable.
        """
        check_level(level)
        if isinstance(matrix, np.ndarray) and matrix.dtype.kind in "iuf":
            return cls._from_numeric_array(matrix, coders)
        rows = [list(r) for r in matrix]
        if rows and any(len(r) != len(rows[0]) for r in rows):
            raise ValueError("all coders need the same number of units")
        n_units = len(rows[0]) if rows else 0
        numeric = level != "nominal"
        index: dict[Any, int] = {}
        codes = np.full((len(rows), n_units), MISSING, dtype=np.int64)
        for i, row in enumerate(rows):
            for u, value in enumerate(row):
                if is_missing(value):
                    continue
                if numeric:
                    value = _number(value, coder=i, unit=u)
                code = index.get(value)
                if code is None:
                    code = index[value] = len(index)
                codes[i, u] = code
        categories = tuple(index)
        if numeric and categories:
            order = np.argsort(np.asarray(categories, dtype=float), kind="stable")
            remap = np.empty(len(order), dtype=np.int64)
            remap[order] = np.arange(len(order))
            codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], MISSING)
            categories = tuple(categories[i] for i in order)
        return cls(
            codes, categories, np.ones(n_units, dtype=np.int64), _names(coders, len(rows)), numeric
        )

    @classmethod
    def _from_numeric_array(
        cls, matrix: np.ndarray, coders: Sequence[str] | None
    ) -> ReliabilityData:
        values = np.asarray(matrix, dtype=float)
        if values.ndim != 2:
            raise ValueError("reliability data must be a 2-D coders x units matrix")
        present = ~np.isnan(values)
        categories, inverse = np.unique(values[present], return_inverse=True)
        codes = np.full(values.shape, MISSING, dtype=np.int64)
        codes[present] = inverse
        cats = tuple(int(v) if float(v).is_integer() else float(v) for v in categories)
        return cls(
            codes,
            cats,
            np.ones(values.shape[1], dtype=np.int64),
            _names(coders, values.shape[0]),
            True,
        )

    @property
    def n_coders(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_units(self) -> int:
        return int(self.weights.sum())

    @property
    def n_values(self) -> int:
        return int(((self.codes >= 0) * self.weights).sum())

    def unit_counts(self) -> np.ndarray:
        """units x categories: how many coders gave each value to each unit (column).
        Computed once per data set (every coefficient starts from it); read-only."""
        cached = self.__dict__.get("_unit_counts")
        if cached is None:
            cached = self._unit_counts()
            cached.setflags(write=False)
            self.__dict__["_unit_counts"] = cached
        return cached

    def _unit_counts(self) -> np.ndarray:
        k = len(self.categories)
        n = self.codes.shape[1]
        present = self.codes >= 0
        unit_index = np.broadcast_to(np.arange(n), self.codes.shape)[present]
        flat = unit_index * k + self.codes[present]
        return np.bincount(flat, minlength=n * k).reshape(n, k)

    def values_per_unit(self) -> np.ndarray:
        return (self.codes >= 0).sum(axis=0)

    def numeric_values(self) -> np.ndarray:
        return np.asarray(self.categories, dtype=float)


def check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")


def _number(value: Any, *, coder: int, unit: int) -> float | int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError(
            f"coder {coder + 1}, unit {unit + 1}: {value!r} is not a number "
            "(ordinal, interval and ratio data need numbers)"
        ) from None
    if math.isinf(number) or math.isnan(number):
        raise ValueError(f"coder {coder + 1}, unit {unit + 1}: {value!r} is not a finite number")
    return int(number) if number.is_integer() else number


def _names(coders: Sequence[str] | None, n: int) -> tuple[str, ...]:
    if coders is None:
        return tuple(f"coder {i + 1}" for i in range(n))
    names = tuple(str(c) for c in coders)
    if len(names) != n:
        raise ValueError(f"{len(names)} coder names for {n} coders")
    return names
