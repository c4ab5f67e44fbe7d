"""Code paths: a code is named by its ancestors' names and its own, joined by "/",
as in ``Actors/Armed groups``. A "/" inside a name is written ``\\/``."""

from __future__ import annotations

SEP = "/"


class CodePathError(ValueError):
    pass


def split_path(path: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\" and i + 1 < len(path) and path[i + 1] in "/\\":
            buf.append(path[i + 1])
            i += 2
            continue
        if ch == SEP:
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf).strip())
    if any(not p for p in parts):
        raise CodePathError(f"invalid code path {path!r}: empty name between '/'")
    return parts


def escape_name(name: str) -> str:
    return name.replace("\\", "\\\\").replace("/", "\\/")


def join_path(names: list[str]) -> str:
    return SEP.join(escape_name(n) for n in names)
