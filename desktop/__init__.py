"""Tessera: offline qualitative coding of texts."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

#: The distribution's name on PyPI and in pyproject.toml.
DISTRIBUTION = "tessera-qda"

try:  # one version, written once in pyproject.toml, read from the installed metadata
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # the source tree on sys.path without any install
    __version__ = "0+unknown"
