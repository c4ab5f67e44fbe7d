"""Offsets of REFI-QDA selections, as tools write them, to Tessera's offsets.

REFI-QDA says ``startPosition``/``endPosition`` count characters of the source's plain
text file. Tools disagree on what a character is and on the text:

- NVivo for Windows counts UTF-16 code units (an emoji counts 2) over the text as stored,
  CRLF line ends included (a line end counts 2), without the BOM.
- Others count code points (Python ``str`` indices).

Tessera's offsets are code points over the text normalised once at import
(:func:`desktop.core.text.normalise`: BOM stripped, CRLF and CR to LF, ligatures
expanded, NUL removed). :class:`OffsetMap` turns a file offset, in either unit, into an
index of that normalised text; :class:`UnitEvidence` decides which unit a project uses.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from enum import StrEnum

from desktop.core.text import LIGATURES, is_word_char, normalise


class OffsetUnit(StrEnum):
    CODE_POINTS = "code points"
    UTF16 = "UTF-16 code units"


#: A character outside the Basic Multilingual Plane (two UTF-16 code units).
ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SPECIAL = re.compile("\r\n|[\r\x00" + "".join(LIGATURES) + "]")


class OffsetMap:
    """File offsets over ``raw`` (the decoded plain text file, BOM stripped) to indices
    of ``text`` (= normalise(raw)).

    An offset inside a CRLF pair maps to the start of its LF; an offset inside a
    surrogate pair (UTF-16) is invalid (None). Memory and time are proportional to the
    number of characters normalisation changes and of astral characters, not to the
    length of the text."""

    def __init__(self, raw: str) -> None:
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.raw = raw
        # Where normalisation changes the length: raw index, and how much it adds from
        # the next raw index on (a CRLF pair: -1 after its CR; a ligature: +1 or +2).
        self._at: list[int] = []
        self._shift: list[int] = []
        shift = 0

        def replace(m: re.Match[str]) -> str:
            nonlocal shift
            piece = normalise(m.group())
            shift += len(piece) - len(m.group())
            self._at.append(m.start())
            self._shift.append(shift)
            return piece

        self.text = _SPECIAL.sub(replace, raw)
        if self.text != normalise(raw):
            # normalise() changed in a way this map does not follow: refuse rather than
            # return offsets that silently point at the wrong text.
            raise AssertionError("OffsetMap is out of step with desktop.core.text.normalise")
        # UTF-16 unit index at which each astral character starts.
        astral = [m.start() for m in ASTRAL.finditer(raw)]
        self._astral_units = [i + k for k, i in enumerate(astral)]
        self.has_astral = bool(astral)

    @property
    def length_utf16(self) -> int:
        return len(self.raw) + len(self._astral_units)

    def raw_index(self, offset: int, unit: OffsetUnit) -> int | None:
        """The code point index in ``raw`` of a file offset, or None if out of range or
        inside a surrogate pair."""
        if offset < 0:
            return None
        if unit is OffsetUnit.UTF16 and self.has_astral:
            before = bisect_left(self._astral_units, offset)  # astral chars starting before
            if before and self._astral_units[before - 1] == offset - 1:
                return None
            offset -= before
        return offset if offset <= len(self.raw) else None

    def to_text(self, offset: int, unit: OffsetUnit) -> int | None:
        """The index in the normalised text of a file offset, or None if invalid."""
        i = self.raw_index(offset, unit)
        if i is None:
            return None
        # Changes at raw indices < i have shifted i. A CRLF's CR at i - 1 means i is
        # inside the pair: it then maps to where the pair's LF starts.
        k = bisect_left(self._at, i)
        return i + (self._shift[k - 1] if k else 0)

    def span(self, start: int, end: int, unit: OffsetUnit) -> tuple[int, int] | None:
        """[start, end) in the normalised text, or None if invalid or empty after mapping."""
        s, e = self.to_text(start, unit), self.to_text(end, unit)
        if s is None or e is None or s >= e:
            return None
        return s, e


def _at_boundary(text: str, i: int) -> bool:
    return i <= 0 or i >= len(text) or not (is_word_char(text[i - 1]) and is_word_char(text[i]))


def _span_score(omap: OffsetMap, start: int, end: int, quote: str, unit: OffsetUnit) -> int:
    """1 per end that lands on a word boundary, 10 when the quote equals the text the
    span covers, -100 for a span that is invalid (out of range, splits a surrogate pair)."""
    span = omap.span(start, end, unit)
    if span is None:
        return -100
    s, e = span
    score = _at_boundary(omap.text, s) + _at_boundary(omap.text, e)
    if quote and omap.text[s:e] == quote:
        score += 10
    return score


class UnitEvidence:
    """Which unit a project's selections were written in, gathered one selection at a
    time (a project is read as a stream; its texts are not all held at once).

    Only sources with characters outside the BMP carry evidence; among them the unit that
    makes the selections valid, their quotes equal and their ends land on word boundaries
    wins. Ties fall to the tool: NVivo for Windows counts UTF-16 units, others code
    points."""

    def __init__(self) -> None:
        self.scores = {OffsetUnit.CODE_POINTS: 0, OffsetUnit.UTF16: 0}
        self.informative = False

    def add(self, omap: OffsetMap, start: int, end: int, quote: str) -> None:
        if not omap.has_astral:
            return
        self.informative = True
        quote = normalise(quote) if quote else ""
        for unit in self.scores:
            self.scores[unit] += _span_score(omap, start, end, quote, unit)

    def unit(self, *, origin: str | None) -> tuple[OffsetUnit, bool]:
        """The unit, and whether the texts told (False: no text with a character outside
        the BMP has a selection, or the evidence is even, so the tool's name decides)."""
        default = (
            OffsetUnit.UTF16
            if origin and "nvivo" in origin.lower() and "mac" not in origin.lower()
            else OffsetUnit.CODE_POINTS
        )
        cp, u16 = self.scores[OffsetUnit.CODE_POINTS], self.scores[OffsetUnit.UTF16]
        if not self.informative or cp == u16:
            return default, False
        return (OffsetUnit.UTF16 if u16 > cp else OffsetUnit.CODE_POINTS), True
