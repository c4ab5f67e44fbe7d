"""The data behind the charts: code frequencies stacked by coder, document set, case or
the values of a document attribute; codings over time by a document date attribute (by
year, month or ISO week); and a numeric field of the codings summed over time (the
casualties reported per week, split by kind). Each is a small table: categories (bars
or periods), series (stacked parts) and values[series][category]."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from db.engine import qmark_connection
from desktop.services.analysis import matrix
from desktop.services.analysis import selection as sel
from desktop.services.analysis.progress import IsCancelled, Progress, step
from desktop.services.errors import ServiceError

PERIODS = ("year", "month", "week")
_MAX_FILLED = 1000  # periods with nothing in them are shown up to this many periods in all
_NOT_DATES = ("document", "coder", "set", "case")


@dataclass(frozen=True)
class ChartData:
    title: str
    categories: tuple[str, ...]
    series: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]  # one row per series; whole numbers as int
    skipped: int = 0  # codings left out (a document without a readable date)
    axis: str = "code"  # what the categories are: "code" or the period

    def as_json(self) -> dict:
        return {"title": self.title, "categories": list(self.categories),
                "series": list(self.series), "values": [list(r) for r in self.values],
                "skipped": self.skipped, "axis": self.axis}  # fmt: skip


def write_csv(data: ChartData, out) -> None:
    """The chart's table as CSV (a path or a stream): a row per bar or period, a column
    per series, and the total."""
    from desktop.core import csvio

    with csvio.open_output(out) as fh:
        w = csvio.writer(fh)
        w.writerow([data.axis, *data.series, "total"])
        for i, cat in enumerate(data.categories):
            row = [data.values[j][i] for j in range(len(data.series))]
            w.writerow([cat, *row, _whole(sum(row))])


def write_json(data: ChartData, out) -> None:
    from desktop.core import csvio

    with csvio.open_output(out) as fh:
        fh.write(json.dumps(data.as_json(), ensure_ascii=False, indent=1) + "\n")


def coded_paths(project) -> list[str]:
    """Paths of the codes that have codings, in codebook order."""
    with project.session() as s:
        conn = qmark_connection(s)
        used = {r[0] for r in conn.execute("SELECT DISTINCT code_id FROM coding")}
    return [p for i, _, p in sel.code_tree(project) if i in used]


def code_fields(project, code: str, subcodes: bool = True) -> tuple[list[str], list[str]]:
    """The names of the number fields (integer, decimal) the codings of ``code`` carry,
    and of their other fields (what a field chart can sum, and split by)."""
    chosen = sel.select_codes(project, code, subcodes=subcodes)
    with project.session() as s:
        found = sel.fields_of(s, chosen.ids)
    numbers = [n for _, n, t in found if t in ("integer", "decimal")]
    return list(dict.fromkeys(numbers)), list(
        dict.fromkeys(n for _, n, _ in found if n not in numbers)
    )


def frequencies(
    project, codes: Sequence[str] | None = None, *, by: str = "coder",
    coders: Sequence[str] = (), documents: Sequence[str] = (), sets: Sequence[str] = (),
    cases: Sequence[str] = (), where: Sequence[str] = (),
    visible_coders: Sequence[int] | None = None, progress: Progress = None,
    cancelled: IsCancelled = None,
) -> ChartData:  # fmt: skip
    """Codings of each code (categories), stacked (series) by coder, document set, case
    or the values of a document attribute (``by``, as matrix.code_matrix reads it);
    the filters as for matrix.code_matrix."""
    title = f"Codings per code, by {by}"
    codes = list(codes) if codes else coded_paths(project)
    if not codes:
        return ChartData(title, (), (), ())
    m = matrix.code_matrix(project, codes, by, coders=coders, documents=documents, sets=sets,
                           cases=cases, where=where, visible_coders=visible_coders,
                           progress=progress, cancelled=cancelled)  # fmt: skip
    values = tuple(tuple(m.counts[i][j] for i in range(len(m.rows))) for j in range(len(m.columns)))
    return ChartData(title, m.rows, m.columns, values)


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


def _next(label: str, period: str) -> str:
    if period == "year":
        return str(int(label) + 1)
    if period == "month":
        y, m = int(label[:4]), int(label[5:7])
        return f"{y + m // 12}-{m % 12 + 1:02d}"
    day = dt.date.fromisocalendar(int(label[:4]), int(label[6:8]), 1) + dt.timedelta(days=7)
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def periods_between(labels: Sequence[str], period: str) -> list[str]:
    """Every period from the first of ``labels`` to the last, those with nothing in
    them included, so that time runs evenly along the axis; the labels alone when
    that would make more than _MAX_FILLED periods."""
    found = sorted(set(labels))
    if len(found) < 2:
        return found
    out = [found[0]]
    while out[-1] < found[-1]:
        out.append(_next(out[-1], period))
        if len(out) > _MAX_FILLED:
            return found
    return out


def _check_time(attribute: str, period: str) -> None:
    if period not in PERIODS:
        raise ServiceError(f"period takes {', '.join(PERIODS)}, not {period!r}")
    if attribute.strip().lower() in _NOT_DATES:
        raise ServiceError(
            f"--attribute {attribute!r}: name a document attribute holding dates (e.g. date)"
        )


def _by_period(
    cells: dict[tuple[object, str | None], float], series: Sequence[object], period: str
) -> tuple[tuple[str, ...], tuple[tuple[float, ...], ...]]:
    """(periods, values[series][period]) from sums per (series key, period)."""
    cats = periods_between([p for _, p in cells if p], period)
    at = {c: k for k, c in enumerate(cats)}
    values = []
    for key in series:
        row = [0.0] * len(cats)
        for (k, p), v in cells.items():
            if k == key and p:
                row[at[p]] += v
        values.append(tuple(_whole(x) for x in row))
    return tuple(cats), tuple(values)


def _whole(x: float) -> float:
    return int(x) if float(x).is_integer() else round(x, 6)


def over_time(
    project, codes: Sequence[str] | None = None, *, attribute: str = "date", period: str = "month",
    coders: Sequence[str] = (), documents: Sequence[str] = (), sets: Sequence[str] = (),
    cases: Sequence[str] = (), where: Sequence[str] = (),
    visible_coders: Sequence[int] | None = None, progress: Progress = None,
    cancelled: IsCancelled = None,
) -> ChartData:  # fmt: skip
    """Codings of each code (series) per period of a document date attribute
    (categories, in order, empty periods between included); codings in documents whose
    date cannot be read are counted in ``skipped``."""
    _check_time(attribute, period)
    codes = list(codes) if codes else coded_paths(project)
    if not codes:
        return ChartData(f"Codings per {period}", (), (), (), axis=period)
    m = matrix.code_matrix(project, codes, attribute, coders=coders, documents=documents, sets=sets,
                           cases=cases, where=where, visible_coders=visible_coders,
                           progress=progress, cancelled=cancelled)  # fmt: skip
    buckets = [_period(str(c), period) if c != matrix.NONE_VALUE else None for c in m.columns]
    cells: dict[tuple[object, str | None], float] = {}
    skipped = 0
    for i, row in enumerate(m.counts):
        for b, n in zip(buckets, row, strict=True):
            if b is None:
                skipped += n
            elif n:
                cells[(i, b)] = cells.get((i, b), 0) + n
    cats, values = _by_period(cells, range(len(m.rows)), period)
    return ChartData(
        f"Codings per {period} ({attribute})", cats, m.rows, values, skipped, axis=period
    )


def field_over_time(
    project, code: str, field: str, *, subcodes: bool = True, by: str | None = None,
    attribute: str = "date", period: str = "week", coders: Sequence[str] = (),
    documents: Sequence[str] = (), sets: Sequence[str] = (), cases: Sequence[str] = (),
    where: Sequence[str] = (), visible_coders: Sequence[int] | None = None,
    progress: Progress = None, cancelled: IsCancelled = None,
) -> ChartData:  # fmt: skip
    """A number field of the codings of ``code`` (with its sub-codes unless told
    otherwise) summed per period of a document date attribute: the casualties reported
    per week. ``by`` splits the sums into series: ``code`` (each code of the
    selection), ``coder``, or another field of the codes (``kind``; codings without a
    value under ``(none)``). Codings without a value of ``field`` add nothing; those in
    documents without a readable date are counted in ``skipped``. ``where``: as for
    retrieval."""
    _check_time(attribute, period)
    tree = sel.code_tree(project)
    chosen = sel.select_codes(project, code, subcodes=subcodes, tree=tree)
    coder_ids = sel.visible(sel.coder_ids(project, coders) if coders else None, visible_coders)
    base = sel.base_filter(coder_ids, sel.document_scope(project, documents, sets, cases))
    step(progress, cancelled, 0.0)
    with project.session() as s:
        conn = qmark_connection(s)
        fids, ftype = sel.field_named(s, field, chosen.ids, f"--field {field!r}")
        if ftype not in ("integer", "decimal"):
            raise ServiceError(
                f"--field {field!r} is a {ftype} field: a chart sums a number field "
                "(integer or decimal)"
            )
        date_key, _, _ = matrix.columns_by(s, conn, attribute)
        series_join, params = "", []
        if by is None:
            series_key = "''"
        elif by == "code":
            series_key = "c.code_id"
        elif by == "coder":
            series_key = "c.coder_id"
        else:
            bids, _ = sel.field_named(s, by, chosen.ids, f"--by {by!r}")
            series_key = f"coalesce(w.value, '{matrix.NONE_VALUE}')"
            series_join = (f"LEFT JOIN coding_value w ON w.coding_id = c.id AND w.field_id IN "
                           f"({','.join('?' * len(bids))}) AND w.value <> ''")  # fmt: skip
            params = bids
        f = base & sel.conditions(s, where, chosen.ids)
        q = (
            f"SELECT {date_key}, {series_key}, sum(CAST(v.value AS REAL)), count(*) "
            "FROM coding c JOIN document d ON d.id = c.document_id "
            f"JOIN coding_value v ON v.coding_id = c.id AND v.field_id IN "
            f"({','.join('?' * len(fids))}) AND v.value <> '' {series_join} "
            f"WHERE c.code_id IN ({','.join('?' * len(chosen.ids))}) AND ({f.sql}) "
            "GROUP BY 1, 2"
        )
        rows = conn.execute(q, (*fids, *params, *chosen.ids, *f.params)).fetchall()
        coder_names = dict(conn.execute("SELECT id, name FROM coder").fetchall())
    step(progress, cancelled, 0.8)
    cells: dict[tuple[object, str | None], float] = {}
    skipped = 0
    for date, key, total, n in rows:
        p = _period(str(date), period) if date != matrix.NONE_VALUE else None
        if p is None:
            skipped += int(n)
        else:
            cells[(key, p)] = cells.get((key, p), 0.0) + float(total or 0)
    found = {k for k, _ in cells}
    if by == "code":  # in codebook order
        rank = {i: n for n, (i, _, _) in enumerate(tree)}
        keys = sorted(found, key=lambda k: rank.get(k, 0))
        names = {i: p for i, _, p in tree}
        labels = [names[k] for k in keys]
    elif by == "coder":
        keys = sorted(found, key=lambda k: coder_names[k].lower())
        labels = [coder_names[k] for k in keys]
    elif by is None:
        keys, labels = ([""], [field]) if cells else ([], [])
    else:  # values of a field, alphabetically, (none) last
        keys = sorted(found, key=lambda k: (k == matrix.NONE_VALUE, str(k).lower()))
        labels = [str(k) for k in keys]
    cats, values = _by_period(cells, keys, period)
    title = f"{field} of {chosen.path} per {period} ({attribute})" + (f", by {by}" if by else "")
    return ChartData(title, cats, tuple(labels), values, skipped, axis=period)
