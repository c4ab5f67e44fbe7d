"""Helpers shared by the command modules: opening a project, printing, progress."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from db.server_engine import is_server_url
from desktop.services.errors import ServiceError
from desktop.services.project import backups
from desktop.services.project.project import Project

# Set to 1 to write to a project that SQLite's check finds damaged (the user's explicit
# choice; without it every command that writes is refused with the damage named).
WRITE_DAMAGED = "TESSERA_WRITE_DAMAGED"


class CliError(Exception):
    """Printed as 'tessera: <message>' with exit status 1."""


def project_arg(value: str) -> str | Path:
    """argparse type of a project argument: a file's path, or a server project's
    ``postgresql://`` URL kept as it is (a Path would fold its ``//``)."""
    return value if is_server_url(value) else Path(value)


_run_actor = ""  # --actor of the command being run


def set_actor(name: str | None) -> None:
    global _run_actor
    _run_actor = (name or "").strip()


def actor_name(default: str = "") -> str:
    """Who the audit log names for the changes of this command: --actor, else the
    command's own (the coder it acts for), else the user logged in to the computer."""
    return _run_actor or default or _os_user()


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return "command line"


@contextmanager
def open_project(path: str | Path, actor: str = "") -> Iterator[Project]:
    """Open a project for one command; its changes are logged under ``actor_name``."""
    try:
        project = Project.open(path)
    except ServiceError as exc:
        raise CliError(str(exc)) from exc
    project.actor = actor_name(actor)
    if project.damage:
        err(f"tessera: warning: {project.damage_message}")
        if os.environ.get(WRITE_DAMAGED) == "1":
            project.go_on_despite_damage()
            err(f"tessera: {WRITE_DAMAGED}=1: writing to the damaged file anyway, as asked")
        else:
            err(f"tessera: to write to it anyway, at your own risk, set {WRITE_DAMAGED}=1")
    elif project.read_only:
        err(f"tessera: note: {project.read_only} Opened read-only.")
    elif project.is_server:
        # a server's backups are its administrator's (pg_dump); `tessera pull` makes a file
        if project.upgraded_from is not None:
            err(f"upgraded the server project {project.location} from schema "
                f"{project.upgraded_from} to the current one")  # fmt: skip
    else:
        # A rotating backup when the file changed since the last one; at most one a
        # minute, so that scripts running many commands do not churn through the rotation.
        backups.backup_on_open_or_warn(project, err, min_interval=60)
    if project.backup_before_upgrade:
        err(f"upgraded the project to the current schema; a copy of the old file is at "
            f"{project.backup_before_upgrade}")  # fmt: skip
    try:
        yield project
    finally:
        project.close()


def err(message: str) -> None:
    sys.stdout.flush()  # keep the order of what was said when both go to one terminal or file
    print(message, file=sys.stderr, flush=True)


class ProgressBar:
    """A one-line progress bar on stderr, drawn only on a terminal, at most 10 times a second."""

    def __init__(self, label: str = "", stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.label = label
        self._last = 0.0

    def update(self, done: int, total: int, note: str = "") -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - 50))
        filled = int(width * done / total)
        bar = "█" * filled + "░" * (width - filled)
        note = (note[:28] + "…") if len(note) > 29 else note
        self.stream.write(f"\r{self.label} {bar} {done}/{total} {note:<30}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
