"""The layers of ARCHITECTURE.md, enforced: core, services and db never import Qt;
db never imports desktop; widgets never touch SQL."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_core_services_db_and_cli_do_not_import_qt():
    code = (
        "import sys, pkgutil, importlib\n"
        "import db, desktop.core, desktop.services, desktop.cli\n"
        "for pkg in (db, desktop.core, desktop.services, desktop.cli):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' in m.name: continue\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_db_does_not_import_desktop():
    offenders = [
        p for p in (REPO / "db").rglob("*.py") if re.search(r"^\s*(from|import) desktop", p.read_text(), re.M)
    ]
    assert offenders == []


def test_ui_runs_no_sql():
    offenders = [
        p
        for p in (REPO / "desktop" / "ui").rglob("*.py")
        if re.search(r"^\s*(from|import) (sqlalchemy|sqlite3|db\b)", p.read_text(), re.M)
    ]
    assert offenders == []
