"""Keyword in context: hits of a pattern in a text, with left and right context."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

WIDTH = 40


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    left: str
    match: str
    right: str


def _flat(s: str) -> str:
    # One line per hit; replacing one character by one keeps the widths.
    return s.replace("\n", " ").replace("\t", " ")


def hits(text: str, regex: re.Pattern[str], width: int = WIDTH) -> Iterator[Hit]:
    """Non-empty matches in order, each with up to ``width`` characters either side."""
    for m in regex.finditer(text):
        a, b = m.span()
        if a == b:
            continue
        yield Hit(a, b, _flat(text[max(0, a - width) : a]), text[a:b], _flat(text[b : b + width]))


def around(text: str, spans: list[tuple[int, int]], width: int = WIDTH) -> Iterator[Hit]:
    """Hits at given spans of ``text`` (found elsewhere, e.g. in its folded form)."""
    for a, b in spans:
        yield Hit(a, b, _flat(text[max(0, a - width) : a]), text[a:b], _flat(text[b : b + width]))


def spans(text: str, regex: re.Pattern[str]) -> list[tuple[int, int]]:
    return [m.span() for m in regex.finditer(text) if m.end() > m.start()]
