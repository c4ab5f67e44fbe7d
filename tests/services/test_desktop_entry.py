"""tessera desktop-entry install | uninstall, as a user runs it: the menu entry passes
desktop-file-validate, the icons are the theme's sizes, .tessera files get their own MIME
type opened by Tessera, and uninstall removes exactly what install wrote."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.services import desktop_entry

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop only")


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "data home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_install_writes_entry_icons_and_mime_types_for_the_user(data_home, capsys):
    assert main(["desktop-entry", "install"]) == 0
    out = capsys.readouterr().out
    written = desktop_entry.files(data_home)
    for path in written:
        assert path.is_file(), path
        assert f"wrote {path}" in out
    entry = (data_home / "applications" / "tessera.desktop").read_text(encoding="utf-8")
    assert "MimeType=application/x-tessera;application/x-qdpx;" in entry
    assert "Icon=tessera" in entry
    for size in (48, 128, 256):
        png = data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "tessera.png"
        assert _png_size(png) == (size, size)
    # each update program is either run or named as missing
    for program in ("update-desktop-database", "update-mime-database"):
        assert program in out


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils absent")
def test_the_menu_entry_is_valid_even_for_a_program_path_with_spaces(tmp_path):
    base = tmp_path / "share"
    odd = tmp_path / "my apps $HOME" / "tessera"
    desktop_entry.install([str(odd)], base=base)
    entry = base / "applications" / "tessera.desktop"
    done = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stdout
    exec_value = next(
        line.split("=", 1)[1] for line in entry.read_text().splitlines() if line.startswith("Exec=")
    )
    # what a desktop unescapes: the string level (\\ -> \), then the quoted argument
    unescaped = exec_value.replace("\\\\", "\\")
    assert unescaped == '"' + str(odd).replace("$", "\\$") + '" %f'


@pytest.mark.skipif(not shutil.which("update-mime-database"), reason="shared-mime-info absent")
def test_tessera_files_get_their_own_mime_type_opened_by_tessera(data_home):
    desktop_entry.install()
    globs = (data_home / "mime" / "globs2").read_text()
    assert "application/x-tessera:*.tessera" in globs
    assert "application/x-qdpx:*.qdpx" in globs
    if shutil.which("update-desktop-database"):
        cache = (data_home / "applications" / "mimeinfo.cache").read_text()
        assert "application/x-tessera=tessera.desktop;" in cache
        assert "application/x-qdpx=tessera.desktop;" in cache


def test_uninstall_removes_exactly_what_install_wrote(data_home, capsys):
    mine = data_home / "applications" / "other.desktop"
    mine.parent.mkdir(parents=True)
    mine.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")
    assert main(["desktop-entry", "install"]) == 0
    assert main(["desktop-entry", "uninstall"]) == 0
    out = capsys.readouterr().out
    for path in desktop_entry.files(data_home):
        assert not path.exists()
        assert f"removed {path}" in out
    assert mine.is_file()
    if shutil.which("update-mime-database"):
        assert "*.tessera" not in (data_home / "mime" / "globs2").read_text()
    assert main(["desktop-entry", "uninstall"]) == 0
    assert "nothing removed" in capsys.readouterr().out


def test_missing_update_programs_are_named_not_fatal(data_home, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(data_home / "no-such-bin"))
    assert main(["desktop-entry", "install"]) == 0
    out = capsys.readouterr().out
    assert "not found: update-desktop-database, update-mime-database" in out
    assert (data_home / "applications" / "tessera.desktop").is_file()


def test_an_unwritable_data_folder_is_a_sentence_not_a_traceback(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "share"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert main(["desktop-entry", "install"]) == 1
    err = capsys.readouterr().err
    assert "tessera: cannot write" in err and str(blocker) in err
    assert "Traceback" not in err
