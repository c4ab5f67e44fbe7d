"""The command line starts fast: ``tessera --help`` imports no command group, and a
command imports only its own group; main.py's table of commands stays true to the groups."""

from __future__ import annotations

import argparse
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import desktop.cli
from desktop.cli.main import COMMANDS, import_group

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "nltk", "pdfplumber", "PySide6", "sqlalchemy", "lxml", "trafilatura")


def _imported_after(argv: list[str]) -> set[str]:
    code = (
        "import json, sys\n"
        "from desktop.cli.main import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _groups(modules: set[str]) -> set[str]:
    return {m.rsplit(".", 1)[1] for m in modules if m.startswith("desktop.cli.")} - {"main"}


def test_help_imports_no_command_group_and_nothing_heavy():
    modules = _imported_after(["--help"])
    assert _groups(modules) == set()
    assert [m for m in modules if m.split(".")[0] in HEAVY] == []


def test_a_command_imports_only_its_own_group(tmp_path):
    modules = _imported_after(["info", str(tmp_path / "none.tessera")])
    assert _groups(modules) <= {"project_cmds", "common"}
    assert [
        m for m in modules if m.split(".")[0] in ("numpy", "nltk", "pdfplumber", "PySide6")
    ] == []


def test_the_table_of_commands_matches_what_the_groups_register():
    groups = [
        m.name
        for m in pkgutil.iter_modules(desktop.cli.__path__)
        if m.name not in {"main", "common"}
    ]
    registered: dict[str, tuple[str, str]] = {}
    for group in groups:
        sub = argparse.ArgumentParser().add_subparsers()
        import_group(group).register(sub)
        for action in sub._choices_actions:
            registered[action.dest] = (group, action.help)
    assert registered == COMMANDS


def test_every_command_runs_through_its_group(tmp_path):
    project = tmp_path / "p.tessera"
    tessera = [sys.executable, "-m", "desktop.cli.main"]
    assert subprocess.run([*tessera, "new", str(project)], cwd=REPO).returncode == 0
    for command in (
        ["documents", "list"],
        ["codes", "list"],
        ["coders", "list"],
        ["backups"],
        ["log"],
    ):
        done = subprocess.run(
            [*tessera, *command, str(project)], cwd=REPO, capture_output=True, text=True
        )
        assert done.returncode == 0, (command, done.stderr)
