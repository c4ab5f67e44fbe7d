"""Document attributes as CSV: one row per document (``document`` column: its name or
sha256, then one column per attribute). Import checks every cell first: each wrong one
is listed with its line and column, and nothing is stored if any is wrong. An empty cell
clears the value; a column that names no attribute is an error (define it first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import select

from db import models as m
from desktop.core import csvio
from desktop.core.fields import FieldValueError
from desktop.services.documents import attributes
from desktop.services.errors import ServiceError

KEY_COLUMNS = ("document", "name", "sha256")


@dataclass
class AttributesImport:
    documents: int = 0  # documents whose values changed
    values: int = 0  # cells that changed a value
    problems: list[str] = field(default_factory=list)  # "line 3, column 'words': ..."
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def export_attributes_csv(project, out: Path | str | IO, *, excel: bool = False) -> int:
    """Write every document's attribute values; returns the number of rows."""
    with project.session() as s:
        attrs = attributes.attributes_in(s)
        values = attributes.values_in(s)
        docs = s.execute(select(m.Document.id, m.Document.name, m.Document.sha256)
                         .order_by(m.Document.name)).all()  # fmt: skip
    with csvio.open_output(out, excel=excel) as fh:
        w = csvio.writer(fh)
        w.writerow(["document", "sha256", *(a.name for a in attrs)])
        for did, name, sha in docs:
            row = values.get(did, {})
            w.writerow([name, sha, *(row.get(a.name, "") for a in attrs)])
    return len(docs)


def import_attributes_csv(project, path: Path | str) -> AttributesImport:
    """Read values from ``path`` and store them all in one transaction, or none."""
    path = Path(path)
    report = AttributesImport()
    try:
        with csvio.CsvReader(path) as reader:
            report.warnings = list(reader.warnings)
            header = reader.header
            key_cols = [i for i, h in enumerate(header) if h.casefold() in KEY_COLUMNS]
            if not key_cols:
                raise ServiceError(
                    f"{path}: line {reader.header_line}: no 'document' (or 'name', 'sha256') "
                    "column to say which document a row is about"
                )
            rows = list(reader)
            header_line = reader.header_line
    except csvio.CsvFormatError as exc:
        raise ServiceError(str(exc)) from None
    with project.session() as s:
        attrs = {a.name.casefold(): a for a in attributes.attributes_in(s)}
        by_name = dict(s.execute(select(m.Document.name, m.Document.id)).all())
        by_sha = dict(s.execute(select(m.Document.sha256, m.Document.id)).all())
        columns: list[tuple[int, attributes.AttributeInfo]] = []
        for i, h in enumerate(header):
            if i in key_cols or not h:
                continue
            a = attrs.get(h.casefold())
            if a is None:
                report.problems.append(
                    f"line {header_line}, column {h!r}: no document attribute of that name "
                    f"(define it first: tessera attributes add P {h!r} --type TYPE)"
                )
                continue
            columns.append((i, a))
        changes: dict[int, dict[str, str | None]] = {}
        for line, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            did = None
            for i in key_cols:
                key = cells[i].strip() if i < len(cells) else ""
                if not key:
                    continue
                found = by_sha.get(key.lower()) if header[i].casefold() == "sha256" else None
                found = found or by_name.get(key) or by_sha.get(key.lower())
                if found is None:
                    report.problems.append(
                        f"line {line}, column {header[i]!r}: no document named {key!r} "
                        "(or with that sha256)"
                    )
                    did = -1
                    break
                did = found
            if did is None:
                report.problems.append(f"line {line}: no document named (the key cells are empty)")
                continue
            if did == -1:
                continue
            row = changes.setdefault(did, {})
            for i, a in columns:
                raw = cells[i] if i < len(cells) else ""
                try:
                    row[a.name] = attributes.check_value(a, raw)
                except FieldValueError as exc:
                    report.problems.append(f"line {line}, column {header[i]!r}: {exc}")
        if report.problems:
            s.rollback()
            return report
        for did, values in changes.items():
            old = attributes.set_values_in(s, project.actor, did, values)
            if old:
                report.documents += 1
                report.values += len(old)
    return report
