"""The codings of one document as an interval index, in Qt (UTF-16) positions.

Painting asks "which spans touch [a, b)?" for the visible range only. Spans are sorted by
start; short ones are found by bisecting on ``start`` back to ``a - max_short_len``,
the few long ones (a whole page or more) are kept apart and scanned. Each span also
gets a lane (greedy interval colouring) so that overlapping codings stack their
underlines and margin stripes instead of hiding each other."""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass
from operator import attrgetter

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
        spans = sorted(spans, key=_start)  # stable: the services' (start, end) order holds
        self._assign_lanes(spans)
        self.spans = spans
        if any(s.end - s.start > LONG for s in spans):
            self._short = [s for s in spans if s.end - s.start <= LONG]
            self._long = [s for s in spans if s.end - s.start > LONG]
        else:
            self._short, self._long = spans[:], []
        self._starts = [s.start for s in self._short]
        self.lanes = 1 + max((s.lane for s in spans), default=-1)
        self._ids: dict[int, Span] | None = None  # built on the first removal

    @staticmethod
    def _assign_lanes(spans: list[Span]) -> None:
        # lanes are few: a linear look for a free one beats a heap
        lane_ends: list[int] = []
        for s in spans:
            start = s.start
            for lane, end in enumerate(lane_ends):
                if end <= start:
                    lane_ends[lane] = s.end
                    s.lane = lane
                    break
            else:
                s.lane = len(lane_ends)
                lane_ends.append(s.end)

    @property
    def _by_id(self) -> dict[int, Span]:
        if self._ids is None:
            self._ids = {s.coding_id: s for s in self.spans}
        return self._ids

    def add(self, span: Span) -> None:
        """Add one span in O(log n + k): it takes the lowest lane free over its range."""
        used = {s.lane for s in self.overlapping(span.start, span.end)}
        span.lane = next(i for i in range(len(used) + 1) if i not in used)
        insort(self.spans, span, key=_start)
        self._by_id[span.coding_id] = span
        if span.end - span.start <= LONG:
            i = bisect_left(self._starts, span.start)
            self._starts.insert(i, span.start)
            self._short.insert(i, span)
        else:
            self._long.append(span)
        self.lanes = max(self.lanes, span.lane + 1)

    def remove(self, coding_id: int) -> Span | None:
        span = self._by_id.pop(coding_id, None)
        if span is None:
            return None
        i = bisect_left(self.spans, span.start, key=_start)
        while self.spans[i] is not span:
            i += 1
        del self.spans[i]
        if span.end - span.start > LONG:
            self._long = [s for s in self._long if s is not span]
        else:
            i = bisect_left(self._starts, span.start)
            while self._short[i] is not span:
                i += 1
            del self._starts[i]
            del self._short[i]
        return span

    def get(self, coding_id: int) -> Span | None:
        return self._by_id.get(coding_id)

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


_start = attrgetter("start")
