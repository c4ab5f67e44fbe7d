"""The codebook as a readable, printable HTML document: every code with its colour,
definition, criteria, anchor examples, typed fields and number of codings. All text
from the project is escaped; the page loads nothing from anywhere."""

from __future__ import annotations

from datetime import date
from html import escape

from desktop.core import wording
from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc

STYLE = """
body { font: 11pt/1.45 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #222;
       max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.1em; }
.meta { color: #666; margin-top: 0; }
nav ul { list-style: none; padding-left: 1.2em; margin: 0; }
nav > ul { padding-left: 0; }
section.code { border-top: 1px solid #ddd; padding: 0.6em 0 0.4em; break-inside: avoid; }
h2, h3, h4, h5, h6 { margin: 0.2em 0; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #888;
          vertical-align: baseline; margin-right: 0.4em; print-color-adjust: exact;
          -webkit-print-color-adjust: exact; }
.path { color: #666; font-size: 0.9em; }
.count { color: #444; font-size: 0.9em; }
dl { margin: 0.3em 0; } dt { font-weight: 600; margin-top: 0.3em; } dd { margin-left: 1.2em; }
blockquote { margin: 0.2em 0 0.2em 1.2em; padding-left: 0.6em; border-left: 3px solid #ccc;
             white-space: pre-wrap; }
table.fields { border-collapse: collapse; margin: 0.3em 0; }
table.fields td, table.fields th { border: 1px solid #ccc; padding: 0.1em 0.5em; text-align: left; }
.text { white-space: pre-wrap; }
@media print { nav { display: none; } body { margin: 0; max-width: none; } }
"""


def _text(value: str) -> str:
    return f'<div class="text">{escape(value)}</div>'


def codebook_html(project, *, title: str | None = None) -> str:
    codes = codebook.list_codes(project)
    by_code = fieldsvc.fields_by_code(project)
    under: dict[int, int] = {c.id: c.codings for c in codes}
    paths = {c.id: c.path for c in codes}
    for c in reversed(codes):  # children come after parents: add each to its parent
        if c.parent_id is not None:
            under[c.parent_id] += under[c.id]
    name = title or project.name
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Codebook: {escape(name)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Codebook: {escape(name)}</h1>",
        f'<p class="meta">{len(codes)} codes, {sum(c.codings for c in codes)} codings. '
        f"Exported {date.today().isoformat()} from Tessera.</p>",
    ]
    out.append(_toc(codes))
    for c in codes:
        level = min(c.depth + 2, 6)
        color = escape(c.color or "#ffffff")
        count = f"{wording.count(c.codings, 'coding')}"
        if under[c.id] != c.codings:
            count += f", {under[c.id]} with sub-codes"
        out.append(f'<section class="code" id="code-{c.id}">')
        out.append(
            f'<h{level}><span class="swatch" style="background:{color}"></span>{escape(c.name)}</h{level}>'
        )
        out.append(
            f'<div class="path">{escape(c.path)} &middot; {color} &middot; <span class="count">{count}</span></div>'
        )
        items: list[str] = []
        if c.description:
            items.append(f"<dt>Definition</dt><dd>{_text(c.description)}</dd>")
        if c.inclusion:
            items.append(f"<dt>Include</dt><dd>{_text(c.inclusion)}</dd>")
        if c.exclusion:
            items.append(f"<dt>Exclude</dt><dd>{_text(c.exclusion)}</dd>")
        if c.examples:
            quotes = "".join(f"<blockquote>{escape(e)}</blockquote>" for e in c.examples)
            items.append(f"<dt>Examples</dt><dd>{quotes}</dd>")
        fields = by_code.get(c.id, [])
        if fields:
            rows = "".join(
                "<tr>"
                f"<td>{escape(f.name)}</td><td>{escape(f.type)}</td>"
                f"<td>{escape(', '.join(f.choices))}</td>"
                f"<td>{'yes' if f.required else ''}</td>"
                f"<td>{'' if f.code_id == c.id else 'from ' + escape(paths[f.code_id])}</td>"
                "</tr>"
                for f in fields
            )
            items.append(
                '<dt>Fields</dt><dd><table class="fields"><tr><th>field</th><th>type</th>'
                f"<th>values</th><th>required</th><th>defined on</th></tr>{rows}</table></dd>"
            )
        if items:
            out.append("<dl>" + "".join(items) + "</dl>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _toc(codes) -> str:
    kids: dict[int | None, list] = {}
    for c in codes:
        kids.setdefault(c.parent_id, []).append(c)

    def items(parent_id: int | None) -> str:
        out = []
        for c in kids.get(parent_id, []):
            sub = f"<ul>{items(c.id)}</ul>" if c.id in kids else ""
            out.append(f'<li><a href="#code-{c.id}">{escape(c.name)}</a>{sub}</li>')
        return "".join(out)

    return f"<nav><h2>Contents</h2><ul>{items(None)}</ul></nav>" if codes else ""
