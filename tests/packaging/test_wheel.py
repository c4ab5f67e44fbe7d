"""Installed like any Python application: the sdist and the wheel built from it carry
everything (templates, sample articles, icons, style sheet, migrations), and the wheel,
installed into a fresh virtual environment, works from an unrelated folder: --version,
new with every template, import of txt/docx/html/pdf, export, REFI-QDA and the window.

The fresh venv sees this test venv's packages (Tessera's dependencies) through a .pth
file, and the wheel goes in with --no-deps: no network needed."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.packaging.helpers import run, user_env, user_flow

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
TEMPLATES = sorted(p.stem for p in (REPO / "resources" / "templates").glob("*.json"))
SHIPPED = sorted(
    p.relative_to(REPO / "resources").as_posix()
    for p in (REPO / "resources").rglob("*")
    if p.is_file() and "__pycache__" not in p.parts
)
IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "__pycache__", "*.egg-info",
                                 ".hypothesis", ".benchmarks", "*.pyc", "tmp")  # fmt: skip

pytestmark = pytest.mark.slow


def _need_build() -> None:
    if importlib.util.find_spec("build") is None:
        message = "the `build` package is missing (pip install -e '.[dev]', ./run does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def build_sdist_and_wheel(tmp: Path) -> tuple[Path, Path]:
    """(sdist, wheel) built into ``tmp``, the wheel from the sdist, from a copy of the
    source tree (building writes egg-info and build/ beside the sources)."""
    src = tmp / "src"
    shutil.copytree(REPO, src, ignore=IGNORED)
    out = tmp / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return next(out.glob("*.tar.gz")), next(out.glob("*.whl"))


def install_wheel(wheel: Path, root: Path) -> Path:
    """A fresh venv at ``root`` holding the wheel (and only the wheel's own files); it
    sees this venv's packages, Tessera's dependencies, through a .pth file."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    site = Path(
        subprocess.run(
            [str(root / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    # this venv's packages (the dependencies), after the new venv's own
    parents = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    parents |= {p for p in sys.path if p.endswith("site-packages")}
    (site / "zz_test_venv.pth").write_text("\n".join(sorted(parents)) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [str(root / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--force-reinstall",
         "--no-index", "--disable-pip-version-check", "-q", str(wheel)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    _need_build()
    return build_sdist_and_wheel(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def venv(built, tmp_path_factory) -> Path:
    _, wheel = built
    return install_wheel(wheel, tmp_path_factory.mktemp("venv") / "env")


def test_the_sdist_and_the_wheel_carry_every_resource_and_migration(built):
    sdist, wheel = built
    with tarfile.open(sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    with zipfile.ZipFile(wheel) as whl:
        in_wheel = set(whl.namelist())
    migrations = sorted(
        p.relative_to(REPO).as_posix() for p in (REPO / "db" / "migrations").rglob("*.py")
    )
    assert SHIPPED and migrations
    for name in SHIPPED:
        assert f"resources/{name}" in in_sdist, name
        assert f"desktop/resources/{name}" in in_wheel, name
    for name in migrations:
        assert name in in_sdist and name in in_wheel, name


def test_the_installed_wheel_finds_its_resources_inside_itself(venv, tmp_path):
    env = user_env(tmp_path / "user")
    code = (
        "import desktop; from desktop.services.resources import resources_dir; "
        "print(desktop.__file__); print(resources_dir())"
    )
    out = run([str(venv / "bin" / "python"), "-c", code], env, tmp_path).stdout.splitlines()
    assert all(line.startswith(str(venv)) for line in out), out


def test_version_comes_from_the_package_metadata(venv, tmp_path):
    env = user_env(tmp_path / "user")
    out = run([str(venv / "bin" / "tessera"), "--version"], env, tmp_path).stdout
    assert out.strip() == f"tessera {VERSION}"


def test_a_new_user_works_with_the_installed_wheel_from_any_folder(venv, tmp_path, shared_dir):
    env = user_env(tmp_path / "user")
    user_flow([str(venv / "bin" / "tessera")], env, tmp_path / "elsewhere", shared_dir, TEMPLATES)
    # nothing the user made is inside the installed package
    assert not [p for p in venv.rglob("*.tessera")]
