"""The study around the codings in REFI-QDA: Variables (typed attributes of sources and
of cases), VariableValues, Cases and Sets, read from and written as Project.xsd says.

Types map as: text -> Text, integer -> Integer, decimal -> Float (written as an
xsd:decimal), date -> Date, boolean -> Boolean, choice -> Text whose ``Description`` is
``CHOICES_PREFIX`` followed by a JSON list of the choices (other tools show it as the
variable's description; Tessera reads the choices back). A ``DateTime`` variable comes in
as a date (its day). Values are Tessera's canonical text (desktop.core.fields): booleans
``yes``/``no`` in Tessera, ``true``/``false`` in the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lxml import etree

from desktop.core.exchange.refi_common import (
    child,
    children,
    element_text,
    local_name,
    normalise_guid,
)
from desktop.core.text import xml_safe

#: The Description of a Text variable that is a Tessera choice attribute.
CHOICES_PREFIX = "Tessera choices: "

_TO_REFI = {
    "text": "Text", "choice": "Text", "integer": "Integer", "decimal": "Float",
    "date": "Date", "boolean": "Boolean",
}  # fmt: skip
_FROM_REFI = {
    "Text": "text", "Integer": "integer", "Float": "decimal", "Date": "date",
    "DateTime": "date", "Boolean": "boolean",
}  # fmt: skip
_VALUE_ELEMENT = {
    "Text": "TextValue", "Integer": "IntegerValue", "Float": "FloatValue",
    "Date": "DateValue", "Boolean": "BooleanValue",
}  # fmt: skip


@dataclass
class VariableSpec:
    """A Variable: ``type`` is Tessera's (text, integer, decimal, date, choice, boolean)."""

    guid: str
    name: str
    type: str = "text"
    choices: tuple[str, ...] = ()
    description: str = ""


@dataclass
class CaseSpec:
    guid: str
    name: str
    description: str = ""
    values: list[tuple[str, str]] = field(default_factory=list)  # (variable GUID, value)
    sources: list[str] = field(default_factory=list)  # source GUIDs


@dataclass
class SetSpec:
    guid: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)  # code GUIDs
    sources: list[str] = field(default_factory=list)  # source GUIDs


# ------------------------------------------------------------------------------ reading


def variable_from_xml(el: etree._Element) -> VariableSpec | None:
    """A <Variable>, None without a valid GUID or name."""
    guid = normalise_guid(el.get("guid"))
    name = (el.get("name") or "").strip()
    if guid is None or not name:
        return None
    refi_type = (el.get("typeOfVariable") or "Text").strip()
    kind = _FROM_REFI.get(refi_type, "text")
    description = element_text(child(el, "Description")).strip()
    choices: tuple[str, ...] = ()
    if kind == "text" and description.startswith(CHOICES_PREFIX):
        try:
            got = json.loads(description[len(CHOICES_PREFIX) :])
        except ValueError:
            got = None
        if isinstance(got, list) and got and all(isinstance(c, str) and c for c in got):
            kind, choices, description = "choice", tuple(got), ""
    return VariableSpec(guid, name, kind, choices, description)


def value_from_xml(el: etree._Element) -> tuple[str, str] | None:
    """(variable GUID, value as text) of a <VariableValue>; None when it has no
    reference or no value. Booleans become yes/no, a DateTime its day."""
    ref = child(el, "VariableRef")
    guid = normalise_guid(ref.get("targetGUID")) if ref is not None else None
    if guid is None:
        return None
    for part in el:
        if not isinstance(part.tag, str):
            continue
        kind = local_name(part)
        if kind == "VariableRef":
            continue
        text = element_text(part).strip()
        if not text:
            return None
        if kind == "BooleanValue":
            text = "yes" if text.lower() in ("true", "1") else "no"
        elif kind == "DateTimeValue":
            text = text[:10]
        return guid, text
    return None


def case_from_xml(el: etree._Element) -> CaseSpec | None:
    guid = normalise_guid(el.get("guid"))
    if guid is None:
        return None
    case = CaseSpec(guid, (el.get("name") or "").strip() or guid,
                    element_text(child(el, "Description")).strip())  # fmt: skip
    for v in children(el, "VariableValue"):
        got = value_from_xml(v)
        if got:
            case.values.append(got)
    case.sources = _refs(el, "SourceRef")
    return case


def set_from_xml(el: etree._Element) -> SetSpec | None:
    guid = normalise_guid(el.get("guid"))
    name = (el.get("name") or "").strip()
    if guid is None or not name:
        return None
    return SetSpec(guid, name, element_text(child(el, "Description")).strip(),
                   _refs(el, "MemberCode"), _refs(el, "MemberSource"))  # fmt: skip


def _refs(el: etree._Element, kind: str) -> list[str]:
    out = []
    for ref in children(el, kind):
        guid = normalise_guid(ref.get("targetGUID"))
        if guid:
            out.append(guid)
    return out


# ------------------------------------------------------------------------------ writing


def refi_type(kind: str) -> str:
    return _TO_REFI.get(kind, "Text")


def variables_element(variables: list[VariableSpec], ns: str) -> etree._Element:
    q = f"{{{ns}}}"
    holder = etree.Element(f"{q}Variables", nsmap={None: ns})
    for v in variables:
        el = etree.SubElement(holder, f"{q}Variable", {
            "guid": v.guid, "name": xml_safe(v.name), "typeOfVariable": refi_type(v.type)})  # fmt: skip
        description = v.description
        if v.type == "choice":
            description = CHOICES_PREFIX + json.dumps(list(v.choices), ensure_ascii=False)
        if description:
            etree.SubElement(el, f"{q}Description").text = xml_safe(description)
    return holder


def value_element(parent: etree._Element, ns: str, var: VariableSpec, value: str) -> None:
    q = f"{{{ns}}}"
    el = etree.SubElement(parent, f"{q}VariableValue")
    etree.SubElement(el, f"{q}VariableRef", {"targetGUID": var.guid})
    kind = refi_type(var.type)
    if kind == "Boolean":
        value = "true" if value == "yes" else "false"
    etree.SubElement(el, f"{q}{_VALUE_ELEMENT[kind]}").text = xml_safe(value)


def cases_element(
    cases: list[CaseSpec], variables: dict[str, VariableSpec], ns: str
) -> etree._Element:
    q = f"{{{ns}}}"
    holder = etree.Element(f"{q}Cases", nsmap={None: ns})
    for c in cases:
        el = etree.SubElement(holder, f"{q}Case", {"guid": c.guid, "name": xml_safe(c.name)})
        if c.description:
            etree.SubElement(el, f"{q}Description").text = xml_safe(c.description)
        for var_guid, value in c.values:
            value_element(el, ns, variables[var_guid], value)
        for src in c.sources:
            etree.SubElement(el, f"{q}SourceRef", {"targetGUID": src})
    return holder


def sets_element(sets: list[SetSpec], ns: str) -> etree._Element:
    q = f"{{{ns}}}"
    holder = etree.Element(f"{q}Sets", nsmap={None: ns})
    for x in sets:
        el = etree.SubElement(holder, f"{q}Set", {"guid": x.guid, "name": xml_safe(x.name)})
        if x.description:
            etree.SubElement(el, f"{q}Description").text = xml_safe(x.description)
        for code in x.codes:
            etree.SubElement(el, f"{q}MemberCode", {"targetGUID": code})
        for src in x.sources:
            etree.SubElement(el, f"{q}MemberSource", {"targetGUID": src})
    return holder
