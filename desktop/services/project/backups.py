"""Rotating backups of a project, and bringing one back.

On open, ``backup_on_open`` copies the project through SQLite's online backup API into
``<file>.backups/`` beside it (backup_folder.py), if its content is not already there.
The copy goes straight to disk page by page (the database is never held in memory), and
it enters the rotation only if SQLite's ``quick_check`` of the copy finds it sound: a
damaged project is never backed up over good backups. The rotation keeps as many
backups as the project's settings allow (backup_settings.py), and always the newest
good one. ``restore`` brings a backup back, after backing up the current file. The
window (File > Restore) and the CLI (``tessera backups``, ``tessera restore``) call these.

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
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from db.integrity import integrity_check
from db.project_file import (
    BACKUP_STEP_PAGES,
    SCHEMA_VERSION,
    ProjectFileError,
    check_file,
    open_file,
    read_versions,
)
from desktop.services.errors import ServiceError
from desktop.services.project.backup_folder import (
    BackupInfo,
    backups_dir,
    find_backup,
    list_backups,
    load_manifest,
    locked,
    now_utc,
    restore_hint,
    ro_connect,
    save_manifest,
    signature,
    target_name,
)
from desktop.services.project.backup_settings import (
    DEFAULT_KEEP,
    budget_bytes,
    budget_factor,
    keep_count,
    keep_from_file,
)
from desktop.services.project.storage_errors import StorageFailure, translate


@dataclass(frozen=True)
class RestoreResult:
    restored: Path  # the backup that is now the project
    safety_copy: BackupInfo | None  # the project as it was just before


class BackupError(ServiceError):
    pass


# -- copying -------------------------------------------------------------------------------


def _copy_to_file(path: Path, target: Path) -> None:
    """A consistent copy of the database at ``target``, written page by page through
    SQLite's backup API (memory stays flat whatever the size), as one self-contained
    file (rollback journal, no -wal beside it), flushed to disk."""
    src = ro_connect(path)
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
    with locked(folder):
        data = load_manifest(folder)
        entries: dict = data["backups"]
        # forget entries whose files were deleted by hand
        for name in [n for n in entries if not (folder / n).exists()]:
            del entries[name]
        known = _known_hashes(entries)
        sig = signature(path)
        if only_if_changed and data.get("signature") == sig and data.get("sha256") in known:
            return None
        when = now_utc()
        target = target_name(folder, path, when, reason)
        copy = folder / f".{target.name}.partial"
        problems = _verified_copy(path, copy)
        if problems:
            raise DamagedProject(
                f"{path}: the project file is damaged ({problems[0]}), so no backup was made "
                f"and the good backups are all kept; {restore_hint(path)}"
            )
        sha = _sha_file(copy)
        if only_if_changed and sha in known:
            copy.unlink(missing_ok=True)
            data.update(signature=sig, sha256=sha)
            save_manifest(folder, data)
            return None
        os.replace(copy, target)
        size = target.stat().st_size
        entries[target.name] = {
            "created": when.isoformat(), "reason": reason, "sha256": sha, "size": size,
            "checked": "ok",
        }  # fmt: skip
        data.update(signature=sig, sha256=sha, project=path.name)
        _rotate(folder, entries, keep, protect={target.name}, budget=budget)
        save_manifest(folder, data)
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
    with locked(folder):
        data = load_manifest(folder)
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
        data.update(signature=signature(path), sha256=sha)
        save_manifest(folder, data)


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
            if newest is not None and (now_utc() - newest.created).total_seconds() < min_interval:
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
            keep = keep_from_file(path)
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
    src = ro_connect(staged)
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


def _set_aside(path: Path) -> BackupInfo:
    """Copy a damaged project file (and its -wal) into the backups folder as it is."""
    folder = backups_dir(path)
    folder.mkdir(exist_ok=True)
    when = now_utc()
    target = target_name(folder, path, when, "damaged")
    shutil.copy2(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + "-wal"))
    with locked(folder):
        data = load_manifest(folder)
        data["backups"][target.name] = {
            "created": when.isoformat(),
            "reason": "damaged",
            "sha256": None,
        }
        save_manifest(folder, data)
    return BackupInfo(target, when, "damaged", target.stat().st_size)


def schema_of(backup: Path) -> int | None:
    with contextlib.suppress(ProjectFileError):
        return read_versions(backup)[1]
    return None
