"""Importing codings from a CSV file (the layout desktop.services.exchange.exchange writes):
all of it in one transaction (bulk inserts, one audit entry) or, if any row is bad, none
of it; every bad row is reported with its line.

Rows are checked and inserted in chunks inside that one transaction, so memory stays
flat in the number of rows: validation works on plain Python values loaded once
(documents' lengths, the codebook's paths and fields, the coders) and texts a few at a
time. Duplicates are skipped by one look-up per chunk in the unique index of codings
(which, inside the transaction, also holds the chunks inserted before). A bad row stops
the inserting; the checking goes on to report every problem, then the transaction is
rolled back.

Here the rows are read and checked (:class:`CodingsCsv`); storing them is
csv_import_store's, and what the import reports is csv_import_report's."""

from __future__ import annotations

import unicodedata
from collections import OrderedDict
from operator import itemgetter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db import models as m
from desktop.core import csvio, wording
from desktop.core.codepath import CodePathError, join_path, split_path
from desktop.core.fields import FieldValueError, canonical_value
from desktop.services.codebook import codebook
from desktop.services.exchange.csv_import_report import CodingsImportRefused, CodingsImportReport
from desktop.services.exchange.csv_import_store import CodingsStore, stored_time
from desktop.services.exchange.exchange import (
    CODING_COLUMNS,
    MAX_ERRORS,
    Progress,
    parse_iso,
)

REQUIRED = ("document", "code", "start", "end")
TEXT_CACHE_CHARS = 50_000_000  # document texts kept in memory while checking rows
CHUNK_ROWS = 20_000  # checked rows inserted at a time
_HEX = frozenset("0123456789abcdef")


def _iso(text: str) -> str | None:
    try:
        return stored_time(parse_iso(text))
    except ValueError:
        return None


def _short(text: str, n: int = 40) -> str:
    text = text.replace("\n", "⏎")
    return repr(text if len(text) <= n else text[: n - 1] + "…")


