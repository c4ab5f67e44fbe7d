"""Writing retrieved passages: CSV (the codings' columns plus context), HTML and Word
(.docx): passages grouped by code, then document, each with its citation (document,
page, characters a-b), the passage itself emphasised inside its context."""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from desktop.core import csvio
from desktop.core.atomic import atomic_write
from desktop.core.text import xml_safe
from desktop.services.analysis.retrieval import Passage
from desktop.services.errors import ServiceError

CSV_COLUMNS = ("document", "page", "code", "coder", "start", "end", "text", "memo", "values",
               "context_before", "context_after", "coding_id")  # fmt: skip


def passage_dict(p: Passage) -> dict:
    return {
        "document": p.document, "code": p.code, "coder": p.coder, "start": p.start,
        "end": p.end, "text": p.text, "page": p.page, "before": p.before, "after": p.after,
        "memo": p.memo, "values": p.values, "coding_id": p.coding_id,
    }  # fmt: skip


def citation(p: Passage) -> str:
    page = f", p. {p.page}" if p.page else ""
    return f"{p.document}{page}, characters {p.start}-{p.end}"


def write_csv(passages: Iterable[Passage], out: Path | str | IO) -> int:
    n = 0
    with csvio.open_output(out) as fh:
        w = csvio.writer(fh)
        w.writerow(CSV_COLUMNS)
        for p in passages:
            values = "; ".join(f"{k}={v}" for k, v in p.values.items())
            w.writerow([p.document, p.page or "", p.code, p.coder, p.start, p.end, p.text,
                        p.memo, values, p.before, p.after, p.coding_id or ""])  # fmt: skip
            n += 1
    return n


def _grouped(passages: Iterable[Passage]) -> dict[str, dict[str, list[Passage]]]:
    out: dict[str, dict[str, list[Passage]]] = {}
    for p in passages:
        out.setdefault(p.code, {}).setdefault(p.document, []).append(p)
    return {c: dict(sorted(d.items())) for c, d in sorted(out.items())}


def write_html(passages: Iterable[Passage], out: Path | str | IO, title: str) -> int:
    e = html.escape
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>body{{font:11pt Georgia,serif;max-width:48em;"
        "margin:2em auto}} blockquote{margin:.5em 0 .2em 1.5em} .cite{color:#555;"
        "font-size:9pt;margin:0 0 1em 1.5em} mark{background:#fde68a}</style></head><body>"
        f"<h1>{e(title)}</h1>"
    ]
    n = 0
    for code, docs in _grouped(passages).items():
        parts.append(f"<h2>{e(code)}</h2>")
        for doc, ps in docs.items():
            parts.append(f"<h3>{e(doc)}</h3>")
            for p in ps:
                n += 1
                parts.append(
                    f"<blockquote>{e(p.before)}<mark>{e(p.text)}</mark>{e(p.after)}</blockquote>"
                    f'<p class="cite">{e(citation(p))}; {e(p.coder)}'
                    + (f"; memo: {e(p.memo)}" if p.memo else "")
                    + "</p>"
                )
    parts.append("</body></html>\n")
    with csvio.open_output(out) as fh:
        fh.write("\n".join(parts))
    return n


def write_docx(passages: Iterable[Passage], out: Path | str, title: str) -> int:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise ServiceError(f"Word export needs python-docx ({exc})") from exc
    document = docx.Document()
    document.add_heading(xml_safe(title), level=1)
    n = 0
    for code, docs in _grouped(passages).items():
        document.add_heading(xml_safe(code), level=2)
        for doc, ps in docs.items():
            document.add_heading(xml_safe(doc), level=3)
            for p in ps:
                n += 1
                # Word's XML cannot hold every character a text may (a bell, U+FFFE)
                para = document.add_paragraph(style="Quote")
                para.add_run(xml_safe(p.before))
                para.add_run(xml_safe(p.text)).bold = True
                para.add_run(xml_safe(p.after))
                cite = document.add_paragraph(
                    xml_safe(f"{citation(p)}; {p.coder}" + (f"; memo: {p.memo}" if p.memo else ""))
                )
                cite.runs[0].italic = True
    with atomic_write(out, "wb") as fh:
        document.save(fh)
    return n
