"""The CSV codebook (UTF-8, RFC 4180; see desktop.core.csvio): one row per code, parents
first, and the records every codebook file is read into (CodeRecord, CodebookFile).

    path,name,parent,color,description,inclusion,exclusion,examples,fields

- ``path``: the code's path (``Actors/Armed groups``; a "/" in a name is ``\\/``).
  ``name`` and ``parent`` (the parent's path) repeat it for people reading the file.
  A hand-written file may leave ``path`` empty and give ``name`` and ``parent``; the
  parent may then be a path or the name of another row.
- ``color``: ``#rrggbb`` (``#rgb`` accepted), or empty.
- ``examples``: one anchor example per line; inside an example a line break is written
  ``\\n`` and a backslash ``\\\\``.
- ``fields``: ``name:type[:choice|choice][:required]`` separated by ``; `` (see
  desktop.services.codebook.fields.parse_field_specs), e.g.
  ``count:integer:required; kind:choice:killed|injured``.

Taguette's codebook CSV is read too: its ``tag`` column is the code's path (used when
the file has no ``path`` or ``name`` column). :func:`write_taguette_csv` writes the
columns Taguette's importer reads, ``tag,description`` (it refuses a file that has more
than one of ``tag``, ``name`` and ``path``, and it does not skip a byte order mark).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from desktop.core import csvio
from desktop.core.codepath import CodePathError, join_path, split_path
from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.errors import ServiceError

COLUMNS = ("path", "name", "parent", "color", "description", "inclusion", "exclusion", "examples", "fields")  # fmt: skip
MAX_LISTED = 50  # problems listed one by one in a refusal


class CodebookImportRefused(ServiceError):
    """The file has problems; nothing was imported. ``problems`` lists them."""

    def __init__(self, source: str, problems: list[str]) -> None:
        listed = problems[:MAX_LISTED]
        more = (
            f"\n  ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        )
        super().__init__(f"{source}: nothing imported:\n  " + "\n  ".join(listed) + more)
        self.problems = problems


@dataclass
class CodeRecord:
    """A code as a file holds it, independent of the database."""

    path: str
    name: str
    color: str | None = None
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: list[str] = field(default_factory=list)
    fields: list[dict] = field(default_factory=list)  # name, type, choices, required
    guid: str | None = None
    where: str = ""  # "line 4" or "line 12 (<Code>)": for messages
    codable: bool = True  # False: a category (REFI-QDA isCodable="false")

    @property
    def parent(self) -> str:
        parts = split_path(self.path)
        return join_path(parts[:-1]) if len(parts) > 1 else ""


@dataclass
class CodebookFile:
    source: str
    codes: list[CodeRecord]
    warnings: list[str] = field(default_factory=list)
    origin: str | None = None
    kind: str = "csv"  # or "refi"
    problems: list[str] = field(default_factory=list)  # found while reading; import refuses


def _escape_example(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\r\n", "\n").replace("\n", "\\n")


def _unescape_example(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in "\\n":
            out.append("\n" if text[i + 1] == "n" else "\\")
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def write_csv(recs: list[CodeRecord], fh: IO[str]) -> None:
    w = csvio.writer(fh)
    w.writerow(COLUMNS)
    for r in recs:
        w.writerow(
            (r.path, r.name, r.parent, r.color or "", r.description, r.inclusion, r.exclusion,
             "\n".join(_escape_example(e) for e in r.examples), fieldsvc.format_field_specs(r.fields))
        )  # fmt: skip


TAGUETTE_COLUMNS = ("tag", "description")


def write_taguette_csv(recs: list[CodeRecord], fh: IO[str]) -> None:
    """The codebook as Taguette imports it: a code's path as its tag."""
    w = csvio.writer(fh)
    w.writerow(TAGUETTE_COLUMNS)
    for r in recs:
        w.writerow((r.path, r.description))


