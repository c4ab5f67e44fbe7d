"""How many backups of a project are kept and how much disk space they may take, from the
project's settings, and what the backups folder uses against that.

The rotation keeps the newest N (project setting ``backups_keep``, default 10; 0 turns
automatic backups off) within a budget of disk space (setting ``backups_budget``,
default 3: three times the project's size), and always the newest good one. Restoring
works on closed files, so the settings can also be read straight from the file."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desktop.services.project.backup_folder import backups_dir, ro_connect

DEFAULT_KEEP = 10
SETTING = "backups_keep"
# The backups folder may hold at most this many times the project's size (the newest
# good backup is kept whatever its size).
DEFAULT_BUDGET = 3.0
BUDGET_SETTING = "backups_budget"


def keep_count(project) -> int:
    """How many backups to keep, from the project's settings."""
    return _as_keep(project.settings().get(SETTING, DEFAULT_KEEP))


def _as_keep(value) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULT_KEEP


def budget_factor(project) -> float:
    """The backups' disk budget, in multiples of the project's size."""
    return _as_budget(project.settings().get(BUDGET_SETTING, DEFAULT_BUDGET))


def _as_budget(value) -> float:
    try:
        factor = float(value)
    except (TypeError, ValueError):
        return DEFAULT_BUDGET
    return factor if factor > 0 else DEFAULT_BUDGET


def _settings_from_file(path: Path) -> dict:
    """The project's settings read straight from the file (restore works on closed files)."""
    try:
        conn = ro_connect(path)
        try:
            row = conn.execute("SELECT settings FROM project WHERE id = 1").fetchone()
        finally:
            conn.close()
        settings = json.loads(row[0] or "{}")
        return settings if isinstance(settings, dict) else {}
    except (sqlite3.Error, ValueError, TypeError, AttributeError):
        return {}


def keep_from_file(path: Path) -> int:
    return _as_keep(_settings_from_file(path).get(SETTING, DEFAULT_KEEP))


def budget_bytes(path: Path | str, factor: float | None = None) -> int:
    """The backups' disk budget of the project file at ``path``, in bytes."""
    path = Path(path)
    if factor is None:
        factor = _as_budget(_settings_from_file(path).get(BUDGET_SETTING, DEFAULT_BUDGET))
    return int(factor * _project_size(path))


def _project_size(path: Path) -> int:
    """The database's size (pages in use, wherever they sit: file or -wal), which is
    what a backup of it takes."""
    try:
        conn = ro_connect(path)
        try:
            (pages,) = conn.execute("PRAGMA page_count").fetchone()
            (page_size,) = conn.execute("PRAGMA page_size").fetchone()
        finally:
            conn.close()
        return pages * page_size
    except sqlite3.Error:
        with contextlib.suppress(OSError):
            return path.stat().st_size
        return 0


@dataclass(frozen=True)
class Usage:
    count: int  # backups in the backups folder
    used: int  # their size in bytes
    budget: int  # bytes they may take
    factor: float
    project_size: int
    keep: int


def usage(path: Path | str) -> Usage:
    """What the backups folder holds against its budget (``tessera backups``)."""
    path = Path(path)
    folder = backups_dir(path)
    files = (
        [f for f in folder.glob(f"*{path.suffix}") if not f.name.startswith(".")]
        if folder.is_dir()
        else []
    )
    settings = _settings_from_file(path) if path.is_file() else {}
    factor = _as_budget(settings.get(BUDGET_SETTING, DEFAULT_BUDGET))
    return Usage(
        len(files), sum(f.stat().st_size for f in files), budget_bytes(path, factor), factor,
        _project_size(path), _as_keep(settings.get(SETTING, DEFAULT_KEEP)),
    )  # fmt: skip
