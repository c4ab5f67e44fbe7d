"""Entry point of the ``tessera`` console script.

``tessera`` alone opens the window (the last project, or a sample one); ``tessera
open PROJECT`` opens one; every other command works on a project file from the shell."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

import desktop
from desktop.cli.common import CliError, err
from desktop.services.errors import ServiceError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tessera",
        description="Tessera: qualitative coding of texts. Run without a command to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"tessera {desktop.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import desktop.cli as pkg

    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if mod.name in {"main", "common"}:
            continue
        module = importlib.import_module(f"desktop.cli.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        return _open_window(None)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
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
        err(f"tessera: cannot start the window ({exc}); see `tessera --help` for commands")
        return 1
    return run_gui(project)


if __name__ == "__main__":
    sys.exit(main())
