"""Merging coders' project files into one (``tessera merge``, File > Merge).

What is matched, and how:

- documents by the sha256 of their text, never by name; a document of the source that
  the target lacks is added with its metadata and pages;
- codes by path (``Actors/Armed groups``); codes the target lacks are listed and the
  source is refused, unless ``add_codes`` (then they come with colours, definitions,
  criteria, examples and typed fields); typed fields by code path + field name;
- coders by identity (``teams`` module docstring): the same identity is the same
  coder, whatever the name. The same name with a different identity is a clash: the
  source is refused, unless ``rename_clashing`` (the incoming coder is added as
  ``name (2)``). A coder with no recorded identity on either side is matched by name,
  and the report says so;
- codings on (document, code, coder, start, end). A coding the target already has is
  "present"; merging the same file twice adds nothing. Merging never removes anything:
  a memo or field value the target lacks is filled in; where both have a different
  one, that is a conflict, reported, and the target's is kept unless
  ``prefer_source``.

Each source is merged in one transaction: a source that fails or is refused changes
nothing. The source file is only read: it is copied to a temporary file, checked there
(``db.project_file.check_file``, SQLite's quick check, foreign keys) and upgraded there
if it comes from an older schema; a newer schema is refused. One audit entry is recorded
per merged source.

``merge_projects`` may run in a worker thread: it calls ``progress`` with a
``MergeProgress`` and polls ``cancelled`` between batches; cancelling rolls back the
source in progress and keeps those merged before it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from db import models as m
from db.errors import describe_error
from db.project_file import ProjectFileError
from desktop.core.text import sha256_text
from desktop.services.errors import ServiceError
from desktop.services.project import audit
from desktop.services.teams.merge_plan import MergeOptions, Plan
from desktop.services.teams.merge_report import (
    CodingConflict,
    MergeProgress,
    MergeRefused,
    MergeReport,
    SourceReport,
)
from desktop.services.teams.merge_source import Source, open_source
from desktop.services.teams.merge_study import write_study

__all__ = [
    "CodingConflict", "MergeProgress", "MergeRefused", "MergeReport", "SourceReport",
    "merge_projects",
]  # fmt: skip


class _Cancelled(Exception):
    pass


class _DryRun(Exception):
    pass


def merge_projects(
    target,
    source_paths: Iterable[Path | str],
    *,
    add_codes: bool = False,
    rename_clashing: bool = False,
    prefer_source: bool = False,
    dry_run: bool = False,
    progress: Callable[[MergeProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> MergeReport:
    """Merge each source project file into ``target`` (an open Project), one transaction
    per source. Refusals and failures are reported per source, never raised; with
    ``dry_run`` everything is checked and counted and nothing is written."""
    paths = [Path(p) for p in source_paths]
    report = MergeReport(dry_run=dry_run)
    opts = MergeOptions(add_codes, rename_clashing, prefer_source, dry_run)
    for i, path in enumerate(paths):
        sr = SourceReport(path)
        report.sources.append(sr)
        if report.cancelled or (cancelled and cancelled()):
            report.cancelled = True
            sr.status = "skipped"
            continue

        def step(stage: str, done: int = 0, total: int = 0, _i=i, _name=path.name) -> None:
            if cancelled and cancelled():
                raise _Cancelled
            if progress:
                progress(MergeProgress(_i, len(paths), _name, stage, done, total))

        try:
            if _same_file(path, target.path):
                raise MergeRefused(f"{path}: is the target project itself")
            step("reading")
            with open_source(path) as src:
                _merge_one(target, path, src, sr, opts, step)
            sr.status = "merged"
        except _DryRun:
            sr.status = "dry run"
        except _Cancelled:
            sr.status = "cancelled"
            report.cancelled = True
        except (MergeRefused, ProjectFileError) as exc:
            sr.status, sr.error = "refused", str(exc)
        except (ServiceError, SQLAlchemyError, sqlite3.Error, OSError) as exc:
            sr.status, sr.error = "failed", f"{path}: {_reason(exc)}"
        except Exception as exc:  # a bug must not hide what the other sources did
            sr.status = "failed"
            sr.error = (
                f"{path}: unexpected error ({type(exc).__name__}: {exc}); nothing of it was merged"
            )
        if not sr.ok:
            sr.forget_writes()  # rolled back: what it had counted did not happen
        if progress and not report.cancelled:
            progress(MergeProgress(i, len(paths), path.name, "done", 1, 1))
    return report


def _reason(exc: Exception) -> str:
    """Why writing into the target failed, in words (disk full, in use, ...)."""
    described = describe_error(exc)
    if described is not None:
        return str(described)
    if isinstance(exc, SQLAlchemyError) and getattr(exc, "orig", None) is not None:
        return f"the target project could not be changed ({exc.orig}); nothing of it was merged"
    return str(exc)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and a.samefile(b)
    except OSError:
        return False


def _merge_one(target, path: Path, src: Source, sr: SourceReport, opts: MergeOptions, step) -> None:
    sr.codings_in_source = len(src.codings)
    step("checking")
    for d in src.documents:
        if sha256_text(d["text"]) != d["sha256"]:
            raise MergeRefused(
                f"{path}: the text of {d['name']!r} does not match its checksum (damaged file)"
            )
    with target.session() as s:
        # Take the write lock first: a read transaction that later writes could fail
        # with SQLITE_BUSY if the window wrote in between.
        info = m.ProjectInfo.__table__
        s.execute(update(info).where(info.c.id == 1).values(name=info.c.name))
        plan = Plan(s, src, sr, opts, path, target.actor)
        plan.check()
        plan.write_documents()
        plan.write_codes()
        plan.write_coders()
        plan.write_codings(step)
        if src.study is not None:
            write_study(s, target.actor, src.study, plan.doc_map, plan.code_map, src.documents,
                        src.codes, sr.study, opts.prefer_source)  # fmt: skip
        audit.record(
            s, target.actor, "merge", "project", 1, None,
            {
                "name": path.name, "source": str(path), "documents_added": sr.documents_added,
                "codes_added": sr.codes_added, "fields_added": sr.fields_added,
                "coders_added": sr.coders_added, "coders_renamed": sr.coders_renamed,
                "codings_added": sr.codings_added, "codings_present": sr.codings_present,
                "codings_filled": sr.codings_filled, "conflicts": len(sr.conflicts),
                "prefer_source": opts.prefer_source,
            },
        )  # fmt: skip
        if opts.dry_run:
            raise _DryRun
