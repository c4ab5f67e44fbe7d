"""Rotating backups of a project, and bringing one back.

On open, ``backup_on_open`` copies the project through SQLite's online backup API into
``<file>.backups/`` beside it, if its content is not already there. The copy goes
straight to disk page by page (the database is never held in memory), and it enters
the rotation only if SQLite's ``quick_check`` of the copy finds it sound: a damaged
project is never backed up over good backups. The rotation keeps the newest N
(project setting ``backups_keep``, default 10; 0 turns automatic backups off) within a
budget of disk space (setting ``backups_budget``, default 3: three times the project's
size), and always the newest good one. ``restore`` brings a backup back, after backing
up the current file. The window (File > Restore) and the CLI (``tessera backups``,
``tessera restore``) call these.

"Changed since the last backup" is decided in two steps:
1. the file's identity and change stamps (device, inode, size, mtime and ctime of the
   file and of a non-empty -wal) equal those recorded when the content was last known
   to be backed up: unchanged, nothing is read. ctime cannot be set back by copying
   tools (cp -p, rsync -t), unlike mtime, so a file swapped for an older copy is seen.
2. otherwise the database is copied (the backup API, consistent even while another
   process writes) into a hidden file in the backups folder, and the copy is hashed
   as it is read back. The copy's pages do not depend on whether changes still sit in
   the -wal file or were checkpointed, so the hash only changes when the data does.
   Same hash as a backup we have: the copy is dropped. Different: it is the new backup."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from db.engine import connect_ro, integrity_check
from db.project_file import (
    BACKUP_STEP_PAGES,
    SCHEMA_VERSION,
    ProjectFileError,
    check_file,
    open_file,
    read_versions,
)
from desktop.core import wording
from desktop.services.errors import NotFound, ServiceError
from desktop.services.project.storage_errors import StorageFailure, translate

DEFAULT_KEEP = 10
SETTING = "backups_keep"
# The backups folder may hold at most this many times the project's size (the newest
# good backup is kept whatever its size).
DEFAULT_BUDGET = 3.0
BUDGET_SETTING = "backups_budget"
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


@dataclass(frozen=True)
class RestoreResult:
    restored: Path  # the backup that is now the project
    safety_copy: BackupInfo | None  # the project as it was just before


class BackupError(ServiceError):
    pass


def backups_dir(project_path: Path | str) -> Path:
    p = Path(project_path)
    return p.with_name(f"{p.name}.backups")


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
        conn = _ro_connect(path)
        try:
            row = conn.execute("SELECT settings FROM project WHERE id = 1").fetchone()
        finally:
            conn.close()
        settings = json.loads(row[0] or "{}")
        return settings if isinstance(settings, dict) else {}
    except (sqlite3.Error, ValueError, TypeError, AttributeError):
        return {}


def _keep_from_file(path: Path) -> int:
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
        conn = _ro_connect(path)
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


# -- the manifest ------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _load(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {"backups": {}}
    if not isinstance(data, dict) or not isinstance(data.get("backups"), dict):
        return {"backups": {}}
    return data


def _save(folder: Path, data: dict) -> None:
    tmp = folder / f".{MANIFEST}.partial"
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
    os.replace(tmp, folder / MANIFEST)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
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


def _signature(path: Path) -> list:
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
        sig = _signature(path)
    except OSError:
        return False
    data = _load(folder)
    return sig in (data.get("sound"), data.get("signature"))


def seal_sound(path: Path | str) -> None:
    """Record that the file, as it is now, is sound (a project that passed its check at
    open, closed cleanly: only SQLite wrote to it since). Best effort: without a
    backups folder, or when it cannot be written, the next open checks the file."""
    path = Path(path)
    folder = backups_dir(path)
    if not folder.is_dir():
        return
    with contextlib.suppress(OSError), _locked(folder):
        data = _load(folder)
        data["sound"] = _signature(path)
        _save(folder, data)


# -- copying -------------------------------------------------------------------------------


def _ro_connect(path: Path) -> sqlite3.Connection:
    return connect_ro(path, timeout=10)


def _copy_to_file(path: Path, target: Path) -> None:
    """A consistent copy of the database at ``target``, written page by page through
    SQLite's backup API (memory stays flat whatever the size), as one self-contained
    file (rollback journal, no -wal beside it), flushed to disk."""
    src = _ro_connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=BACKUP_STEP_PAGES)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())


def _sha_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verified_copy(path: Path, target: Path) -> list[str]:
    """Copy ``path`` to ``target`` and check the copy (``quick_check``): the problems
    found (none: the copy is sound). A damaged copy is deleted."""
    try:
        _copy_to_file(path, target)
    except sqlite3.DatabaseError as exc:
        target.unlink(missing_ok=True)
        why = translate(exc, path)
        if why is not None and why.kind != "damaged":
            raise
        return [str(exc)]
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    problems = integrity_check(target, quick=True)
    if problems:
        target.unlink(missing_ok=True)
    return problems


def _target_name(folder: Path, project_path: Path, when: datetime, reason: str) -> Path:
    local = when.replace(tzinfo=UTC).astimezone()
    # milliseconds: a name is not reused after rotation deleted the file that had it
    stem = f"{project_path.stem}.{local:%Y-%m-%d_%H%M%S}-{local.microsecond // 1000:03d}.{reason}"
    target = folder / f"{stem}{project_path.suffix}"
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{project_path.suffix}"
        n += 1
    return target


def _failure(exc: BaseException, path: Path, doing: str) -> ServiceError:
    why = translate(exc, path)
    if why is not None:
        return StorageFailure(why.kind, f"{doing} failed: {why}")
    return BackupError(f"{path}: {doing} failed ({exc})")


# -- making backups --------------------------------------------------------------------------


class DamagedProject(BackupError):
    """The project failed SQLite's check, so no backup of it was made."""


