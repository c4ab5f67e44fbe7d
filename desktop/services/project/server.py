"""Moving a project between a file and a server (PostgreSQL): ``push`` copies a project
file into an empty server database, ``pull`` copies a server project into a new file.

Every table of the schema is copied row for row with its ids, in one transaction on
the target (all or nothing), then both sides are read again and compared table by
table: the number of rows and a sha256 over the rows in id order must agree, or the
copy is refused and removed. The source is only read."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, Engine, LargeBinary, Table, insert, select
from sqlalchemy.exc import SQLAlchemyError

from db.engine import advance_sequences
from db.errors import describe_error
from db.models import Base
from db.project_file import ProjectFileError, create_file, create_server, drop_server_schema
from db.server_engine import is_server_url, mask_url
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project

BATCH = 2000  # rows per insert round trip
# rows of a table of files (originals, up to 256 MB each) read at a time, and the bytes
# of them written per round trip: the copy's memory stays bounded
FILE_BATCH = 4
FILE_BATCH_BYTES = 64 * 1024 * 1024
Progress = Callable[[str, int], None]  # (table, rows copied so far)


@dataclass
class CopyReport:
    source: str
    target: str
    # table -> (rows, sha256 of the rows in id order), equal on both sides
    tables: dict[str, tuple[int, str]] = field(default_factory=dict)

    def rows(self, table: str) -> int:
        return self.tables.get(table, (0, ""))[0]


def _tables() -> list[Table]:
    """The schema's tables, parents before children (foreign keys)."""
    return list(Base.metadata.sorted_tables)


def _order(table: Table):
    return [c for c in table.primary_key.columns]


