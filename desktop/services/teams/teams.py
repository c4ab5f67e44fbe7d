"""Teams: coders with a stable identity, blind coding, and a copy of the project for one
coder to code offline. Merging the copies back lives in ``merge``.

Project settings used here (``project.settings()``, JSON):

- ``blind`` (bool): a coder sees only their own codings.
- ``reviewer`` (str): the person who runs the study. Only they may lift blind mode from
  the window, and the window shows them every coder's codings. Blind mode guards against
  looking by accident; it is not access control (anyone holding the file can read it).
- ``coder_guids`` ({coder id as text: uuid}): who a coder *is*, across files. The name
  says who a coder is called; two different people may share a name, so merge compares
  these. Keyed by id rather than name so that a rename made by any service keeps the
  identity. A coder with no entry has no recorded identity (a project made before this
  existed, or a coder added without it); one is given on first need.
- ``copy_of`` (dict, in a copy only): the project and coder it was made for.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from db import models as m
from db.engine import make_engine
from desktop.services.errors import Conflict, NotFound, ServiceError
from desktop.services.project import audit
from desktop.services.teams import coders

BLIND = "blind"
REVIEWER = "reviewer"
GUIDS = "coder_guids"
COPY_OF = "copy_of"


class NotAllowed(ServiceError):
    """The action is the reviewer's to take."""


# -- settings inside a session ---------------------------------------------------


