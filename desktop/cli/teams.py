"""tessera copy-for-coder | merge | coders list/add/rename | blind on/off/status

The command line is the reviewer's tool: it may lift blind mode without naming anyone."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import CliError, ProgressBar, err, open_project, project_arg
from desktop.core import wording
from desktop.services.codebook.codebook import normalise_color
from desktop.services.teams import coders, teams
from desktop.services.teams.merge import MergeProgress, SourceReport, merge_projects

SHOW = 20


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "copy-for-coder",
        help="a copy of the project for one coder to code offline (merge it back with `merge`)",
        description="Write a new project file with every document and the whole codebook, "
        "for coder NAME (created if new). Other coders and their codings are left out; "
        "NAME's own codings, if any, are kept. Blind mode is copied.",
    )
    p.add_argument("project", type=project_arg)
    p.add_argument("name", help="the coder the copy is for")
    p.add_argument("-o", "--output", type=Path, required=True, help="the new project file")
    p.set_defaults(func=cmd_copy_for_coder)

    p = sub.add_parser(
        "merge",
        help="merge coders' project files into TARGET",
        description="Bring the documents, codes and codings of each SOURCE into TARGET. "
        "Documents are matched by their text, codes by identity (then path), coders by "
        "identity. Each source is merged whole or not at all; sources are never changed.",
    )
    p.add_argument("target", type=Path)
    p.add_argument("sources", nargs="+", type=Path, metavar="SOURCE")
    p.add_argument("--add-codes", action="store_true",
                   help="add codes and typed fields the target lacks (otherwise: refuse the source)")  # fmt: skip
    p.add_argument("--rename-clashing", action="store_true",
                   help="add a coder who has the same name as a different coder here as 'name (2)'")  # fmt: skip
    p.add_argument("--prefer-source", action="store_true",
                   help="where a coding's memo or field value differs, take the source's")  # fmt: skip
    p.add_argument(
        "--dry-run", action="store_true", help="report what would come in; change nothing"
    )
    p.set_defaults(func=cmd_merge)

    c = sub.add_parser("coders", help="the project's coders")
    csub = c.add_subparsers(dest="coders_command", metavar="ACTION", required=True)
    p = csub.add_parser("list", help="coders with their number of codings")
    p.add_argument("project", type=project_arg)
    p.set_defaults(func=cmd_coders_list)
    p = csub.add_parser("add", help="add a coder")
    p.add_argument("project", type=project_arg)
    p.add_argument("name")
    p.add_argument("--color", help="#RRGGBB")
    p.set_defaults(func=cmd_coders_add)
    p = csub.add_parser("rename", help="rename a coder (codings and identity stay)")
    p.add_argument("project", type=project_arg)
    p.add_argument("old", help="the coder's name (or #id)")
    p.add_argument("new")
    p.set_defaults(func=cmd_coders_rename)

    b = sub.add_parser("blind", help="blind coding: each coder sees only their own codings")
    bsub = b.add_subparsers(dest="blind_command", metavar="ACTION", required=True)
    p = bsub.add_parser("on", help="turn blind mode on")
    p.add_argument("project", type=project_arg)
    p.add_argument("--reviewer", help="who may lift it from the window (and sees every coder)")
    p.set_defaults(func=cmd_blind_on)
    p = bsub.add_parser("off", help="lift blind mode")
    p.add_argument("project", type=project_arg)
    p.set_defaults(func=cmd_blind_off)
    p = bsub.add_parser("status", help="whether blind mode is on, and who the reviewer is")
    p.add_argument("project", type=project_arg)
    p.set_defaults(func=cmd_blind_status)


# -- copy and merge ---------------------------------------------------------------------


def cmd_copy_for_coder(args) -> int:
    with open_project(args.project) as project:
        project.actor = teams.reviewer(project) or project.actor
        r = teams.copy_for_coder(project, args.name, args.output)
    own = (
        f", and {wording.count(r.own_codings, 'coding')} of {r.coder}'s own"
        if r.own_codings
        else ""
    )
    print(
        f"wrote {r.path} for {r.coder}: {wording.count(r.documents, 'document')}, {wording.count(r.codes, 'code')}{own}"
    )
    if r.coder_added:
        print(f"added coder {r.coder} to {args.project}")
    if r.blind:
        print("blind mode is on in the copy")
    return 0


def cmd_merge(args) -> int:
    with open_project(args.target) as project:
        project.actor = teams.reviewer(project) or project.actor
        bar = ProgressBar("merging")

        def progress(p: MergeProgress) -> None:
            bar.update(p.done, p.total, f"{p.source} {p.stage}")

        try:
            report = merge_projects(
                project, args.sources, add_codes=args.add_codes,
                rename_clashing=args.rename_clashing, prefer_source=args.prefer_source,
                dry_run=args.dry_run, progress=progress,
            )  # fmt: skip
        finally:
            bar.close()
    if args.dry_run:
        print("dry run: nothing was changed")
    for sr in report.sources:
        _print_source(sr)
    merged = [s for s in report.sources if s.ok]
    verb = "would merge" if args.dry_run else "merged"
    print(
        f"{verb} {len(merged)} of {wording.count(len(report.sources), 'file')}: "
        f"{wording.count(sum(s.codings_added for s in merged), 'coding')} added"
    )
    return 0 if report.ok else 1


def _print_source(sr: SourceReport) -> None:
    lines = sr.describe(SHOW)
    for line in lines:
        if sr.ok:
            print(line)
        else:
            err(line)


# -- coders ---------------------------------------------------------------------------------


def cmd_coders_list(args) -> int:
    with open_project(args.project) as project:
        rows = coders.list_coders(project)
        rev = teams.reviewer(project)
    if not rows:
        print("no coders yet")
    for c in rows:
        mark = "  (reviewer)" if c.name == rev else ""
        print(f"{c.name}  {c.color}  {wording.count(c.codings, 'coding')}{mark}")
    return 0


def cmd_coders_add(args) -> int:
    with open_project(args.project) as project:
        c = teams.add_coder(project, args.name, normalise_color(args.color))
    print(f"added coder {c.name} ({c.color})")
    return 0


def cmd_coders_rename(args) -> int:
    with open_project(args.project) as project:
        c = teams.lookup_coder(project, args.old)
        old = teams.rename_coder(project, c.id, args.new)
    print(f"renamed coder {old} to {args.new.strip()}")
    return 0


# -- blind mode -------------------------------------------------------------------------------


def cmd_blind_on(args) -> int:
    with open_project(args.project) as project:
        if args.reviewer is not None and not args.reviewer.strip():
            raise CliError("the reviewer needs a name")
        teams.set_blind(project, True, reviewer_name=args.reviewer)
        rev = teams.reviewer(project)
    who = f"; {rev} is the reviewer" if rev else "; no reviewer named (anyone may lift it)"
    print(f"blind mode is on: each coder sees only their own codings{who}")
    return 0


def cmd_blind_off(args) -> int:
    with open_project(args.project) as project:
        was = teams.set_blind(project, False)
    print("blind mode lifted: everyone sees every coding" if was else "blind mode was not on")
    return 0


def cmd_blind_status(args) -> int:
    with open_project(args.project) as project:
        on, rev = teams.is_blind(project), teams.reviewer(project)
    print(f"blind mode: {'on' if on else 'off'}")
    print(f"reviewer: {rev or '(none)'}")
    return 0
