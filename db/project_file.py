"""Creating, recognising, upgrading and opening Tessera project files.

A project file is recognised without writing to it: SQLite's header, then
``PRAGMA application_id`` (our magic) and ``PRAGMA user_version`` (the schema
version), read through a read-only connection.

A server project (a PostgreSQL database) carries the same two numbers in a one-row
table, ``tessera_identity``, written in the transaction that creates or upgrades its
schema: the same checks refuse a foreign database and a newer schema, and upgrade an
older one."""

from __future__ import annotations

import filecmp
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, event

from db.engine import connect_ro, make_engine
from db.errors import describe_error
from db.integrity import has_wal, read_mode
from db.server_engine import mask_url

if TYPE_CHECKING:
    from alembic.config import Config

APPLICATION_ID = 0x54455353  # "TESS"
SCHEMA_VERSION = 8  # bump with every migration; equals the alembic head's number
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).with_name("migrations")
# Pages copied per step of SQLite's backup API: the copy goes to disk as it is read.
BACKUP_STEP_PAGES = 1024


class ProjectFileError(Exception):
    """The file cannot be opened as a Tessera project; the message says why."""


# The tables each schema version has: a file that says it is a Tessera project but
# lacks one of them is refused with a message instead of failing at the first query.
TABLES = {
    1: frozenset({"project", "coder", "document", "page", "code", "coding"}),
    2: frozenset(
        {"project", "coder", "document", "page", "code", "coding",
         "code_field", "code_example", "coding_value", "audit_log"}
    ),
}  # fmt: skip
# the full-text index (a virtual table and its shadow tables) came with version 3
TABLES[3] = TABLES[2] | {"document_fts"}
# attributes, cases, sets and the journal came with version 4
TABLES[4] = TABLES[3] | {
    "attribute",
    "attribute_value",
    "study_case",
    "case_value",
    "case_document",
    "item_set",
    "set_document",
    "set_code",
    "journal_entry",
}
TABLES[5] = TABLES[4]  # version 5 added an index only
TABLES[6] = TABLES[5]  # version 6 added a column (coder.db_role)
TABLES[7] = TABLES[6]  # version 7 added triggers on a server only (live updates)
TABLES[8] = TABLES[7] | {"original_file"}  # the files documents were imported from


@dataclass(frozen=True)
class FileStatus:
    schema_version: int
    backup: Path | None = None
    # "ro" or "immutable" when the file or its folder cannot be written to: the project
    # is opened read-only (it can be read and exported, not changed)
    read_only: str | None = None
    read_only_reason: str | None = None
    # a server project upgraded when opened: the schema version it had (no backup copy
    # is made of a server database: the upgrade is one transaction, all or nothing)
    upgraded_from: int | None = None


def _stamp_sql() -> list[str]:
    return [f"PRAGMA application_id = {APPLICATION_ID}", f"PRAGMA user_version = {SCHEMA_VERSION}"]


def migration_engine(path: Path) -> Engine:
    """An engine whose transactions SQLite really runs: an explicit BEGIN IMMEDIATE
    (pysqlite by itself commits before every CREATE/ALTER/DROP), so all migrations and
    the version stamp commit together or not at all."""
    engine = make_engine(path)

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _upgrade(engine: Engine, stamp: list[str] | None = None) -> None:
    """Migrate to the head and stamp the file, in one transaction."""
    from alembic import command

    cfg = alembic_config(engine)
    cfg.attributes["final_sql"] = _stamp_sql() if stamp is None else stamp
    command.upgrade(cfg, "head")


def alembic_config(engine: Engine) -> Config:
    # Alembic is imported only when a schema is made or upgraded: it costs ~0.1 s at start-up.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def create_file(path: Path) -> Engine:
    """A new, empty project file at the current schema version.

    The schema is built in a hidden file beside the target and renamed into place when
    complete, so a crash (or a full disk) never leaves a half-made project under the
    name the user chose."""
    path = Path(path)
    if path.exists():
        raise ProjectFileError(f"{path}: a file of that name already exists")
    if not path.parent.is_dir():
        raise ProjectFileError(f"{path}: the folder {path.parent} does not exist")
    partial = path.with_name(f".{path.name}.partial")
    _remove_with_journals(partial)
    engine = migration_engine(partial)
    try:
        _upgrade(engine)
        engine.dispose()
        conn = sqlite3.connect(partial)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        if path.exists():  # made by someone else meanwhile
            raise ProjectFileError(f"{path}: a file of that name already exists")
        os.replace(partial, path)
    except Exception as exc:
        engine.dispose()
        _remove_with_journals(partial)
        if isinstance(exc, ProjectFileError):
            raise
        why = describe_error(exc, path)
        if why is not None:
            raise ProjectFileError(f"cannot create the project: {why}") from exc
        raise
    _remove_with_journals(partial)  # the -wal/-shm of the hidden name, if any are left
    return make_engine(path)


