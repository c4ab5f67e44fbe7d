"""Property tests: for random codebooks and codings, a merge keeps every coding but the
collapsed duplicates, and undoing a merge or a delete restores every row exactly."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.codebook.merge import merge_codes
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project
from desktop.services.teams import coders
from tests.services.codebook.test_codebook import dump

TEXT = "abcdefghijklmnopqrstuvwxyz" * 2
NAMES = ("A", "B", "C")

# a tree: up to 8 codes, each (parent index or None, name); name clashes are skipped
trees = st.lists(
    st.tuples(st.none() | st.integers(0, 7), st.sampled_from(NAMES)), min_size=2, max_size=8
)
spans = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 1), st.integers(0, 3), st.integers(1, 3)),
    max_size=14,
)
fields = st.lists(
    st.tuples(st.integers(0, 7), st.sampled_from(("n", "m")), st.sampled_from(("integer", "text"))),
    max_size=4,
)


def build(folder: Path, tree, spans_, fields_, values):
    p = Project.create(folder / "p.tessera")
    doc = documents.add_document(p, name="d.txt", text=TEXT, kind="txt")
    people = [coders.add_coder(p, "ana"), coders.add_coder(p, "ben")]
    ids: list[int] = []
    for parent, name in tree:
        parent_id = ids[parent] if parent is not None and parent < len(ids) else None
        with contextlib.suppress(ServiceError):
            ids.append(codebook.add_child(p, parent_id, name).id)
    for code_i, name, ftype in fields_:
        with contextlib.suppress(ServiceError):
            fieldsvc.add_field(p, ids[code_i % len(ids)], name, ftype)
    for (code_i, coder_i, start, length), value in zip(spans_, values, strict=False):
        try:
            c = codings.apply_coding(
                p,
                document_id=doc.id,
                code_id=ids[code_i % len(ids)],
                coder_id=people[coder_i].id,
                start=start,
                end=start + length,
            )
        except ServiceError:
            continue
        for f in fieldsvc.effective_fields(p, ids[code_i % len(ids)]):
            fieldsvc.set_coding_values(p, c.id, {f.id: str(value)})
    return p, ids


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    trees,
    spans,
    fields,
    st.lists(st.integers(0, 99), min_size=14, max_size=14),
    st.integers(0, 7),
    st.integers(0, 7),
)
def test_merge_keeps_codings_and_undo_restores_exactly(tree, spans_, fields_, values, a, b):
    with tempfile.TemporaryDirectory() as tmp:
        p, ids = build(Path(tmp), tree, spans_, fields_, values)
        try:
            before = dump(p)
            n_before = len(codings.list_codings(p))
            try:
                report = merge_codes(p, ids[a % len(ids)], ids[b % len(ids)])
            except ServiceError:
                assert dump(p) == before
                return
            assert len(codings.list_codings(p)) == n_before - report.duplicates_collapsed
            codebook.restore_code_tree(p, report.snapshot)
            assert dump(p) == before
            snap = codebook.delete_code_tree(p, ids[b % len(ids)], confirm_codings=True)
            codebook.restore_code_tree(p, snap)
            assert dump(p) == before
        finally:
            p.close()