class CodingsCsv(CodingsStore):
    def __init__(
        self, project, reader: csvio.CsvReader, report: CodingsImportReport,
        create_missing: bool, default_coder: str | None,
    ) -> None:  # fmt: skip
        super().__init__(project, report)
        self.reader = reader
        self.create_missing = create_missing
        self.default_coder = (default_coder or "").strip() or None
        reader.require(*REQUIRED, *(() if self.default_coder else ("coder",)))
        col = reader.index
        self.c_doc, self.c_sha, self.c_code, self.c_coder = (
            col("document"), col("document_sha256"), col("code"), col("coder"),
        )  # fmt: skip
        self.c_start, self.c_end, self.c_text, self.c_memo = (
            col("start"), col("end"), col("text"), col("memo"),
        )  # fmt: skip
        self.c_created, self.c_updated = col("created_at"), col("updated_at")
        self.width = len(reader.header)
        self._grouped: dict[str, list[int]] = {}  # lookup error -> its further lines
        self._load_project()
        self._match_field_columns()

    # -- what the project holds ---------------------------------------------------
    def _load_project(self) -> None:
        codes = codebook.list_codes(self.project)
        self.code_ids = {tuple(split_path(c.path)): c.id for c in codes}
        self.code_paths = {c.id: c.path for c in codes}
        self.parents = {c.id: c.parent_id for c in codes}
        self._chains: dict[object, frozenset[int]] = {}
        with self.project.session() as s:
            self.coder_ids = dict(s.execute(select(m.Coder.name, m.Coder.id)).all())
            self.by_sha: dict[str, int] = {}
            self.by_name: dict[str, list[int]] = {}
            self.lengths: dict[int, int] = {}
            for did, name, sha, length in s.execute(
                select(m.Document.id, m.Document.name, m.Document.sha256, m.Document.length)
            ):
                self.by_sha[sha] = did
                self.by_name.setdefault(name, []).append(did)
                self.lengths[did] = length
            self.fields = {
                fid: (code_id, name, ftype, tuple(choices or ()))
                for fid, code_id, name, ftype, choices in s.execute(
                    select(
                        m.CodeField.id,
                        m.CodeField.code_id,
                        m.CodeField.name,
                        m.CodeField.type,
                        m.CodeField.choices,
                    )
                )  # fmt: skip
            }
        self._texts: OrderedDict[int, str] = OrderedDict()
        self._texts_chars = 0
        self.duplicates = 0

    def _match_field_columns(self) -> None:
        by_column: dict[str, int] = {}
        for fid, (code_id, name, _, _) in self.fields.items():
            by_column[f"{self.code_paths[code_id]}: {name}".casefold()] = fid
        known = set(CODING_COLUMNS)
        self.field_cols: list[tuple[int, int, str]] = []  # (column index, field id, header)
        for i, header in enumerate(self.reader.header):
            if not header or header.casefold() in known:
                continue
            fid = by_column.get(header.casefold()) or by_column.get(self._normalised(header))
            if fid is not None:
                self.field_cols.append((i, fid, header))
            else:
                what = "no field of any code" if ": " in header else "not a column Tessera knows"
                self.report.warnings.append(f"column {header!r} is {what}; its values are ignored")

    @staticmethod
    def _normalised(header: str) -> str:
        """'Actors / Armed groups : kind' -> 'actors/armed groups: kind' (spacing forgiven)."""
        path, sep, name = header.rpartition(":")
        if not sep:
            return header.casefold()
        try:
            return f"{join_path(split_path(path))}: {name.strip()}".casefold()
        except CodePathError:
            return header.casefold()

    def _text(self, did: int) -> str:
        text = self._texts.get(did)
        if text is not None:
            self._texts.move_to_end(did)
            return text
        text = self.session.scalar(select(m.Document.text).where(m.Document.id == did)) or ""
        self._texts[did] = text
        self._texts_chars += len(text)
        while self._texts_chars > TEXT_CACHE_CHARS and len(self._texts) > 1:
            _, old = self._texts.popitem(last=False)
            self._texts_chars -= len(old)
        return text

    # -- checking -----------------------------------------------------------------
    def _lookup_error(self, line: int, message: str) -> None:
        """An unknown document, code or coder is told once, with the lines it is on."""
        lines = self._grouped.get(message)
        if lines is None:
            self._grouped[message] = []
            self._error(line, message)
        else:
            lines.append(line)

    def _group_errors(self) -> None:
        errors = self.report.errors
        for i, (line, message) in enumerate(errors):
            more = self._grouped.get(message)
            if more:
                shown = ", ".join(map(str, more[:5]))
                rest = f" and {len(more) - 5:,} more" if len(more) > 5 else ""
                errors[i] = (
                    line,
                    f"{message} (also on {wording.plural(len(more), 'line')} {shown}{rest})",
                )

    def _error(self, line: int, message: str) -> None:
        if len(self.report.errors) < MAX_ERRORS:
            self.report.errors.append((line, message))
        else:
            self.report.more_errors += 1

    def _document(self, name: str, sha: str) -> int | str:
        """The document's id, or why there is none."""
        if sha:
            did = self.by_sha.get(sha.lower())
            if did is None:
                named = f" ({_short(name)} in the file)" if name else ""
                return f"no document in the project has sha256 {sha}{named}"
            return did
        if not name:
            return "the document is empty"
        if len(name) == 64 and set(name.lower()) <= _HEX and name.lower() in self.by_sha:
            return self.by_sha[name.lower()]
        ids = self.by_name.get(name)
        if not ids:
            return f"no document named {_short(name, 80)} in the project"
        if len(ids) > 1:
            return f"{len(ids)} documents are named {_short(name, 80)}; give its sha256 instead"
        return ids[0]

    def _code(self, raw: str) -> int | tuple[str, ...] | str:
        """The code's id, its path (to create), or why it is refused."""
        try:
            names = tuple(split_path(raw))
        except CodePathError as exc:
            return str(exc) if raw else "the code is empty"
        code_id = self.code_ids.get(names)
        if code_id is not None:
            return code_id
        if self.create_missing:
            return names
        return f"no code {raw!r} in the codebook (use --create-missing to add it)"

    def _coder(self, raw: str) -> int | tuple[str] | str:
        name = raw.strip() or self.default_coder
        if not name:
            return "the coder is empty (fill the column or give a default coder)"
        coder_id = self.coder_ids.get(name)
        if coder_id is not None:
            return coder_id
        if self.create_missing:
            return (name,)
        return f"no coder named {name!r} in the project (use --create-missing to add one)"

    def validate(self, progress: Progress | None = None) -> None:
        total = csvio.count_lines(self.reader.path)
        docs_seen: dict[tuple[str, str], int | str] = {}
        chunk_keys = self._chunk_keys
        codes_seen = self._codes_seen = {}
        coders_seen = self._coders_seen = {}
        width, c_sha, c_text, c_memo = self.width, self.c_sha, self.c_text, self.c_memo
        c_created, c_updated = self.c_created, self.c_updated
        c_coder, c_start, c_end = self.c_coder, self.c_start, self.c_end
        err = self._error
        times: dict[str, str | None] = {}  # as written -> as stored (None: invalid)
        bad_times: list[tuple[int, str]] = []
        field_cells = itemgetter(*(c for c, _, _ in self.field_cols)) if self.field_cols else None
        last_did, doc_text = None, ""
        n = 0
        for line, values in self.reader:
            n += 1
            if progress and n % 2000 == 0:
                progress(self.reader.line, total)
            if len(values) != width:
                if len(values) > width and any(v.strip() for v in values[width:]):
                    err(line, f"{len(values)} values but the header has {width} columns")
                    continue
                values = (values + [""] * width)[:width]
            bad = False
            name = values[self.c_doc].strip()
            sha = values[c_sha].strip() if c_sha is not None else ""
            did = docs_seen.get((name, sha))
            if did is None:
                did = docs_seen[(name, sha)] = self._document(name, sha)
            if isinstance(did, str):
                self._lookup_error(line, did)
                bad = True
            raw_code = values[self.c_code].strip()
            code = codes_seen.get(raw_code)
            if code is None:
                code = codes_seen[raw_code] = self._code(raw_code)
            if isinstance(code, str):
                self._lookup_error(line, code)
                bad = True
            raw_coder = values[c_coder] if c_coder is not None else ""
            coder = coders_seen.get(raw_coder)
            if coder is None:
                coder = coders_seen[raw_coder] = self._coder(raw_coder)
            if isinstance(coder, str):
                self._lookup_error(line, coder)
                bad = True
            raw = values[c_start].strip()
            start = (
                int(raw)
                if raw.isdigit() and raw.isascii()
                else self._bad_offset(line, "start", raw)
            )
            raw = values[c_end].strip()
            end = (
                int(raw) if raw.isdigit() and raw.isascii() else self._bad_offset(line, "end", raw)
            )
            if start is None or end is None or bad:
                continue
            if start >= end:
                err(line, f"start ({start}) must be less than end ({end})")
                continue
            length = self.lengths[did]
            if end > length:
                err(
                    line,
                    f"[{start}, {end}) is outside the text of the document ({length:,} characters)",
                )
                continue
            if did != last_did:
                last_did, doc_text = did, self._text(did)
            quote = doc_text[start:end]
            if c_text is not None:
                given = values[c_text]
                if "\r" in given:
                    given = given.replace("\r\n", "\n")
                if given and given != quote:
                    err(line, self._mismatch(doc_text, start, end, given))
                    continue
            memo = values[c_memo] if c_memo is not None else ""
            if "\r" in memo:
                memo = memo.replace("\r\n", "\n")
            created = updated = None
            if c_created is not None and (raw := values[c_created].strip()):
                created = times[raw] if raw in times else times.setdefault(raw, _iso(raw))
                if created is None:
                    bad_times.append((line, raw))
            if c_updated is not None and (raw := values[c_updated].strip()):
                updated = times[raw] if raw in times else times.setdefault(raw, _iso(raw))
                if updated is None:
                    bad_times.append((line, raw))
            field_values = ()
            if field_cells is not None:
                cells = field_cells(values)
                if cells if isinstance(cells, str) else any(cells):
                    field_values = self._field_values(line, values, code)
                    if field_values is None:
                        continue
            key = (did, code, coder, start, end)
            first = chunk_keys.get(key)
            if first is not None:
                self.report.skipped.append((line, f"the same coding as line {first}"))
                continue
            if self.report.errors:
                continue  # nothing will be stored: only look for more problems
            chunk_keys[key] = line
            self.rows.append(
                (did, code, coder, start, end, quote, memo, created, updated, field_values, line)
            )
            if len(self.rows) >= CHUNK_ROWS:
                self._insert_checked()
        self.report.skipped.sort()
        if bad_times:
            # Times are metadata; a spreadsheet may have rewritten them in its own format.
            line, raw = bad_times[0]
            self.report.warnings.append(
                f"{wording.count(len(bad_times), 'time')} {wording.plural(len(bad_times), 'is')} not ISO 8601 (first on line {line}: {raw!r}); "
                "those codings get the time of this import"
            )
        self._group_errors()
        if n == 0 and not self.report.errors:
            self.report.warnings.append(f"{self.reader.path}: the file has a header but no codings")

    def _bad_offset(self, line: int, name: str, value: str) -> None:
        if not value:
            self._error(line, f"{name} is empty")
        else:
            self._error(line, f"{name} must be a whole number of characters from 0 (got {value!r})")

    def _mismatch(self, doc_text: str, start: int, end: int, given: str) -> str:
        quote = doc_text[start:end]
        for form in ("NFC", "NFKC"):
            if unicodedata.normalize(form, given) == unicodedata.normalize(form, quote):
                # Looks the same on screen: say what differs, in code points.
                kind = "canonically equivalent" if form == "NFC" else "compatibility equivalent"
                return (
                    f"the text {_short(given)} differs from the document at [{start}, {end}) "
                    f"only in Unicode normalisation ({kind}): {_code_point_difference(given, quote)}"
                )
        msg = (
            f"the text {_short(given)} differs from the document at [{start}, {end}), "
            f"which reads {_short(quote)}"
        )
        at = doc_text.find(given)
        if at >= 0:
            msg += f"; that text is at [{at}, {at + len(given)})"
        return msg

    def _field_values(self, line: int, values: list[str], code) -> tuple | None:
        out = []
        ok = True
        for col, fid, header in self.field_cols:
            raw = values[col]
            if not raw.strip():
                continue
            code_id, _, ftype, choices = self.fields[fid]
            if code_id not in self._chain(code):
                owner = self.code_paths[code_id]
                self._error(line, f"column {header!r} has a value but the row's code does not "
                                  f"carry that field (only {owner!r} and its sub-codes do)")  # fmt: skip
                ok = False
                continue
            try:
                out.append((fid, canonical_value(ftype, raw, choices)))
            except FieldValueError as exc:
                self._error(line, f"column {header!r}: {exc}")
                ok = False
        return tuple(out) if ok else None

    def _chain(self, code: int | tuple[str, ...]) -> frozenset[int]:
        """The code and its ancestors: whose fields a coding of it carries. A code still
        to be created inherits from its existing ancestors."""
        chain = self._chains.get(code)
        if chain is None:
            if isinstance(code, tuple):
                ids = [self.code_ids.get(code[:i]) for i in range(len(code) - 1, 0, -1)]
                cur = next((i for i in ids if i is not None), None)
            else:
                cur = code
            found = []
            while cur is not None and cur not in found:
                found.append(cur)
                cur = self.parents.get(cur)
            chain = self._chains[code] = frozenset(found)
        return chain


