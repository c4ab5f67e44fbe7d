"""REFI-QDA exchange of a big project: 100,000 codings out and back in."""

from __future__ import annotations

import random
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, insert, select

from db import models as m
from desktop.services.codebook import codebook
from desktop.services.documents import documents
from desktop.services.exchange.refi_export import export_qdpx
from desktop.services.exchange.refi_import import import_qdpx
from desktop.services.project.project import Project
from desktop.services.teams import coders

CODINGS = 100_000
#: Generous: a guard against quadratic work, not a benchmark (the machine is shared).
BUDGET_S = 180


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.tessera"
    rng = random.Random(7)
    with Project.create(path) as p:
        code_ids = [codebook.add_code(p, f"Group {i // 10}/Code {i}").id for i in range(40)]
        coder_ids = [coders.add_coder(p, f"coder {i}").id for i in range(3)]
        words = ["alpha", "beta", "Dera\u2019a", "\U0001f525", "e\u0301t\u00e9", "zeta\n"]
        docs = []
        for i in range(20):
            text = " ".join(rng.choice(words) for _ in range(30_000))
            docs.append((documents.add_document(p, name=f"d{i}", text=text, kind="txt").id, text))
        rows, seen = [], set()
        while len(rows) < CODINGS:
            did, text = rng.choice(docs)
            start = rng.randrange(len(text) - 60)
            end = start + rng.randrange(1, 60)
            key = (did, rng.choice(code_ids), rng.choice(coder_ids), start, end)
            if key not in seen:
                seen.add(key)
                rows.append(dict(zip(("document_id", "code_id", "coder_id", "start", "end"), key,
                                     strict=True), quote=text[start:end], memo=""))  # fmt: skip
        with p.session() as s:
            s.execute(insert(m.Coding.__table__), rows)
    return path


def coding_keys(project) -> set[tuple]:
    with project.session() as s:
        return set(
            s.execute(
                select(m.Document.sha256, m.Coder.name, m.Code.name, m.Coding.start, m.Coding.end,
                       m.Coding.quote)
                .join(m.Document, m.Document.id == m.Coding.document_id)
                .join(m.Coder, m.Coder.id == m.Coding.coder_id)
                .join(m.Code, m.Code.id == m.Coding.code_id)
            ).all()
        )  # fmt: skip


@pytest.mark.slow
def test_100k_codings_out_and_back(big, tmp_path, shared_dir) -> None:
    out = tmp_path / "big.qdpx"
    with Project.open(big) as p:
        t0 = time.perf_counter()
        report = export_qdpx(p, out)
        exported = time.perf_counter() - t0
        expected = coding_keys(p)
    assert report.codings == CODINGS and exported < BUDGET_S
    schema = etree.XMLSchema(etree.parse(str(shared_dir / "refi" / "Project.xsd")))
    with zipfile.ZipFile(out) as zf:
        assert schema.validate(etree.fromstring(zf.read("project.qde"))), schema.error_log

    with Project.create(tmp_path / "fresh.tessera") as fresh:
        t0 = time.perf_counter()
        back = import_qdpx(fresh, out, add_codes=True)
        imported = time.perf_counter() - t0
        assert back.codings_imported == CODINGS and imported < BUDGET_S
        assert coding_keys(fresh) == expected
        again = import_qdpx(fresh, out)
        assert again.codings_duplicate == CODINGS and again.codings_imported == 0
        with fresh.session() as s:
            assert s.scalar(select(func.count()).select_from(m.Coding)) == CODINGS
