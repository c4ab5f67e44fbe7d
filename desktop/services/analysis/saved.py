"""Queries saved by name in the project (its settings, under ``saved_queries``), to be
run again later: a coded-passages query, a search, a matrix or a word count, each kept
as its kind and its parameters (plain JSON values).

Opening a saved query checks what it names: a code deleted or renamed since, a coder,
a document, a set or a case gone, is reported by name (``SavedQuery.problems``) rather than failing
later inside the query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from desktop.services.analysis import selection as sel
from desktop.services.errors import NotFound, ServiceError

SETTING = "saved_queries"
KINDS = ("retrieve", "search", "matrix", "words")
_CODE_KEYS = ("code", "other")  # one code path
_CODES_KEYS = ("codes",)  # a list of code paths


@dataclass(frozen=True)
class SavedQuery:
    name: str
    kind: str
    params: dict
    problems: tuple[str, ...] = field(default=())  # what it names that no longer exists


def _all(project) -> dict[str, dict]:
    return dict(project.settings().get(SETTING) or {})


def save_query(project, name: str, kind: str, params: Mapping) -> SavedQuery:
    """Save (or replace) the query ``name``."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("a saved query needs a name")
    if kind not in KINDS:
        raise ServiceError(f"unknown kind of query {kind!r}: use {', '.join(KINDS)}")
    entry = {"kind": kind, "params": dict(params)}
    # read and written in one transaction: a query another coder saves at the same
    # moment is kept
    project.change_settings(
        lambda settings: {**settings, SETTING: {**(settings.get(SETTING) or {}), name: entry}}
    )
    return SavedQuery(name, kind, dict(params))


def delete_query(project, name: str) -> None:
    def without(settings: dict) -> dict:
        saved = dict(settings.get(SETTING) or {})
        if name not in saved:
            raise NotFound(f"no saved query named {name!r}")
        del saved[name]
        return {**settings, SETTING: saved}

    project.change_settings(without)


def list_queries(project) -> list[SavedQuery]:
    """Every saved query, by name, each checked (see ``open_query``)."""
    saved = _all(project)
    paths = {p for _, _, p in sel.code_tree(project)}
    return [_checked(project, n, saved[n], paths) for n in sorted(saved, key=str.lower)]


def open_query(project, name: str) -> SavedQuery:
    """The saved query ``name`` with the problems of what it names."""
    saved = _all(project)
    if name not in saved:
        known = ", ".join(sorted(saved)) or "none"
        raise NotFound(f"no saved query named {name!r} (saved queries: {known})")
    return _checked(project, name, saved[name], {p for _, _, p in sel.code_tree(project)})


def _checked(project, name: str, entry: Mapping, paths: set[str]) -> SavedQuery:
    params = dict(entry.get("params") or {})
    problems: list[str] = []
    named = [params.get(k) for k in _CODE_KEYS] + [
        c for k in _CODES_KEYS for c in params.get(k) or []
    ]
    for path in named:
        if path and path not in paths:
            problems.append(f"saved query {name!r} uses the code {path!r}, which no longer exists")
    for key, what, check in (
        ("coders", "coder", sel.coder_ids),
        ("documents", "document", sel.document_ids),
        ("sets", "set", lambda p, names: sel.document_scope(p, sets=names)),
        ("cases", "case", lambda p, names: sel.document_scope(p, cases=names)),
    ):
        for item in params.get(key) or []:
            try:
                check(project, [item])
            except NotFound:
                problems.append(
                    f"saved query {name!r} uses the {what} {item!r}, which no longer exists"
                )
    return SavedQuery(name, str(entry.get("kind", "")), params, tuple(problems))