def _make(
    path: Path, reason: str, keep: int, *, only_if_changed: bool, budget: int | None = None
) -> BackupInfo | None:
    folder = backups_dir(path)
    folder.mkdir(exist_ok=True)
    with _locked(folder):
        data = _load(folder)
        entries: dict = data["backups"]
        # forget entries whose files were deleted by hand
        for name in [n for n in entries if not (folder / n).exists()]:
            del entries[name]
        known = _known_hashes(entries)
        sig = _signature(path)
        if only_if_changed and data.get("signature") == sig and data.get("sha256") in known:
            return None
        when = _now()
        target = _target_name(folder, path, when, reason)
        copy = folder / f".{target.name}.partial"
        problems = _verified_copy(path, copy)
        if problems:
            raise DamagedProject(
                f"{path}: the project file is damaged ({problems[0]}), so no backup was made "
                f"and the good backups are all kept; {_restore_hint(path)}"
            )
        sha = _sha_file(copy)
        if only_if_changed and sha in known:
            copy.unlink(missing_ok=True)
            data.update(signature=sig, sha256=sha)
            _save(folder, data)
            return None
        os.replace(copy, target)
        size = target.stat().st_size
        entries[target.name] = {
            "created": when.isoformat(), "reason": reason, "sha256": sha, "size": size,
            "checked": "ok",
        }  # fmt: skip
        data.update(signature=sig, sha256=sha, project=path.name)
        _rotate(folder, entries, keep, protect={target.name}, budget=budget)
        _save(folder, data)
        return BackupInfo(target, when, reason, size, sha)


def _known_hashes(entries: dict) -> set[str]:
    known = set()
    for e in entries.values():
        known.add(e.get("sha256"))
        known.update(e.get("aliases", ()))
    known.discard(None)
    return known