def _code_points(text: str) -> str:
    return " ".join(f"U+{ord(ch):04X}" for ch in text) or "nothing"


def _code_point_difference(given: str, quote: str) -> str:
    """Where two texts that look alike differ, as code points: the first difference,
    with the differing stretch of each (up to the next common character)."""
    i = 0
    while i < min(len(given), len(quote)) and given[i] == quote[i]:
        i += 1
    j = 0
    while j < min(len(given), len(quote)) - i and given[-1 - j] == quote[-1 - j]:
        j += 1
    ours, theirs = given[i : len(given) - j][:8], quote[i : len(quote) - j][:8]
    return (
        f"at character {i + 1} the file has {_code_points(ours)} where the document has "
        f"{_code_points(theirs)}"
    )


def import_codings_csv(
    project,
    path: Path | str,
    *,
    create_missing: bool = False,
    default_coder: str | None = None,
    progress: Progress | None = None,
) -> CodingsImportReport:
    """Import codings from a CSV file in one transaction: all of it or, if any row is
    bad, none of it (CodingsImportRefused lists every bad row, up to MAX_ERRORS). Rows
    are checked and inserted in chunks, so memory does not grow with the file."""
    path = Path(path)
    report = CodingsImportReport(path)
    try:
        with csvio.CsvReader(path) as reader:
            report.encoding = reader.encoding.name
            report.warnings.extend(reader.warnings)
            job = CodingsCsv(project, reader, report, create_missing, default_coder)
            with project.session() as s:
                job.session = s
                job.validate(progress)
                if report.errors:
                    raise CodingsImportRefused(report)  # rolls back what was inserted
                job.finish()
    except csvio.CsvFormatError as exc:
        report.errors = [(0, str(exc))]
        report.imported = 0
        raise CodingsImportRefused(report) from None
    except IntegrityError:
        report.imported = 0
        report.errors = [(0, f"{report.path}: the project changed while the file was being "
                             "checked (someone coded the same passages?); import it again")]  # fmt: skip
        raise CodingsImportRefused(report) from None
    if progress:
        progress(1, 1)
    return report
