"""Writing a file so that readers see the old file or the whole new one, never half.

The data goes to a temporary file beside the target, which replaces the target only
when everything was written; on any error (or cancel) the temporary file is removed.
The new file gets the permissions an ordinary ``open(path, "w")`` would give it
(0666 less the umask) — mkstemp alone would leave it readable by its owner only."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(
    target: Path | str, mode: str = "wb", *, encoding: str | None = None, newline: str | None = None
) -> Iterator[IO]:
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with open(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
