"""Code frequencies per document and per coder, with totals; CSV and HTML export."""

from __future__ import annotations

import io

import pytest

from desktop.services.codebook.frequencies import export_frequencies, frequencies
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.teams import coders
from tests.services.codebook.test_codebook import apply, code


@pytest.fixture
def coded(project, doc, ana):
    ben = coders.add_coder(project, "ben")
    other = documents.add_document(project, name="second.txt", text="Rebels said no.\n", kind="txt")
    apply(project, doc, ana, "Casualties/Killed", "At least 12 civilians were killed")
    apply(project, doc, ben, "Casualties/Killed", "At least 12 civilians were killed")
    apply(project, doc, ana, "Casualties", "civilians")
    apply(project, doc, ana, "Claims/Denials", "Rebels said")
    from desktop.services.coding import codings

    codings.apply_coding(
        project,
        document_id=other.id,
        code_id=code(project, "Claims/Denials").id,
        coder_id=ben.id,
        start=0,
        end=6,
    )
    return {"doc": doc, "other": other, "ana": ana, "ben": ben}


def test_by_document_with_totals(project, coded):
    t = frequencies(project, "document")
    assert [name for _, name in t.columns] == ["deraa.txt", "second.txt"]
    killed = next(r for r in t.rows if r.path == "Casualties/Killed")
    assert killed.counts == (2, 0) and killed.total == 2
    casualties = next(r for r in t.rows if r.path == "Casualties")
    assert (casualties.total, casualties.total_with_subcodes) == (1, 3)
    claims = next(r for r in t.rows if r.path == "Claims")
    assert (claims.total, claims.total_with_subcodes) == (0, 2)
    assert t.column_totals == (4, 1) and t.total == 5
    assert t.count(code(project, "Claims/Denials").id, coded["other"].id) == 1


def test_by_coder_and_filtered(project, coded):
    t = frequencies(project, "coder")
    assert [name for _, name in t.columns] == ["ana", "ben"]
    assert t.column_totals == (3, 2)
    only_doc = frequencies(project, "coder", document_ids=[coded["doc"].id])
    assert only_doc.column_totals == (3, 1)
    only_ana = frequencies(project, "document", coder_ids=[coded["ana"].id])
    assert only_ana.total == 3
    with pytest.raises(ServiceError):
        frequencies(project, "code")


def test_csv_export(project, coded, tmp_path):
    path = tmp_path / "f.csv"
    n = export_frequencies(project, path)
    lines = path.read_text("utf-8").splitlines()
    assert n == len(lines) - 2
    assert lines[0] == "code,deraa.txt,second.txt,total,total with sub-codes"
    assert "Casualties,1,0,1,3" in lines
    assert "Casualties/Killed,2,0,2,2" in lines
    assert lines[-1] == "Total,4,1,5,"


def test_html_export_escapes(project, coded):
    documents.add_document(project, name="<b>x</b>.txt", text="other text\n", kind="txt")
    out = io.BytesIO()
    export_frequencies(project, out, "html")
    text = out.getvalue().decode()
    assert "&lt;b&gt;x&lt;/b&gt;.txt" in text and "<b>x" not in text
