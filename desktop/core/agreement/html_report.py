"""The agreement report as one readable, self-contained HTML page: the settings it was
computed with, a bar chart of Krippendorff's alpha per code (inline SVG, no script), the
table per code over all documents and the table per document. Every name is escaped;
each number cell carries its full value in ``data-value`` for anyone checking it."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from desktop.core import wording
from desktop.core.agreement.report import (
    MEASURE_TITLES,
    TABLE_MEASURES,
    AgreementRow,
    Report,
    format_value,
    not_applicable,
)

ALPHA = "krippendorff_alpha"
GOOD, TENTATIVE = 0.8, 0.667  # Krippendorff (2004): rely on >= .800, tentative >= .667

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       margin: 2em auto; max-width: 1100px; padding: 0 1.5em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { font-size: 1.2em; margin-top: 2em; }
.subtitle { color: #666; margin-top: 0; }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1.2em; }
dl.settings dt { color: #666; } dl.settings dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .3em .6em; border-bottom: 1px solid #e3e3e3; text-align: right; }
th { background: #f5f5f5; font-weight: 600; }
th:first-child, td:first-child, td.name { text-align: left; }
td.na { color: #999; } table.per-document td.name { white-space: nowrap; }
.definitions { color: #555; font-size: .92em; max-width: 70em; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
"""


