"""Where the shipped resources are: icons, the style sheet, codebook templates and the
sample articles, in the ``resources`` folder beside the ``desktop`` package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resources_dir() -> Path:
    """The shipped resources folder (icons, templates, sample articles)."""
    here = Path(__file__).resolve().parents[2] / "resources"
    if here.is_dir():
        return here
    return Path(str(resources.files("desktop"))).parent / "resources"