def _canonical(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _has_files(table: Table) -> bool:
    """A table of whole files (originals): read and written a few rows at a time."""
    return any(isinstance(c.type, LargeBinary) for c in table.columns)


def _rows(conn: Connection, table: Table) -> Iterator[dict]:
    per = FILE_BATCH if _has_files(table) else BATCH
    result = conn.execution_options(yield_per=per).execute(select(table).order_by(*_order(table)))
    for row in result.mappings():
        yield dict(row)


def table_digests(engine: Engine) -> dict[str, tuple[int, str]]:
    """(rows, sha256) of every table of the schema, rows in primary-key order, values
    in a form both backends give alike (times as ISO text, JSON with sorted keys)."""
    out: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table in _tables():
            h = hashlib.sha256()
            n = 0
            for row in _rows(conn, table):
                line = json.dumps(
                    [_canonical(row[c.name]) for c in table.columns], sort_keys=True,
                    ensure_ascii=False, default=str,
                )  # fmt: skip
                h.update(line.encode("utf-8") + b"\n")
                n += 1
            out[table.name] = (n, h.hexdigest())
    return out


def _parents_first(rows: list[dict]) -> list[dict]:
    """Codes ordered so that each comes after its parent (a moved code may have a
    smaller id than its parent)."""
    placed: set[int] = set()
    out: list[dict] = []
    pending = rows
    while pending:
        rest = [r for r in pending if r["parent_id"] is not None and r["parent_id"] not in placed]
        ready = [r for r in pending if r["parent_id"] is None or r["parent_id"] in placed]
        if not ready:
            raise ServiceError(
                "the codebook's parents form a loop (damaged project); nothing was copied"
            )
        out.extend(ready)
        placed.update(r["id"] for r in ready)
        pending = rest
    return out


def copy_rows(source: Engine, target: Engine, progress: Progress | None = None) -> None:
    """Every row of every table of ``source`` into the just-made project ``target``, in
    one transaction on the target. A server is read in one snapshot (REPEATABLE READ),
    so that coders writing meanwhile never make the copy inconsistent."""
    src_conn = source.connect()
    if source.dialect.name == "postgresql":
        src_conn = src_conn.execution_options(isolation_level="REPEATABLE READ")
    with src_conn as src, target.begin() as dst:
        # The target was just made: the only rows it has are the ones the schema seeds (the
        # project row, the built-in attributes). The source's own rows replace them.
        for table in reversed(_tables()):
            dst.execute(table.delete())
        for table in _tables():
            rows = _rows(src, table)
            if table.name == "code":
                rows = iter(_parents_first(list(rows)))
            done = 0
            batch: list[dict] = []
            files = _has_files(table)
            held = 0
            for row in rows:
                batch.append(row)
                if files:
                    held += sum(len(v) for v in row.values() if isinstance(v, bytes | memoryview))
                if len(batch) >= BATCH or (files and held >= FILE_BATCH_BYTES):
                    held = 0
                    dst.execute(insert(table), batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(table.name, done)
            if batch:
                dst.execute(insert(table), batch)
                done += len(batch)
            if progress:
                progress(table.name, done)
        with_ids = [t.name for t in _tables() if [c.name for c in t.primary_key.columns] == ["id"]]
        advance_sequences(dst, *with_ids)


def _verify(source: Engine, target: Engine, what: str) -> dict[str, tuple[int, str]]:
    before, after = table_digests(source), table_digests(target)
    wrong = [
        f"{t} ({before[t][0]} rows, {after.get(t, (0, ''))[0]} copied)"
        for t in before
        if before[t] != after.get(t)
    ]
    if wrong:
        raise ServiceError(
            f"{what}: the copy differs from the original in {', '.join(wrong)}; it was removed"
        )
    return before


def push(file: Path | str, url: str, progress: Progress | None = None) -> CopyReport:
    """Copy the project file ``file`` into the empty server database ``url``."""
    if not is_server_url(url):
        raise ServiceError(f"{url}: not a PostgreSQL URL (postgresql://host/database)")
    source = Project.open(file)
    what = f"copying {file} to {mask_url(url)}"
    try:
        source.refuse_if_damaged("copy it to a server")
        try:
            target = create_server(url)
        except ProjectFileError as exc:
            raise ServiceError(str(exc)) from exc
        try:
            copy_rows(source.engine, target, progress)
            digests = _verify(source.engine, target, what)
        except BaseException as exc:
            drop_server_schema(target)
            target.dispose()
            if isinstance(exc, SQLAlchemyError):
                why = describe_error(exc, mask_url(url))
                raise ServiceError(
                    f"{what} failed ({why or exc}); nothing was kept on the server"
                ) from exc
            raise
        target.dispose()
    finally:
        source.close()
    return CopyReport(str(file), mask_url(url), digests)


def pull(url: str, file: Path | str, progress: Progress | None = None) -> CopyReport:
    """Copy the server project ``url`` into a new project file ``file``. The file is
    made under a hidden name and renamed when complete and checked."""
    file = Path(file)
    if not is_server_url(url):
        raise ServiceError(f"{url}: not a PostgreSQL URL (postgresql://host/database)")
    if file.exists():
        raise ServiceError(f"{file}: a file of that name already exists")
    source = Project.open(url)
    what = f"copying {mask_url(url)} to {file}"
    partial = file.with_name(f".{file.name}.pulling")
    for leftover in _with_journals(partial):
        leftover.unlink(missing_ok=True)
    try:
        try:
            target = create_file(partial)
        except ProjectFileError as exc:
            raise ServiceError(str(exc)) from exc
        try:
            copy_rows(source.engine, target, progress)
            digests = _verify(source.engine, target, what)
        finally:
            target.dispose()
        if file.exists():
            raise ServiceError(
                f"{file}: a file of that name appeared meanwhile; nothing was written"
            )
        os.replace(partial, file)
    except BaseException as exc:
        for leftover in _with_journals(partial):
            leftover.unlink(missing_ok=True)
        if isinstance(exc, SQLAlchemyError | OSError):
            why = describe_error(exc, file)
            raise ServiceError(f"{what} failed ({why or exc}); no file was left") from exc
        raise
    finally:
        source.close()
    return CopyReport(mask_url(url), str(file), digests)


def _with_journals(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("", "-wal", "-shm", "-journal")]
