"""tessera push | pull: move a project between a file and a PostgreSQL server.
tessera server init | add-coder | members: a team on a server project, each person
logging in as a PostgreSQL role of their own, the database enforcing who may do what."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import CliError, ProgressBar
from desktop.core import wording


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "push", help="copy a project file to an empty PostgreSQL database (a server project)"
    )
    p.add_argument("file", type=Path, metavar="FILE.tessera")
    p.add_argument(
        "url", metavar="URL", help="postgresql://[user@]host[:port]/database[?sslmode=...]"
    )
    p.set_defaults(func=cmd_push)

    p = sub.add_parser("pull", help="copy a server project into a new project file")
    p.add_argument("url", metavar="URL", help="postgresql://[user@]host[:port]/database")
    p.add_argument("file", type=Path, metavar="FILE.tessera")
    p.set_defaults(func=cmd_pull)

    t = sub.add_parser(
        "server",
        help="a team on a PostgreSQL server: roles, coders, permissions",
        description="Each person logs in as a PostgreSQL role of their own; the database "
        "enforces what the owner, a reviewer and a coder may do, and blind coding. "
        "`init` and `add-coder` connect as the database's owner (with CREATEROLE) or a "
        "superuser.",
    )
    tsub = t.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    p = tsub.add_parser(
        "init",
        help="set a server project up for a team (makes the project in an empty database)",
        description="Create the schema (in an empty database), the project's group roles "
        "(owner, reviewer, coder), their grants and row-level security policies, and the "
        "owner's login role and coder. Running it again brings the grants and policies "
        "up to date.",
    )
    p.add_argument("url", metavar="URL", help="postgresql://admin@host[:port]/database")
    p.add_argument(
        "--owner", required=True, metavar="NAME", help="the project's owner (a coder name)"
    )
    p.add_argument("--template", default="empty", help="codebook of a new project (default: empty)")
    p.add_argument("--name", help="the name of a new project (default: the database's)")
    _person_options(p)
    p.set_defaults(func=cmd_server_init)

    p = tsub.add_parser(
        "add-coder",
        help="add a person to the team: a login role of their own and a coder",
        description="Create a login role for NAME (an existing role keeps its password "
        "unless a new one is given) in the project's coder group, or its reviewer group "
        "with --reviewer, and record NAME as a coder linked to it (a coder of that name "
        "already in the project keeps their codings).",
    )
    p.add_argument("url", metavar="URL", help="postgresql://admin@host[:port]/database")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--reviewer", action="store_true",
                   help="a reviewer: sees every coding, settles disagreements")  # fmt: skip
    _person_options(p)
    p.set_defaults(func=cmd_server_add_coder)

    p = tsub.add_parser("members", help="the people of a server project's team and their roles")
    p.add_argument("url", metavar="URL")
    p.set_defaults(func=cmd_server_members)


def _person_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--role", help="the login role's name (default: made from the name, e.g. ana_lopez)"
    )
    how = p.add_mutually_exclusive_group()
    how.add_argument("--password-file", type=Path, metavar="FILE",
                     help="read the new password from the first line of FILE "
                          "(default: asked twice on the terminal)")  # fmt: skip
    how.add_argument("--no-password", action="store_true",
                     help="a role without a password (the server authenticates it otherwise: "
                          "peer, certificate)")  # fmt: skip


def _run(copy, *args) -> int:
    from desktop.services.errors import ServiceError

    bar = ProgressBar("copying")
    try:
        report = copy(*args, progress=lambda table, n: bar.update(n, max(n, 1), table))
    except ServiceError as exc:
        raise CliError(str(exc)) from exc
    finally:
        bar.close()
    counts = ", ".join(
        f"{report.rows(t)} {label}"
        for t, label in (("document", "documents"), ("code", "codes"), ("coding", "codings"),
                         ("audit_log", "audit entries"))
    ) + f", {wording.count(report.rows('original_file'), 'original file')}"  # fmt: skip
    print(f"copied {report.source} to {report.target}: {counts}; every table checked "
          f"(rows and sha256 equal on both sides)")  # fmt: skip
    return 0


def _password(args) -> tuple[str | None, object]:
    """(password, ask): the password from --password-file, or a function that asks
    for one on the terminal when a new role needs it (never echoed, never printed)."""
    if args.no_password:
        return None, None
    if args.password_file is not None:
        try:
            lines = args.password_file.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"{args.password_file}: cannot be read ({exc})") from exc
        if not lines or not lines[0]:
            raise CliError(f"{args.password_file}: the first line (the password) is empty")
        return lines[0], None
    return None, _ask_password


def _ask_password(role: str) -> str:
    import getpass
    import sys

    if not sys.stdin.isatty():
        raise CliError(
            f"the new role {role} needs a password: give --password-file FILE (or "
            "--no-password for a role the server authenticates otherwise)"
        )
    first = getpass.getpass(f"password for the new role {role}: ")
    if not first:
        raise CliError("no password given; nothing was changed")
    if getpass.getpass("the same password again: ") != first:
        raise CliError("the two passwords differ; nothing was changed")
    return first


def _said_how(person) -> str:
    how = "made" if person.created_role else "existing (its password unchanged unless given)"
    return (f"{person.name}: {person.group}, logs in as the {how} role {person.role}; "
            f"opens the project with: tessera open {person.url}")  # fmt: skip


def cmd_server_init(args) -> int:
    from desktop.services.errors import ServiceError
    from desktop.services.teams import server_team

    password, ask = _password(args)
    try:
        report = server_team.init_team(
            args.url, args.owner, role=args.role, password=password, ask_password=ask,
            template=args.template, name=args.name,
        )  # fmt: skip
    except ServiceError as exc:
        raise CliError(str(exc)) from exc
    made = "made the project and set it up" if report.created_project else "set up"
    print(f"{made} for a team: {report.location}")
    print("group roles: " + ", ".join(f"{g} {r}" for g, r in report.roles.items()))
    print(_said_how(report.owner))
    return 0


def cmd_server_add_coder(args) -> int:
    from desktop.services.errors import ServiceError
    from desktop.services.teams import server_team

    password, ask = _password(args)
    try:
        person = server_team.add_person(
            args.url, args.name, reviewer=args.reviewer, role=args.role, password=password,
            ask_password=ask,
        )  # fmt: skip
    except ServiceError as exc:
        raise CliError(str(exc)) from exc
    print(_said_how(person))
    return 0


def cmd_server_members(args) -> int:
    from desktop.cli.common import open_project
    from desktop.services.teams import server_team

    with open_project(args.url) as project:
        people = server_team.members(project)
    if not people:
        print("no team: every coder works without a login role of their own")
        return 0
    width = max(len(p.name) for p in people)
    for p in people:
        print(f"{p.name:<{width}}  {p.group or '(not in the team)':<10}  {p.role}")
    return 0


def cmd_push(args) -> int:
    from desktop.services.project import server

    return _run(server.push, args.file, args.url)


def cmd_pull(args) -> int:
    from desktop.services.project import server

    return _run(server.pull, args.url, args.file)
