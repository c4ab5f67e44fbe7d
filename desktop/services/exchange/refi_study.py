"""Storing and gathering the study parts of a REFI-QDA project: Variables as document or
case attributes, VariableValues, Cases and Sets (desktop.core.exchange.refi_study says
how they map to the file).

Import: a Variable with values on sources becomes a document attribute, one with values
on cases a case attribute (both, if both have values; a document attribute when it has
none). An attribute of the same name (and scope) already in the project is used as it
is (a different type is warned; values that do not fit it are skipped, warned). A value
the project already has is kept and a different one in the file is warned. Cases and
sets are matched by name (case-insensitive) or added; their members are added. Nothing
is ever removed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from desktop.core import wording
from desktop.core.exchange.refi_common import normalise_guid
from desktop.core.exchange.refi_project_writer import derived_guid
from desktop.core.exchange.refi_study import CaseSpec, SetSpec, VariableSpec
from desktop.core.fields import FieldValueError
from desktop.services.documents import attributes, cases, sets
from desktop.services.errors import ServiceError
from desktop.services.exchange.refi_store import DOCUMENT_GUID
from desktop.services.project import audit


class StudyImport:
    """The study parts of one import, inside its session ``s``. ``warn`` takes the
    import's warnings; ``report`` is its RefiImportReport."""

    def __init__(self, s: Session, actor: str, stream, report, warn: Callable[[str], None]) -> None:
        self.s, self.actor, self.report, self.warn = s, actor, report, warn
        self.stream = stream
        self.var_of: dict[tuple[str, str], attributes.AttributeInfo] = {}  # (scope, GUID)
        self.variables = {v.guid: v for v in stream.variables}
        #: Source GUIDs that cases and sets refer to: their documents are remembered.
        self.wanted = {g for c in stream.cases for g in c.sources}
        self.wanted.update(g for x in stream.sets for g in x.sources)
        self.doc_of_guid: dict[str, int] = {}

    # -- attributes ------------------------------------------------------------------
    def attributes(self) -> None:
        case_vars = {g for c in self.stream.cases for g, _ in c.values}
        for v in self.stream.variables:
            scopes = []
            if v.guid in self.stream.source_variables or v.guid not in case_vars:
                scopes.append("document")
            if v.guid in case_vars:
                scopes.append("case")
            for scope in scopes:
                self.var_of[(scope, v.guid)] = self._attribute(v, scope)

    def _attribute(self, v: VariableSpec, scope: str) -> attributes.AttributeInfo:
        have = {a.name.lower(): a for a in attributes.attributes_in(self.s, scope)}
        a = have.get(v.name.lower())
        if a is not None:
            if a.type != v.type:
                self.warn(
                    f"variable {v.name!r} is {v.type} in the file but the project's {scope} "
                    f"attribute is {a.type}: its values are read as {a.type}"
                )
            return a
        row = attributes.add_attribute_in(self.s, self.actor, v.name, v.type, v.choices, scope)
        self.report.attributes_added.append(f"{v.name} ({v.type}, {scope})")
        return attributes.AttributeInfo(row.id, row.name, row.type, tuple(row.choices or ()),
                                        False, scope)  # fmt: skip

    def values(self, owner_id: int, owner: str, values: list[tuple[str, str]], scope: str) -> None:
        """Store the file's values of a document (or case) that lacks them."""
        if not values:
            return
        current = attributes.values_in(self.s, [owner_id], scope).get(owner_id, {})
        new: dict[str, str] = {}
        for var_guid, raw in values:
            a = self.var_of.get((scope, var_guid))
            if a is None:
                self.warn(f"{owner}: a value refers to no variable of the file ({var_guid})")
                continue
            try:
                value = attributes.check_value(a, raw)
            except FieldValueError as exc:
                self.warn(f"{owner}: {a.name} = {raw!r} skipped: {exc}")
                continue
            if value is None:
                continue
            held = current.get(a.name)
            if held is None:
                new[a.name] = value
            elif held != value:
                self.warn(
                    f"{owner}: the project's {a.name} {held!r} is kept; the file has {value!r}"
                )
        if new:
            attributes.set_values_in(self.s, self.actor, owner_id, new, scope)
            self.report.attribute_values += len(new)

    def document(self, guid: str | None, did: int, name: str, values) -> None:
        """A document met for a source of the file: its values, and its id when a case
        or a set refers to it."""
        if guid in self.wanted:
            self.doc_of_guid[guid] = did
        self.values(did, f"document {name!r}", values, "document")

    # -- cases and sets --------------------------------------------------------------
    def cases_and_sets(self, code_of: dict[str, int]) -> None:
        for c in self.stream.cases:
            self._case(c)
        for x in self.stream.sets:
            self._set(x, code_of)

    def _documents(self, guids: list[str], what: str) -> list[int]:
        out, missing = [], 0
        for g in guids:
            did = self.doc_of_guid.get(g)
            if did is None:
                missing += 1
            else:
                out.append(did)
        if missing:
            self.warn(
                f"{what}: {wording.count(missing, 'source')} it names {wording.plural(missing, 'is')} not an imported document; left out"
            )
        return out

    def _case(self, c: CaseSpec) -> None:
        row = self.s.scalar(select(m.Case).where(m.Case.name.ilike(c.name)))
        if row is None:
            row = cases.add_case_in(self.s, self.actor, c.name, c.description, c.guid)
            self.report.cases_added.append(c.name)
        else:
            self.report.cases_matched.append(c.name)
        self.values(row.id, f"case {c.name!r}", c.values, "case")
        have = set(self.s.scalars(
            select(m.CaseDocument.document_id).where(m.CaseDocument.case_id == row.id)))  # fmt: skip
        new = sorted(set(self._documents(c.sources, f"case {c.name!r}")) - have)
        if new:
            self.s.add_all(m.CaseDocument(case_id=row.id, document_id=d) for d in new)
            self.s.flush()
            audit.record(self.s, self.actor, "add", "case_document", row.id, None,
                         {"documents": new})  # fmt: skip

    def _set(self, x: SetSpec, code_of: dict[str, int]) -> None:
        row = self.s.scalar(select(m.ItemSet).where(m.ItemSet.name.ilike(x.name)))
        if row is None:
            try:
                row = sets.add_set_in(self.s, self.actor, x.name, x.description, x.guid)
            except ServiceError as exc:
                self.warn(f"set {x.name!r} skipped: {exc}")
                return
            self.report.sets_added.append(x.name)
        else:
            self.report.sets_matched.append(x.name)
        docs = set(self._documents(x.sources, f"set {x.name!r}"))
        codes = {code_of[g] for g in x.codes if g in code_of}
        if len(codes) < len(x.codes):
            self.warn(
                f"set {x.name!r}: {wording.count(len(x.codes) - len(codes), 'code')} it names {wording.plural(len(x.codes) - len(codes), 'is')} not in the codebook; left out"
            )
        have_d = set(
            self.s.scalars(select(m.SetDocument.document_id).where(m.SetDocument.set_id == row.id))
        )
        have_c = set(self.s.scalars(select(m.SetCode.code_id).where(m.SetCode.set_id == row.id)))
        new = {"documents": sorted(docs - have_d), "codes": sorted(codes - have_c)}
        self.s.add_all(m.SetDocument(set_id=row.id, document_id=d) for d in new["documents"])
        self.s.add_all(m.SetCode(set_id=row.id, code_id=c) for c in new["codes"])
        self.s.flush()
        if new["documents"] or new["codes"]:
            audit.record(self.s, self.actor, "add", "set_member", row.id, None, new)


