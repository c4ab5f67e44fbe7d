"""tessera new | info | import | open"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import ProgressBar, actor_name, err, open_project, project_arg
from desktop.core import wording
from desktop.services.documents import documents
from desktop.services.project.project import TEMPLATES, Project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create a project file")
    p.add_argument("path", type=project_arg)
    p.add_argument("--template", default="empty",
                   help=f"codebook to start from: {' | '.join(TEMPLATES)} (or a template .json)")  # fmt: skip
    p.add_argument("--name", help="the project's name (default: the file name)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("info", help="what a project holds")
    p.add_argument("project", type=project_arg)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("import", help="import documents (files or folders, recursively)")
    p.add_argument("project", type=project_arg)
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--encoding", metavar="NAME",
                   help="read text files and web pages in this encoding instead of guessing "
                        "(e.g. cp1256, cp1251, koi8-r, cp1255, utf-16); a file with a BOM keeps its own")  # fmt: skip
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("open", help="open a project in the window")
    p.add_argument("project", type=project_arg)
    p.set_defaults(func=cmd_open)


def cmd_new(args) -> int:
    project = Project.create(args.path, template=args.template, name=args.name, actor=actor_name())
    info = project.info()
    project.close()
    print(f"created {info['path']} ({info['codes']} codes from template {args.template!r})")
    return 0


def cmd_info(args) -> int:
    with open_project(args.project) as project:
        info = project.info()
    width = max(len(k) for k in info)
    for key, value in info.items():
        print(f"{key.replace('_', ' '):<{width}}  {value}")
    return 0


def cmd_import(args) -> int:
    with open_project(args.project) as project:
        bar = ProgressBar("importing")

        def progress(p: documents.ImportProgress) -> None:
            note = p.current
            if p.pages_total:
                note = f"{p.current} p.{p.pages_done}/{p.pages_total}"
            bar.update(p.files_done, p.files_total, note)

        try:
            report = documents.import_files(
                project, args.paths, progress=progress, encoding=args.encoding
            )
        finally:
            bar.close()
    notes: dict[str, list[str]] = {}
    for path, note in report.notes:
        notes.setdefault(str(path.resolve()), []).append(note)
    for doc in report.imported:
        pages = f", {wording.count(doc.pages, 'page')}" if doc.pages else ""
        print(f"imported {doc.name} ({doc.kind}, {doc.length:,} characters{pages})")
        for note in notes.pop(doc.source_path or "", []):
            print(f"  {doc.name}: {note}")
    for path, existing in report.duplicates:
        print(f"skipped {path}: the same text is already in the project as {existing!r}")
    for path, reason in report.failed:
        err(f"failed {path}: {reason}")
    summary = f"{len(report.imported)} imported, {wording.count(len(report.duplicates), 'duplicate')} skipped, {len(report.failed)} failed"
    if report.cancelled:
        summary += " (cancelled)"
    print(summary)
    if report.stopped:
        err(f"import stopped at {report.stopped_at}: {report.stopped}")
    return 0 if report.ok else 1


def cmd_open(args) -> int:
    from desktop.cli.main import _open_window

    if isinstance(args.project, Path) and not args.project.exists():
        err(f"tessera: {args.project}: no such file")
        return 1
    return _open_window(str(args.project))
