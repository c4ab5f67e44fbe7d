"""The open project: the one object the GUI and the CLI hold (like Anki's Collection).

Every user action is one short transaction through ``project.session()``; there is no
Save and nothing to lose on a crash. Workers in other threads call the same services
with the same Project: each call opens its own session, and SQLite serialises writes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db import models as m
from db.engine import make_sessionmaker
from db.errors import restate_lost_commit
from db.integrity import integrity_check
from db.project_file import (
    SCHEMA_VERSION,
    ProjectFileError,
    create_file,
    create_server,
    drop_server_schema,
    open_file,
    open_server,
)
from db.server_engine import commit_outcome, is_server_url, mask_url, open_transaction_id
from desktop.services.errors import Conflict, ServiceError
from desktop.services.resources import resources_dir

TEMPLATES = ("conflict-news", "empty")


def template_path(name: str) -> Path:
    path = Path(name)
    if path.suffix == ".json" and path.is_file():
        return path
    candidate = resources_dir() / "templates" / f"{name}.json"
    if not candidate.is_file():
        # then the templates the user saved (desktop.services.project.templates)
        from desktop.services.project.templates import find_user_template, list_templates

        saved = find_user_template(name)
        if saved is not None:
            return saved
        known = ", ".join(t.key for t in list_templates())
        raise ServiceError(f"unknown codebook template {name!r} (known: {known})")
    return candidate


class Project:
    def __init__(
        self, path: Path | str, engine: Engine, *, upgraded_from_backup: Path | None = None
    ):
        # A server project (a postgresql:// URL): ``url`` is it, ``path`` only a name
        # (the database's) for the places that name things after the project.
        self.url: str | None = str(path) if is_server_url(str(path)) else None
        self.path = Path(engine.url.database or "project") if self.url else Path(path)
        self.engine = engine
        # a server project upgraded when opened: the schema version it had
        self.upgraded_from: int | None = None
        self._sessions: sessionmaker[Session] = make_sessionmaker(engine)
        self.backup_before_upgrade = upgraded_from_backup
        self.actor = ""  # the coder name recorded in the audit log
        # Why the file is open read-only (its folder or medium cannot be written to), or None.
        self.read_only: str | None = None
        # What SQLite's quick_check found wrong with the file when it was opened; while
        # this is not empty and the user has not chosen to go on, writes are refused.
        self.damage: list[str] = []
        # the file passed its check when opened (or was known sound): closing it seals it
        self._sound_at_open = False
        self.damage_message = ""
        # A server project whose connection is lost (desktop.services.project.live): why,
        # while every session is refused at once, before it reaches for the network.
        self.offline: str | None = None
        # Called (from any thread) when an action found the server's connection lost.
        self.connection_lost_hooks: list[Callable[[], None]] = []

    @property
    def location(self) -> str:
        """Where the project is, as shown to a user: the file's path, or the server's
        URL with any password masked."""
        return mask_url(self.url) if self.url else str(self.path)

    @property
    def is_server(self) -> bool:
        return self.url is not None

    # -- lifecycle ---------------------------------------------------------------
    @classmethod
    def create(
        cls, path: Path | str, *, template: str = "empty", name: str | None = None,
        actor: str = "",
    ) -> Project:  # fmt: skip
        """A new project file (or server project) with the template's codebook; the
        audit log names ``actor`` for the codes the template adds."""
        server = is_server_url(str(path))
        path = str(path) if server else Path(path)
        tpl = template_path(template)  # fail before creating anything
        try:
            engine = create_server(str(path)) if server else create_file(Path(path))
        except ProjectFileError as exc:
            raise ServiceError(str(exc)) from exc
        project = cls(path, engine)
        project.actor = actor
        try:
            try:
                data = json.loads(tpl.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ServiceError(f"{tpl}: the template cannot be read ({exc})") from exc
            with project.session() as s:
                s.add(m.ProjectInfo(id=1, name=name or project.path.stem, settings={}))
            from desktop.services.codebook import codebook

            codebook.load_template(project, data)
        except Exception as exc:
            # A project that could not be made whole is not left behind half made.
            if server:
                drop_server_schema(engine)
            project.close()
            if not server:
                for leftover in (
                    path,
                    path.with_name(path.name + "-wal"),
                    path.with_name(path.name + "-shm"),
                ):
                    leftover.unlink(missing_ok=True)
            if isinstance(exc, ServiceError):
                raise
            raise ServiceError(
                f"{tpl}: the template is not valid ({type(exc).__name__}: {exc})"
            ) from exc
        return project

    @classmethod
    def open(cls, path: Path | str) -> Project:
        """Open a project file. A damaged file (SQLite's quick_check fails) opens for
        reading only, with ``damage`` and ``damage_message`` set, until the user
        restores a backup or calls ``go_on_despite_damage``; a file that cannot be
        written to opens read-only, with ``read_only`` saying why."""
        from desktop.services.project import storage_errors

        storage_errors.install()  # a refused write reaches the user as a sentence
        if is_server_url(str(path)):
            return cls._open_server(str(path))
        path = Path(path)
        try:
            engine, status = open_file(path)
        except ProjectFileError as exc:
            raise ServiceError(str(exc)) from exc
        project = cls(path, engine, upgraded_from_backup=status.backup)
        guard = engine.write_guard  # type: ignore[attr-defined]
        if status.read_only:
            project.read_only = status.read_only_reason or "the file cannot be written to"
            guard.refusal = (
                f"{project.read_only} It is open read-only: it can be read and exported, "
                "not changed."
            )
        from desktop.services.project import backup_folder

        # a file exactly as Tessera left it after a check needs no new check
        problems = [] if backup_folder.known_sound(path) else integrity_check(path, quick=True)
        project._sound_at_open = not problems
        if problems:
            from desktop.services.project.backup_folder import damage_message

            project.damage = problems
            project.damage_message = damage_message(path, problems)
            if not status.read_only:
                guard.kind, guard.refusal = "damaged", project.damage_message
        return project

    @classmethod
    def _open_server(cls, url: str) -> Project:
        """A server project: no file to check or back up; the server keeps its data
        sound, an upgrade is one transaction (``upgraded_from`` says from which version)."""
        try:
            engine, status = open_server(url)
        except ProjectFileError as exc:
            raise ServiceError(str(exc)) from exc
        project = cls(url, engine)
        project.upgraded_from = status.upgraded_from
        return project

    def go_on_despite_damage(self) -> None:
        """The user chose to write to the damaged file anyway."""
        guard = self.engine.write_guard  # type: ignore[attr-defined]
        if guard.kind == "damaged":
            guard.refusal = None

    def refuse_if_damaged(self, doing: str) -> None:
        """A ServiceError naming the damage, if the project is damaged and the user has
        not chosen to go on (for work that reads the file to write another one)."""
        guard = self.engine.write_guard  # type: ignore[attr-defined]
        if self.damage and guard.refusal is not None:
            from desktop.services.project.storage_errors import StorageFailure

            raise StorageFailure("damaged", f"cannot {doing}: {self.damage_message}")

    def close(self) -> None:
        self.engine.dispose()
        if self._sound_at_open and not self.read_only and self.url is None:
            from desktop.services.project import backup_folder

            backup_folder.seal_sound(self.path)

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- sessions ------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error.

        On a server, what another client committed a moment before can make a write
        break a constraint the services checked (the code just deleted, the same name
        just taken): that is a Conflict saying so, and nothing was written. While the
        connection is lost (``offline``) every session is refused with the reason. A
        connection lost during COMMIT leaves the client unable to tell whether the server
        committed: the server is asked afterwards (by the transaction's id), and the
        message says saved, not saved, or that it cannot be known yet."""
        if self.url is None:
            with self._sessions.begin() as s:
                yield s
            return
        from desktop.services.project.storage_errors import StorageFailure

        if self.offline is not None:
            raise StorageFailure("connection", self.offline)
        xid = None  # the transaction's id on the server, once it has written
        try:
            with self._sessions.begin() as s:
                yield s
                s.flush()
                xid = open_transaction_id(s)
        except IntegrityError as exc:
            raise _clash(exc) from exc
        except StorageFailure as exc:
            if exc.kind != "connection":
                raise
            for hook in list(self.connection_lost_hooks):
                hook()
            if xid is None:  # lost before COMMIT: nothing was saved, as the message says
                raise
            # lost during COMMIT: whether the server committed is asked, not guessed
            said = restate_lost_commit(str(exc), commit_outcome(self.engine, xid))
            raise StorageFailure("connection", said) from exc

    # -- project-wide facts ------------------------------------------------------
    @property
    def name(self) -> str:
        with self.session() as s:
            info = s.get(m.ProjectInfo, 1)
            return info.name if info else self.path.stem

    def settings(self) -> dict:
        with self.session() as s:
            info = s.get(m.ProjectInfo, 1)
            return dict(info.settings or {}) if info else {}

    def update_settings(self, **values) -> dict:
        return self.change_settings(lambda settings: {**settings, **values})

    def change_settings(self, change: Callable[[dict], dict]) -> dict:
        """Replace the settings by ``change(settings)``, read and written in one
        transaction with the row locked: two clients of a server changing settings at
        once both keep their change (the second reads what the first wrote)."""
        with self.session() as s:
            info = s.scalars(
                select(m.ProjectInfo).where(m.ProjectInfo.id == 1).with_for_update()
                .execution_options(populate_existing=True)
            ).one_or_none()  # fmt: skip
            if info is None:
                raise ServiceError("the project has no project row (damaged file)")
            settings = change(dict(info.settings or {}))
            info.settings = settings
            return settings

    def info(self) -> dict:
        with self.session() as s:

            def count(model) -> int:
                return s.scalar(select(func.count()).select_from(model)) or 0

            return {
                "path": self.location,
                "name": self.name,
                "schema_version": SCHEMA_VERSION,
                "documents": count(m.Document),
                "codes": count(m.Code),
                "coders": count(m.Coder),
                "codings": count(m.Coding),
                "originals": count(m.OriginalFile),  # files kept beside their texts
            }


def _clash(exc: IntegrityError) -> Conflict:
    """A server's refusal of a write that broke a constraint, as a user reads it: most
    often another client changed the same thing a moment before."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or ""
    diag = getattr(orig, "diag", None)
    said = (getattr(diag, "message_primary", None) or str(orig)).strip().splitlines()[0]
    if state == "23503":
        what = (
            "something it refers to (a code, a document, a coder) was just deleted, or "
            "something that refers to it was just added, by someone else"
        )
    elif state == "23505":
        what = "the same thing was just saved by someone else"
    else:
        what = "someone else changed the same thing at the same moment"
    return Conflict(
        f"this was not saved: {what} ({said}). Nothing was changed: look at what is "
        "stored now and try again."
    )
