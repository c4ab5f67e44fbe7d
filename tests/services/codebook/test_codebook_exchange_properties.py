"""Property test: any codebook survives CSV and .qdc export and import unchanged."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.services.codebook import codebook
from desktop.services.codebook import exchange as cx
from desktop.services.codebook import fields as fieldsvc
from desktop.services.errors import ServiceError
from desktop.services.project.project import Project

# Text as people type it: any printable character, with line breaks, quotes, commas,
# backslashes, slashes, tabs and emoji; leading/trailing space is not kept (stripped).
chars = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"
) | st.sampled_from(list('\n\t"\\/,;:|') + ["\U0001f525"])
text = st.text(chars, max_size=30).map(str.strip)
name = (
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
        | st.sampled_from(list('"\\/,;:| ')),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
field_name = name.filter(lambda n: "\n" not in n)
choice = field_name
code = st.fixed_dictionaries(
    {
        "parent": st.none() | st.integers(0, 5),
        "name": name,
        "color": st.none() | st.from_regex(r"#[0-9a-f]{6}", fullmatch=True),
        "description": text,
        "inclusion": text,
        "exclusion": text,
        "examples": st.lists(text.filter(bool), max_size=3, unique=True),
        "fields": st.lists(
            st.tuples(field_name, st.sampled_from(("integer", "text", "choice", "boolean", "date", "decimal")),
                      st.lists(choice, min_size=1, max_size=3, unique_by=str.lower), st.booleans()),
            max_size=2,
        ),
    }
)  # fmt: skip


def build(p, codes) -> None:
    ids: list[int] = []
    for c in codes:
        parent = ids[c["parent"] % len(ids)] if c["parent"] is not None and ids else None
        try:
            info = codebook.add_child(
                p, parent, c["name"], color=c["color"], description=c["description"],
                inclusion=c["inclusion"], exclusion=c["exclusion"],
            )  # fmt: skip
        except ServiceError:
            continue
        ids.append(info.id)
        for ex in c["examples"]:
            codebook.add_example(p, info.id, ex)
        for fname, ftype, choices, required in c["fields"]:
            with contextlib.suppress(ServiceError):
                fieldsvc.add_field(
                    p,
                    info.id,
                    fname,
                    ftype,
                    choices=choices if ftype == "choice" else (),
                    required=required,
                )


def state(p, with_fields: bool = True):
    by_code = fieldsvc.fields_by_code(p)
    return [
        (c.path, c.color, c.description, c.inclusion, c.exclusion, c.examples,
         [(f.name, f.type, f.choices, f.required) for f in by_code[c.id] if f.code_id == c.id] if with_fields else None)
        for c in codebook.list_codes(p)
    ]  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(code, min_size=1, max_size=6))
def test_csv_and_qdc_round_trips(codes):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Project.create(folder / "a.tessera") as a:
            build(a, codes)
            if not codebook.list_codes(a):
                return
            cx.export_codebook(a, folder / "book.csv", "csv")
            cx.export_codebook(a, folder / "book.qdc", "qdc")
            with Project.create(folder / "b.tessera") as b:
                cx.import_codebook(b, folder / "book.csv")
                assert state(b) == state(a)
                again = io.StringIO()
                cx.export_codebook(b, again, "csv")
                assert again.getvalue() == (folder / "book.csv").read_bytes().decode("utf-8")
            with Project.create(folder / "c.tessera") as c:
                cx.import_codebook(c, folder / "book.qdc")
                # .qdc has no typed fields; colours of codes without one are assigned anew
                assert state(c, with_fields=False) == state(a, with_fields=False)
