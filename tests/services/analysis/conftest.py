from __future__ import annotations

from dataclasses import dataclass

import pytest

from desktop.services.codebook import codebook, fields
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders

TEXT_A = (
    "Government troops shelled the town. Rebels accused the army of killing 12 civilians.\n"
    "Talks on a ceasefire failed; negotiators left \U0001f525.\n"
)
TEXT_B = "The UN envoy called for negotiations. Nobody was killed in Dera\u2019a.\n"


@dataclass
class Corpus:
    project: Project
    a: int
    b: int
    ana: int
    ben: int
    ids: dict[str, int]
    coding: dict[str, int]


def span(text: str, quote: str) -> tuple[int, int]:
    s = text.index(quote)
    return s, s + len(quote)


def build(p: Project) -> Corpus:
    p.actor = "ana"
    a = documents.add_document(
        p,
        name="a.txt",
        text=TEXT_A,
        kind="txt",
        metadata={"source": "Reuters", "date": "2018-03-02"},
    )
    b = documents.add_document(
        p, name="b.txt", text=TEXT_B, kind="txt", metadata={"source": "AFP", "date": "2019-01-05"}
    )
    ana = coders.add_coder(p, "ana").id
    ben = coders.add_coder(p, "ben").id
    ids = {c.path: c.id for c in codebook.list_codes(p)}
    made: dict[str, int] = {}

    def code(key, path, doc, text, quote, coder, memo=""):
        s, e = span(text, quote)
        made[key] = codings.apply_coding(
            p, document_id=doc, code_id=ids[path], coder_id=coder, start=s, end=e, memo=memo
        ).id

    code("troops", "Actors/State forces", a.id, TEXT_A, "Government troops", ana)
    code(
        "accuse",
        "Claims/Accusations",
        a.id,
        TEXT_A,
        "Rebels accused the army of killing 12 civilians",
        ana,
    )
    code("army", "Actors/State forces", a.id, TEXT_A, "the army", ana, memo="verify who")
    code("killing", "Casualties/Killed", a.id, TEXT_A, "killing 12 civilians", ana)
    code("talks", "Claims/Demands", a.id, TEXT_A, "Talks on a ceasefire", ben)
    code("killed_b", "Casualties/Killed", b.id, TEXT_B, "killed", ben)
    fields.set_coding_values(p, made["killing"], {"count": 12, "who": "civilians"})
    fields.set_coding_values(p, made["killed_b"], {"count": 0, "who": "civilians"})
    return Corpus(p, a.id, b.id, ana, ben, ids, made)


@pytest.fixture
def corpus(project_target):
    p = Project.create(project_target, template="conflict-news")
    yield build(p)
    p.close()
