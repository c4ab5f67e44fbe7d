"""Code frequencies: how many codings each code has, per document or per coder.

Rows are the codes in codebook order; columns are documents (by name) or coders. Each
row has its total, and the total *with its sub-codes* (a coding of
``Casualties/Killed`` counts towards ``Casualties``). The last row holds the column
totals; the grand total counts every coding once."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import func, select

from db import models as m
from desktop.core import csvio
from desktop.services.codebook import codebook
from desktop.services.errors import ServiceError

BY = ("document", "coder")


@dataclass(frozen=True)
class FrequencyRow:
    code_id: int
    path: str
    name: str
    depth: int
    counts: tuple[int, ...]  # one per column
    total: int
    total_with_subcodes: int


@dataclass(frozen=True)
class FrequencyTable:
    by: str  # "document" | "coder"
    columns: tuple[tuple[int, str], ...]  # (id, name) of each document or coder
    rows: tuple[FrequencyRow, ...]
    column_totals: tuple[int, ...]
    total: int

    def count(self, code_id: int, column_id: int) -> int:
        col = [c for c, _ in self.columns].index(column_id)
        return next(r.counts[col] for r in self.rows if r.code_id == code_id)


def frequencies(
    project, by: str = "document", *, coder_ids: list[int] | None = None,
    document_ids: list[int] | None = None,
) -> FrequencyTable:  # fmt: skip
    """Codings per code x document (or x coder), optionally restricted to some coders or
    documents. Documents or coders without any coding still get a column."""
    if by not in BY:
        raise ServiceError(f"frequencies can be counted by {' or '.join(BY)}, not {by!r}")
    codes = codebook.list_codes(project)
    with project.session() as s:
        if by == "document":
            q = select(m.Document.id, m.Document.name).order_by(m.Document.name, m.Document.id)
            if document_ids is not None:
                q = q.where(m.Document.id.in_(document_ids))
            key = m.Coding.document_id
        else:
            q = select(m.Coder.id, m.Coder.name).order_by(m.Coder.name)
            if coder_ids is not None:
                q = q.where(m.Coder.id.in_(coder_ids))
            key = m.Coding.coder_id
        columns = tuple((cid, name) for cid, name in s.execute(q))
        counts_q = select(m.Coding.code_id, key, func.count()).group_by(m.Coding.code_id, key)
        if coder_ids is not None:
            counts_q = counts_q.where(m.Coding.coder_id.in_(coder_ids))
        if document_ids is not None:
            counts_q = counts_q.where(m.Coding.document_id.in_(document_ids))
        cells = {(code_id, col): n for code_id, col, n in s.execute(counts_q)}
    col_index = {cid: i for i, (cid, _) in enumerate(columns)}
    own: dict[int, list[int]] = {c.id: [0] * len(columns) for c in codes}
    for (code_id, col), n in cells.items():
        if col in col_index and code_id in own:
            own[code_id][col_index[col]] = n
    under = {cid: sum(v) for cid, v in own.items()}
    for c in reversed(codes):  # children after parents: add each to its parent
        if c.parent_id is not None:
            under[c.parent_id] += under[c.id]
    rows = tuple(
        FrequencyRow(c.id, c.path, c.name, c.depth, tuple(own[c.id]), sum(own[c.id]), under[c.id])
        for c in codes
    )
    col_totals = tuple(sum(r.counts[i] for r in rows) for i in range(len(columns)))
    return FrequencyTable(by, columns, rows, col_totals, sum(col_totals))


def export_frequencies(
    project, out: Path | str | IO, fmt: str = "csv", *, by: str = "document",
    coder_ids: list[int] | None = None,
) -> int:  # fmt: skip
    """Write the frequency table as CSV (code, one column per document or coder, total,
    total with sub-codes; a last row of totals; names that would start a spreadsheet
    formula neutralised, see csvio.spreadsheet_cell) or as an HTML table, counting the codings
    of ``coder_ids`` only if given (blind coding). Returns the number of code rows."""
    table = frequencies(project, by, coder_ids=coder_ids)
    fmt = fmt.lower().lstrip(".")
    if fmt == "csv":
        with csvio.open_output(out) as fh:
            w = csvio.writer(fh, spreadsheet=True)  # a table to read, never re-imported
            w.writerow(
                ["code", *(name for _, name in table.columns), "total", "total with sub-codes"]
            )
            for r in table.rows:
                w.writerow([r.path, *r.counts, r.total, r.total_with_subcodes])
            w.writerow(["Total", *table.column_totals, table.total, ""])
        return len(table.rows)
    if fmt == "html":
        with csvio.open_output(out) as fh:
            fh.write(frequencies_html(table, project.name))
        return len(table.rows)
    raise ServiceError(f"frequencies can be exported as csv or html, not {fmt!r}")


def frequencies_html(table: FrequencyTable, title: str) -> str:
    e = html.escape
    head = "".join(f"<th>{e(name)}</th>" for _, name in table.columns)
    body = []
    for r in table.rows:
        cells = "".join(f"<td>{n or ''}</td>" for n in r.counts)
        indent = "&nbsp;" * 4 * r.depth
        name = e(r.name)
        body.append(
            f'<tr><th scope="row" title="{e(r.path)}">{indent}{name}</th>{cells}'
            f"<td>{r.total}</td><td>{r.total_with_subcodes}</td></tr>"
        )
    totals = "".join(f"<td>{n}</td>" for n in table.column_totals)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Code frequencies: {e(title)}</title><style>"
        "body{font:10pt Arial,sans-serif} table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px} td{text-align:right} th[scope=row]{text-align:left}"
        f"</style></head><body><h1>Code frequencies: {e(title)}</h1>"
        f"<table><tr><th>code</th>{head}<th>total</th><th>with sub-codes</th></tr>\n"
        + "\n".join(body)
        + f'\n<tr><th scope="row">Total</th>{totals}<td>{table.total}</td><td></td></tr></table>'
        "</body></html>\n"
    )
