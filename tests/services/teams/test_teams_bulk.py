"""Merge at the scale of a real study: 100,000 codings in one coder's copy."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import insert, select

from db import models as m
from desktop.services.codebook import codebook
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders, teams
from desktop.services.teams.merge import merge_projects
from tests.services.teams.test_teams_support import coding_set

N = 100_000
WORDS = ("rebels", "troops", "civilians", "killed", "talks", "ceasefire", "envoy", "shelling")


def long_text(n_words: int) -> str:
    return " ".join(WORDS[(i * 7 + i // 3) % len(WORDS)] for i in range(n_words)) + "\n"


@pytest.mark.slow
def test_merging_100000_codings_is_fast_and_loses_none(tmp_path):
    master = Project.create(tmp_path / "master.tessera", template="conflict-news")
    texts = [long_text(30_000 + i) for i in range(4)]
    for i, text in enumerate(texts):
        documents.add_document(master, name=f"long-{i}.txt", text=text, kind="txt")
    teams.copy_for_coder(master, "ana", tmp_path / "ana.tessera")

    with Project.open(tmp_path / "ana.tessera") as copy:
        ana = coders.find_coder(copy, "ana").id
        docs = [(d.id, texts[int(d.name[5])]) for d in documents.list_documents(copy)]
        code_ids = [c.id for c in codebook.list_codes(copy)]
        count_field = codebook.find_code(copy, "Casualties").id
        rows, k = [], 0
        while len(rows) < N:
            did, text = docs[k % len(docs)]
            start = (k * 13) % (len(text) - 40)
            end = start + 5 + k % 30
            rows.append({
                "document_id": did, "code_id": code_ids[k % len(code_ids)], "coder_id": ana,
                "start": start, "end": end, "quote": text[start:end], "memo": "m" if k % 10 == 0 else "",
                "created_at": m.utcnow(), "updated_at": m.utcnow(),
            })  # fmt: skip
            k += 1
        with copy.session() as s:
            s.execute(insert(m.Coding.__table__), rows)
            fid = s.scalar(
                select(m.CodeField.id).where(
                    m.CodeField.code_id == count_field, m.CodeField.name == "count"
                )
            )
            ids = s.scalars(select(m.Coding.id).where(m.Coding.code_id == count_field)).all()
            s.execute(
                insert(m.CodingValue.__table__),
                [{"coding_id": i, "field_id": fid, "value": str(i % 50)} for i in ids],
            )
        expected = coding_set(copy)
    assert len(expected) == N

    t0 = time.perf_counter()
    report = merge_projects(master, [tmp_path / "ana.tessera"])
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = merge_projects(master, [tmp_path / "ana.tessera"])
    second = time.perf_counter() - t0

    assert report.ok and report.sources[0].codings_added == N
    assert again.ok and (again.sources[0].codings_added, again.sources[0].codings_present) == (0, N)
    assert coding_set(master) == expected
    with master.session() as s:
        assert len(s.scalars(select(m.CodingValue.coding_id)).all()) == len(ids)
    print(f"merge of {N:,} codings: {first:.1f} s; again (all present): {second:.1f} s")
    assert first < 30 and second < 30
    master.close()
