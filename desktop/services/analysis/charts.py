"""The data behind the charts: code frequencies split by coder, and codings over time
by a document date attribute (by year, month or ISO week). Each is a small table:
categories (bars or periods), series (stacked parts) and values[series][category]."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from db.engine import qmark_connection
from desktop.services.analysis import matrix
from desktop.services.analysis import selection as sel
from desktop.services.analysis.progress import IsCancelled, Progress
from desktop.services.errors import ServiceError

PERIODS = ("year", "month", "week")


@dataclass(frozen=True)
class ChartData:
    title: str
    categories: tuple[str, ...]
    series: tuple[str, ...]
    values: tuple[tuple[int, ...], ...]  # one row per series
    skipped: int = 0  # codings left out (a document without a readable date)


def coded_paths(project) -> list[str]:
    """Paths of the codes that have codings, in codebook order."""
    with project.session() as s:
        conn = qmark_connection(s)
        used = {r[0] for r in conn.execute("SELECT DISTINCT code_id FROM coding")}
    return [p for i, _, p in sel.code_tree(project) if i in used]


def frequencies_by_coder(
    project, codes: Sequence[str] | None = None, *, visible_coders: Sequence[int] | None = None,
    progress: Progress = None, cancelled: IsCancelled = None,
) -> ChartData:  # fmt: skip
    """Codings of each code (categories), stacked by coder (series)."""
    codes = list(codes) if codes else coded_paths(project)
    if not codes:
        return ChartData("Codings per code, by coder", (), (), ())
    m = matrix.code_matrix(project, codes, "coder", visible_coders=visible_coders,
                           progress=progress, cancelled=cancelled)  # fmt: skip
    values = tuple(tuple(m.counts[i][j] for i in range(len(m.rows))) for j in range(len(m.columns)))
    return ChartData("Codings per code, by coder", m.rows, m.columns, values)


def _period(value: str, period: str) -> str | None:
    try:
        day = dt.date.fromisoformat(value[:10]) if len(value) >= 10 else None
    except ValueError:
        return None
    if period == "year":
        return value[:4] if value[:4].isdigit() else None
    if period == "month":
        return (
            value[:7] if len(value) >= 7 and value[:4].isdigit() and value[5:7].isdigit() else None
        )
    if day is None:
        return None
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def over_time(
    project, codes: Sequence[str] | None = None, *, attribute: str = "date", period: str = "month",
    visible_coders: Sequence[int] | None = None, progress: Progress = None,
    cancelled: IsCancelled = None,
) -> ChartData:  # fmt: skip
    """Codings of each code (series) per period of a document date attribute
    (categories, in order); codings in documents whose date cannot be read are counted
    in ``skipped``."""
    if period not in PERIODS:
        raise ServiceError(f"period takes {', '.join(PERIODS)}, not {period!r}")
    codes = list(codes) if codes else coded_paths(project)
    if not codes:
        return ChartData(f"Codings per {period}", (), (), ())
    m = matrix.code_matrix(project, codes, attribute, visible_coders=visible_coders,
                           progress=progress, cancelled=cancelled)  # fmt: skip
    buckets = [_period(str(c), period) if c != matrix.NONE_VALUE else None for c in m.columns]
    cats = sorted({b for b in buckets if b})
    at = {c: k for k, c in enumerate(cats)}
    values = []
    skipped = 0
    for row in m.counts:
        out = [0] * len(cats)
        for b, n in zip(buckets, row, strict=True):
            if b is None:
                skipped += n
            else:
                out[at[b]] += n
        values.append(tuple(out))
    return ChartData(
        f"Codings per {period} ({attribute})", tuple(cats), m.rows, tuple(values), skipped
    )
