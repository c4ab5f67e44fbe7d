"""Typed fields that a coding of a code can carry (count, kind, stance, ...):
validation and the canonical text each value is stored and exported as."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

FIELD_TYPES = ("integer", "decimal", "text", "date", "choice", "boolean")
_TRUE = {"yes", "y", "true", "t", "1", "ja", "oui", "sí", "si"}
_FALSE = {"no", "n", "false", "f", "0", "nein", "non"}


class FieldValueError(ValueError):
    """str(exc) says what is wrong with the value, for the user."""


def canonical_value(field_type: str, raw: str, choices: list[str] | tuple[str, ...] = ()) -> str:
    """The stored form of ``raw`` for a field of ``field_type``; FieldValueError if invalid.
    Integers and decimals as plain digits, dates ISO (YYYY-MM-DD), booleans yes/no,
    choices exactly as listed (matched case-insensitively)."""
    value = (raw or "").strip()
    if field_type not in FIELD_TYPES:
        raise FieldValueError(f"unknown field type {field_type!r}")
    if value == "":
        raise FieldValueError("empty value")
    if field_type == "text":
        return value
    if field_type == "integer":
        try:
            return str(int(value.replace(",", "").replace("_", "")))
        except ValueError:
            raise FieldValueError(f"{raw!r} is not a whole number") from None
    if field_type == "decimal":
        try:
            d = Decimal(value.replace(",", "."))
        except InvalidOperation:
            raise FieldValueError(f"{raw!r} is not a number") from None
        if not d.is_finite():
            raise FieldValueError(f"{raw!r} is not a number")
        return format(d.normalize(), "f")
    if field_type == "date":
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise FieldValueError(f"{raw!r} is not a date (use YYYY-MM-DD)") from None
    if field_type == "boolean":
        low = value.lower()
        if low in _TRUE:
            return "yes"
        if low in _FALSE:
            return "no"
        raise FieldValueError(f"{raw!r} is not yes or no")
    # choice
    for choice in choices:
        if choice.lower() == value.lower():
            return choice
    raise FieldValueError(f"{raw!r} is not one of: {', '.join(choices)}")