def _note_restored(path: Path, source: Path) -> None:
    """Restoring writes the backup's pages with a new schema cookie, so the project's
    hash differs from the backup's; remember it, or the next open backs up a copy of
    a backup."""
    folder = backups_dir(path)
    if source.parent.resolve() != folder.resolve():
        return
    with _locked(folder):
        data = _load(folder)
        entry = data["backups"].get(source.name)
        if entry is None:
            return
        copy = folder / f".{path.name}.restored.partial"
        try:
            _copy_to_file(path, copy)
            sha = _sha_file(copy)
        finally:
            copy.unlink(missing_ok=True)
        entry["aliases"] = sorted({*entry.get("aliases", ()), sha})
        data.update(signature=_signature(path), sha256=sha)
        _save(folder, data)


def _rotate(
    folder: Path, entries: dict, keep: int, protect: set[str], budget: int | None = None
) -> None:
    """Keep the newest ``keep`` backups whose sizes add up to at most ``budget`` bytes;
    the newest good one (and ``protect``) whatever the budget."""
    if keep <= 0:
        return
    names = sorted(entries, key=lambda n: (entries[n].get("created", ""), n), reverse=True)
    good = [n for n in names if entries[n].get("reason") != "damaged"]
    protect = protect | set(good[:1])
    kept, used = 0, 0
    for name in names:
        size = entries[name].get("size")
        if size is None:
            with contextlib.suppress(OSError):
                size = (folder / name).stat().st_size
        size = size or 0
        fits = kept < keep and (budget is None or used + size <= budget)
        if fits or name in protect:
            kept += 1
            used += size
            continue
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()
        del entries[name]


def backup_on_open(project, *, min_interval: float = 0.0) -> BackupInfo | None:
    """Back up an opened project if its content is not yet in a backup; returns the new
    backup, or None (unchanged, or backups turned off). Raises a ServiceError (disk full,
    read-only folder, ...) that the caller shows as a warning: the project stays usable.

    ``min_interval`` (seconds): no new backup if the newest is younger than that, so a
    script running many commands in a row does not turn the whole rotation over."""
    if getattr(project, "is_server", False):
        return None  # no file to copy: a server's data is its administrator's to back up
    keep = keep_count(project)
    if keep == 0:
        return None
    path = Path(project.path)
    if getattr(project, "damage", None):
        raise DamagedProject(
            f"{path}: the project file is damaged, so no backup was made and the good "
            f"backups are all kept"
        )
    if getattr(project, "read_only", None):
        return None  # nothing can be written beside a read-only project
    budget = budget_bytes(path, budget_factor(project))
    try:
        if min_interval > 0:
            newest = next(iter(list_backups(path)), None)
            if newest is not None and (_now() - newest.created).total_seconds() < min_interval:
                return None
        return _make(path, "open", keep, only_if_changed=True, budget=budget)
    except (OSError, sqlite3.Error) as exc:
        raise _failure(exc, path, "backing up the project") from exc


def backup_on_open_or_warn(
    project, warn: Callable[[str], None], *, min_interval: float = 0.0
) -> BackupInfo | None:
    """backup_on_open for callers that must go on whatever happens (the CLI's and the
    window's open): a failure is passed to ``warn`` as a sentence, never raised."""
    try:
        return backup_on_open(project, min_interval=min_interval)
    except ServiceError as exc:
        warn(f"warning: no backup was made on opening ({exc})")
    except Exception as exc:  # a backup must never stop anyone from working
        warn(f"warning: no backup was made on opening ({type(exc).__name__}: {exc})")
    return None


def backup_now(path: Path | str, *, reason: str = "manual", keep: int = DEFAULT_KEEP) -> BackupInfo:
    """Back up a project file now, whether or not it changed."""
    path = Path(path)
    try:
        info = _make(path, reason, keep, only_if_changed=False, budget=budget_bytes(path))
    except (OSError, sqlite3.Error) as exc:
        raise _failure(exc, path, "backing up the project") from exc
    assert info is not None
    return info


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


# -- listing ---------------------------------------------------------------------------------


def list_backups(path: Path | str) -> list[BackupInfo]:
    """The project's backups, newest first: the rotating ones in ``<file>.backups/`` and
    the copies kept beside the file before a schema upgrade."""
    path = Path(path)
    folder = backups_dir(path)
    entries = _load(folder)["backups"] if folder.is_dir() else {}
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