def read_settings(s: Session, *, for_update: bool = False) -> dict:
    """The project's settings. ``for_update``: the transaction will write them back; on
    a server the row is locked until it ends, so that a change another client makes at
    the same moment waits and is kept instead of being written over."""
    if not for_update:
        info = s.get(m.ProjectInfo, 1)
    else:
        info = s.scalars(
            select(m.ProjectInfo).where(m.ProjectInfo.id == 1).with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()  # fmt: skip
    return dict(info.settings or {}) if info else {}


def write_settings(s: Session, settings: dict) -> None:
    info = s.get(m.ProjectInfo, 1)
    if info is None:
        raise ServiceError("the project has no project row (damaged file)")
    info.settings = dict(settings)


def guids_in(settings: dict) -> dict[int, str]:
    return {int(k): v for k, v in (settings.get(GUIDS) or {}).items() if v}


def with_guids(settings: dict, guids: dict[int, str]) -> dict:
    return {**settings, GUIDS: {str(k): v for k, v in sorted(guids.items())}}


def new_guid() -> str:
    return str(uuid.uuid4())


# -- blind mode ---------------------------------------------------------------------


def is_blind(project) -> bool:
    return bool(project.settings().get(BLIND))


def reviewer(project) -> str | None:
    return project.settings().get(REVIEWER) or None


def can_lift_blind(project, actor: str | None) -> bool:
    """Whether ``actor`` may turn blind mode off: anyone if no reviewer is named."""
    rev = reviewer(project)
    return rev is None or (actor or "").strip() == rev


def set_blind(
    project, on: bool, *, by: str | None = None, reviewer_name: str | None = None
) -> bool:
    """Turn blind mode on or off; returns the previous state.

    ``by`` is who asks: the window passes the active coder's name, and lifting blind
    mode is then refused unless they are the reviewer. The CLI is the reviewer's tool
    and passes None. ``reviewer_name`` names (or renames) the reviewer; changing it
    while blind follows the same rule as lifting."""
    with project.session() as s:
        settings = read_settings(s, for_update=True)
        was = bool(settings.get(BLIND))
        current = settings.get(REVIEWER) or None
        asker = (by or "").strip()
        new_reviewer = (reviewer_name or "").strip() or current
        if by is not None and current and asker != current:
            if was and not on:
                raise NotAllowed(f"only the reviewer ({current}) can lift blind mode")
            if was and new_reviewer != current:
                raise NotAllowed(f"only the reviewer ({current}) can name another reviewer")
        if on and not new_reviewer and asker:
            new_reviewer = asker
        new = {**settings, BLIND: bool(on)}
        if new_reviewer:
            new[REVIEWER] = new_reviewer
        if new != settings:
            write_settings(s, new)
            audit.record(
                s, project.actor or asker, "update", "project", 1,
                {BLIND: was, REVIEWER: current}, {BLIND: bool(on), REVIEWER: new_reviewer},
            )  # fmt: skip
        return was


def visible_coder_ids(project, active_coder_id: int | None) -> list[int] | None:
    """Whose codings the window shows: None for everyone's. In blind mode a coder sees
    only their own (no active coder: nobody's), and the reviewer sees everyone's."""
    with project.session() as s:
        settings = read_settings(s)
        if not settings.get(BLIND):
            return None
        if active_coder_id is None:
            return []
        rev = settings.get(REVIEWER)
        if rev and s.scalar(select(m.Coder.name).where(m.Coder.id == active_coder_id)) == rev:
            return None
        return [active_coder_id]


# -- coders -------------------------------------------------------------------------


def coder_guids(project) -> dict[int, str]:
    """{coder id: identity} of the coders that have one."""
    return guids_in(project.settings())


def ensure_guid(s: Session, coder_id: int) -> str:
    """The coder's identity, recorded now if it had none (inside an open session)."""
    settings = read_settings(s, for_update=True)
    guids = guids_in(settings)
    if coder_id not in guids:
        guids[coder_id] = new_guid()
        write_settings(s, with_guids(settings, guids))
    return guids[coder_id]


def coder_guid(project, coder_id: int) -> str:
    with project.session() as s:
        if s.get(m.Coder, coder_id) is None:
            raise NotFound(f"no coder with id {coder_id}")
        return ensure_guid(s, coder_id)


def add_coder(project, name: str, color: str | None = None) -> coders.CoderInfo:
    """A new coder with an identity of their own."""
    with project.session() as s:
        c = add_coder_in(s, project.actor, name, color)
        return coders.CoderInfo(c.id, c.name, c.color)


def add_coder_in(
    s: Session, actor: str, name: str, color: str | None = None, db_role: str | None = None
) -> m.Coder:
    """Inside an open session: a new coder with an identity of their own (and, on a
    team server, the database role they log in as)."""
    name = name.strip()
    if not name:
        raise ServiceError("a coder needs a name")
    if s.scalar(select(m.Coder.id).where(m.Coder.name == name)) is not None:
        raise Conflict(f"a coder named {name!r} already exists")
    n = s.scalar(select(func.count()).select_from(m.Coder)) or 0
    c = m.Coder(name=name, color=color or coders.PALETTE[n % len(coders.PALETTE)])
    if db_role is not None:
        c.db_role = db_role
    s.add(c)
    s.flush()
    guid = ensure_guid(s, c.id)
    new = {"name": name, "guid": guid, **({"db_role": db_role} if db_role else {})}
    audit.record(s, actor, "create", "coder", c.id, None, new)
    return c


def lookup_coder(project, key: str) -> coders.CoderInfo:
    """A coder by name, or by id written as ``#3``."""
    key = key.strip()
    if key.startswith("#") and key[1:].isdigit():
        return coders.get_coder(project, int(key[1:]))
    found = coders.find_coder(project, key)
    if found is None:
        raise NotFound(f"no coder named {key!r}")
    return found


def rename_coder(project, coder_id: int, new_name: str) -> str:
    """Rename a coder (identity and codings stay); returns the old name. If the coder
    was the reviewer, the reviewer setting follows the rename."""
    new_name = new_name.strip()
    if not new_name:
        raise ServiceError("a coder needs a name")
    with project.session() as s:
        c = s.get(m.Coder, coder_id)
        if c is None:
            raise NotFound(f"no coder with id {coder_id}")
        old = c.name
        if old == new_name:
            return old
        if s.scalar(select(m.Coder.id).where(m.Coder.name == new_name)) is not None:
            raise Conflict(f"a coder named {new_name!r} already exists")
        c.name = new_name
        settings = read_settings(s, for_update=True)
        if settings.get(REVIEWER) == old:
            write_settings(s, {**settings, REVIEWER: new_name})
        audit.record(s, project.actor, "update", "coder", c.id, {"name": old}, {"name": new_name})
        return old


# -- a copy for one coder -------------------------------------------------------------


@dataclass(frozen=True)
class CopyReport:
    path: Path
    coder: str
    coder_guid: str
    coder_added: bool  # the coder was new to the project
    documents: int
    codes: int
    own_codings: int  # the coder's codings already in the project, carried to the copy
    blind: bool


def copy_for_coder(project, name: str, out_path: Path | str) -> CopyReport:
    """A new project file for coder ``name`` to code in offline and merge back.

    It holds every document (text, metadata, pages) and the whole codebook (colours,
    definitions, criteria, examples, typed fields), the project settings (blind mode
    and reviewer too), and one coder: ``name``, created in this project first if new,
    with the same identity in both files. Other coders, their codings and the audit
    log are left out (the log would show their work) and the file is vacuumed, so
    nothing of theirs can be read from it. ``name``'s own codings, if any, are kept,
    so a copy can be re-issued (a lost laptop) without losing work: merging them back
    adds nothing twice."""
    project.refuse_if_damaged("make a copy for a coder")  # the damage would go with it
    out = Path(out_path)
    name = name.strip()
    if not name:
        raise ServiceError("a coder needs a name")
    if out.exists():
        raise ServiceError(f"{out}: a file of that name already exists")
    if not out.parent.is_dir():
        raise ServiceError(f"{out}: the folder {out.parent} does not exist")
    if out.resolve() == project.path.resolve():
        raise ServiceError("the copy must be a new file, not the project itself")

    with project.session() as s:
        coder = s.scalar(select(m.Coder).where(m.Coder.name == name))
        added = coder is None
        if added:
            n = s.scalar(select(func.count()).select_from(m.Coder)) or 0
            coder = m.Coder(name=name, color=coders.PALETTE[n % len(coders.PALETTE)])
            s.add(coder)
            s.flush()
        guid = ensure_guid(s, coder.id)
        # Codes get an identity too, carried by the copy: a code renamed or moved here
        # while the coder works is still matched when the copy is merged back. (On a
        # server only the owner may write codes; a reviewer's copy matches them by path.)
        if not project.is_server or s.scalar(
            text("SELECT has_column_privilege('code', 'guid', 'UPDATE')")
        ):
            for c in s.scalars(select(m.Code).where(m.Code.guid.is_(None))):
                c.guid = new_guid()
        if added:
            audit.record(
                s, project.actor, "create", "coder", coder.id, None, {"name": name, "guid": guid}
            )
        coder_id = coder.id
        master_name = s.get(m.ProjectInfo, 1).name

    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        _backup(project, partial)
        counts = _strip_copy(
            partial, coder_id, name, guid, master_name, project.path.name, project.actor
        )
        os.replace(partial, out)
    finally:
        for p in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            p.unlink(missing_ok=True)
    return CopyReport(out, name, guid, added, *counts)


def _backup(project, target: Path) -> None:
    """A consistent snapshot of the open project: through SQLite's backup API, or row
    by row from a server (in one snapshot) into a new file."""
    if project.is_server:
        from db.project_file import ProjectFileError, create_file
        from desktop.services.project.server import copy_rows

        try:
            engine = create_file(target)
        except ProjectFileError as exc:
            raise ServiceError(str(exc)) from exc
        try:
            copy_rows(project.engine, engine)
        finally:
            engine.dispose()
        return
    raw = project.engine.raw_connection()
    try:
        dst = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(dst)
        finally:
            dst.close()
    finally:
        raw.close()


def _strip_copy(
    path: Path, coder_id: int, name: str, guid: str, master: str, master_file: str, actor: str
) -> tuple[int, int, int, bool]:
    engine = make_engine(path)
    try:
        with Session(engine) as s, s.begin():
            s.execute(delete(m.Coding).where(m.Coding.coder_id != coder_id))
            s.execute(delete(m.Coder).where(m.Coder.id != coder_id))
            s.execute(delete(m.AuditEntry))
            settings = with_guids(read_settings(s), {coder_id: guid})
            settings[COPY_OF] = {
                "project": master, "file": master_file, "coder": name, "made_at": m.utcnow().isoformat(),
            }  # fmt: skip
            write_settings(s, settings)
            audit.record(
                s, actor, "copy", "project", 1, None, {"for_coder": name, "from": master_file}
            )

            def count(model) -> int:
                return s.scalar(select(func.count()).select_from(model)) or 0

            counts = (count(m.Document), count(m.Code), count(m.Coding), bool(settings.get(BLIND)))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("PRAGMA journal_mode = DELETE")
    finally:
        engine.dispose()
    return counts
