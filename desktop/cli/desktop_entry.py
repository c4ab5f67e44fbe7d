"""tessera desktop-entry install | uninstall"""

from __future__ import annotations

import argparse

from desktop.cli.common import err


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "desktop-entry",
        help="add Tessera to the desktop's menu and file manager (Linux), or remove it",
        description="Writes, for the current user under $XDG_DATA_HOME (~/.local/share), a "
        "menu entry, the icon, and MIME types: .tessera projects open in Tessera and "
        "Tessera is offered for REFI-QDA .qdpx files. `uninstall` removes exactly those files.",
    )
    dsub = p.add_subparsers(dest="entry_command", metavar="ACTION", required=True)
    i = dsub.add_parser("install", help="write the menu entry, icons and MIME types")
    i.set_defaults(func=cmd_install)
    u = dsub.add_parser("uninstall", help="remove the files `install` wrote")
    u.set_defaults(func=cmd_uninstall)


def _report(outcome, verb: str) -> None:
    for path in outcome.files:
        print(f"{verb} {path}")
    if outcome.ran:
        print(f"ran {', '.join(outcome.ran)}")
    for failure in outcome.failed:
        err(f"warning: {failure}")
    if outcome.missing:
        print(
            f"not found: {', '.join(outcome.missing)} (the desktop picks the changes up at "
            "the next login instead)"
        )


def cmd_install(args) -> int:
    from desktop.services import desktop_entry

    outcome = desktop_entry.install()
    _report(outcome, "wrote")
    print(
        f"Tessera is in the menu; it starts as: {desktop_entry.exec_line(desktop_entry.launcher())}"
    )
    return 0


def cmd_uninstall(args) -> int:
    from desktop.services import desktop_entry

    outcome = desktop_entry.uninstall()
    if not outcome.files:
        print("no Tessera desktop entry was installed for this user; nothing removed")
    _report(outcome, "removed")
    return 0
