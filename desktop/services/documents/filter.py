"""One document filter for every feature that narrows the corpus (the Documents table,
sets made from a filter, analysis, agreement, frequencies): conditions on document
attributes, set and case membership, and the attributes of a document's cases.

    outlet = Reuters and date in 2018
    set = "Phase 1" and case.country != Syria and words >= 500

A condition is ``LHS OP VALUE``; LHS is ``name``, a document attribute, ``set``,
``case`` or ``case.ATTRIBUTE``; OP is one of ``= != < <= > >= ~`` (contains) or ``in``
(a date's year or month, ``date in 2018-03``; otherwise a comma-separated list).
Integers and decimals compare as numbers, dates as dates (``2018`` and ``2018-03`` stand
for the whole year or month), everything else as text ignoring case. A document without
a value matches no condition on it but ``!=``. Conditions are joined with ``and``.

The filter compiles to one SQL fragment over ``document d`` with ``?`` parameters, so
a caller can put it in its own query (``d.id IN (...)``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from db.engine import qmark_connection
from desktop.services.errors import NotFound, ServiceError

_COND = re.compile(
    r"^\s*(?P<lhs>.+?)\s*(?P<op>>=|<=|!=|=|<|>|~|\bin\b)\s*(?P<value>.*?)\s*$", re.S | re.I
)
_AND = re.compile(r"\s+and\s+(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", re.I)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SQL_OPS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclass(frozen=True)
class Condition:
    lhs: str
    op: str
    value: str
    text: str


@dataclass(frozen=True)
class DocumentFilter:
    conditions: tuple[Condition, ...] = ()
    sets: tuple[str, ...] = field(default=())  # in any of these sets (names)
    cases: tuple[str, ...] = field(default=())  # in any of these cases (names)

    @classmethod
    def parse(cls, text: str | None, *, sets=(), cases=()) -> DocumentFilter:
        """A filter from ``a = b and c in 2018``; ServiceError says what is unreadable."""
        conds = [parse_condition(part) for part in _AND.split(text or "") if part.strip()]
        return cls(tuple(conds), tuple(sets), tuple(cases))

    @classmethod
    def of(cls, conditions=(), *, sets=(), cases=()) -> DocumentFilter:
        return cls(tuple(parse_condition(c) for c in conditions), tuple(sets), tuple(cases))

    @property
    def empty(self) -> bool:
        return not (self.conditions or self.sets or self.cases)

    def sql(self, s: Session) -> tuple[str, tuple]:
        """A WHERE fragment over ``document d`` and its parameters."""
        parts, params = ["1 = 1"], []  # true on SQLite and PostgreSQL alike
        conn = _conn(s)
        if self.sets:
            ids = [_set_id(conn, n) for n in self.sets]
            parts.append(f"d.id IN (SELECT document_id FROM set_document WHERE set_id IN "
                         f"({','.join('?' * len(ids))}))")  # fmt: skip
            params += ids
        if self.cases:
            ids = [_case_id(conn, n) for n in self.cases]
            parts.append(f"d.id IN (SELECT document_id FROM case_document WHERE case_id IN "
                         f"({','.join('?' * len(ids))}))")  # fmt: skip
            params += ids
        for c in self.conditions:
            sql, p = condition_sql(s, c)
            parts.append(sql)
            params += p
        return " AND ".join(f"({x})" for x in parts), tuple(params)

    def document_ids(self, project) -> list[int]:
        """The ids of the documents the filter selects, in name order."""
        with project.session() as s:
            sql, params = self.sql(s)
            rows = _conn(s).execute(
                f"SELECT d.id FROM document d WHERE {sql} ORDER BY d.name, d.id", params
            )
            return [r[0] for r in rows]


def _conn(s: Session):
    return qmark_connection(s)


def _unquote(value: str) -> str:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    return v


def parse_condition(text: str) -> Condition:
    mt = _COND.match(text or "")
    if mt is None or not mt["lhs"].strip():
        raise ServiceError(
            f"condition {text!r}: write it as ATTRIBUTE OP VALUE, e.g. 'outlet = Reuters' or "
            "'date in 2018' (OP: = != < <= > >= ~ in)"
        )
    return Condition(_unquote(mt["lhs"]), mt["op"].lower(), _unquote(mt["value"]), text.strip())


def _set_id(conn, name: str) -> int:
    row = conn.execute("SELECT id FROM item_set WHERE lower(name) = lower(?)", (name,)).fetchone()
    if row is None:
        raise NotFound(f"no set named {name!r}")
    return row[0]


def _case_id(conn, name: str) -> int:
    row = conn.execute("SELECT id FROM study_case WHERE lower(name) = lower(?)", (name,)).fetchone()
    if row is None:
        raise NotFound(f"no case named {name!r}")
    return row[0]


def attribute_expr(s: Session, name: str, scope: str = "document") -> tuple[str, tuple, str] | None:
    """(SQL expression of the attribute's value for ``d`` (or case ``k``), its params,
    its type), or None when there is no such attribute."""
    row = (
        _conn(s)
        .execute(
            "SELECT id, type FROM attribute WHERE scope = ? AND lower(name) = lower(?)",
            (scope, name),
        )
        .fetchone()
    )
    if row is None:
        return None
    aid = int(row[0])  # an integer from the database: safe to write into the SQL
    if scope == "document":
        expr = f"(SELECT v.value FROM attribute_value v WHERE v.document_id = d.id AND v.attribute_id = {aid})"
    else:
        expr = f"(SELECT v.value FROM case_value v WHERE v.case_id = k.case_id AND v.attribute_id = {aid})"
    return expr, (), row[1]


def _known(s: Session, scope: str) -> str:
    names = [r[0] for r in _conn(s).execute(
        "SELECT name FROM attribute WHERE scope = ? ORDER BY sort_order, id", (scope,))]  # fmt: skip
    return ", ".join(names) or "none"


def condition_sql(s: Session, c: Condition) -> tuple[str, tuple]:
    low = c.lhs.lower()
    conn = _conn(s)
    if low in ("set", "sets"):
        ids = [_set_id(conn, v) for v in _values(c)]
        sql = (f"d.id IN (SELECT document_id FROM set_document WHERE set_id IN "
               f"({','.join('?' * len(ids))}))")  # fmt: skip
        return _member(c, sql, tuple(ids))
    if low in ("case", "cases"):
        ids = [_case_id(conn, v) for v in _values(c)]
        sql = (f"d.id IN (SELECT document_id FROM case_document WHERE case_id IN "
               f"({','.join('?' * len(ids))}))")  # fmt: skip
        return _member(c, sql, tuple(ids))
    if low.startswith("case."):
        name = c.lhs.split(".", 1)[1].strip()
        found = attribute_expr(s, name, "case")
        if found is None:
            raise NotFound(f"condition {c.text!r}: cases have no attribute {name!r} "
                           f"(attributes: {_known(s, 'case')})")  # fmt: skip
        expr, params, kind = found
        sql, p = compare(expr, kind, c)
        return (f"d.id IN (SELECT k.document_id FROM case_document k WHERE {sql})", params + p)
    if low == "name":
        return compare("d.name", "text", c)
    found = attribute_expr(s, c.lhs)
    if found is None:
        raise NotFound(f"condition {c.text!r}: documents have no attribute {c.lhs!r} "
                       f"(attributes: name, {_known(s, 'document')}; set; case)")  # fmt: skip
    expr, params, kind = found
    sql, p = compare(expr, kind, c)
    return sql, params + p


def _values(c: Condition) -> list[str]:
    if c.op == "in":
        return [_unquote(v) for v in c.value.split(",") if v.strip()]
    if c.op in ("=", "!="):
        return [c.value]
    raise ServiceError(f"condition {c.text!r}: sets and cases take =, != or in")


def _member(c: Condition, sql: str, params: tuple) -> tuple[str, tuple]:
    return (f"NOT ({sql})" if c.op == "!=" else sql), params


def compare(expr: str, kind: str, c: Condition) -> tuple[str, tuple]:
    """SQL comparing ``expr`` (a value of type ``kind``) as the condition says. The
    parameters of ``expr`` itself are not included."""
    op, value = c.op, c.value
    if kind in ("integer", "decimal"):
        if op in ("~",):
            raise ServiceError(f"condition {c.text!r}: ~ (contains) is for text, not numbers")
        values = [v.strip() for v in value.split(",")] if op == "in" else [value]
        try:
            numbers = [float(v.replace(",", "")) if op != "in" else float(v) for v in values]
        except ValueError:
            raise ServiceError(f"condition {c.text!r}: {value!r} is not a number") from None
        if op == "in":
            return (f"CAST({expr} AS REAL) IN ({','.join('?' * len(numbers))})", tuple(numbers))
        sql = f"CAST({expr} AS REAL) {_SQL_OPS[op]} ?"
        return (f"({expr} IS NULL OR {sql})" if op == "!=" else sql), (numbers[0],)
    if kind == "date" or (kind == "text" and op == "in" and _DATE.match(value)):
        return _date_compare(expr, op, value, c)
    if op == "in":
        values = [_unquote(v).strip() for v in value.split(",") if v.strip()]
        return (f"lower({expr}) IN ({','.join('lower(?)' for _ in values)})", tuple(values))
    if op == "~":
        return f"instr(lower({expr}), lower(?)) > 0", (value,)
    sql = f"lower({expr}) {_SQL_OPS[op]} lower(?)"
    return (f"({expr} IS NULL OR {sql})" if op == "!=" else sql), (value,)


def _date_compare(expr: str, op: str, value: str, c: Condition) -> tuple[str, tuple]:
    if not _DATE.match(value):
        raise ServiceError(
            f"condition {c.text!r}: {value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"
        )
    upper = value + "\uffff"  # after every date inside that year or month
    if op in ("=", "in"):
        return f"({expr} >= ? AND {expr} < ?)", (value, upper)
    if op == "!=":
        return f"({expr} IS NULL OR NOT ({expr} >= ? AND {expr} < ?))", (value, upper)
    if op in ("<", ">="):
        return f"{expr} {_SQL_OPS[op]} ?", (value,)
    if op in ("<=", ">"):
        return f"{expr} {'<' if op == '<=' else '>='} ?", (upper,)
    return f"instr({expr}, ?) > 0", (value,)
