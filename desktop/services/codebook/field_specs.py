"""Field definitions as data and as compact text: checking a type and a list of
choices, and the ``name:type[:choice|choice][:required]`` form that CSV codebooks and
the command line use."""

from __future__ import annotations

from desktop.core.fields import FIELD_TYPES
from desktop.services.errors import ServiceError


def clean_choices(field_type: str, choices) -> list[str]:
    items = [str(c).strip() for c in (choices or ())]
    if field_type != "choice":
        if any(items):
            raise ServiceError(
                f"only a choice field has a list of values, not a {field_type} field"
            )
        return []
    items = [c for c in items if c]
    if not items:
        raise ServiceError("a choice field needs at least one value to choose from")
    seen: set[str] = set()
    for c in items:
        if c.lower() in seen:
            raise ServiceError(f"the value {c!r} is listed twice")
        seen.add(c.lower())
    return items


def check_type(field_type: str) -> str:
    t = (field_type or "").strip().lower()
    aliases = {
        "int": "integer",
        "number": "decimal",
        "float": "decimal",
        "bool": "boolean",
        "yes/no": "boolean",
    }
    t = aliases.get(t, t)
    if t not in FIELD_TYPES:
        raise ServiceError(f"unknown field type {field_type!r} (use {', '.join(FIELD_TYPES)})")
    return t


def parse_field_specs(text: str) -> list[dict]:
    """Fields written as ``name:type[:choice|choice][:required]`` separated by ";",
    e.g. ``count:integer:required; kind:choice:killed|injured``. A name or choice
    containing ":", ";", "|" or "\\" escapes it with a backslash. Raises ServiceError."""
    out: list[dict] = []
    for item in _split_escaped(text or "", ";"):
        if not item.strip():
            continue
        parts = [p.strip() for p in _split_escaped(item, ":")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ServiceError(
                f"field {item.strip()!r}: write it as name:type[:choices][:required]"
            )
        name, ftype, rest = _unescape(parts[0]), check_type(parts[1]), parts[2:]
        required = False
        if rest and rest[-1].lower() in ("required", "optional"):
            required = rest.pop().lower() == "required"
        choices: list[str] = []
        if rest:
            if len(rest) > 1 or ftype != "choice":
                raise ServiceError(f"field {name!r}: only a choice field lists values (a|b|c)")
            choices = [_unescape(c).strip() for c in _split_escaped(rest[0], "|")]
        if ftype == "choice":
            choices = clean_choices(ftype, choices)
        out.append({"name": name, "type": ftype, "choices": choices, "required": required})
    return out


def format_field_specs(fields) -> str:
    """The inverse of parse_field_specs."""
    parts = []
    for f in fields:
        d = (
            f
            if isinstance(f, dict)
            else {"name": f.name, "type": f.type, "choices": f.choices, "required": f.required}
        )
        item = f"{_escape(d['name'])}:{d['type']}"
        if d.get("choices"):
            item += ":" + "|".join(_escape(c) for c in d["choices"])
        if d.get("required"):
            item += ":required"
        parts.append(item)
    return "; ".join(parts)


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in "\\:;|" else ch for ch in text)


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _split_escaped(text: str, sep: str) -> list[str]:
    """Split on ``sep`` not preceded by a backslash; escapes are kept for the next level."""
    parts, buf, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts
