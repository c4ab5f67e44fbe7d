"""The scale benchmark's small size (1,000 documents, 5,000 codings) runs in the suite:
every operation completes as a user runs it, with its results checked, in bounded memory.
(Timings are printed by ``python -m tests.benchmarks.scale``, never asserted here.)"""

from __future__ import annotations

import sqlite3

import pytest

from tests.benchmarks import scale


@pytest.mark.benchmark
@pytest.mark.slow
def test_every_operation_of_the_small_corpus(tmp_path):
    measures = scale.measure([(1000, [5_000])], log=lambda m: None)
    by_op = {m.operation: m for m in measures}
    assert list(by_op) == ["import documents", "list documents", "bare window + sqlite3",
                           "window first paint", "export codings", "codings import",
                           "agreement", "open a copy (backup)"]  # fmt: skip
    assert by_op["import documents"].size == 1000
    assert 4_900 <= by_op["codings import"].size <= 5_000
    for m in measures:
        assert m.seconds > 0 and 0 < m.peak_mb < 400, m
    text = scale.table(measures)
    assert "exponent" in text and "import documents" in text


def test_the_synthetic_codings_are_well_formed(tmp_path):
    scale.write_articles(tmp_path / "a", 20)
    project = tmp_path / "p.tessera"
    scale.new_project(project)
    con = sqlite3.connect(project)
    assert con.execute("SELECT count(*) FROM code WHERE parent_id IS NOT NULL").fetchone() == (33,)
    con.close()
    from desktop.cli.main import main

    assert main(["import", str(project), str(tmp_path / "a")]) == 0
    made = scale.add_codings(project, 300)
    con = sqlite3.connect(project)
    rows = con.execute(
        'SELECT c.start, c."end", c.quote, d.text FROM coding c JOIN document d '
        "ON d.id = c.document_id"
    ).fetchall()
    con.close()
    assert len(rows) == made and 290 <= made <= 300
    assert all(0 <= s < e <= len(t) and t[s:e] == q for s, e, q, t in rows)
