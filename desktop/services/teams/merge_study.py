"""Merging what surrounds the codings: attributes (matched by name and type, per
document), sets (by name), cases (by name, with their attributes and documents), the
journal (entries matched by time, title and text), and document and code memos (by
their owner). A value the target lacks is added; one that differs is kept as the
target has it (or the source's with ``prefer_source``) and listed in the report."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from desktop.services.documents import attributes
from desktop.services.project import audit


@dataclass
class Study:
    attributes: list[dict] = field(default_factory=list)  # attribute rows
    doc_values: dict[int, dict[int, str]] = field(default_factory=dict)  # doc -> {attr: value}
    case_values: dict[int, dict[int, str]] = field(default_factory=dict)
    cases: list[dict] = field(default_factory=list)
    case_documents: dict[int, set[int]] = field(default_factory=dict)
    sets: list[dict] = field(default_factory=list)
    set_documents: dict[int, set[int]] = field(default_factory=dict)
    set_codes: dict[int, set[int]] = field(default_factory=dict)
    journal: list[dict] = field(default_factory=list)


def read_study(s: Session) -> Study:
    st = Study()
    st.attributes = [dict(r._mapping) for r in s.execute(select(m.Attribute.__table__))]
    for did, aid, v in s.execute(select(m.AttributeValue.__table__)):
        st.doc_values.setdefault(did, {})[aid] = v
    for cid, aid, v in s.execute(select(m.CaseValue.__table__)):
        st.case_values.setdefault(cid, {})[aid] = v
    st.cases = [dict(r._mapping) for r in s.execute(select(m.Case.__table__))]
    for cid, did in s.execute(select(m.CaseDocument.case_id, m.CaseDocument.document_id)):
        st.case_documents.setdefault(cid, set()).add(did)
    st.sets = [dict(r._mapping) for r in s.execute(select(m.ItemSet.__table__))]
    for sid, did in s.execute(select(m.SetDocument.set_id, m.SetDocument.document_id)):
        st.set_documents.setdefault(sid, set()).add(did)
    for sid, cid in s.execute(select(m.SetCode.set_id, m.SetCode.code_id)):
        st.set_codes.setdefault(sid, set()).add(cid)
    st.journal = [dict(r._mapping) for r in s.execute(select(m.JournalEntry.__table__))]
    return st


def write_study(
    s: Session, actor: str, st: Study, doc_map: dict[int, int], code_map: dict[int, int],
    src_documents: list[dict], src_codes: dict[int, dict], notes: list[str], prefer_source: bool,
) -> None:  # fmt: skip
    attr_map = _attributes(s, actor, st, notes)
    names = {d["id"]: d["name"] for d in src_documents}
    _values(s, actor, st.doc_values, doc_map, attr_map, "document", names, notes, prefer_source)
    case_map: dict[int, int] = {}
    for c in st.cases:
        tc = s.scalar(select(m.Case).where(m.Case.name == c["name"]))
        if tc is None:
            tc = m.Case(name=c["name"], memo=c["memo"] or "", guid=c["guid"])
            s.add(tc)
            s.flush()
            audit.record(s, actor, "create", "case", tc.id, None, {"name": tc.name, "merged": True})
            notes.append(f"case added: {c['name']}")
        case_map[c["id"]] = tc.id
        have = set(
            s.scalars(select(m.CaseDocument.document_id).where(m.CaseDocument.case_id == tc.id))
        )
        for did in sorted(st.case_documents.get(c["id"], ())):
            if did in doc_map and doc_map[did] not in have:
                s.add(m.CaseDocument(case_id=tc.id, document_id=doc_map[did]))
    case_names = {c["id"]: c["name"] for c in st.cases}
    _values(s, actor, st.case_values, case_map, attr_map, "case", case_names, notes, prefer_source)
    for x in st.sets:
        tx = s.scalar(select(m.ItemSet).where(m.ItemSet.name == x["name"]))
        if tx is None:
            tx = m.ItemSet(name=x["name"], memo=x["memo"] or "", guid=x["guid"])
            s.add(tx)
            s.flush()
            audit.record(s, actor, "create", "set", tx.id, None, {"name": tx.name, "merged": True})
            notes.append(f"set added: {x['name']}")
        have_d = set(
            s.scalars(select(m.SetDocument.document_id).where(m.SetDocument.set_id == tx.id))
        )
        have_c = set(s.scalars(select(m.SetCode.code_id).where(m.SetCode.set_id == tx.id)))
        for did in sorted(st.set_documents.get(x["id"], ())):
            if did in doc_map and doc_map[did] not in have_d:
                s.add(m.SetDocument(set_id=tx.id, document_id=doc_map[did]))
        for cid in sorted(st.set_codes.get(x["id"], ())):
            if cid in code_map and code_map[cid] not in have_c:
                s.add(m.SetCode(set_id=tx.id, code_id=code_map[cid]))
    have_j = {(e.at, e.title, e.text) for e in s.scalars(select(m.JournalEntry))}
    for e in st.journal:
        if (e["at"], e["title"], e["text"]) not in have_j:
            je = m.JournalEntry(at=e["at"], author=e["author"], title=e["title"], text=e["text"],
                                guid=e["guid"])  # fmt: skip
            s.add(je)
            s.flush()
            audit.record(s, actor, "create", "journal_entry", je.id, None,
                         {"title": je.title, "text": je.text, "merged": True})  # fmt: skip
            notes.append(f"journal entry added: {e['title'] or e['text'][:40]!r}")
    for d in src_documents:
        if d.get("memo") and d["id"] in doc_map:
            _memo(s, actor, m.Document, doc_map[d["id"]], d["memo"], f"document {d['name']}",
                  notes, prefer_source)  # fmt: skip
    for cid, c in src_codes.items():
        if cid in code_map:
            if c.get("memo"):
                _memo(s, actor, m.Code, code_map[cid], c["memo"], f"code {c['name']}", notes,
                      prefer_source)  # fmt: skip
            tc = s.get(m.Code, code_map[cid])
            if not c.get("is_codable", True) and tc.is_codable:
                notes.append(f"code {c['name']}: a category in the source, codable here (kept)")


def _attributes(s: Session, actor: str, st: Study, notes: list[str]) -> dict[int, int]:
    out: dict[int, int] = {}
    for a in sorted(st.attributes, key=lambda a: (a["scope"], a["sort_order"])):
        t = s.scalar(select(m.Attribute).where(
            m.Attribute.scope == a["scope"], m.Attribute.name == a["name"]))  # fmt: skip
        if t is None:
            t = attributes.add_attribute_in(s, actor, a["name"], a["type"], a["choices"] or [],
                                            a["scope"])  # fmt: skip
            notes.append(f"{a['scope']} attribute added: {a['name']} ({a['type']})")
        elif t.type != a["type"]:
            notes.append(f"{a['scope']} attribute {a['name']!r} is {a['type']} in the source but "
                         f"{t.type} here: its values were not merged")  # fmt: skip
            continue
        elif t.type == "choice":
            missing = [c for c in a["choices"] or [] if c not in (t.choices or [])]
            if missing:
                t.choices = [*(t.choices or []), *missing]
                notes.append(f"attribute {a['name']!r}: choices added: {', '.join(missing)}")
        out[a["id"]] = t.id
    return out


def _values(
    s: Session, actor: str, values: dict[int, dict[int, str]], owner_map: dict[int, int],
    attr_map: dict[int, int], scope: str, names: dict[int, str], notes: list[str],
    prefer_source: bool,
) -> None:  # fmt: skip
    table = m.AttributeValue if scope == "document" else m.CaseValue
    owner = table.document_id if scope == "document" else table.case_id
    key = "document_id" if scope == "document" else "case_id"
    attr_names = dict(s.execute(select(m.Attribute.id, m.Attribute.name)).all())
    for sid, row in values.items():
        if sid not in owner_map:
            continue
        tid = owner_map[sid]
        have = dict(s.execute(select(table.attribute_id, table.value).where(owner == tid)).all())
        old, new = {}, {}
        for said, value in row.items():
            taid = attr_map.get(said)
            if taid is None or have.get(taid) == value:
                continue
            name = attr_names[taid]
            if taid in have:
                keep = "source" if prefer_source else "target"
                notes.append(f"{scope} {names.get(sid, sid)}: {name} is {have[taid]!r} here and "
                             f"{value!r} in the source (kept the {keep}'s)")  # fmt: skip
                if not prefer_source:
                    continue
                s.query(table).filter(owner == tid, table.attribute_id == taid).delete()
            old[name], new[name] = have.get(taid), value
            s.add(table(**{key: tid}, attribute_id=taid, value=value))
        if new:
            s.flush()
            audit.record(s, actor, "update", f"{scope}_attributes", tid, old, new)


def _memo(
    s, actor, model, tid: int, memo: str, label: str, notes: list[str], prefer_source: bool
) -> None:
    row = s.get(model, tid)
    current = row.memo or ""
    if current == memo:
        return
    if current and not prefer_source:
        notes.append(f"{label}: the memos differ (kept the target's)")
        return
    entity = "document" if model is m.Document else "code"
    audit.record(s, actor, "update", entity, tid, {"memo": current}, {"memo": memo})
    row.memo = memo
