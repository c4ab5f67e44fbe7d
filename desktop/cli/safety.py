"""tessera backups | restore | log | check"""

from __future__ import annotations

import argparse
import shlex
from datetime import UTC

from desktop.cli.common import CliError, err, open_project, project_arg
from desktop.core import wording
from desktop.services.project import (
    audit_log,
    backup_folder,
    backup_settings,
    backups,
    storage_errors,
)


def register(sub: argparse._SubParsersAction) -> None:
    # Every command of the CLI gets storage failures (disk full, read-only file, project
    # in use) as a one-line message instead of a traceback.
    storage_errors.install()

    p = sub.add_parser("backups", help="list a project's backups (newest first)")
    p.add_argument("project", type=project_arg)
    p.add_argument("--now", action="store_true", help="make a backup now, changed or not")
    p.add_argument("--keep", type=int, metavar="N",
                   help=f"keep the newest N backups from now on (default {backup_settings.DEFAULT_KEEP}; 0: no automatic backups)")  # fmt: skip
    p.add_argument("--budget", type=float, metavar="X",
                   help=f"let the backups take at most X times the project's size on disk (default {backup_settings.DEFAULT_BUDGET:g}); the newest good backup is always kept")  # fmt: skip
    p.set_defaults(func=cmd_backups)

    p = sub.add_parser("restore", help="bring back a backup (the current file is backed up first)")
    p.add_argument("project", type=project_arg)
    p.add_argument("backup", help="its number in `tessera backups`, its file name, or a path")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("log", help="the audit trail: who changed what, when")
    p.add_argument("project", type=project_arg)
    p.add_argument("--entity", metavar="KIND", help="only changes to: coding, code, document, ...")
    p.add_argument(
        "--id",
        type=int,
        dest="entity_id",
        metavar="N",
        help="only changes to this id (with --entity)",
    )
    p.add_argument("--actor", metavar="NAME", help="only changes by this coder")
    p.add_argument("--limit", type=int, metavar="N", help="only the last N changes")
    p.set_defaults(func=cmd_log)

    p = sub.add_parser("check", help="check a project file's integrity (read-only)")
    p.add_argument("project", type=project_arg)
    p.set_defaults(func=cmd_check)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def cmd_backups(args) -> int:
    if args.keep is not None:
        if args.keep < 0:
            raise CliError("--keep needs 0 or more")
        with open_project(args.project) as project:
            project.update_settings(**{backup_settings.SETTING: args.keep})
        print(
            f"keeping the newest {args.keep} backups" if args.keep else "automatic backups are off"
        )
    if args.budget is not None:
        if args.budget <= 0:
            raise CliError(
                "--budget needs a number above 0 (e.g. 3 for three times the project's size)"
            )
        with open_project(args.project) as project:
            project.update_settings(**{backup_settings.BUDGET_SETTING: args.budget})
        print(f"the backups may take up to {args.budget:g} times the project's size")
    if args.now:
        if not args.project.is_file():
            raise CliError(f"{args.project}: no such file")
        info = backups.backup_now(args.project)
        print(f"backed up to {info.path}")
    listed = backup_folder.list_backups(args.project)
    if not listed:
        print(f"no backups of {args.project} yet (one is made when the project is opened)")
        return 0
    print(f"backups of {args.project} in {backup_folder.backups_dir(args.project)}:")
    for i, b in enumerate(listed, start=1):
        when = b.created.replace(tzinfo=UTC).astimezone()
        print(f"{i:>3}  {when:%Y-%m-%d %H:%M:%S}  {b.reason:<15} {_size(b.size):>9}  {b.name}")
    usage = backup_settings.usage(args.project)
    print(
        f"{wording.count(usage.count, 'backup')} in the folder take {_size(usage.used)} of a budget of "
        f"{_size(usage.budget)} ({usage.factor:g} x the project's {_size(usage.project_size)}), "
        f"at most {usage.keep} kept; the newest good one is always kept"
    )
    print(f"restore one with: tessera restore {shlex.quote(str(args.project))} NUMBER")
    return 0


def cmd_restore(args) -> int:
    result = backups.restore(args.project, args.backup)
    if result.safety_copy is not None:
        print(f"the project as it was is backed up as {result.safety_copy.path}")
    print(f"restored {args.project} from {result.restored}")
    return 0


def cmd_log(args) -> int:
    if args.entity_id is not None and not args.entity:
        raise CliError("--id needs --entity (e.g. --entity coding --id 17)")
    with open_project(args.project) as project:
        lines = audit_log.readable_history(
            project,
            entity=args.entity,
            entity_id=args.entity_id,
            limit=args.limit,
            actor=args.actor,
        )
    if not lines:
        print("no changes recorded" + (" for that" if args.entity or args.actor else ""))
        return 0
    for line in lines:
        print(line.text())
    return 0


def cmd_check(args) -> int:
    from db.integrity import integrity_report
    from db.project_file import ProjectFileError, check_file

    try:
        version = check_file(args.project)
    except ProjectFileError as exc:
        raise CliError(str(exc)) from exc
    problems, how = integrity_report(args.project)
    if problems:
        for p in problems[:20]:
            err(f"  {p}")
        raise CliError(
            f"{args.project}: damaged ({wording.count(len(problems), 'problem')}); `tessera backups {args.project}` lists backups to restore"
        )
    if how == "immutable":
        print(
            f"{args.project}: ok (schema {version}; checked read-only, as it is on disk: its "
            "folder or medium cannot be written to)"
        )
    else:
        print(f"{args.project}: ok (schema {version})")
    return 0