# -- restoring -------------------------------------------------------------------------------


def _is_sound(path: Path) -> bool:
    try:
        check_file(path)
    except ProjectFileError:
        return False
    return not integrity_check(path, quick=True)


def restore(path: Path | str, backup: Path | str) -> RestoreResult:
    """Make ``backup`` the project's content. The current file is backed up first (or,
    if it is damaged beyond reading, copied aside as it is). Safe while the project is
    open elsewhere: the copy goes in through SQLite, which the other connections see.
    Nothing is held in memory: the backup is copied to a hidden file first (rotation
    may delete the backup itself) and goes in from there page by page."""
    path = Path(path)
    source = find_backup(path, backup)
    try:
        check_file(source)
    except ProjectFileError as exc:
        raise BackupError(f"cannot restore from {source}: {exc}") from exc
    problems = integrity_check(source)
    if problems:
        raise BackupError(f"{source}: this backup is damaged ({problems[0]}); choose another one")
    folder = backups_dir(path)
    folder.mkdir(exist_ok=True)
    staged = folder / f".{source.name}.restoring.partial"
    safety: BackupInfo | None = None
    try:
        try:
            _copy_to_file(source, staged)
        except (OSError, sqlite3.Error) as exc:
            raise _failure(exc, source, "reading the backup") from exc
        if path.exists() and _is_sound(path):
            # one more than the setting: the copy must not push out the backup being restored
            keep = _keep_from_file(path)
            safety = _make(
                path, "before-restore", keep + 1 if keep else 0, only_if_changed=False,
                budget=budget_bytes(path) + staged.stat().st_size,
            )  # fmt: skip
            _restore_in_place(staged, path)
        else:
            if path.exists():
                safety = _set_aside(path)
            _replace_file(staged, path)
        _note_restored(path, source)
        if schema_of(path) != SCHEMA_VERSION:
            # a backup from before an upgrade: bring it to the current schema now, so
            # that a window still holding the project keeps working on the schema it knows
            engine, _status = open_file(path)
            engine.dispose()
    except ServiceError:
        raise
    except ProjectFileError as exc:
        raise BackupError(f"restored, but {exc}") from exc
    except (OSError, sqlite3.Error) as exc:
        raise _failure(exc, path, "restoring the backup") from exc
    finally:
        staged.unlink(missing_ok=True)
    return RestoreResult(source, safety)


def _restore_in_place(staged: Path, path: Path) -> None:
    """The staged copy's pages into the project, in one write transaction of SQLite's
    backup API (all or nothing, seen by the project's other connections)."""
    src = _ro_connect(staged)
    try:
        dst = sqlite3.connect(path, timeout=10)
        try:
            src.backup(dst, pages=BACKUP_STEP_PAGES)
        finally:
            dst.close()
    finally:
        src.close()


def _replace_file(staged: Path, path: Path) -> None:
    """For a missing or unreadable project file: put the backup in its place. Its old
    -wal/-shm files would be replayed into the new file and must go first."""
    for extra in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    os.replace(staged, path)


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


def _restore_hint(path: Path) -> str:
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
        f"{_restore_hint(path)}."
    )


def _set_aside(path: Path) -> BackupInfo:
    """Copy a damaged project file (and its -wal) into the backups folder as it is."""
    folder = backups_dir(path)
    folder.mkdir(exist_ok=True)
    when = _now()
    target = _target_name(folder, path, when, "damaged")
    shutil.copy2(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + "-wal"))
    with _locked(folder):
        data = _load(folder)
        data["backups"][target.name] = {
            "created": when.isoformat(),
            "reason": "damaged",
            "sha256": None,
        }
        _save(folder, data)
    return BackupInfo(target, when, "damaged", target.stat().st_size)


def schema_of(backup: Path) -> int | None:
    with contextlib.suppress(ProjectFileError):
        return read_versions(backup)[1]
    return None
