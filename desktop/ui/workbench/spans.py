"""The codings of one document as an interval index, in Qt (UTF-16) positions.

Painting asks "which spans touch [a, b)?" for the visible range only. The index keeps
its spans as parallel columns sorted by start (no object per coding: a big document
has 50,000 of them) and makes ``Span`` objects only for the ones asked for. Short spans
are found by bisecting on start back to ``a - LONG``; the few long ones (a page or
more) are listed apart and scanned. Each span gets a lane (greedy interval colouring)
so that overlapping codings stack their underlines instead of hiding each other."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress
from operator import sub

LONG = 4096  # UTF-16 units; spans longer than this are scanned, not bisected


@dataclass(slots=True)
class Span:
    start: int  # Qt position
    end: int
    coding_id: int
    code_id: int
    coder_id: int
    color: str  # the code's colour
    coder_color: str
    lane: int = 0


_COLUMNS = ("_s", "_e", "_id", "_code", "_coder", "_color", "_coder_color", "_lane")


class SpanIndex:
    def __init__(self, spans: list[Span] | None = None) -> None:
        self.set_spans(spans or [])

    # -- building ------------------------------------------------------------------------
    def set_spans(self, spans: list[Span]) -> None:
        self.set_columns(
            [s.start for s in spans], [s.end for s in spans], [s.coding_id for s in spans],
            [s.code_id for s in spans], [s.coder_id for s in spans], [s.color for s in spans],
            [s.coder_color for s in spans],
        )  # fmt: skip

    def set_columns(
        self, starts: Sequence[int], ends: Sequence[int], coding_ids: Sequence[int],
        code_ids: Sequence[int], coder_ids: Sequence[int], colors: Sequence[str],
        coder_colors: Sequence[str],
    ) -> None:  # fmt: skip
        """Columns of equal length, in any order (stable for equal starts)."""
        n = len(starts)
        columns = (starts, ends, coding_ids, code_ids, coder_ids, colors, coder_colors)
        starts = list(starts)
        if starts == sorted(starts):  # the services' order: nothing to reorder
            columns = tuple(list(c) for c in columns)
        else:
            order = sorted(range(n), key=starts.__getitem__)
            columns = tuple([c[i] for i in order] for c in columns)
        (self._s, self._e, self._id, self._code, self._coder, self._color,
         self._coder_color) = columns  # fmt: skip
        # lanes are given lazily, up to the last span painted so far: a first paint at
        # the top of a long document does not pay for the whole of it
        self._lane: list[int] = []
        self._lane_ends: list[int] = []
        long = map(LONG.__lt__, map(sub, self._e, self._s))  # all in C: no Python loop
        self._long = list(compress(range(n), long))

    def _ensure_lanes(self, upto: int) -> None:
        """Give lanes to spans [len(self._lane), upto): the greedy colouring, resumed."""
        lane, lane_ends = self._lane, self._lane_ends
        starts, ends = self._s, self._e
        for i in range(len(lane), min(upto, len(starts))):
            start = starts[i]
            for k, busy_until in enumerate(lane_ends):  # lanes are few: a linear look
                if busy_until <= start:
                    lane_ends[k] = ends[i]
                    lane.append(k)
                    break
            else:
                lane.append(len(lane_ends))
                lane_ends.append(ends[i])

    @property
    def lanes(self) -> int:
        """How many lanes the whole document needs."""
        self._ensure_lanes(len(self._s))
        return len(self._lane_ends)

    # -- one at a time --------------------------------------------------------------------
    def add(self, span: Span) -> None:
        """Add one span: it takes the lowest lane free over its range."""
        self._ensure_lanes(len(self._s))  # insertion shifts positions: settle all lanes first
        used = {s.lane for s in self.overlapping(span.start, span.end)}
        span.lane = next(i for i in range(len(used) + 1) if i not in used)
        i = bisect_right(self._s, span.start)
        values = (span.start, span.end, span.coding_id, span.code_id, span.coder_id, span.color,
                  span.coder_color, span.lane)  # fmt: skip
        for name, value in zip(_COLUMNS, values, strict=True):
            getattr(self, name).insert(i, value)
        self._long = [j + 1 if j >= i else j for j in self._long]
        if span.end - span.start > LONG:
            self._long.append(i)
        while len(self._lane_ends) <= span.lane:
            self._lane_ends.append(0)
        self._lane_ends[span.lane] = max(self._lane_ends[span.lane], span.end)

    def remove(self, coding_id: int) -> Span | None:
        try:
            i = self._id.index(coding_id)
        except ValueError:
            return None
        span = self._span(i)
        for name in _COLUMNS:
            column = getattr(self, name)
            if i < len(column):  # lanes may not reach this far yet
                del column[i]
        self._long = [j - 1 if j > i else j for j in self._long if j != i]
        return span

    # -- reading ------------------------------------------------------------------------
    def _span(self, i: int) -> Span:
        if i >= len(self._lane):
            self._ensure_lanes(i + 1)
        return Span(self._s[i], self._e[i], self._id[i], self._code[i], self._coder[i],
                    self._color[i], self._coder_color[i], self._lane[i])  # fmt: skip

    def __len__(self) -> int:
        return len(self._s)

    @property
    def spans(self) -> list[Span]:
        return [self._span(i) for i in range(len(self._s))]

    def get(self, coding_id: int) -> Span | None:
        try:
            return self._span(self._id.index(coding_id))
        except ValueError:
            return None

    def overlapping(self, a: int, b: int) -> list[Span]:
        """Spans with start < b and end > a, in start order (long ones that start well
        before ``a`` last)."""
        lo = bisect_left(self._s, a - LONG)
        hi = bisect_left(self._s, b)
        self._ensure_lanes(hi)
        ends = self._e
        out = [self._span(i) for i in range(lo, hi) if ends[i] > a]
        if self._long:
            far = a - LONG
            out.extend(self._span(i) for i in self._long if self._s[i] < far and ends[i] > a)
        return out

    def at(self, pos: int) -> list[Span]:
        """Spans that contain the character at ``pos``."""
        return [s for s in self.overlapping(pos, pos + 1) if s.start <= pos < s.end]
