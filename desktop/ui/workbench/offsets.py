"""Code points (what the project stores) <-> UTF-16 units (what Qt counts).

The one place where the two meet. Built once per document text; both directions are a
bisect over the positions of the characters outside the Basic Multilingual Plane (emoji,
rare CJK, maths letters), each of which is one code point but two UTF-16 units."""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class OffsetMap:
    __slots__ = ("_astral_cp", "_astral_qt", "length", "qt_length")

    def __init__(self, text: str) -> None:
        # max() runs in C and settles the common case (no emoji) faster than the regex
        astral = bool(text) and not text.isascii() and max(text) > "\uffff"
        self._astral_cp = [m.start() for m in _ASTRAL.finditer(text)] if astral else []
        # where each astral character starts in UTF-16 units: every earlier one adds one unit
        self._astral_qt = [cp + i for i, cp in enumerate(self._astral_cp)]
        self.length = len(text)
        self.qt_length = len(text) + len(self._astral_cp)

    @property
    def trivial(self) -> bool:
        return not self._astral_cp

    def to_qt(self, cp: int) -> int:
        """UTF-16 position of code point offset ``cp``."""
        if not self._astral_cp:
            return cp
        return cp + bisect_left(self._astral_cp, cp)

    def to_cp(self, qt: int) -> int:
        """Code point offset of UTF-16 position ``qt``; a position inside a surrogate
        pair falls back to the start of its character."""
        if not self._astral_qt:
            return qt
        before = bisect_left(self._astral_qt, qt)  # astral characters starting before qt
        cp = qt - before
        if before and self._astral_qt[before - 1] + 1 == qt:  # between the two halves
            return self._astral_cp[before - 1]
        return cp
