"""Exports (codings, documents, texts, codebook) and the CSV round trip of codings."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from desktop.services.codebook import codebook
from desktop.services.codebook import fields as field_services
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.exchange import csv_import, exchange
from desktop.services.project import audit
from desktop.services.project.project import Project
from desktop.services.teams import coders

ARTICLE = (
    "Rebels said talks with Russia had \u201cfailed\u201d.\n\n"
    "At least 12 civilians were killed \U0001f525 in Dera\u2019a province, a monitor said.\n"
)
PAGED = 'Page one, Ḥamāh.\fPage two: "quoted", with commas.\nLine two.\fPage three 🔥.\n'


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def make_project(path: Path) -> Project:
    p = Project.create(path, template="conflict-news")
    p.actor = "ana"
    return p


def add_docs(p: Project) -> tuple[int, int]:
    a = documents.add_document(p, name="deraa.txt", text=ARTICLE, kind="txt")
    b1, b2 = PAGED.index("\f") + 1, PAGED.rindex("\f") + 1
    b = documents.add_document(
        p, name="report.pdf", text=PAGED, kind="pdf", pages=[(0, b1), (b1, b2), (b2, len(PAGED))]
    )
    return a.id, b.id


def code(p: Project, path: str) -> int:
    return codebook.find_code(p, path).id


@pytest.fixture
def proj(project_target):
    p = make_project(project_target)
    yield p
    p.close()


@pytest.fixture
def coded(proj):
    """Five codings: emoji before the quote, a memo with a newline and quotes, a paged
    document, a typed field value inherited from the parent code, two coders."""
    a, b = add_docs(proj)
    ana = coders.add_coder(proj, "ana").id
    ben = coders.add_coder(proj, "Benoît").id
    s, e = span(ARTICLE, "in Dera\u2019a province")
    killed = codings.apply_coding(
        proj, document_id=a, code_id=code(proj, "Casualties/Killed"), coder_id=ana, start=s, end=e,
        memo='line one\nline two, "quoted"',
    )  # fmt: skip
    field_services.set_coding_values(proj, killed.id, {"count": "12", "who": "civilians"})
    s, e = span(ARTICLE, "Rebels")
    codings.apply_coding(
        proj, document_id=a, code_id=code(proj, "Actors/Armed groups"), coder_id=ben, start=s, end=e
    )
    s, e = span(ARTICLE, "\U0001f525")
    codings.apply_coding(
        proj, document_id=a, code_id=code(proj, "Claims"), coder_id=ana, start=s, end=e
    )
    s, e = span(PAGED, 'Page two: "quoted", with commas.\nLine two.')
    codings.apply_coding(
        proj, document_id=b, code_id=code(proj, "Claims/Demands"), coder_id=ben, start=s, end=e
    )
    s, e = span(PAGED, "Page three 🔥")
    codings.apply_coding(
        proj, document_id=b, code_id=code(proj, "Actors"), coder_id=ana, start=s, end=e
    )
    return proj


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def export_text(p: Project, **kw) -> str:
    buf = io.StringIO(newline="")
    exchange.export_codings(p, buf, **kw)
    return buf.getvalue()


# -- codings export -----------------------------------------------------------------


def test_codings_header_lists_the_fixed_columns_then_one_per_typed_field(coded):
    header = export_text(coded).split("\r\n", 1)[0].split(",")
    assert header[:11] == list(exchange.CODING_COLUMNS)
    assert "Casualties: count" in header and "Claims: stance" in header
    assert (
        header.index("Claims: stance")
        < header.index("Claims: speaker")
        < header.index("Casualties: count")
    )


def test_codings_rows_hold_quotes_offsets_pages_and_values(coded):
    rows = rows_of(export_text(coded))
    assert len(rows) == 5
    by_quote = {r["text"]: r for r in rows}
    killed = by_quote["in Dera\u2019a province"]
    s, e = span(ARTICLE, "in Dera\u2019a province")
    assert (killed["start"], killed["end"]) == (str(s), str(e))  # code points, after the emoji
    assert killed["code"] == "Casualties/Killed" and killed["coder"] == "ana"
    assert killed["memo"] == 'line one\nline two, "quoted"'
    assert killed["Casualties: count"] == "12" and killed["Casualties: who"] == "civilians"
    assert killed["Claims: stance"] == "" and killed["page"] == ""
    assert killed["document_sha256"] == documents.find_document(coded, "deraa.txt").sha256
    assert by_quote["\U0001f525"]["end"] == str(int(by_quote["\U0001f525"]["start"]) + 1)
    assert by_quote['Page two: "quoted", with commas.\nLine two.']["page"] == "2"
    assert by_quote["Page three 🔥"]["page"] == "3"
    assert by_quote["Rebels"]["coder"] == "Benoît"
    assert killed["created_at"].endswith("Z") and killed["created_at"][10] == "T"


def test_codings_csv_is_rfc4180_crlf_with_newlines_kept_inside_quotes(coded):
    text = export_text(coded)
    records = text.split("\r\n")
    assert records[-1] == "" and len(records) == 7  # header, 5 rows, final CRLF
    assert '"line one\nline two, ""quoted"""' in text  # LF kept, quotes doubled
    assert "\r\n" not in "line one\nline two"


