from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = sys.executable


def db_rows(path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def seed(project: Project, n_docs: int = 2) -> dict:
    """A small project: documents (one paged), codes, a coder, a few codings."""
    project.actor = "ana"
    ana = coders.get_or_add_coder(project, "ana")
    killed = codebook.add_code(project, "Casualties/Killed")
    docs = []
    for i in range(n_docs):
        text = f"Document {i}: at least {i + 3} people were killed \U0001f525 in the clashes.\n" * 3
        third = len(text) // 3
        docs.append(
            documents.add_document(
                project, name=f"doc{i}.txt", text=text, kind="txt",
                pages=[(0, third), (third, 2 * third), (2 * third, len(text))],
            )
        )  # fmt: skip
    made = [
        codings.apply_coding(
            project, document_id=d.id, code_id=killed.id, coder_id=ana.id, start=0, end=10
        )
        for d in docs
    ]
    return {"coder": ana, "code": killed, "docs": docs, "codings": made}
