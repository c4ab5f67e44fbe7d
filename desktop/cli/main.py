"""Entry point of the ``tessera`` console script.

``tessera`` alone opens the window (the last project, or a sample one); ``tessera
open PROJECT`` opens one; every other command works on a project file from the shell."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import desktop

#: Every command, the module of the command group that defines it, and its one-line help
#: (what ``tessera --help`` lists). Only the module of the command being run is imported:
#: building the parser for ``--help`` imports no service, so no SQLAlchemy, numpy, nltk,
#: pdfplumber or Qt. tests/cli/test_startup.py checks this table against the modules.
COMMANDS: dict[str, tuple[str, str]] = {
    "agreement": ("agreement", "inter-coder agreement (a CSV table, or a project's codings)"),
    "codes": ("codes", "the codebook: add, rename, move, merge, fields, import, ..."),
    "documents": ("documents", "the project's documents and their metadata"),
    "attributes": ("study", "typed document (and case) attributes: add, list, rename, CSV"),
    "sets": ("study", "named sets of documents and codes (also from a filter)"),
    "cases": ("study", "cases and the documents that belong to them"),
    "memos": ("study", "the project journal and memos: list, search, add, export"),
    "export": ("exchange", "export codings, documents, the codebook or code frequencies"),
    "codings": ("exchange", "codings: import from CSV"),
    "new": ("project_cmds", "create a project file"),
    "info": ("project_cmds", "what a project holds"),
    "import": ("project_cmds", "import documents (files or folders, recursively)"),
    "open": ("project_cmds", "open a project in the window"),
    "refi": (
        "refi",
        "exchange whole projects with NVivo, ATLAS.ti, MAXQDA, QualCoder (REFI-QDA .qdpx)",
    ),
    "backups": ("safety", "list a project's backups (newest first)"),
    "restore": ("safety", "bring back a backup (the current file is backed up first)"),
    "log": ("safety", "the audit trail: who changed what, when"),
    "check": ("safety", "check a project file's integrity (read-only)"),
    "copy-for-coder": (
        "teams",
        "a copy of the project for one coder to code offline (merge it back with `merge`)",
    ),
    "merge": ("teams", "merge coders' project files into TARGET"),
    "coders": ("teams", "the project's coders"),
    "blind": ("teams", "blind coding: each coder sees only their own codings"),
    "retrieve": ("analysis", "coded passages across documents (code queries)"),
    "search": ("analysis", "search the documents' text; optionally code every hit"),
    "matrix": ("analysis", "codes by document, coder, set, case or attribute; co-occurrence"),
    "words": ("analysis", "word frequencies, keyness of a code's passages, collocations"),
    "chart": (
        "analysis",
        "the table behind a chart: codings per code or over time, a field summed",
    ),
    "desktop-entry": (
        "desktop_entry",
        "add Tessera to the desktop's menu and file manager (Linux), or remove it",
    ),
    "push": ("server", "copy a project file to an empty PostgreSQL database (a server project)"),
    "pull": ("server", "copy a server project into a new project file"),
    "server": ("server", "a team on a PostgreSQL server: roles, coders, permissions"),
}

#: What ``tessera FILE`` opens in the window (as a file manager passes a file).
OPENED_BY_SUFFIX = (".tessera", ".qdpx")


class _Version(argparse.Action):
    """--version: the installed version, looked up only when asked for."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"tessera {desktop.__version__}")  # standard output, as argparse's own
        parser.exit()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser: ``command``'s group is imported and registers its real sub-parsers;
    every other command is listed by name and help only (with no command, or an unknown
    one, no group is imported at all)."""
    parser = argparse.ArgumentParser(
        prog="tessera",
        description="Tessera: qualitative coding of texts. Run without a command to open the window.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument(
        "--actor", metavar="NAME", dest="run_actor",
        help="the name the audit log gives the changes a command makes (default: your user name)",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    group = COMMANDS[command][0] if command in COMMANDS else None
    registered = False
    for name, (module, help_) in COMMANDS.items():
        if module != group:
            sub.add_parser(name, help=help_, add_help=False)
        elif not registered:
            import_group(module).register(sub)
            registered = True
    return parser


def import_group(module: str):
    """The module of one command group (``desktop.cli.<module>``)."""
    import importlib

    return importlib.import_module(f"desktop.cli.{module}")


def _command_in(argv: list[str]) -> str | None:
    """The command named in ``argv``: its first word that is neither an option nor the
    value of ``--actor``."""
    words = iter(argv)
    for a in words:
        if a == "--actor":
            next(words, None)
        elif not a.startswith("-"):
            return a
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        return _open_window(None)
    if len(argv) == 1 and argv[0] not in COMMANDS and argv[0].lower().endswith(OPENED_BY_SUFFIX):
        return _open_window(argv[0])  # a project or a REFI-QDA file given by a file manager
    parser = build_parser(_command_in(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from desktop.cli.common import CliError, err, set_actor
    from desktop.services.errors import ServiceError

    set_actor(args.run_actor)
    try:
        return int(args.func(args) or 0)
    except (CliError, ServiceError) as exc:
        err(f"tessera: {exc}")
        return 1
    except KeyboardInterrupt:
        err("tessera: interrupted; everything finished before the interruption is saved")
        return 130
    except BrokenPipeError:
        return 0


def _open_window(project: str | None) -> int:
    try:
        from desktop.app import run_gui
    except ImportError as exc:  # the window is not installed or cannot load Qt
        from desktop.cli.common import err

        err(f"tessera: cannot start the window ({exc}); see `tessera --help` for commands")
        return 1
    return run_gui(project)


if __name__ == "__main__":
    sys.exit(main())
