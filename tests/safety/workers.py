"""Processes the safety tests start, then race or kill.

python -m tests.safety.workers codings PROJECT CODER N [OFFSET]
    applies N codings through the services (one transaction each) and prints
    "coding <id> <start> <end>" after each commit, so that whoever reads stdout knows
    what was committed.
python -m tests.safety.workers documents PROJECT N PREFIX
    adds N documents with pages through the services, printing "document <sha256>"
    after each commit.
"""

from __future__ import annotations

import sys

from desktop.core.text import sha256_text
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project import storage_errors
from desktop.services.project.project import Project
from desktop.services.teams import coders


def text_for(prefix: str, i: int) -> str:
    return (f"{prefix} {i}: the talks failed \U0001f525 and people fled.\n" * (20 + i % 7))[:-1]


def apply_codings(path: str, coder: str, n: int, offset: int = 0) -> None:
    with Project.open(path) as p:
        p.actor = coder
        me = coders.get_or_add_coder(p, coder)
        code = codebook.list_codes(p)[0]
        doc = documents.list_documents(p)[0]
        for i in range(offset, offset + n):
            c = codings.apply_coding(
                p, document_id=doc.id, code_id=code.id, coder_id=me.id, start=i, end=i + 5
            )
            print(f"coding {c.id} {c.start} {c.end}", flush=True)


def add_documents(path: str, n: int, prefix: str) -> None:
    with Project.open(path) as p:
        for i in range(n):
            text = text_for(prefix, i)
            step = max(1, len(text) // 4)
            pages = [(a, min(a + step, len(text))) for a in range(0, len(text), step)]
            documents.add_document(p, name=f"{prefix}{i}.txt", text=text, kind="txt", pages=pages)
            print(f"document {sha256_text(text)}", flush=True)


if __name__ == "__main__":
    storage_errors.install()
    cmd, *rest = sys.argv[1:]
    if cmd == "codings":
        apply_codings(rest[0], rest[1], int(rest[2]), int(rest[3]) if len(rest) > 3 else 0)
    elif cmd == "documents":
        add_documents(rest[0], int(rest[1]), rest[2])
    else:
        sys.exit(f"unknown command {cmd}")
