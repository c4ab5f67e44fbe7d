"""The backups folder beside a project (``<file>.backups/``): what is in it and how it
is kept in order.

The folder holds the backup files and a manifest (``manifest.json``) recording each
backup's time, reason, size and hash, and the project file's stamps when its content was
last backed up or last left sound by Tessera. Work on the folder is serialised between
processes by a lock file. Listing, finding a backup by number or name, and finding the
newest good one (what to tell a user whose project is damaged) read the folder."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from db.engine import connect_ro
from db.integrity import integrity_check
from db.project_file import ProjectFileError, check_file
from desktop.core import wording
from desktop.services.errors import NotFound

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime  # UTC, naive
    reason: str  # open | before-restore | manual | before-upgrade | damaged
    size: int
    sha256: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def label(self) -> str:
        """One line for a list (File > Restore, ``tessera backups``): local time, why, size."""
        when = self.created.replace(tzinfo=UTC).astimezone()
        why = REASONS.get(self.reason, self.reason)
        return f"{when:%Y-%m-%d %H:%M:%S}  {why}  ({self.size / 1024 / 1024:.1f} MB)"


REASONS = {
    "open": "when the project was opened",
    "before-restore": "just before a restore",
    "manual": "made by hand",
    "before-upgrade": "before a schema upgrade",
    "damaged": "the damaged file, set aside",
}


def backups_dir(project_path: Path | str) -> Path:
    p = Path(project_path)
    return p.with_name(f"{p.name}.backups")


def ro_connect(path: Path) -> sqlite3.Connection:
    """A read-only connection to a project or backup file, waiting up to 10 s for a writer."""
    return connect_ro(path, timeout=10)


def target_name(folder: Path, project_path: Path, when: datetime, reason: str) -> Path:
    local = when.replace(tzinfo=UTC).astimezone()
    # milliseconds: a name is not reused after rotation deleted the file that had it
    stem = f"{project_path.stem}.{local:%Y-%m-%d_%H%M%S}-{local.microsecond // 1000:03d}.{reason}"
    target = folder / f"{stem}{project_path.suffix}"
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{project_path.suffix}"
        n += 1
    return target


# -- the manifest ------------------------------------------------------------------------


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def load_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {"backups": {}}
    if not isinstance(data, dict) or not isinstance(data.get("backups"), dict):
        return {"backups": {}}
    return data


def save_manifest(folder: Path, data: dict) -> None:
    tmp = folder / f".{MANIFEST}.partial"
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
    os.replace(tmp, folder / MANIFEST)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Serialise backup work on one project between processes (POSIX; elsewhere the
    unique file names and atomic renames keep concurrent runs safe, only less tidy)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def signature(path: Path) -> list:
    st = os.stat(path)
    sig: list = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    wal = path.with_name(path.name + "-wal")
    with contextlib.suppress(OSError):
        ws = os.stat(wal)
        if ws.st_size:
            sig += [ws.st_ino, ws.st_size, ws.st_mtime_ns, ws.st_ctime_ns]
    return sig


# -- the file as Tessera left it ------------------------------------------------------------
# Checking a file (quick_check and the foreign keys) reads all of it: seconds for a large
# project on a cold disk. Like a file system's clean-unmount flag, the manifest records
# the file's stamps when Tessera last left it sound; an open that finds the same stamps
# skips the check. Anything that wrote to the file since (another program, a copy, a
# crash before the close) changes its ctime, so the check runs again.


def known_sound(path: Path | str) -> bool:
    """The file is unchanged since it was last known sound: closed cleanly by Tessera
    after a check, or its content is the last one backed up (every backup copy is
    checked)."""
    path = Path(path)
    folder = backups_dir(path)
    if not folder.is_dir():
        return False
    try:
        sig = signature(path)
    except OSError:
        return False
    data = load_manifest(folder)
    return sig in (data.get("sound"), data.get("signature"))


def seal_sound(path: Path | str) -> None:
    """Record that the file, as it is now, is sound (a project that passed its check at
    open, closed cleanly: only SQLite wrote to it since). Best effort: without a
    backups folder, or when it cannot be written, the next open checks the file."""
    path = Path(path)
    folder = backups_dir(path)
    if not folder.is_dir():
        return
    with contextlib.suppress(OSError), locked(folder):
        data = load_manifest(folder)
        data["sound"] = signature(path)
        save_manifest(folder, data)


# -- listing ---------------------------------------------------------------------------------


def list_backups(path: Path | str) -> list[BackupInfo]:
    """The project's backups, newest first: the rotating ones in ``<file>.backups/`` and
    the copies kept beside the file before a schema upgrade."""
    path = Path(path)
    folder = backups_dir(path)
    entries = load_manifest(folder)["backups"] if folder.is_dir() else {}
    out: list[BackupInfo] = []
    files = list(folder.glob(f"*{path.suffix}")) if folder.is_dir() else []
    files += list(path.parent.glob(f"{path.stem}.before-upgrade-v*{path.suffix}"))
    for f in files:
        if f.name.startswith(".") or not f.is_file():
            continue
        st = f.stat()
        meta = entries.get(f.name, {}) if f.parent == folder else {}
        try:
            created = datetime.fromisoformat(meta["created"])
        except (KeyError, TypeError, ValueError):
            created = datetime.fromtimestamp(st.st_mtime, UTC).replace(tzinfo=None)
        reason = meta.get("reason") or (
            "before-upgrade" if f.parent != folder else _reason_from_name(f)
        )
        out.append(BackupInfo(f, created, reason, st.st_size, meta.get("sha256")))
    out.sort(key=lambda b: (b.created, b.name), reverse=True)
    return out


def _reason_from_name(f: Path) -> str:
    parts = f.stem.split(".")
    return parts[-1].split("-")[0] if len(parts) >= 3 else "copy"


def find_backup(path: Path | str, which: str | Path) -> Path:
    """A backup named by its number in ``list_backups`` (1 = newest), its file name in
    the backups folder, or a path."""
    which_s = str(which)
    backups = list_backups(path)
    if which_s.isdigit() and not Path(which_s).exists():
        n = int(which_s)
        if not 1 <= n <= len(backups):
            raise NotFound(f"there is no backup number {n} (the project has {len(backups)})")
        return backups[n - 1].path
    for b in backups:
        if b.name == which_s:
            return b.path
    candidate = Path(which)
    if candidate.is_file():
        return candidate
    raise NotFound(f"no backup {which_s!r}; `tessera backups {path}` lists them")


def newest_good_backup(path: Path | str) -> tuple[int, BackupInfo] | None:
    """(its number in ``list_backups``, the backup) of the newest backup SQLite's
    quick_check finds sound, or None."""
    for number, b in enumerate(list_backups(path), start=1):
        if b.reason == "damaged":
            continue
        try:
            check_file(b.path)
        except ProjectFileError:
            continue
        if not integrity_check(b.path, quick=True):
            return number, b
    return None


def restore_hint(path: Path) -> str:
    good = newest_good_backup(path)
    if good is None:
        return "there is no good backup to restore"
    number, b = good
    return (
        f"the newest good backup is number {number} ({b.label()}): bring it back with "
        f"`tessera restore {path} {number}` (File > Restore from backup in the window)"
    )


def damage_message(path: Path | str, problems: list[str]) -> str:
    """What to tell a user who opened a damaged project: the problem, that nothing will
    be written, and the newest good backup."""
    path = Path(path)
    more = f" and {wording.count(len(problems) - 1, 'more problem')}" if len(problems) > 1 else ""
    return (
        f"{path}: the project file is damaged ({problems[0]}{more}). Tessera will not write "
        f"to it (codings, copies for coders, backups), so the damage does not spread; "
        f"{restore_hint(path)}."
    )
