"""The codings of one document as an interval index, in Qt (UTF-16) positions.

Painting asks "which spans touch [a, b)?" for the visible range only. Spans are sorted by
start; short ones are found by bisecting on ``start`` back to ``a - max_short_len``,
the few long ones (a whole page or more) are kept apart and scanned. Each span also
gets a lane (greedy interval colouring) so that overlapping codings stack their
underlines and margin stripes instead of hiding each other."""

from __future__ import annotations

import heapq
from bisect import bisect_left
from dataclasses import dataclass

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


class SpanIndex:
    def __init__(self, spans: list[Span] | None = None) -> None:
        self.set_spans(spans or [])

    def set_spans(self, spans: list[Span]) -> None:
        spans = sorted(spans, key=lambda s: (s.start, -s.end, s.coding_id))
        self._assign_lanes(spans)
        self.spans = spans
        self._short = [s for s in spans if s.end - s.start <= LONG]
        self._starts = [s.start for s in self._short]
        self._long = [s for s in spans if s.end - s.start > LONG]
        self.lanes = 1 + max((s.lane for s in spans), default=-1)

    @staticmethod
    def _assign_lanes(spans: list[Span]) -> None:
        busy: list[tuple[int, int]] = []  # (end, lane) of spans still open
        free: list[int] = []
        next_lane = 0
        for s in spans:
            while busy and busy[0][0] <= s.start:
                heapq.heappush(free, heapq.heappop(busy)[1])
            if free:
                s.lane = heapq.heappop(free)
            else:
                s.lane = next_lane
                next_lane += 1
            heapq.heappush(busy, (s.end, s.lane))

    def __len__(self) -> int:
        return len(self.spans)

    def overlapping(self, a: int, b: int) -> list[Span]:
        """Spans with start < b and end > a, in start order (long ones last)."""
        lo = bisect_left(self._starts, a - LONG)
        hi = bisect_left(self._starts, b)
        out = [s for s in self._short[lo:hi] if s.end > a]
        if self._long:
            out.extend(s for s in self._long if s.start < b and s.end > a)
        return out

    def at(self, pos: int) -> list[Span]:
        """Spans that contain the character at ``pos``."""
        return [s for s in self.overlapping(pos, pos + 1) if s.start <= pos < s.end]
