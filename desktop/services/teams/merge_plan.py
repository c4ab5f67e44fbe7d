"""Matching one source against the target and writing what comes in, inside the
target's open transaction (``merge`` says what is matched and how)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from db import models as m
from desktop.core import wording
from desktop.core.fields import FieldValueError, canonical_value
from desktop.services.codebook import fields
from desktop.services.documents import originals
from desktop.services.errors import ServiceError
from desktop.services.project import audit
from desktop.services.teams import teams
from desktop.services.teams.merge_report import CodingConflict, MergeRefused, SourceReport, some
from desktop.services.teams.merge_source import Source, code_paths

BATCH = 5000


@dataclass(frozen=True)
class MergeOptions:
    add_codes: bool = False
    rename_clashing: bool = False
    prefer_source: bool = False
    dry_run: bool = False


class Plan:
    """The matching of one source against the target, then its writing, inside the
    target's open transaction."""

    def __init__(
        self, s: Session, src: Source, sr: SourceReport, opts: MergeOptions, path: Path, actor: str
    ):
        self.s, self.src, self.sr, self.opts, self.path, self.actor = s, src, sr, opts, path, actor
        self.doc_map: dict[int, int] = {}
        self.code_map: dict[int, int] = {}
        self.field_map: dict[int, int] = {}
        self.coder_map: dict[int, int] = {}

        self.t_docs = {sha: (did, name) for did, sha, name in s.execute(
            select(m.Document.id, m.Document.sha256, m.Document.name))}  # fmt: skip
        t_codes = {r.id: dict(r._mapping) for r in s.execute(select(m.Code.__table__))}
        self.t_path_of = code_paths(t_codes)
        self.t_paths = {p: cid for cid, p in self.t_path_of.items()}
        # a copy for a coder shares its codes' identities with the master (copy_for_coder)
        self.t_code_guids = {r["guid"]: cid for cid, r in t_codes.items() if r["guid"]}
        self.t_fields = {
            (r.code_id, r.name): dict(r._mapping) for r in s.execute(select(m.CodeField.__table__))
        }
        self.t_coders = {name: cid for cid, name in s.execute(select(m.Coder.id, m.Coder.name))}
        self.settings = teams.read_settings(s)
        self.t_guids = teams.guids_in(self.settings)
        self.src_guids = teams.guids_in(src.settings)
        self.new_coders: list[tuple[int, str, str, str]] = []  # (source id, name, color, guid)
        self.adopt: dict[int, str] = {}  # target coder id -> identity learnt from the source

    # -- matching ---------------------------------------------------------------
    def check(self) -> None:
        src, sr = self.src, self.sr
        for d in src.documents:
            if d["sha256"] in self.t_docs:
                self.doc_map[d["id"]] = self.t_docs[d["sha256"]][0]
                sr.documents_matched += 1
        for cid, p in src.paths.items():
            # the same code by identity first: renamed or moved in either file since the
            # copy was made, it is still the code the coder applied
            same = self.t_code_guids.get(src.codes[cid].get("guid") or "")
            if same is not None:
                self.code_map[cid] = same
                if self.t_path_of[same] != p:
                    sr.codes_renamed.append((p, self.t_path_of[same]))
            elif p in self.t_paths:
                self.code_map[cid] = self.t_paths[p]
            else:
                sr.codes_missing.append(p)
        sr.codes_missing.sort()
        sr.codes_renamed.sort()
        for fid, f in src.fields.items():
            label = f"{src.paths[f['code_id']]}: {f['name']}"
            tcode = self.code_map.get(f["code_id"])
            tf = self.t_fields.get((tcode, f["name"])) if tcode is not None else None
            if tf is None:
                sr.fields_missing.append(label)
            elif tf["type"] != f["type"]:
                raise MergeRefused(
                    f"{self.path}: the field {label!r} is of type {f['type']} there and "
                    f"{tf['type']} here; change one of them, then merge again"
                )
            else:
                self.field_map[fid] = tf["id"]
        sr.fields_missing.sort()
        self._match_coders()
        problems = []
        if sr.codes_missing and not self.opts.add_codes:
            problems.append(
                f"{wording.count(len(sr.codes_missing), 'code')} {wording.plural(len(sr.codes_missing), 'is')} not in the target: {some(sr.codes_missing)} "
                "(merge with --add-codes to add them)"
            )
        if sr.fields_missing and not self.opts.add_codes:
            missing = [f for f in sr.fields_missing if f.rsplit(": ", 1)[0] not in sr.codes_missing]
            if missing:
                problems.append(
                    f"{wording.count(len(missing), 'typed field')} {wording.plural(len(missing), 'is')} not in the target: {some(missing)} "
                    "(merge with --add-codes to add them)"
                )
        if sr.coder_clashes and not self.opts.rename_clashing:
            problems.append(
                f"{wording.plural(len(sr.coder_clashes), 'coder')} {some(sr.coder_clashes)} "
                f"in the source {wording.plural(len(sr.coder_clashes), 'is a', 'are')} "
                f"different {wording.plural(len(sr.coder_clashes), 'person', 'people')} from "
                f"the {wording.plural(len(sr.coder_clashes), 'coder')} of the same name here "
                f"(merge with --rename-clashing to add "
                f"{wording.plural(len(sr.coder_clashes), 'it', 'them')} under another name)"
            )
        if problems:
            raise MergeRefused(f"{self.path}: " + "; ".join(problems))

    def _match_coders(self) -> None:
        src, sr = self.src, self.sr
        by_guid = {g: cid for cid, g in self.t_guids.items()}
        used = {c[3] for c in src.codings}
        taken = set(self.t_coders)
        for sid in sorted(used):
            if sid not in src.coders:
                raise MergeRefused(
                    f"{self.path}: a coding refers to a coder that is not there (damaged file)"
                )
            name, color = src.coders[sid]
            guid = self.src_guids.get(sid)
            if guid and guid in by_guid:
                tid = by_guid[guid]
                self.coder_map[sid] = tid
                tname = next(n for n, i in self.t_coders.items() if i == tid)
                sr.coders_matched.append(name)
                if tname != name:
                    sr.coders_renamed.append((name, tname))
                continue
            tid = self.t_coders.get(name)
            if tid is None:
                self.new_coders.append((sid, name, color, guid or teams.new_guid()))
                taken.add(name)
                sr.coders_added.append(name)
                continue
            tguid = self.t_guids.get(tid)
            if guid and tguid and guid != tguid:
                sr.coder_clashes.append(name)
                if self.opts.rename_clashing:
                    new = _free_name(name, taken)
                    taken.add(new)
                    self.new_coders.append((sid, new, color, guid))
                    sr.coders_added.append(new)
                    sr.coders_renamed.append((name, new))
                continue
            self.coder_map[sid] = tid
            sr.coders_matched_by_name.append(name)
            if guid and not tguid:
                self.adopt[tid] = guid

    # -- writing ----------------------------------------------------------------
    def write_documents(self) -> None:
        s = self.s
        names = set(s.scalars(select(m.Document.name)))
        cols = {c.name for c in m.Document.__table__.c} - {"id"}
        for d in self.src.documents:
            if d["id"] in self.doc_map:
                self._adopt_original(self.doc_map[d["id"]], d.get("original_sha256"))
                continue
            row = {k: v for k, v in d.items() if k in cols}
            row["original_sha256"] = self._carry_original(d.get("original_sha256"))
            row["name"] = _free_name(d["name"], names, keep_ext=True)
            names.add(row["name"])
            did = s.execute(
                insert(m.Document.__table__).values(**row).returning(m.Document.id)
            ).scalar_one()
            pages = [
                {
                    "document_id": did,
                    "number": p["number"],
                    "char_start": p["char_start"],
                    "char_end": p["char_end"],
                }
                for p in self.src.pages.get(d["id"], [])
            ]
            if pages:
                s.execute(insert(m.Page.__table__), pages)
            self.doc_map[d["id"]] = did
            self.sr.documents_added.append(row["name"])

    def _carry_original(self, sha: str | None) -> str | None:
        """The source's original file ``sha`` in the target (written if missing)."""
        row = self.src.originals.get(sha) if sha else None
        if row is None:
            return None
        if not originals.has(self.s, sha):
            data = self.src.original_data(sha)
            if data is None:
                return None
            self.s.execute(insert(m.OriginalFile.__table__).values(**row, data=data))
        return sha

    def _adopt_original(self, target_id: int, sha: str | None) -> None:
        """A matched document without an original takes the source's."""
        if (
            sha
            and self.s.scalar(select(m.Document.original_sha256).where(m.Document.id == target_id))
            is None
            and self._carry_original(sha)
        ):
            self.s.execute(
                update(m.Document).where(m.Document.id == target_id).values(original_sha256=sha)
            )

    def write_codes(self) -> None:
        if not self.sr.codes_missing and not self.sr.fields_missing:
            return
        s, src = self.s, self.src

        def depth(cid: int) -> int:
            n, parent = 0, src.codes[cid]["parent_id"]
            while parent is not None:
                n, parent = n + 1, src.codes[parent]["parent_id"]
            return n

        for cid in sorted((c for c in src.codes if c not in self.code_map), key=depth):
            c = src.codes[cid]
            parent = None if c["parent_id"] is None else self.code_map[c["parent_id"]]
            order = s.scalar(
                select(m.Code.sort_order).where(
                    m.Code.parent_id.is_(None) if parent is None else m.Code.parent_id == parent
                ).order_by(m.Code.sort_order.desc()).limit(1)
            )  # fmt: skip
            code = m.Code(
                parent_id=parent, name=c["name"], color=c["color"], description=c["description"] or "",
                inclusion=c["inclusion"] or "", exclusion=c["exclusion"] or "",
                sort_order=(order + 1) if order is not None else 0, guid=c["guid"],
                is_codable=c.get("is_codable", True), memo=c.get("memo") or "",
            )  # fmt: skip
            s.add(code)
            s.flush()
            for i, text in enumerate(src.examples.get(cid, [])):
                s.add(m.CodeExample(code_id=code.id, text=text, sort_order=i))
            self.code_map[cid] = code.id
            self.sr.codes_added.append(src.paths[cid])
            audit.record(
                s,
                self.actor,
                "create",
                "code",
                code.id,
                None,
                {"path": src.paths[cid], "merged_from": str(self.path)},
            )
        for fid, f in sorted(
            src.fields.items(), key=lambda kv: (kv[1]["code_id"], kv[1]["sort_order"])
        ):
            if fid in self.field_map:
                continue
            tcode = self.code_map[f["code_id"]]
            label = f"{src.paths[f['code_id']]}: {f['name']}"
            try:
                tf = fields.insert_field(
                    s, self.actor, tcode, f["name"], f["type"], choices=f["choices"] or [],
                    required=bool(f["required"]),
                )  # fmt: skip
            except ServiceError as exc:
                raise MergeRefused(f"{self.path}: cannot add the field {label!r}: {exc}") from exc
            self.field_map[fid] = tf.id
            self.t_fields[(tcode, f["name"])] = {
                "id": tf.id,
                "name": tf.name,
                "type": tf.type,
                "choices": tf.choices,
            }
            self.sr.fields_added.append(label)

    def write_coders(self) -> None:
        s = self.s
        guids = dict(self.t_guids)
        for sid, name, color, guid in self.new_coders:
            c = m.Coder(name=name, color=color)
            s.add(c)
            s.flush()
            self.coder_map[sid] = c.id
            guids[c.id] = guid
        guids.update(self.adopt)
        if guids != self.t_guids:
            teams.write_settings(
                s, teams.with_guids(teams.read_settings(s, for_update=True), guids)
            )

    def write_codings(self, step) -> None:
        s, src, sr = self.s, self.src, self.sr
        before = audit.max_coding_id(s)
        texts = {d["id"]: d["text"] for d in src.documents}
        doc_names = {d["id"]: d["name"] for d in src.documents}
        coder_ids = sorted(set(self.coder_map.values()))
        c = m.Coding.__table__.c
        existing: dict[tuple, tuple[int, str]] = {}
        for chunk in _chunks(coder_ids, 500):
            for r in s.execute(
                select(c.id, c.document_id, c.code_id, c.coder_id, c.start, c.end, c.memo).where(
                    c.coder_id.in_(chunk)
                )
            ):
                existing[(r[1], r[2], r[3], r[4], r[5])] = (r[0], r[6] or "")
        self.t_values: dict[int, dict[int, str]] = {}
        v = m.CodingValue.__table__.c
        for chunk in _chunks(coder_ids, 500):
            for cid, fid, value in s.execute(
                select(v.coding_id, v.field_id, v.value).join(m.Coding.__table__, c.id == v.coding_id)
                .where(c.coder_id.in_(chunk))
            ):  # fmt: skip
                self.t_values.setdefault(cid, {})[fid] = value
        field_info = {f["id"]: f for f in self.t_fields.values()}
        new_rows: list[dict] = []
        new_values: list[tuple[tuple, dict[int, str]]] = []
        total = len(src.codings)
        seen: set[tuple] = set()
        for n, (sid, doc, code, coder, start, end, quote, memo, created, updated) in enumerate(
            src.codings
        ):
            if n % BATCH == 0:
                step("codings", n, total)
            text = texts.get(doc)
            if text is None or code not in self.code_map or coder not in self.coder_map:
                raise MergeRefused(
                    f"{self.path}: coding {sid} refers to a missing document, code or coder (damaged file)"
                )
            if not (0 <= start < end <= len(text)) or text[start:end] != quote:
                raise MergeRefused(
                    f"{self.path}: a coding of {doc_names[doc]!r} at [{start}, {end}) does not match "
                    "the document's text (damaged file)"
                )
            key = (self.doc_map[doc], self.code_map[code], self.coder_map[coder], start, end)
            values = self._values(sid, field_info, doc_names[doc], start, end)
            if key in existing or key in seen:
                sr.codings_present += 1
                if key in existing:
                    self._reconcile(existing[key], memo or "", values, field_info,
                                    (doc_names[doc], src.paths[code], src.coders[coder][0], start, end))  # fmt: skip
                continue
            seen.add(key)
            new_rows.append({
                "document_id": key[0], "code_id": key[1], "coder_id": key[2], "start": start, "end": end,
                "quote": quote, "memo": memo or "", "created_at": created, "updated_at": updated,
            })  # fmt: skip
            if values:
                new_values.append((key, values))
            if len(new_rows) >= BATCH:
                s.execute(insert(m.Coding.__table__), new_rows)
                sr.codings_added += len(new_rows)
                new_rows = []
        if new_rows:
            s.execute(insert(m.Coding.__table__), new_rows)
            sr.codings_added += len(new_rows)
        audit.record_bulk_codings(s, self.actor, "merge", before, {"source": str(self.path)})
        step("codings", total, total)
        if new_values:
            ids: dict[tuple, int] = {}
            for chunk in _chunks(coder_ids, 500):
                for r in s.execute(
                    select(c.id, c.document_id, c.code_id, c.coder_id, c.start, c.end).where(
                        c.coder_id.in_(chunk)
                    )
                ):
                    ids[tuple(r[1:])] = r[0]
            rows = [
                {"coding_id": ids[key], "field_id": fid, "value": v}
                for key, values in new_values
                for fid, v in values.items()
            ]
            for chunk in _chunks(rows, BATCH):
                s.execute(insert(m.CodingValue.__table__), chunk)

    def _values(
        self, coding_id: int, field_info: dict, doc: str, start: int, end: int
    ) -> dict[int, str]:
        out = {}
        for sfid, v in self.src.values.get(coding_id, {}).items():
            tfid = self.field_map.get(sfid)
            if tfid is None:
                raise MergeRefused(
                    f"{self.path}: a value refers to a field that is not there (damaged file)"
                )
            f = field_info[tfid]
            try:
                out[tfid] = canonical_value(f["type"], v, f["choices"] or [])
            except FieldValueError as exc:
                raise MergeRefused(
                    f"{self.path}: the value {v!r} of field {self.src.fields[sfid]['name']!r} on a coding "
                    f"of {doc!r} at [{start}, {end}) does not fit this project's field: {exc}"
                ) from exc
        return out

    def _reconcile(
        self, existing: tuple[int, str], memo: str, values: dict[int, str], field_info, where
    ) -> None:
        """A coding both files have: fill in what the target lacks; where both differ,
        report a conflict and keep the target's (the source's with prefer_source)."""
        s, sr, prefer = self.s, self.sr, self.opts.prefer_source
        cid, t_memo = existing
        changed = False
        if memo and memo != t_memo:
            if not t_memo:
                changed = True
                s.execute(
                    update(m.Coding.__table__)
                    .where(m.Coding.id == cid)
                    .values(memo=memo, updated_at=m.utcnow())
                )
            else:
                sr.conflicts.append(
                    CodingConflict(*where, "memo", t_memo, memo, "source" if prefer else "target")
                )
                if prefer:
                    s.execute(
                        update(m.Coding.__table__)
                        .where(m.Coding.id == cid)
                        .values(memo=memo, updated_at=m.utcnow())
                    )
        if values:
            t_values = self.t_values.get(cid, {})
            for fid, v in values.items():
                if fid not in t_values:
                    changed = True
                    s.execute(
                        insert(m.CodingValue.__table__).values(coding_id=cid, field_id=fid, value=v)
                    )
                elif t_values[fid] != v:
                    name = field_info[fid]["name"]
                    sr.conflicts.append(
                        CodingConflict(
                            *where, name, t_values[fid], v, "source" if prefer else "target"
                        )
                    )
                    if prefer:
                        s.execute(
                            update(m.CodingValue.__table__)
                            .where(m.CodingValue.coding_id == cid, m.CodingValue.field_id == fid)
                            .values(value=v)
                        )
        if changed:
            sr.codings_filled += 1


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _free_name(name: str, taken: set[str], *, keep_ext: bool = False) -> str:
    if name not in taken:
        return name
    stem, ext = name, ""
    if keep_ext and "." in name.strip(".")[1:]:
        stem, _, ext = name.rpartition(".")
        ext = "." + ext
    n = 2
    while f"{stem} ({n}){ext}" in taken:
        n += 1
    return f"{stem} ({n}){ext}"