def test_codings_to_a_path_with_excel_bom(coded, tmp_path):
    out = tmp_path / "codings.csv"
    assert exchange.export_codings(coded, out, excel=True) == 5
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdocument,")
    assert "Dera\u2019a".encode() in data
    assert not list(tmp_path.glob("*.part"))
    plain = tmp_path / "plain.csv"
    exchange.export_codings(coded, plain)
    assert plain.read_bytes().startswith(b"document,")


def test_codings_to_a_binary_stream(coded):
    buf = io.BytesIO()
    exchange.export_codings(coded, buf)
    assert buf.getvalue().decode("utf-8") == export_text(coded)


def test_cancelled_export_leaves_no_file(coded, tmp_path, monkeypatch):
    monkeypatch.setattr(exchange, "BATCH", 2)
    out = tmp_path / "codings.csv"
    seen = []
    with pytest.raises(exchange.ExportCancelled):
        exchange.export_codings(
            coded, out, progress=lambda d, t: seen.append((d, t)), cancelled=lambda: True
        )
    assert not out.exists()
    assert not list(tmp_path.glob("*.part"))


def test_progress_reports_rows_out_of_the_total(coded, monkeypatch):
    monkeypatch.setattr(exchange, "BATCH", 2)
    seen = []
    exchange.export_codings(coded, io.StringIO(), progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (2, 5) and seen[-1] == (5, 5)


def test_empty_project_exports_just_the_header(proj):
    text = export_text(proj)
    assert text.count("\r\n") == 1 and text.startswith("document,document_sha256,")


# -- documents, texts, codebook ---------------------------------------------------------


def test_documents_csv(coded):
    documents.update_metadata(coded, documents.find_document(coded, "deraa.txt").id,
                              title="Talks, \u201cfailed\u201d", date="2018-07-04")  # fmt: skip
    buf = io.StringIO(newline="")
    assert exchange.export_documents(coded, buf) == 2
    rows = rows_of(buf.getvalue())
    assert list(rows[0]) == list(exchange.DOCUMENT_COLUMNS)
    deraa = next(r for r in rows if r["name"] == "deraa.txt")
    assert deraa["characters"] == str(len(ARTICLE)) and deraa["codings"] == "3"
    assert deraa["pages"] == "" and deraa["title"] == "Talks, \u201cfailed\u201d"
    assert deraa["date"] == "2018-07-04" and deraa["kind"] == "txt"
    report = next(r for r in rows if r["name"] == "report.pdf")
    assert report["pages"] == "3" and report["codings"] == "2"


def test_document_texts_one_utf8_file_each_sanitised_and_unique(proj, tmp_path):
    names = ["a.txt", "../../escape", "A.TXT (x)", "con", "a/b\\c:d*?.txt", "..", "   "]
    texts = {}
    for i, name in enumerate(names):
        text = f"text {i} é 🔥\nline two\n"
        texts[documents.add_document(proj, name=name, text=text, kind="txt").name] = text
    out = tmp_path / "texts"
    (out).mkdir()
    (out / "a.txt").write_text("someone else's file")
    written = exchange.export_document_texts(proj, out)
    assert len(written) == len(names)
    assert (out / "a.txt").read_text() == "someone else's file"  # never overwritten
    for path in written:
        assert path.parent == out and path.resolve().parent == out.resolve()
        assert path.suffix == ".txt" and not path.name.startswith(".")
    assert len({p.name.casefold() for p in written}) == len(written)
    assert sorted(p.read_text("utf-8") for p in written) == sorted(texts.values())
    assert not (tmp_path / "escape.txt").exists()
    assert all(p.name.lower() not in {"con.txt"} for p in written)


def test_document_texts_keep_the_stored_text_byte_for_byte(proj, tmp_path):
    documents.add_document(proj, name="deraa.txt", text=ARTICLE, kind="txt")
    [path] = exchange.export_document_texts(proj, tmp_path / "out")
    assert path.name == "deraa.txt"
    assert path.read_bytes() == ARTICLE.encode("utf-8")


@pytest.mark.parametrize(
    "name,expected",
    [("report.pdf", "report.pdf.txt"), ("a/b", "a_b.txt"), ("..", "document.txt"),
     ("NUL", "_NUL.txt"), ("x" * 400, "x" * 200 + ".txt"), ("notes.TXT", "notes.txt")],
)  # fmt: skip
def test_safe_filename(name, expected):
    assert exchange.safe_filename(name) == expected


def test_codebook_csv(proj):
    buf = io.StringIO(newline="")
    n = exchange.export_codebook(proj, buf, "csv")
    assert n == len(codebook.list_codes(proj))
    text = buf.getvalue()
    assert "Actors/Armed groups" in text


def test_codebook_falls_back_to_plain_csv_without_codebook_exchange(proj, monkeypatch):
    monkeypatch.setattr(exchange, "_optional", lambda name: None)
    buf = io.StringIO(newline="")
    exchange.export_codebook(proj, buf, "csv")
    rows = rows_of(buf.getvalue())
    assert list(rows[0]) == list(exchange.CODEBOOK_COLUMNS)
    armed = next(r for r in rows if r["path"] == "Actors/Armed groups")
    assert armed["parent"] == "Actors" and armed["name"] == "Armed groups"
    with pytest.raises(exchange.NotAvailable, match="qdc"):
        exchange.export_codebook(proj, io.StringIO(), "qdc")


def test_frequencies_say_clearly_when_not_available(proj, monkeypatch):
    monkeypatch.setattr(exchange, "_optional", lambda name: None)
    with pytest.raises(exchange.NotAvailable, match="frequencies"):
        exchange.export_frequencies(proj, io.StringIO(), "csv")


# -- round trip -----------------------------------------------------------------------


def comparable(p: Project) -> list[tuple]:
    docs = {d.id: d.sha256 for d in documents.list_documents(p)}
    paths = {c.id: c.path for c in codebook.list_codes(p)}
    names = {c.id: c.name for c in coders.list_coders(p)}
    fields = {}
    for infos in field_services.fields_by_code(p).values():
        for f in infos:
            fields[f.id] = f.name
    out = []
    for c in codings.list_codings(p, with_values=True):
        values = tuple(sorted((fields[fid], v) for fid, v in c.values))
        out.append((docs[c.document_id], paths[c.code_id], names[c.coder_id], c.start, c.end,
                    c.quote, c.memo, c.created_at.replace(microsecond=0), values))  # fmt: skip
    return sorted(out)


def test_round_trip_into_a_fresh_project_gives_equal_codings(coded, tmp_path):
    out = tmp_path / "codings.csv"
    exchange.export_codings(coded, out)
    fresh = make_project(tmp_path / "fresh.tessera")
    add_docs(fresh)  # same documents (same texts), the same codebook template
    report = csv_import.import_codings_csv(fresh, out, create_missing=True)
    assert report.imported == 5 and report.errors == [] and report.warnings == []
    assert report.created_coders == ["Benoît", "ana"]
    assert comparable(fresh) == comparable(coded)
    # ... and exporting it again gives the same file, line for line
    again = tmp_path / "again.csv"
    exchange.export_codings(fresh, again)
    assert again.read_bytes() == out.read_bytes()
    fresh.close()


def test_round_trip_through_excel_bom_and_stream(coded, tmp_path):
    out = tmp_path / "excel.csv"
    exchange.export_codings(coded, out, excel=True)
    fresh = make_project(tmp_path / "fresh.tessera")
    add_docs(fresh)
    for name in ("ana", "Benoît"):
        coders.add_coder(fresh, name)
    report = csv_import.import_codings_csv(fresh, out)
    assert report.imported == 5 and report.encoding == "utf-8-sig"
    assert comparable(fresh) == comparable(coded)
    fresh.close()


def test_import_is_one_audit_entry(coded, tmp_path):
    out = tmp_path / "codings.csv"
    exchange.export_codings(coded, out)
    fresh = make_project(tmp_path / "fresh.tessera")
    add_docs(fresh)
    before = len(audit.history(fresh))
    csv_import.import_codings_csv(fresh, out, create_missing=True)
    entries = audit.history(fresh)[before:]
    imports = [e for e in entries if e.entity == "coding"]
    assert len(imports) == 1
    ids = sorted(c.id for c in codings.list_codings(fresh))
    assert imports[0].action == "import" and imports[0].entity_id is None
    assert imports[0].new == {"file": str(out), "count": 5, "first_id": ids[0], "last_id": ids[-1]}
    assert ids == list(range(ids[0], ids[-1] + 1))
    assert imports[0].actor == "ana"
    fresh.close()


def test_values_line_up_when_codings_between_have_none(coded):
    killed = next(c for c in codings.list_codings(coded) if c.quote == "in Dera\u2019a province")
    fire = next(c for c in codings.list_codings(coded) if c.quote == "\U0001f525")
    field_services.set_coding_values(coded, fire.id, {"stance": "against"})
    rows = {r["text"]: r for r in rows_of(export_text(coded))}
    assert rows["\U0001f525"]["Claims: stance"] == "against"
    assert rows["\U0001f525"]["Casualties: count"] == ""
    assert rows["in Dera\u2019a province"]["Casualties: count"] == "12"
    assert rows["Rebels"]["Claims: stance"] == "" and killed.id


def test_unwritable_targets_are_service_errors(coded, tmp_path):
    with pytest.raises(ServiceError, match="cannot write .*no-such-folder"):
        exchange.export_codings(coded, tmp_path / "no-such-folder" / "c.csv")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ServiceError, match="is a file"):
        exchange.export_document_texts(coded, blocker)
    with pytest.raises(ServiceError, match="cannot write"):
        exchange.export_document_texts(coded, blocker / "sub")