def _remove_with_journals(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def read_versions(path: Path) -> tuple[int, int]:
    """(application_id, user_version) of a SQLite file, read without writing."""
    path = Path(path)
    if not path.exists():
        raise ProjectFileError(f"{path}: no such file")
    if path.is_dir():
        raise ProjectFileError(f"{path}: is a folder, not a project file")
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise ProjectFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    if header != SQLITE_MAGIC:
        raise ProjectFileError(f"{path}: not a Tessera project (not an SQLite database)")
    # With no -wal beside it the file is the whole truth: read it as immutable, which
    # creates no -wal/-shm files (a refused file is left exactly as it was found). With
    # a -wal, committed changes (even to user_version) may still sit in it.
    try:
        conn = connect_ro(path, immutable=not has_wal(path))
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise _unreadable(path, exc) from exc
    return app_id, version


def _unreadable(path: Path, exc: sqlite3.DatabaseError) -> ProjectFileError:
    why = describe_error(exc, path)
    if why is not None and why.kind == "damaged":
        return ProjectFileError(
            f"{path}: the database cannot be read: the file is damaged ({exc}); bring back "
            "a backup with `tessera restore` (File > Restore in the window)"
        )
    return ProjectFileError(f"{path}: the database cannot be read ({exc})")


def _tables_are(names) -> str:
    """'the table x is' or 'the tables x, y are' (db/ cannot use desktop.core.wording)."""
    names = sorted(names)
    return f"the table {names[0]} is" if len(names) == 1 else f"the tables {', '.join(names)} are"


def check_file(path: Path) -> int:
    """The file's schema version, or ProjectFileError if Tessera must not open it."""
    app_id, version = read_versions(path)
    if app_id != APPLICATION_ID:
        raise ProjectFileError(
            f"{path}: not a Tessera project (an SQLite database of another program)"
        )
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"{path}: made by a newer Tessera (schema {version}; this version reads up to "
            f"{SCHEMA_VERSION}). Update Tessera to open it; the file was not changed."
        )
    if version < 1:
        raise ProjectFileError(f"{path}: not a Tessera project (no schema version)")
    missing = TABLES.get(version, frozenset()) - _table_names(path)
    if missing:
        raise ProjectFileError(
            f"{path}: marked as a Tessera project but incomplete: {_tables_are(missing)} "
            f"missing (the file is damaged, or was made or "
            f"changed by another program). Bring back a backup with `tessera restore`; "
            f"the file was not changed."
        )
    return version