def read_csv(path: Path) -> CodebookFile:
    problems: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        with csvio.CsvReader(path) as reader:
            warnings = list(reader.warnings)
            cols = {name: reader.index(name) for name in COLUMNS}
            known = COLUMNS
            if cols["path"] is None and cols["name"] is None and reader.index("tag") is not None:
                cols["path"] = reader.index("tag")  # Taguette's codebook
                known = (*COLUMNS, "tag")
            if cols["path"] is None and cols["name"] is None:
                raise CodebookImportRefused(
                    str(path),
                    [
                        f"line {reader.header_line}: no 'path', 'name' or 'tag' column (columns: {', '.join(COLUMNS)})"
                    ],
                )
            unknown = [h for h in reader.header if h and h.casefold() not in known]
            if unknown:
                warnings.append(f"columns ignored: {', '.join(unknown)}")
            for line, values in reader:
                rows.append(
                    (
                        line,
                        {
                            k: (values[i] if i is not None and i < len(values) else "")
                            for k, i in cols.items()
                        },
                    )
                )
    except csvio.CsvFormatError as exc:
        raise CodebookImportRefused(
            str(path), [exc.reason if exc.line is None else f"line {exc.line}: {exc.reason}"]
        ) from exc

    named: list[tuple[int, str, str, dict]] = []  # rows given by name + parent
    recs: list[CodeRecord] = []
    for line, row in rows:
        where = f"line {line}"
        rec = CodeRecord("", "", where=where)
        try:
            rec.color = codebook.normalise_color(row["color"])
        except ServiceError as exc:
            problems.append(f"{where}: {exc}")
        rec.description, rec.inclusion, rec.exclusion = (
            row[k].strip() for k in ("description", "inclusion", "exclusion")
        )
        rec.examples = [
            _unescape_example(e).strip()
            for e in row["examples"].replace("\r\n", "\n").split("\n")
            if e.strip()
        ]
        try:
            rec.fields = fieldsvc.parse_field_specs(row["fields"])
        except ServiceError as exc:
            problems.append(f"{where}: {exc}")
        path_text, name, parent = row["path"].strip(), row["name"].strip(), row["parent"].strip()
        try:
            if path_text:
                parts = split_path(path_text)
                if name and name != parts[-1]:
                    problems.append(
                        f"{where}: the name {name!r} is not the last part of the path {path_text!r}"
                    )
                if parent and join_path(split_path(parent)) != join_path(parts[:-1]):
                    problems.append(
                        f"{where}: the parent {parent!r} does not match the path {path_text!r}"
                    )
                rec.path, rec.name = join_path(parts), parts[-1]
            elif name:
                if "/" in name.replace("\\/", ""):
                    problems.append(
                        f"{where}: a name cannot contain '/'; use the path column for a path"
                    )
                    continue
                rec.name = name.replace("\\/", "/")
                named.append((line, rec.name, parent, {"rec": rec}))
            else:
                problems.append(f"{where}: neither a path nor a name")
                continue
        except CodePathError as exc:
            problems.append(f"{where}: {exc}")
            continue
        recs.append(rec)
    problems.extend(_resolve_named(named, recs))
    return CodebookFile(str(path), recs, warnings, problems=problems)


def _resolve_named(named: list[tuple[int, str, str, dict]], recs: list[CodeRecord]) -> list[str]:
    """Give rows written as name + parent their path. The parent may be a path (of the
    file or of the project; checked later) or the name of another such row."""
    problems: list[str] = []
    by_name: dict[str, list[CodeRecord]] = {}
    for _line, name, _parent, d in named:
        by_name.setdefault(name, []).append(d["rec"])
    parent_of: dict[int, CodeRecord | str] = {}
    for line, _name, parent, d in named:
        rec = d["rec"]
        if not parent:
            parent_of[id(rec)] = ""
        elif "/" not in parent.replace("\\/", "") and parent in by_name:
            if len(by_name[parent]) > 1:
                problems.append(
                    f"line {line}: the parent {parent!r} names more than one row; give its path"
                )
            parent_of[id(rec)] = by_name[parent][0]
        else:
            try:
                parent_of[id(rec)] = join_path(split_path(parent))
            except CodePathError as exc:
                problems.append(f"line {line}: {exc}")
                parent_of[id(rec)] = ""

    def resolve(rec: CodeRecord, seen: list[CodeRecord]) -> str | None:
        if rec.path:
            return rec.path
        if rec in seen:
            chain = " -> ".join(f"{r.name!r} ({r.where})" for r in [*seen[seen.index(rec) :], rec])
            problems.append(f"{rec.where}: the parents go round in a circle: {chain}")
            return None
        parent = parent_of.get(id(rec), "")
        if isinstance(parent, CodeRecord):
            base = resolve(parent, [*seen, rec])
            if base is None:
                return None
        else:
            base = parent
        rec.path = join_path([*split_path(base), rec.name]) if base else join_path([rec.name])
        return rec.path

    for _line, _name, _parent, d in named:
        if resolve(d["rec"], []) is None:
            d["rec"].path = ""
    return problems