# ------------------------------------------------------------------------------ export


def document_guid(sha: str, extra: dict | None, used: set[str]) -> str:
    """The GUID a document is exported with: the one it was imported with, else one
    derived from its text; ``used`` (updated) keeps them distinct."""
    guid = normalise_guid((extra or {}).get(DOCUMENT_GUID))
    if guid is None or guid in used:
        guid = derived_guid("document", sha)
    used.add(guid)
    return guid


def variable_guid(scope: str, name: str) -> str:
    return derived_guid("variable", scope, name)


def study_for_export(s: Session, code_guid: dict[int, str]):
    """(variables, cases, sets) of the project for the writer: every attribute (of
    documents and of cases) as a Variable, with a GUID derived from its scope and name;
    cases and sets keep the GUID they were imported with. Members are named by the GUIDs
    their documents are exported with (:func:`document_guid`, in id order)."""
    variables = [
        VariableSpec(variable_guid(scope, a.name), a.name, a.type, tuple(a.choices))
        for scope in ("document", "case")
        for a in attributes.attributes_in(s, scope)
    ]
    all_cases, all_sets = cases.cases_in(s), sets.sets_in(s)
    members = {d for c in all_cases for d in c.documents}
    members.update(d for x in all_sets for d in x.documents)
    doc_guid: dict[int, str] = {}
    used: set[str] = set()
    if members:
        for did, sha, extra in s.execute(
            select(m.Document.id, m.Document.sha256, m.Document.extra).order_by(m.Document.id)
        ):
            guid = document_guid(sha, extra, used)
            if did in members:
                doc_guid[did] = guid
    out_cases = [
        CaseSpec(
            normalise_guid(c.guid) or derived_guid("case", c.name),
            c.name,
            c.memo,
            [(variable_guid("case", k), v) for k, v in sorted(c.values.items())],
            [doc_guid[d] for d in c.documents],
        )  # fmt: skip
        for c in all_cases
    ]
    out_sets = [
        SetSpec(
            normalise_guid(x.guid) or derived_guid("set", x.name),
            x.name,
            x.memo,
            [code_guid[c] for c in x.codes if c in code_guid],
            [doc_guid[d] for d in x.documents],
        )  # fmt: skip
        for x in all_sets
    ]
    return variables, out_cases, out_sets
