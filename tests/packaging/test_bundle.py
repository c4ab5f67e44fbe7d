"""The bundled build (PyInstaller, one folder) runs with no Python at all: no venv, nothing
on PATH. It is built once for the session (a minute or two) into a temporary folder,
exactly as `./run bundle` builds dist/tessera/."""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tests.packaging.helpers import owner_only_pdfs, run, user_env, user_flow

REPO = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]

pytestmark = pytest.mark.slow


def build_bundle(dist: Path, work: Path) -> tuple[Path, float]:
    """Build the bundle as ./run bundle does; (its program, seconds the build took)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work), str(REPO / "packaging" / "tessera.spec")],
        capture_output=True, text=True, cwd=REPO, timeout=1500,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    return dist / "tessera" / "tessera", time.perf_counter() - started


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    if importlib.util.find_spec("PyInstaller") is None:
        message = "PyInstaller is missing (pip install -e '.[dev]', ./run does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    tmp = tmp_path_factory.mktemp("bundle")
    program, seconds = build_bundle(tmp / "dist", tmp / "work")
    print(f"\nbundle built in {seconds:.0f} s")
    return program


def _no_python(tmp_path: Path) -> dict[str, str]:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    return user_env(tmp_path / "user", path=str(empty_bin))


def test_the_bundle_runs_with_no_python_on_path(bundle, tmp_path, shared_dir):
    env = _no_python(tmp_path)
    out = run([str(bundle), "--version"], env, tmp_path).stdout
    assert out.strip() == f"tessera {VERSION}"
    templates = sorted(p.stem for p in (REPO / "resources" / "templates").glob("*.json"))
    user_flow([str(bundle)], env, tmp_path / "elsewhere", shared_dir, templates)
    assert not list(bundle.parent.rglob("*.tessera")), "a project was written into the bundle"


def test_the_bundle_leaves_out_the_qt_modules_tessera_does_not_use(bundle):
    names = {p.name for p in bundle.parent.rglob("*")}
    for unused in ("QtWebEngineCore", "Qt3DCore", "QtMultimedia", "QtQml", "QtQuick"):
        assert not [n for n in names if unused in n], unused


def _qt_modules_imported_by(folder: Path) -> set[str]:
    """The PySide6 modules (QtCore, QtCharts...) that the code under ``folder`` imports."""
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            found |= {n.split(".")[1] for n in names if n.startswith("PySide6.")}
    return found


def test_the_bundle_holds_every_qt_module_tessera_imports(bundle):
    """A Qt module left out of the bundle breaks the window that imports it (the charts of
    the analysis window need QtCharts) only when a user opens it."""
    internal = bundle.parent / "_internal" / "PySide6"
    modules = _qt_modules_imported_by(REPO / "desktop")
    assert {"QtCore", "QtGui", "QtWidgets", "QtCharts"} <= modules
    for module in sorted(modules):
        assert list(internal.glob(f"{module}.*.so")), f"PySide6.{module} is not in the bundle"


def test_the_bundle_opens_pdfs_encrypted_with_aes(bundle, tmp_path, shared_dir):
    """pdfminer decrypts AES through cryptography's API, which the bundle serves from the
    OpenSSL it already holds (packaging/openssl_aes.py) instead of cryptography's own copy."""
    env = _no_python(tmp_path)
    for pdf in owner_only_pdfs(tmp_path / "in", shared_dir):
        project = tmp_path / f"{pdf.stem}.tessera"
        run([str(bundle), "new", str(project)], env, tmp_path)
        out = run([str(bundle), "import", str(project), str(pdf)], env, tmp_path).stdout
        assert f"imported {pdf.name} (pdf" in out, out
        texts = tmp_path / f"{pdf.stem}-texts"
        run([str(bundle), "export", str(project), "--what", "documents", "--format", "txt",
             "-o", str(texts)], env, tmp_path)  # fmt: skip
        text = (texts / f"{pdf.name}.txt").read_text(encoding="utf-8")
        assert "Beautiful is better than ugly." in text, text[:300]
    assert not (bundle.parent / "_internal" / "cryptography").exists()


def test_the_bundle_works_with_a_postgresql_server(bundle, tmp_path, pg_url):
    """A project pushed to a server and read back by the bundled program: psycopg's libpq,
    and Python's ssl module that psycopg imports, run on the bundle's one OpenSSL."""
    env = _no_python(tmp_path)
    project = tmp_path / "p.tessera"
    run([str(bundle), "new", str(project), "--template", "conflict-news"], env, tmp_path)
    run([str(bundle), "import", str(project), str(REPO / "resources" / "sample")], env,
        tmp_path)  # fmt: skip
    out = run([str(bundle), "push", str(project), pg_url], env, tmp_path).stdout
    assert "every table checked" in out, out
    info = run([str(bundle), "info", pg_url], env, tmp_path).stdout
    assert "schema version" in info and "documents" in info, info
    # the spec shares OpenSSL only where binutils are there to check it (slim.have_binutils)
    if all(shutil.which(tool) for tool in ("nm", "readelf", "ld", "objcopy")):
        cryptos = {p.resolve() for p in (bundle.parent / "_internal").rglob("libcrypto*.so*")}
        assert len(cryptos) == 1, cryptos
