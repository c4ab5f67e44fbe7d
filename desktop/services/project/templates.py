"""Codebook templates: the shipped ones (resources/templates) and those a user saves
from a project, kept as JSON in the user's data folder (platformdirs'
``user_data_dir("Tessera", "Tessera")/templates``; the environment variable
``TESSERA_DATA_DIR`` moves the data folder, for portable installs and tests).

A template is ``{"name", "description", "codes": [...]}`` where each code is
``{"name", "color", "description", "inclusion", "exclusion", "examples": [...],
"fields": [{"name", "type", "choices", "required"}], "children": [...]}``: what
desktop.services.codebook.codebook.load_template reads."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from desktop.core.atomic import atomic_write
from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.errors import Conflict, NotFound, ServiceError
from desktop.services.resources import resources_dir

ENV_DATA_DIR = "TESSERA_DATA_DIR"


def user_data_dir() -> Path:
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    from platformdirs import user_data_dir as platform_dir

    return Path(platform_dir("Tessera", "Tessera"))


def user_templates_dir() -> Path:
    return user_data_dir() / "templates"


def builtin_templates_dir() -> Path:
    return resources_dir() / "templates"


def template_slug(name: str) -> str:
    """The file name (without .json) a template called ``name`` is saved as."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]
    return slug


@dataclass(frozen=True)
class TemplateInfo:
    key: str  # what --template takes
    name: str
    description: str
    codes: int
    builtin: bool
    path: Path


def _count(codes: list[dict]) -> int:
    return sum(1 + _count(c.get("children", [])) for c in codes)


def _info(path: Path, builtin: bool) -> TemplateInfo | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    codes = data.get("codes", [])
    return TemplateInfo(
        path.stem, str(data.get("name") or path.stem), str(data.get("description") or ""),
        _count(codes) if isinstance(codes, list) else 0, builtin, path,
    )  # fmt: skip


def list_templates() -> list[TemplateInfo]:
    """The shipped templates, then the user's, each sorted by key. Unreadable files are
    skipped."""
    out: list[TemplateInfo] = []
    for folder, builtin in ((builtin_templates_dir(), True), (user_templates_dir(), False)):
        if folder.is_dir():
            for path in sorted(folder.glob("*.json")):
                info = _info(path, builtin)
                if info is not None:
                    out.append(info)
    return out


def find_user_template(name: str) -> Path | None:
    """The user's template saved as ``name`` (its key or its display name)."""
    key = template_slug(name)
    path = user_templates_dir() / f"{key}.json"
    return path if key and path.is_file() else None


def codebook_as_template(project, *, name: str, description: str = "") -> dict:
    """The project's codebook (definitions, criteria, examples, own fields) as a template."""
    codes = codebook.list_codes(project)
    own = {cid: fs for cid, fs in _own_fields(project).items()}
    nodes: dict[int, dict] = {}
    top: list[dict] = []
    for c in codes:
        node: dict = {"name": c.name, "color": c.color}
        for key in ("description", "inclusion", "exclusion"):
            if getattr(c, key):
                node[key] = getattr(c, key)
        if c.examples:
            node["examples"] = list(c.examples)
        if own.get(c.id):
            node["fields"] = own[c.id]
        nodes[c.id] = node
        (nodes[c.parent_id].setdefault("children", []) if c.parent_id else top).append(node)
    return {"name": name, "description": description, "codes": top}


def _own_fields(project) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for code_id, fields in fieldsvc.fields_by_code(project).items():
        own = [f for f in fields if f.code_id == code_id]
        if own:
            out[code_id] = [
                {"name": f.name, "type": f.type, **({"choices": list(f.choices)} if f.choices else {}),
                 **({"required": True} if f.required else {})}
                for f in own
            ]  # fmt: skip
    return out


def save_template(
    project, name: str, *, description: str = "", overwrite: bool = False
) -> TemplateInfo:
    """Save the project's codebook as a user template called ``name``; returns it. A
    template of that name is replaced only with ``overwrite``; the shipped templates'
    names are taken."""
    name = (name or "").strip()
    key = template_slug(name)
    if not key:
        raise ServiceError("a template needs a name with at least one letter or digit")
    if (builtin_templates_dir() / f"{key}.json").is_file():
        raise Conflict(f"{key!r} is the name of a template that comes with Tessera; choose another")
    folder = user_templates_dir()
    target = folder / f"{key}.json"
    if target.exists() and not overwrite:
        raise Conflict(f"a template {key!r} already exists ({target}); replace it explicitly")
    data = codebook_as_template(project, name=name, description=description)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_write(target, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
    except OSError as exc:
        raise ServiceError(f"cannot save the template in {folder}: {exc.strerror or exc}") from exc
    return TemplateInfo(key, name, description, _count(data["codes"]), False, target)


def delete_template(name: str) -> Path:
    """Delete a user template (the shipped ones cannot be); returns its former path."""
    path = find_user_template(name)
    if path is None:
        raise NotFound(f"no saved template {name!r}")
    path.unlink()
    return path
