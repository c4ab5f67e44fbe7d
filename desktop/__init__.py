"""Tessera: offline qualitative coding of texts."""

from __future__ import annotations

#: The distribution's name on PyPI and in pyproject.toml.
DISTRIBUTION = "tessera-qda"


def __getattr__(name: str):
    """``desktop.__version__``, read from the installed metadata when first asked for:
    one version, written once in pyproject.toml. Looked up lazily, so that a command
    that never shows it does not pay for importlib.metadata and the scan of sys.path."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version(DISTRIBUTION)
    except PackageNotFoundError:  # the source tree on sys.path without any install
        value = "0+unknown"
    globals()["__version__"] = value
    return value