def render_html(
    report: Report,
    *,
    title: str = "Inter-coder agreement",
    project: str | None = None,
    codes: Sequence[str] | None = None,
    generated: datetime | str | None = None,
    version: str | None = None,
) -> str:
    """The page for ``report``; ``codes`` default to the codes of its rows."""
    if version is None:
        from desktop import __version__ as version
    if generated is None:
        generated = datetime.now().astimezone()
    when = (
        generated if isinstance(generated, str) else generated.strftime("%Y-%m-%d %H:%M %Z").strip()
    )
    pooled = report.pooled()
    per_doc = [r for r in report.rows if r.document is not None]
    code_names = list(codes) if codes is not None else list(dict.fromkeys(r.code for r in pooled))
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        f"<title>{e(title)}{' — ' + e(project) if project else ''}</title>",
        f"<style>{STYLE}</style></head>",
        "<body>",
        f"<h1>{e(title)}</h1>",
    ]
    if project:
        out.append(f'<p class="subtitle">Project: {e(project)}</p>')
    out += [
        '<h2 id="settings">Settings</h2>',
        '<dl class="settings">',
        _item("Coders", ", ".join(report.coders)),
        _item("Unit", f"{report.unit} units"),
        *([_item("Units cut by", report.units_cut_by)] if report.segmentation else []),
        *([_item("Bootstrap of alpha", report.bootstrap_settings)] if report.bootstrap else []),
        _item("Units counted", report.units_counted),
        *([_item("Exclusive codes", report.exclusive_missing)] if report.exclusive_missing else []),
        _item(f"Documents ({len(report.documents)})", ", ".join(report.documents) or "none"),
        _item(f"Codes ({len(code_names)})", ", ".join(code_names) or "none"),
        _item("Computed", when),
        _item("Tessera version", version),
        "</dl>",
    ]
    if not report.rows:
        out.append("<p>No codings by these coders in these documents.</p>")
    else:
        out += [
            f'<h2 id="alpha-chart">{e(MEASURE_TITLES[ALPHA])} per code</h2>',
            alpha_chart(pooled),
            '<h2 id="per-code">Per code, all documents</h2>',
            _table(report, pooled, "per-code", with_document=False),
        ]
        if report.bootstrap:
            out += [
                '<h2 id="bootstrap">Bootstrap intervals of alpha</h2>',
                _bootstrap_table(report),
            ]
        if per_doc:
            out += [
                '<h2 id="per-document">Per code and document</h2>',
                _table(report, per_doc, "per-document", with_document=True),
            ]
    out += [
        '<h2 id="definitions">Definitions</h2>',
        f'<p class="definitions">{e(report.definitions)} Units: how many units a row rests '
        "on; coded by any: units at least one coder coded (with character units most units "
        "are coded by nobody, and percent agreement counts them as agreements). n/a: the "
        "coefficient does not apply or is undefined (hover for why). In the chart, dashed "
        f"lines mark alpha = {TENTATIVE} (tentative conclusions) and {GOOD} "
        "(reliable), after Krippendorff (2004).</p>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _item(term: str, value: str) -> str:
    return f"<dt>{html.escape(term)}</dt><dd>{html.escape(value)}</dd>"


def _table(report: Report, rows: list[AgreementRow], cls: str, *, with_document: bool) -> str:
    e = html.escape
    head = ["Code"] + (["Document"] if with_document else [])
    head += ["Units", "Coded by any"] + [f"Codings: {c}" for c in report.coders]
    head += [MEASURE_TITLES[m] for m in TABLE_MEASURES]
    lines = [
        f'<table class="{cls}">',
        "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    for r in rows:
        cells = [f'<td class="name">{e(r.code)}</td>']
        if with_document:
            cells.append(f'<td class="name">{e(r.document or "")}</td>')
        cells += [f'<td data-value="{r.units}">{r.units}</td>',
                  f'<td data-value="{r.coded_by_any}">{r.coded_by_any}</td>']  # fmt: skip
        cells += [f'<td data-value="{r.codings.get(c, 0)}">{r.codings.get(c, 0)}</td>'
                  for c in report.coders]  # fmt: skip
        for m in TABLE_MEASURES:
            c = getattr(r.result, m)
            if c is None or c.value is None:
                cells.append(
                    f'<td class="na" data-value="" title="{e(not_applicable(c))}">n/a</td>'
                )
            else:
                cells.append(f'<td data-value="{c.value!r}">{format_value(m, c.value)}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def _bootstrap_table(report: Report) -> str:
    """Alpha, its interval and q (the share of samples below each minimum) per row."""
    e = html.escape
    minimums = sorted({m for b in report.bootstrap.values() for m in b.below})
    first = next(iter(report.bootstrap.values()))
    head = ["Code", "Document", MEASURE_TITLES[ALPHA], f"{100 * first.confidence:g} % interval"]
    head += [f"q (alpha < {_tick(m)})" for m in minimums]
    lines = [
        '<table class="bootstrap">',
        "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    for (code, document), b in report.bootstrap.items():
        cells = [f'<td class="name">{e(code)}</td>',
                 f'<td class="name">{e(document or "all documents")}</td>']  # fmt: skip
        if b.low is None:
            cells.append(f'<td class="na" colspan="{2 + len(minimums)}">{e(b.note)}</td>')
        else:
            cells += [
                f'<td data-value="{b.alpha!r}">{b.alpha:.3f}</td>',
                f'<td data-low="{b.low!r}" data-high="{b.high!r}">[{b.low:.3f}, {b.high:.3f}]</td>',
                *[f'<td data-value="{b.below[m]!r}">{b.below[m]:.3f}</td>' for m in minimums],
            ]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def alpha_chart(rows: list[AgreementRow], width: int = 760) -> str:
    """Horizontal bars of alpha per row, from 0 (or the lowest negative value) to 1."""
    e = html.escape
    bar_h, gap, label_w, top, value_w = 18, 8, 230, 26, 56
    values = [r.value(ALPHA) for r in rows]
    low = min([0.0, *[v for v in values if v is not None]])
    plot_w = width - label_w - value_w

    def x(v: float) -> float:
        return label_w + (v - low) / (1.0 - low) * plot_w

    bottom = top + len(rows) * (bar_h + gap)
    height = bottom + 22
    parts = [
        f'<svg class="alpha-chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{e(MEASURE_TITLES[ALPHA])} per code</title>",
    ]
    ticks = sorted({low, 0.0, 0.5, 1.0} | ({-0.5} if low <= -0.5 else set()))
    for t in ticks:
        parts.append(
            f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{bottom}" '
            f'stroke="{"#999" if t == 0 else "#e0e0e0"}" stroke-width="1"/>'
            f'<text x="{x(t):.1f}" y="{top - 10}" text-anchor="middle">{_tick(t)}</text>'
        )
    for ref in (TENTATIVE, GOOD):
        parts.append(
            f'<line x1="{x(ref):.1f}" y1="{top - 6}" x2="{x(ref):.1f}" y2="{bottom}" '
            'stroke="#888" stroke-width="1" stroke-dasharray="4 3"/>'
            f'<text x="{x(ref):.1f}" y="{bottom + 15}" text-anchor="middle" fill="#777">'
            f"{_tick(ref)}</text>"
        )
    for i, (r, v) in enumerate(zip(rows, values, strict=True)):
        y = top + i * (bar_h + gap)
        label = r.code if len(r.code) <= 34 else "…" + r.code[-33:]
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 5}" text-anchor="end">'
            f"<title>{e(r.code)}</title>{e(label)}</text>"
        )
        if v is None:
            note = getattr(r.result, ALPHA).note
            parts.append(
                f'<text x="{x(0) + 4:.1f}" y="{y + bar_h - 5}" fill="#999">'
                f"<title>{e(note)}</title>n/a</text>"
            )
            continue
        colour = "#4c9a5b" if v >= GOOD else "#e0a526" if v >= TENTATIVE else "#d1584b"
        a, b = sorted((x(0), x(v)))
        parts.append(
            f'<rect class="bar" data-code="{e(r.code)}" data-value="{v!r}" x="{a:.1f}" '
            f'y="{y}" width="{max(b - a, 1):.1f}" height="{bar_h}" fill="{colour}" rx="2"/>'
            f'<text x="{width - value_w + 6}" y="{y + bar_h - 5}">{wording.number(v)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _tick(v: float) -> str:
    text = wording.number(v).rstrip("0").rstrip(".")
    return text.replace("0.", ".", 1) if 0 < abs(v) < 1 else text


def write_report(path: Path | str, text: str) -> Path:
    """Write a report (HTML or CSV) whole or not at all: a temporary file beside the
    target, then a rename, so a full disk never leaves half a report behind."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
