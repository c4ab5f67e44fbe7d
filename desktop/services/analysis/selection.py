"""What a query selects: codes by path (with or without sub-codes), coders and
documents by name, and conditions (``--where``) on typed fields, document attributes
and memos, turned into one SQL filter over the coding table (alias ``c``).

Conditions, combined with AND when several are given:

- ``FIELD OP VALUE`` or ``CODE/PATH: FIELD OP VALUE``: a typed field of the codings
  (``count >= 10``, ``kind = civilian``); numbers compare as numbers, dates as dates
  (``2018`` or ``2018-03`` stand for the whole year or month).
- ``document.ATTRIBUTE OP VALUE``: a document's name, one of its attributes (built-in:
  title, author, date, source, url; or any the project defines, compared by type) or an
  imported metadata key (``document.source = Reuters``, ``document.date >= 2018``);
  ``document.set``, ``document.case`` and ``document.case.ATTRIBUTE`` as the document
  filter (desktop.services.documents.filter) reads ``set``, ``case`` and ``case.X``
  (``document.set = "Phase 1"``, ``document.case in Syria, Iraq``).
- ``memo OP TEXT``: the coding's memo.

OP is one of ``= != < <= > >=`` or ``~`` (contains). Text compares ignoring case."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from db.engine import qmark_connection
from desktop.core.codepath import join_path
from desktop.services.documents import attributes
from desktop.services.documents import filter as doc_filter
from desktop.services.documents.documents import METADATA_FIELDS
from desktop.services.errors import NotFound, ServiceError

_COND = re.compile(r"^\s*(?P<lhs>.+?)\s*(?P<op>>=|<=|!=|=|<|>|~)\s*(?P<value>.*?)\s*$", re.S)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SQL_OPS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
DOCUMENT_COLUMNS = ("name", *METADATA_FIELDS)


@dataclass(frozen=True)
class CodeSelection:
    path: str
    ids: tuple[int, ...]  # the code, then its sub-codes when asked for


@dataclass(frozen=True)
class Filter:
    """A WHERE fragment over ``coding c`` and its parameters."""

    sql: str = "1 = 1"  # true on SQLite and PostgreSQL alike
    params: tuple = ()

    def __and__(self, other: Filter) -> Filter:
        return Filter(f"({self.sql}) AND ({other.sql})", self.params + other.params)


def code_tree(project) -> list[tuple[int, int | None, str]]:
    """(id, parent id, path) of every code, read in one light query (no counts)."""
    with project.session() as s:
        return _tree_in(s)


def _tree_in(s: Session) -> list[tuple[int, int | None, str]]:
    rows = s.execute(select(m.Code.id, m.Code.parent_id, m.Code.name)).all()
    parent = {i: p for i, p, _ in rows}
    name = {i: n for i, _, n in rows}
    paths: dict[int, str] = {}

    def path(i: int) -> str:
        if i not in paths:
            chain, cur = [], i
            while cur is not None and len(chain) <= len(rows):
                chain.append(name[cur])
                cur = parent[cur]
            paths[i] = join_path(list(reversed(chain)))
        return paths[i]

    return [(i, p, path(i)) for i, p, _ in rows]


def select_codes(
    project, path: str, *, subcodes: bool = False,
    tree: list[tuple[int, int | None, str]] | None = None,
) -> CodeSelection:  # fmt: skip
    tree = code_tree(project) if tree is None else tree
    wanted = path.strip().strip("/")
    found = next((c for c in tree if c[2] == wanted), None)
    if found is None:
        raise NotFound(f"no code named {path!r} in the codebook")
    ids = [found[0]]
    if subcodes:
        children: dict[int, list[int]] = {}
        for cid, parent, _ in tree:
            if parent is not None:
                children.setdefault(parent, []).append(cid)
        stack = list(children.get(found[0], []))
        while stack:
            cid = stack.pop()
            ids.append(cid)
            stack.extend(children.get(cid, []))
    return CodeSelection(found[2], tuple(ids))


def coder_ids(project, names: Sequence[str]) -> list[int]:
    with project.session() as s:
        known = dict(s.execute(select(m.Coder.name, m.Coder.id)).all())
    out = []
    for name in names:
        if name not in known:
            raise NotFound(
                f"no coder named {name!r} (coders: {', '.join(sorted(known)) or 'none'})"
            )
        out.append(known[name])
    return out


def document_ids(project, names: Sequence[str]) -> list[int]:
    with project.session() as s:
        known = dict(s.execute(select(m.Document.name, m.Document.id)).all())
    out = []
    for name in names:
        if name not in known:
            raise NotFound(f"no document named {name!r}")
        out.append(known[name])
    return out


def document_scope(
    project, names: Sequence[str] = (), sets: Sequence[str] = (), cases: Sequence[str] = ()
) -> list[int] | None:
    """Ids of the documents a query reads: those named, narrowed to the documents in
    any of ``sets`` and in any of ``cases`` (the document filter's membership test);
    None when nothing narrows (every document)."""
    ids = document_ids(project, names) if names else None
    if sets or cases:
        chosen = doc_filter.DocumentFilter(sets=tuple(sets), cases=tuple(cases)).document_ids(
            project
        )
        keep = set(chosen)
        ids = chosen if ids is None else [i for i in ids if i in keep]
    return ids


def visible(requested: Sequence[int] | None, allowed: Sequence[int] | None) -> list[int] | None:
    """The coders whose codings a query may read: those requested, within those blind
    mode lets the user see (None: no restriction)."""
    if allowed is None:
        return None if requested is None else list(requested)
    if requested is None:
        return list(allowed)
    return [c for c in requested if c in set(allowed)]


def base_filter(coders: Sequence[int] | None, documents: Sequence[int] | None) -> Filter:
    f = Filter()
    if coders is not None:
        f = f & Filter(f"c.coder_id IN ({','.join('?' * len(coders)) or 'NULL'})", tuple(coders))
    if documents is not None:
        f = f & Filter(
            f"c.document_id IN ({','.join('?' * len(documents)) or 'NULL'})", tuple(documents)
        )
    return f


def conditions(s: Session, conds: Sequence[str], code_ids: Sequence[int]) -> Filter:
    """The filter of ``--where`` conditions; ServiceError naming the first bad one
    (unknown field or attribute, unreadable number or date) before anything runs."""
    f = Filter()
    for cond in conds:
        f = f & _condition(s, cond, code_ids)
    return f


def _is_membership(attr: str) -> bool:
    low = attr.lower()
    return low in ("set", "sets", "case", "cases") or low.startswith("case.")


def _membership_condition(s: Session, cond: str) -> Filter:
    """``document.set``, ``document.case`` and ``document.case.ATTRIBUTE``, compiled by
    the document filter (``in`` lists and quoted names included)."""
    c = doc_filter.parse_condition(cond.strip().split(".", 1)[1])
    sql, params = doc_filter.condition_sql(s, c)
    return Filter(f"c.document_id IN (SELECT d.id FROM document d WHERE {sql})", params)


def _parse(cond: str) -> tuple[str, str, str]:
    mt = _COND.match(cond or "")
    if mt is None or not mt["lhs"].strip():
        raise ServiceError(
            f"condition {cond!r}: write it as FIELD OP VALUE, e.g. 'count >= 10' or "
            "'document.source = Reuters' (OP: = != < <= > >= ~)"
        )
    return mt["lhs"].strip(), mt["op"], mt["value"]


def _text_compare(expr: str, op: str, value: str) -> tuple[str, tuple]:
    if op == "~":
        return f"instr(lower({expr}), lower(?)) > 0", (value,)
    return f"lower({expr}) {_SQL_OPS[op]} lower(?)", (value,)


def _date_compare(expr: str, op: str, value: str, cond: str) -> tuple[str, tuple]:
    if not _DATE.match(value):
        raise ServiceError(
            f"condition {cond!r}: {value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"
        )
    upper = value + "\uffff"  # after every date inside that year or month
    if op == "=":
        return f"({expr} >= ? AND {expr} < ?)", (value, upper)
    if op == "!=":
        return f"NOT ({expr} >= ? AND {expr} < ?)", (value, upper)
    if op in ("<", ">="):
        return f"{expr} {_SQL_OPS[op]} ?", (value,)
    if op in ("<=", ">"):
        return f"{expr} {'<' if op == '<=' else '>='} ?", (upper,)
    return f"instr({expr}, ?) > 0", (value,)


def _number_compare(expr: str, op: str, value: str, cond: str) -> tuple[str, tuple]:
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        raise ServiceError(f"condition {cond!r}: {value!r} is not a number") from None
    if op == "~":
        raise ServiceError(f"condition {cond!r}: ~ (contains) is for text, not numbers")
    return f"CAST({expr} AS REAL) {_SQL_OPS[op]} ?", (number,)


def _condition(s: Session, cond: str, code_ids: Sequence[int]) -> Filter:
    head = (cond or "").strip()
    if head.lower().startswith("document.") and _is_membership(
        re.split(r"\s|[=!<>~]", head.split(".", 1)[1].strip(), maxsplit=1)[0]
    ):
        return _membership_condition(s, cond)
    lhs, op, value = _parse(cond)
    low = lhs.lower()
    if low == "memo":
        sql, params = _text_compare("coalesce(c.memo, '')", op, value)
        return Filter(sql, params)
    if low.startswith("document."):
        return _document_condition(s, lhs.split(".", 1)[1].strip(), op, value, cond)
    return _field_condition(s, lhs, op, value, cond, code_ids)


def _document_condition(s: Session, attr: str, op: str, value: str, cond: str) -> Filter:
    found = None if attr.lower() == "name" else doc_filter.attribute_expr(s, attr)
    kind = "text"
    if attr.lower() == "name":
        expr = "d.name"
    elif found is not None:
        expr, _, kind = found
    else:
        conn = qmark_connection(s)
        found = conn.execute(
            "SELECT 1 FROM document, json_each(document.extra) WHERE json_each.key = ? LIMIT 1",
            (attr,),
        ).fetchone()
        if found is None:
            known = [a.name for a in attributes.attributes_in(s)]
            raise NotFound(
                f"condition {cond!r}: documents have no attribute {attr!r} "
                f"(attributes: name, {', '.join(known)} and imported metadata keys)"
            )
        path = '$."' + attr.replace('"', '""') + '"'
        expr = "json_extract(d.extra, '" + path.replace("'", "''") + "')"
    if kind in ("integer", "decimal"):
        sql, params = _number_compare(expr, op, value, cond)
    elif attr.lower() == "date" or kind == "date":
        sql, params = _date_compare(expr, op, value, cond)
    else:
        sql, params = _text_compare(expr, op, value)
    return Filter(f"c.document_id IN (SELECT d.id FROM document d WHERE {sql})", params)


def _field_condition(
    s: Session, lhs: str, op: str, value: str, cond: str, code_ids: Sequence[int]
) -> Filter:
    scope_ids = list(code_ids)
    name = lhs
    if ":" in lhs:
        code_path, name = (x.strip() for x in lhs.split(":", 1))
        paths = {p: i for i, _, p in _tree_in(s)}
        if code_path not in paths:
            raise NotFound(f"condition {cond!r}: no code named {code_path!r}")
        scope_ids = [paths[code_path]]
    ids, ftype = field_named(s, name, scope_ids, f"condition {cond!r}")
    expr = "v.value"
    if ftype in ("integer", "decimal"):
        sql, params = _number_compare(expr, op, value, cond)
    elif ftype == "date":
        sql, params = _date_compare(expr, op, value, cond)
    elif ftype == "boolean":
        low = value.strip().lower()
        canon = (
            "yes"
            if low in {"yes", "y", "true", "1"}
            else "no"
            if low in {"no", "n", "false", "0"}
            else None
        )
        if canon is None or op not in ("=", "!="):
            raise ServiceError(f"condition {cond!r}: a yes/no field compares with = yes or = no")
        sql, params = f"v.value {_SQL_OPS[op]} ?", (canon,)
    else:
        sql, params = _text_compare(expr, op, value)
    return Filter(
        f"EXISTS (SELECT 1 FROM coding_value v WHERE v.coding_id = c.id AND "
        f"v.field_id IN ({','.join('?' * len(ids))}) AND {sql})",
        (*ids, *params),
    )


def fields_of(s: Session, code_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """(id, name, type) of the fields the codings of ``code_ids`` carry: their codes'
    fields and their ancestors'."""
    parents = dict(s.execute(select(m.Code.id, m.Code.parent_id)).all())
    owners: set[int] = set()
    for cid in code_ids:
        cur: int | None = cid
        while cur is not None and cur not in owners:
            owners.add(cur)
            cur = parents.get(cur)
    return [
        (fid, fname, ftype)
        for fid, fname, ftype in s.execute(
            select(m.CodeField.id, m.CodeField.name, m.CodeField.type)
            .where(m.CodeField.code_id.in_(owners))
            .order_by(m.CodeField.sort_order, m.CodeField.id)
        ).all()
    ]


def field_named(s: Session, name: str, code_ids: Sequence[int], what: str) -> tuple[list[int], str]:
    """The ids of the fields called ``name`` (ignoring case) among those the codings of
    ``code_ids`` carry, and their type; NotFound naming ``what`` and the fields there are."""
    fields = fields_of(s, code_ids)
    matching = [(fid, ftype) for fid, fname, ftype in fields if fname.lower() == name.lower()]
    if not matching:
        known = sorted({fname for _, fname, _ in fields})
        raise NotFound(
            f"{what}: the selected codes have no field {name!r}"
            + (f" (fields: {', '.join(known)})" if known else " (they have no fields)")
        )
    return [fid for fid, _ in matching], matching[0][1]
