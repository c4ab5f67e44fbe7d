"""The Word appendix of coded passages takes any text a document or memo holds."""

from __future__ import annotations

import docx

from desktop.services.analysis.report import write_docx
from desktop.services.analysis.retrieval import Passage


def test_passages_with_characters_word_cannot_hold_are_written_without_them(tmp_path):
    odd = Passage(document="a\ufffe.txt", document_id=1, page=None, code="Claims", coder="ana",
                  start=0, end=5, text="talks\x07", before="Rebels \uffff said ", after=" failed.",
                  memo="check \x0b this", values={}, coding_id=1)  # fmt: skip
    out = tmp_path / "p.docx"
    assert write_docx([odd], out, "Passages") == 1
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Rebels  said talks failed." in text and "check  this" in text
