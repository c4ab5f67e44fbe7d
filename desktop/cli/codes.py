"""tessera codes add | list"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import open_project
from desktop.services import codebook


def register(sub: argparse._SubParsersAction) -> None:
    codes = sub.add_parser("codes", help="the codebook")
    csub = codes.add_subparsers(dest="codes_command", metavar="ACTION", required=True)

    p = csub.add_parser("add", help="add a code by its path, e.g. 'Actors/Armed groups'")
    p.add_argument("project", type=Path)
    p.add_argument("path")
    p.add_argument("--color", help="#RRGGBB")
    p.add_argument("--description", default="")
    p.set_defaults(func=cmd_add)

    p = csub.add_parser("list", help="list codes as a tree")
    p.add_argument("project", type=Path)
    p.add_argument("--paths", action="store_true", help="one full path per line")
    p.set_defaults(func=cmd_list)


def cmd_add(args) -> int:
    with open_project(args.project) as project:
        code = codebook.add_code(project, args.path, color=args.color, description=args.description)
    print(f"added {code.path} ({code.color})")
    return 0


def cmd_list(args) -> int:
    with open_project(args.project) as project:
        codes = codebook.list_codes(project)
    for c in codes:
        if args.paths:
            print(c.path)
        else:
            count = f"  [{c.codings}]" if c.codings else ""
            print(f"{'  ' * c.depth}{c.name}  {c.color}{count}")
    return 0
