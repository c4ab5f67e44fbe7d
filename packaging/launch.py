"""The bundled program's entry: what the ``tessera`` console script runs.

The bundle leaves out PyInstaller's run-time hooks that would import PySide6, nltk, inspect,
pkgutil and multiprocessing before this file runs (packaging/tessera.spec), so that
``tessera --version``, ``--help`` and the commands start as fast as from a virtual
environment: Qt is loaded when the window opens (PySide6 finds its plugins through the
qt.conf it registers itself), multiprocessing only in the processes that need it."""

import sys


def _run_multiprocessing_child() -> None:
    """Worker processes (PDF import reads long files in them) are started by running this
    program again (multiprocessing's "spawn"), as is multiprocessing's resource tracker.
    In such a process, do what it was started for and exit: PyInstaller's run-time hook
    makes ``freeze_support`` do that, and is imported only here."""
    if "--multiprocessing-fork" in sys.argv or "-c" in sys.argv:
        import multiprocessing

        import pyi_rth_multiprocessing  # noqa: F401 (patches multiprocessing.freeze_support)

        multiprocessing.freeze_support()


if __name__ == "__main__":
    # cryptography is left out of the bundle; pdfminer gets AES from the bundle's OpenSSL.
    import openssl_aes

    openssl_aes.install()
    _run_multiprocessing_child()

    from desktop.cli.main import main

    sys.exit(main())