def _table_names(path: Path) -> set[str]:
    try:
        conn = connect_ro(path, immutable=not has_wal(path))
        try:
            return {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise _unreadable(path, exc) from exc


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` at ``target`` through SQLite's online backup API
    (safe while other connections write). Written under a temporary name and renamed,
    so ``target`` is either absent or complete, never half-written."""
    source, target = Path(source), Path(target)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = connect_ro(source)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=BACKUP_STEP_PAGES)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()


def backup_copy(path: Path, suffix: str) -> Path:
    """A consistent copy of the database beside it, through SQLite's backup API, named
    ``<stem>.<suffix><ext>``. A copy already there is never overwritten: if it holds
    the same bytes (a retried upgrade of the unchanged file) it is the copy and no
    second one is made; if it differs, the new copy gets a time-stamped name."""
    path = Path(path)
    target = path.with_name(f"{path.stem}.{suffix}{path.suffix}")
    fresh = path.with_name(f".{path.stem}.{suffix}.new{path.suffix}")
    try:
        copy_database(path, fresh)
        same = [
            f
            for f in sorted(path.parent.glob(f"{path.stem}.{suffix}*{path.suffix}"))
            if f.is_file() and filecmp.cmp(f, fresh, shallow=False)
        ]
        if same:
            fresh.unlink()
            return same[0]
        if target.exists():
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            target = path.with_name(f"{path.stem}.{suffix}-{stamp}{path.suffix}")
            n = 1
            while target.exists():
                target = path.with_name(f"{path.stem}.{suffix}-{stamp}-{n}{path.suffix}")
                n += 1
        os.replace(fresh, target)
    except (OSError, sqlite3.Error) as exc:
        fresh.unlink(missing_ok=True)
        why = describe_error(exc, path)
        raise ProjectFileError(
            f"{path}: cannot make a copy before upgrading it, so it was left as it was "
            f"({why or exc})"
        ) from exc
    return target


def check_writable(path: Path) -> None:
    """ProjectFileError if changes to the project could not be saved: SQLite needs to
    write the file and to create its -wal and -shm files beside it."""
    path = Path(path)
    if not os.access(path, os.W_OK):
        raise ProjectFileError(
            f"{path}: the project file is read-only, so Tessera cannot save changes to it; "
            "copy it somewhere you can write to, or change its permissions. The file was not changed."
        )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ProjectFileError(
            f"{path}: its folder {path.parent} is read-only, so Tessera cannot save changes "
            "(SQLite keeps a journal beside the file); copy the project somewhere you can "
            "write to. The file was not changed."
        )


def open_file(path: Path) -> tuple[Engine, FileStatus]:
    """Open an existing project, upgrading an older schema after a backup copy. A file
    Tessera may not write to (or in a read-only folder or medium) is opened read-only."""
    path = Path(path)
    version = check_file(path)
    try:
        check_writable(path)
    except ProjectFileError as exc:
        return _open_read_only(path, version, str(exc))
    backup = None
    if version < SCHEMA_VERSION:
        backup = backup_copy(path, f"before-upgrade-v{version}")
        engine = migration_engine(path)
        try:
            _upgrade(engine)
        except Exception as exc:
            why = describe_error(exc, path)
            raise ProjectFileError(
                f"{path}: upgrading it to the current schema failed ({why or exc}); the "
                f"upgrade runs in one transaction, so nothing of it was kept: the file is "
                f"still at schema {version}, as it was; a copy of it is at {backup}"
            ) from exc
        finally:
            engine.dispose()
    return make_engine(path), FileStatus(schema_version=SCHEMA_VERSION, backup=backup)


def _open_read_only(path: Path, version: int, why: str) -> tuple[Engine, FileStatus]:
    reason = why.removesuffix(" The file was not changed.")
    if version < SCHEMA_VERSION:
        raise ProjectFileError(
            f"{reason} It was made by an older Tessera (schema {version}) and must be "
            f"upgraded before it can be opened, which needs write access."
        )
    mode = read_mode(path)
    return make_engine(path, read_only=mode), FileStatus(
        schema_version=version, read_only=mode, read_only_reason=reason
    )


# -- server projects (PostgreSQL) ------------------------------------------------------

IDENTITY_TABLE = "tessera_identity"
# Tables only a file has: on a server the full-text index is an index, not a table.
SQLITE_ONLY_TABLES = frozenset({"document_fts"})
# Tables of a server project that are not Tessera's models (the last: a team's roles,
# see db.server_roles).
SERVER_BOOKKEEPING = frozenset({IDENTITY_TABLE, "alembic_version", "tessera_team"})
# Functions of a server project's schema outside the team's (the live updates' triggers).
SERVER_FUNCTIONS = ("tessera_notify()", "tessera_channel()")


def _server_stamp_sql() -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {IDENTITY_TABLE} ("
        "application_id integer NOT NULL, schema_version integer NOT NULL)",
        f"DELETE FROM {IDENTITY_TABLE}",
        f"INSERT INTO {IDENTITY_TABLE} VALUES ({APPLICATION_ID}, {SCHEMA_VERSION})",
    ]


def _unreachable(url: str, exc: Exception) -> ProjectFileError:
    why = describe_error(exc, mask_url(url))
    return ProjectFileError(str(why) if why is not None else f"{mask_url(url)}: {exc}")


def _server_tables(engine: Engine) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(engine).get_table_names())


def create_server(url: str) -> Engine:
    """The schema of a new project in the empty PostgreSQL database ``url`` names, made
    and stamped in one transaction. A database that has tables already is refused and
    left as it was."""
    from sqlalchemy.exc import SQLAlchemyError

    shown = mask_url(url)
    engine = make_engine(url)
    try:
        tables = _server_tables(engine)
        if tables:
            raise ProjectFileError(
                f"{shown}: the database is not empty (it has the table{'s' if len(tables) > 1 else ''} "
                f"{', '.join(sorted(tables)[:5])}{', ...' if len(tables) > 5 else ''}); a new "
                "project needs an empty database of its own (e.g. `createdb`). Nothing was changed."
            )
        _upgrade(engine, _server_stamp_sql())
    except ProjectFileError:
        engine.dispose()
        raise
    except (SQLAlchemyError, OSError) as exc:
        engine.dispose()
        raise _unreachable(url, exc) from exc
    except Exception as exc:
        engine.dispose()
        if (
            getattr(exc, "kind", None) is None
        ):  # not a storage failure, as the services translate them
            raise
        raise ProjectFileError(str(exc)) from exc
    return engine


def drop_server_schema(engine: Engine) -> None:
    """Remove what ``create_server`` made (a project that could not be made whole)."""
    from sqlalchemy import text

    from db.models import Base
    from db.server_roles import FUNCTIONS

    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        for table in SERVER_BOOKKEEPING:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        for function in (*FUNCTIONS, *SERVER_FUNCTIONS):
            conn.execute(text(f"DROP FUNCTION IF EXISTS {function}"))


def check_server(url: str, engine: Engine) -> int:
    """The server project's schema version, or ProjectFileError if Tessera must not
    open the database (empty, of another program, newer, incomplete)."""
    from sqlalchemy import text

    shown = mask_url(url)
    tables = _server_tables(engine)
    if not tables:
        raise ProjectFileError(
            f"{shown}: the database is empty, not a Tessera project; make one there with "
            f"`tessera new {shown}` (or `tessera push FILE {shown}`)"
        )
    if IDENTITY_TABLE not in tables:
        raise ProjectFileError(
            f"{shown}: not a Tessera project (a PostgreSQL database of another program); "
            "nothing was changed"
        )
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT application_id, schema_version FROM {IDENTITY_TABLE}")
        ).all()
    if len(rows) != 1 or rows[0][0] != APPLICATION_ID:
        raise ProjectFileError(
            f"{shown}: not a Tessera project (its {IDENTITY_TABLE} table is not Tessera's); "
            "nothing was changed"
        )
    version = rows[0][1]
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"{shown}: made by a newer Tessera (schema {version}; this version reads up to "
            f"{SCHEMA_VERSION}). Update Tessera to open it; the database was not changed."
        )
    if version < 1:
        raise ProjectFileError(f"{shown}: not a Tessera project (no schema version)")
    missing = (TABLES.get(version, frozenset()) - SQLITE_ONLY_TABLES) - tables
    if missing:
        raise ProjectFileError(
            f"{shown}: marked as a Tessera project but incomplete: {_tables_are(missing)} "
            f"missing (changed by another program?); the "
            "database was not changed."
        )
    return version


def open_server(url: str) -> tuple[Engine, FileStatus]:
    """Open a server project, upgrading an older schema in one transaction (the
    status says from which version; a failed upgrade leaves the database as it was)."""
    from sqlalchemy.exc import SQLAlchemyError

    engine = make_engine(url)
    try:
        version = check_server(url, engine)
        if version < SCHEMA_VERSION:
            from db.server_roles import read_team, setup_sql

            stamp = _server_stamp_sql()
            with engine.connect() as conn:
                team = read_team(conn)
            if team is not None:  # a team's grants and policies cover the new schema too
                stamp += setup_sql(team, engine.url.database or "")
            try:
                _upgrade(engine, stamp)
            except Exception as exc:
                # a storage failure, raw or as the services translate them (``kind``)
                if not isinstance(exc, SQLAlchemyError | OSError) and not hasattr(exc, "kind"):
                    raise
                why = describe_error(exc, mask_url(url)) or exc
                kind = getattr(why, "kind", None)
                why = str(why).removeprefix(f"{mask_url(url)}: ")
                if kind == "permission":
                    why = (f"{why} Only the role that owns the project's tables (or a "
                           "superuser) can upgrade it: they open it once with this Tessera")  # fmt: skip
                raise ProjectFileError(
                    f"{mask_url(url)}: upgrading it from schema {version} to {SCHEMA_VERSION} "
                    f"failed ({why}); the upgrade runs in one transaction, so nothing "
                    "of it was kept: the database is as it was."
                ) from exc
            return engine, FileStatus(schema_version=SCHEMA_VERSION, upgraded_from=version)
    except ProjectFileError:
        engine.dispose()
        raise
    except (SQLAlchemyError, OSError) as exc:
        engine.dispose()
        raise _unreachable(url, exc) from exc
    except Exception as exc:
        engine.dispose()
        if (
            getattr(exc, "kind", None) is None
        ):  # not a storage failure, as the services translate them
            raise
        raise ProjectFileError(str(exc)) from exc
    return engine, FileStatus(schema_version=version)
