"""Where the shipped resources are: icons, the style sheet, codebook templates and the
sample articles. They live in the repository's top-level ``resources/`` folder, which is
installed as the package ``desktop.resources`` (see setup.py): in a wheel, an editable
install (``pip install -e .``, what ./run does) and a PyInstaller bundle alike, they are
found through ``importlib.resources``, never through a path relative to the source tree."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The shipped resources folder (icons, templates, sample articles)."""
    try:
        root = resources.files("desktop.resources")
    except ModuleNotFoundError:
        raise RuntimeError(
            "Tessera's resources (package desktop.resources) are not installed: install "
            "Tessera with `pip install .` or `pip install -e .` (./run does it)"
        ) from None
    # A real folder in every way Tessera is installed (wheel, editable, bundle); callers
    # glob and open plain paths.
    return Path(str(root))
