"""tessera push | pull: move a project between a file and a PostgreSQL server."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import CliError, ProgressBar


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
    )  # fmt: skip
    print(f"copied {report.source} to {report.target}: {counts}; every table checked "
          f"(rows and sha256 equal on both sides)")  # fmt: skip
    return 0


def cmd_push(args) -> int:
    from desktop.services.project import server

    return _run(server.push, args.file, args.url)


def cmd_pull(args) -> int:
    from desktop.services.project import server

    return _run(server.pull, args.url, args.file)
