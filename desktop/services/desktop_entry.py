"""Desktop integration on Linux (freedesktop): a menu entry, the icon and the MIME types,
for the current user only, under ``$XDG_DATA_HOME`` (default ``~/.local/share``).

``install`` writes:

* ``applications/tessera.desktop``: Tessera in the menu, opening ``.tessera`` projects and
  offered for REFI-QDA ``.qdpx`` files (the file manager passes the file as ``%f``);
* ``icons/hicolor/{48x48,128x128,256x256}/apps/tessera.png`` and
  ``icons/hicolor/scalable/apps/tessera.svg``;
* ``mime/packages/tessera.xml``: ``*.tessera`` files get their own type,
  ``application/x-tessera``; ``*.qdpx`` files ``application/x-qdpx``.

``uninstall`` removes exactly those files. Both then run update-desktop-database,
update-mime-database and gtk-update-icon-cache on the user's folders when the programs are
present, and report the ones that are not. Nothing is written outside the user's folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from desktop.services.errors import ServiceError
from desktop.services.resources import resources_dir

APP_ID = "tessera"
PROJECT_MIME = "application/x-tessera"
QDPX_MIME = "application/x-qdpx"
ICON_SIZES = (48, 128, 256)

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{PROJECT_MIME}">
    <comment>Tessera project</comment>
    <sub-class-of type="application/vnd.sqlite3"/>
    <generic-icon name="{APP_ID}"/>
    <glob pattern="*.tessera"/>
  </mime-type>
  <mime-type type="{QDPX_MIME}">
    <comment>REFI-QDA project</comment>
    <sub-class-of type="application/zip"/>
    <glob pattern="*.qdpx"/>
  </mime-type>
</mime-info>
"""

# Characters that make an Exec argument need quoting (Desktop Entry Specification, "The
# Exec key"); inside the quotes these four take a backslash.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = '"`$\\'


class DesktopEntryError(ServiceError):
    """The desktop entry cannot be installed or removed here (the message says why)."""


@dataclass
class Outcome:
    """What ``install`` or ``uninstall`` did: files written or removed, the update
    programs run, and the ones that are not installed."""

    files: list[Path] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "program: what it said"


def data_home() -> Path:
    """``$XDG_DATA_HOME``, else ``~/.local/share`` (the freedesktop base directories)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def files(base: Path | None = None) -> list[Path]:
    """Every file ``install`` writes (and ``uninstall`` removes), under ``base``."""
    base = base or data_home()
    icons = base / "icons" / "hicolor"
    return [
        base / "applications" / f"{APP_ID}.desktop",
        *(icons / f"{s}x{s}" / "apps" / f"{APP_ID}.png" for s in ICON_SIZES),
        icons / "scalable" / "apps" / f"{APP_ID}.svg",
        base / "mime" / "packages" / f"{APP_ID}.xml",
    ]


def launcher() -> list[str]:
    """The command that starts this Tessera: the bundled program, the ``tessera`` script
    being run, or else this Python running the command line module."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script and script.name == APP_ID and script.is_file():
        return [str(script.resolve())]
    found = shutil.which(APP_ID)
    if found:
        return [str(Path(found).resolve())]
    return [str(Path(sys.executable).resolve()), "-m", "desktop.cli.main"]


def exec_line(command: list[str]) -> str:
    """The desktop file's Exec value for ``command`` followed by the file argument."""
    quoted = []
    for arg in command:
        if any(ch in _RESERVED for ch in arg):
            inner = "".join(f"\\{ch}" if ch in _ESCAPED_IN_QUOTES else ch for ch in arg)
            arg = f'"{inner}"'
        # A desktop file's string values escape the backslash once more; % is a field code.
        quoted.append(arg.replace("\\", "\\\\").replace("%", "%%"))
    return " ".join([*quoted, "%f"])


def desktop_file(command: list[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.4\n"
        "Name=Tessera\n"
        "GenericName=Qualitative Data Analysis\n"
        "Comment=Code texts into categories, compare coders, exchange REFI-QDA projects\n"
        f"Exec={exec_line(command)}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "Categories=Office;\n"
        f"MimeType={PROJECT_MIME};{QDPX_MIME};\n"
        "Keywords=qualitative;coding;QDA;REFI-QDA;codebook;agreement;\n"
        "StartupNotify=true\n"
    )


def _check_platform() -> None:
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise DesktopEntryError(
            "desktop entries are for Linux and other freedesktop desktops; on "
            f"{sys.platform} start Tessera with the `tessera` command"
        )


def install(command: list[str] | None = None, base: Path | None = None) -> Outcome:
    """Write the desktop entry, icons and MIME package for the current user."""
    _check_platform()
    base = base or data_home()
    command = command or launcher()
    icons = resources_dir() / "icons"
    desktop, *pngs, svg, mime = files(base)
    sources = [*(icons / f"{APP_ID}-{s}.png" for s in ICON_SIZES), icons / f"{APP_ID}.svg"]
    outcome = Outcome()
    try:
        for target, source in zip([*pngs, svg], sources, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            outcome.files.append(target)
        for target, text in ((desktop, desktop_file(command)), (mime, MIME_XML)):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            outcome.files.append(target)
    except OSError as exc:
        where = exc.filename or base
        raise DesktopEntryError(f"cannot write {where}: {exc.strerror or exc}") from None
    _update(base, outcome)
    return outcome


def uninstall(base: Path | None = None) -> Outcome:
    """Remove exactly the files ``install`` writes (those that are there)."""
    _check_platform()
    base = base or data_home()
    outcome = Outcome()
    for path in files(base):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise DesktopEntryError(f"cannot remove {path}: {exc.strerror or exc}") from None
        outcome.files.append(path)
    _update(base, outcome)
    return outcome


def _update(base: Path, outcome: Outcome) -> None:
    """Refresh the desktop's caches of the user's folders, with the programs present."""
    steps = [
        ("update-desktop-database", [str(base / "applications")], base / "applications"),
        ("update-mime-database", [str(base / "mime")], base / "mime"),
        ("gtk-update-icon-cache", ["-f", "-t", "-q", str(base / "icons" / "hicolor")],
         base / "icons" / "hicolor"),
    ]  # fmt: skip
    for program, args, folder in steps:
        path = shutil.which(program)
        if not path:
            outcome.missing.append(program)
            continue
        if not folder.is_dir():
            continue
        try:
            done = subprocess.run([path, *args], capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            outcome.failed.append(f"{program}: {exc}")
            continue
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            outcome.failed.append(f"{program}: {said[-1] if said else f'exit {done.returncode}'}")
        else:
            outcome.ran.append(program)
