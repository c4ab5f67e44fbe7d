"""Importing codings from CSV: every bad input refused with its line, nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.codebook import codebook
from desktop.services.codebook import fields as field_services
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.exchange import csv_import, exchange
from desktop.services.project.project import Project
from desktop.services.teams import coders

TEXT = (
    "Rebels 🔥 said talks \u201cfailed\u201d.\nAt least 12 civilians were killed in Dera\u2019a.\n"
)


def span(part: str) -> tuple[int, int]:
    start = TEXT.index(part)
    return start, start + len(part)


@pytest.fixture
def proj(project_target):
    p = Project.create(project_target, template="conflict-news")
    p.actor = "importer"
    documents.add_document(p, name="deraa.txt", text=TEXT, kind="txt")
    coders.add_coder(p, "ana")
    yield p
    p.close()


def write(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counts(p: Project) -> tuple[int, int, int]:
    info = p.info()
    return info["codings"], info["codes"], info["coders"]


def refused(p: Project, path: Path, **kw) -> csv_import.CodingsImportReport:
    before = counts(p)
    with pytest.raises(csv_import.CodingsImportRefused) as caught:
        csv_import.import_codings_csv(p, path, **kw)
    assert counts(p) == before, "a refused file must store nothing"
    assert str(path) in str(caught.value)
    return caught.value.report


HEADER = "document,code,coder,start,end,text\r\n"


def row(part: str, code: str = "Actors", coder: str = "ana", doc: str = "deraa.txt") -> str:
    s, e = span(part)
    return f"{doc},{code},{coder},{s},{e},{part}\r\n"


def test_a_good_file_is_imported_with_quotes_in_code_points(proj, tmp_path):
    path = write(tmp_path, HEADER + row("said talks") + row("Dera\u2019a", "Casualties/Killed"))
    report = csv_import.import_codings_csv(proj, path)
    assert report.imported == 2 and report.skipped == [] and report.errors == []
    stored = codings.list_codings(proj)
    assert [c.quote for c in stored] == ["said talks", "Dera\u2019a"]
    assert stored[0].start == TEXT.index("said") == 9  # the emoji is one code point


def test_columns_in_any_order_any_case_with_bom_lf_and_no_text(proj, tmp_path):
    s, e = span("Rebels")
    path = write(
        tmp_path,
        f"\ufeffEnd, Start ,CODER,Code,Document,Memo\n{e},{s},ana,Actors,deraa.txt,first\n",
    )
    report = csv_import.import_codings_csv(proj, path)
    assert report.imported == 1
    [c] = codings.list_codings(proj)
    assert (c.quote, c.memo) == ("Rebels", "first")


def test_document_by_sha256_in_either_column(proj, tmp_path):
    sha = documents.find_document(proj, "deraa.txt").sha256
    s, e = span("Rebels")
    path = write(tmp_path, f"document,document_sha256,code,coder,start,end\r\n"
                           f"renamed elsewhere.txt,{sha},Actors,ana,{s},{e}\r\n"
                           f"{sha.upper()},,Claims,ana,{s},{e}\r\n")  # fmt: skip
    assert csv_import.import_codings_csv(proj, path).imported == 2


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_stored(proj, tmp_path):
    good = row("Rebels")
    s, e = span("said")
    lines = [
        HEADER,
        good,  # 2
        row("said", doc="missing.txt"),  # 3
        row("said", code="Actors/Nobody"),  # 4
        row("said", coder="zoe"),  # 5
        f"deraa.txt,Actors,ana,{e},{s},\r\n",  # 6 start >= end
        "deraa.txt,Actors,ana,1.5,4,\r\n",  # 7 not an integer
        "deraa.txt,Actors,ana,-1,4,\r\n",  # 8 negative
        f"deraa.txt,Actors,ana,0,{len(TEXT) + 1},\r\n",  # 9 outside the text
        f"deraa.txt,Actors,ana,{s},{e},talk\r\n",  # 10 text differs
        f"deraa.txt,Actors,ana,,{e},\r\n",  # 11 empty start
        f"deraa.txt,Actors,ana,{s},{e},said,extra\r\n",  # 12 too many values
        f"deraa.txt,Actors,ana,{s},{e},said\r\n",  # 13 fine
    ]
    path = write(tmp_path, "".join(lines))
    report = refused(proj, path)
    by_line = dict(report.errors)
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert "no document named 'missing.txt'" in by_line[3]
    assert "no code 'Actors/Nobody'" in by_line[4] and "--create-missing" in by_line[4]
    assert "no coder named 'zoe'" in by_line[5]
    assert "less than end" in by_line[6]
    assert "whole number" in by_line[7] and "'1.5'" in by_line[7]
    assert "whole number" in by_line[8]
    assert "outside the text" in by_line[9]
    assert "differs from the document" in by_line[10] and "'said'" in by_line[10]
    assert "start is empty" in by_line[11]
    assert "header has 6 columns" in by_line[12]
    assert "line 10:" in str(csv_import.CodingsImportRefused(report))


def test_text_mismatch_says_where_the_text_is(proj, tmp_path):
    s, e = span("Rebels")
    path = write(tmp_path, f"{HEADER}deraa.txt,Actors,ana,{s + 1},{e + 1},Rebels\r\n")
    [(line, message)] = refused(proj, path).errors
    assert line == 2 and f"that text is at [{s}, {e})" in message


def test_line_numbers_count_lines_inside_quoted_values(proj, tmp_path):
    s, e = span("Rebels")
    text = (
        "document,code,coder,start,end,memo\r\n"
        f'deraa.txt,Actors,ana,{s},{e},"a memo\r\nover\r\nthree lines"\r\n'  # lines 2-4
        "\r\n"  # 5: blank, skipped
        f"deraa.txt,Actors,ana,{e},{s},\r\n"  # 6
    )
    assert refused(proj, write(tmp_path, text)).errors == [
        (6, f"start ({e}) must be less than end ({s})")
    ]


def test_errors_are_capped_but_counted(proj, tmp_path):
    bad = "deraa.txt,Actors,ana,x,4,\r\n" * 250
    report = refused(proj, write(tmp_path, HEADER + bad))
    assert len(report.errors) == exchange.MAX_ERRORS and report.more_errors == 50
    assert "and 50 more" in report.error_lines()[-1]


def test_duplicates_in_the_file_and_in_the_project_are_skipped(proj, tmp_path):
    first = write(tmp_path, HEADER + row("Rebels"), "first.csv")
    csv_import.import_codings_csv(proj, first)
    path = write(
        tmp_path, HEADER + row("Rebels") + row("said") + row("said") + row("said", "Claims")
    )
    report = csv_import.import_codings_csv(proj, path)
    assert report.imported == 2
    assert report.skipped == [(2, "already in the project"), (4, "the same coding as line 3")]
    assert len(codings.list_codings(proj)) == 3


def test_create_missing_adds_codes_with_their_parents_and_coders(proj, tmp_path):
    path = write(
        tmp_path,
        HEADER + row("said", "Events/Talks/Failed", "zoe") + row("Rebels", "Events", "zoe"),
    )
    refused(proj, path)
    report = csv_import.import_codings_csv(proj, path, create_missing=True)
    assert report.imported == 2
    assert report.created_codes == ["Events", "Events/Talks", "Events/Talks/Failed"]
    assert report.created_coders == ["zoe"]
    assert codebook.find_code(proj, "Events/Talks/Failed") is not None
    assert coders.find_coder(proj, "zoe") is not None


def test_default_coder_fills_an_empty_or_missing_coder(proj, tmp_path):
    s, e = span("Rebels")
    no_column = write(tmp_path, f"document,code,start,end\r\nderaa.txt,Actors,{s},{e}\r\n", "a.csv")
    report = refused(proj, no_column)
    assert "missing required column: coder" in report.errors[0][1]
    assert csv_import.import_codings_csv(proj, no_column, default_coder="ana").imported == 1
    empty = write(tmp_path, f"{HEADER}deraa.txt,Claims,,{s},{e},Rebels\r\n", "b.csv")
    assert "the coder is empty" in refused(proj, empty).errors[0][1]
    assert csv_import.import_codings_csv(proj, empty, default_coder="ana").imported == 1
    assert {c.coder_id for c in codings.list_codings(proj)} == {coders.find_coder(proj, "ana").id}


def test_typed_field_columns_are_validated_and_stored_canonically(proj, tmp_path):
    s, e = span("12 civilians")
    header = "document,code,coder,start,end,Casualties: count,Casualties: who,Claims: stance\r\n"
    good = f'deraa.txt,Casualties/Killed,ana,{s},{e},"1,200",CIVILIANS,\r\n'
    path = write(tmp_path, header + good)
    assert csv_import.import_codings_csv(proj, path).imported == 1
    [c] = codings.list_codings(proj)
    values = field_services.coding_values(proj, c.id)
    names = {f.id: f.name for f in field_services.effective_fields(proj, c.code_id)}
    assert {names[k]: v for k, v in values.items()} == {"count": "1200", "who": "civilians"}

    bad = (
        "deraa.txt,Casualties,ana,0,6,many,,\r\n"  # 2: not a number
        "deraa.txt,Casualties,ana,0,6,,eaten,\r\n"  # 3: not a choice
        "deraa.txt,Actors,ana,0,6,3,,\r\n"  # 4: Actors does not carry Casualties fields
        "deraa.txt,Casualties,ana,0,6,,,for\r\n"  # 5: nor Claims'
    )
    report = refused(proj, write(tmp_path, header + bad, "bad.csv"))
    by_line = dict(report.errors)
    assert sorted(by_line) == [2, 3, 4, 5]
    assert "'Casualties: count'" in by_line[2] and "not a whole number" in by_line[2]
    assert "not one of" in by_line[3]
    assert "does not carry that field" in by_line[4] and "'Casualties'" in by_line[4]
    assert "Claims: stance" in by_line[5]


def test_unknown_columns_are_a_warning(proj, tmp_path):
    s, e = span("Rebels")
    path = write(tmp_path, f"document,code,coder,start,end,page,colour,Actors: mood\r\n"
                           f"deraa.txt,Actors,ana,{s},{e},1,red,happy\r\n")  # fmt: skip
    report = csv_import.import_codings_csv(proj, path)
    assert report.imported == 1
    assert len(report.warnings) == 2
    assert "'colour' is not a column" in report.warnings[0]
    assert "'Actors: mood' is no field of any code" in report.warnings[1]


def test_cp1252_file_is_read_with_a_warning(proj, tmp_path):
    text = "Caf\u00e9 cr\u00e8me \u2013 na\u00efve.\n"
    documents.add_document(proj, name="caf\u00e9.txt", text=text, kind="txt")
    path = write(tmp_path, "document,code,coder,start,end,text\r\ncaf\u00e9.txt,Actors,ana,0,10,Caf\u00e9 cr\u00e8me\r\n",
                 encoding="cp1252")  # fmt: skip
    report = csv_import.import_codings_csv(proj, path)
    assert report.imported == 1 and report.encoding == "cp1252"
    assert "Windows-1252" in report.warnings[0]


def test_crlf_inside_a_quoted_text_matches_lf_in_the_document(proj, tmp_path):
    part = "\u201d.\nAt least"
    s, e = span(part)
    quoted = part.replace("\n", "\r\n")
    path = write(tmp_path, f'{HEADER}deraa.txt,Actors,ana,{s},{e},"{quoted}"\r\n')
    assert csv_import.import_codings_csv(proj, path).imported == 1


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"\x00\x01\x02\xff\xfe binary junk \x00" * 50, "not a CSV file"),
        (b"PK\x03\x04" + b"\x00" * 100, "zip archive"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"", "the file is empty"),
        (b"document,code,coder\r\nderaa.txt,Actors,ana\r\n", "missing required columns: start, end"),
        (b"document,code,coder,start,end\r\nderaa.txt,Actors,ana,0,\"6\r\nmore\r\n", "line 2: a quoted value starting on this line is never closed"),
        (b"document,code,coder,start,end\r\nderaa.txt,\"Actors\"x,ana,0,6\r\n", "line 2: a quoted value is followed by other characters"),
        (b"document,code,Code,start,end\r\n", "appears twice"),
        (b"\xef\xbb\xbfdocument,code,coder,start,end\r\nderaa.txt,Caf\xe9,ana,0,6\r\n", "not UTF-8"),
        (b"document,code,coder,start,end\r\nx," + bytes(range(128, 256)) * 3 + b",ana,0,6\r\n", "reads as no language's code page"),
    ],
)  # fmt: skip
def test_malformed_files_are_refused_naming_the_file(proj, tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    report = refused(proj, path)
    [(line, message)] = report.errors
    assert line == 0 and str(path) in message and expected in message


def test_a_header_only_file_imports_nothing_with_a_warning(proj, tmp_path):
    report = csv_import.import_codings_csv(proj, write(tmp_path, HEADER))
    assert report.imported == 0 and "no codings" in report.warnings[0]


def test_ambiguous_document_names_ask_for_the_sha(proj, tmp_path):
    d = documents.add_document(proj, name="other.txt", text="Other text.\n", kind="txt")
    documents.update_metadata(proj, d.id, name="deraa.txt")
    report = refused(proj, write(tmp_path, HEADER + row("Rebels")))
    assert "2 documents are named 'deraa.txt'" in report.errors[0][1]


def test_progress_is_reported(proj, tmp_path, monkeypatch):
    seen = []
    path = write(tmp_path, HEADER + row("Rebels"))
    csv_import.import_codings_csv(proj, path, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (1, 1)


def test_times_travel_in_utc_and_unreadable_ones_are_a_warning(proj, tmp_path):
    s, e = span("Rebels")
    header = "document,code,coder,start,end,created_at,updated_at\r\n"
    body = (
        f"deraa.txt,Actors,ana,{s},{e},2024-03-01T10:00:00+02:00,2024-03-02 08:30:00Z\r\n"
        f"deraa.txt,Claims,ana,{s},{e},2024-03-01T10:00:00+02:00Z,\r\n"
        f"deraa.txt,Casualties,ana,{s},{e},01/03/2024 10:00,\r\n"
    )
    report = csv_import.import_codings_csv(proj, write(tmp_path, header + body))
    assert report.imported == 3
    assert report.warnings == [
        "2 times are not ISO 8601 (first on line 3: '2024-03-01T10:00:00+02:00Z'); "
        "those codings get the time of this import"
    ]
    first = codings.list_codings(proj, code_ids=[codebook.find_code(proj, "Actors").id])[0]
    assert first.created_at.isoformat() == "2024-03-01T08:00:00"
    assert first.updated_at.isoformat() == "2024-03-02T08:30:00"


def test_an_unknown_name_is_told_once_with_its_lines(proj, tmp_path):
    body = (
        row("Rebels", coder="zoe") * 8 + "deraa.txt,Actors,ana,x,1,\r\n" + row("said", coder="zoe")
    )
    report = refused(proj, write(tmp_path, HEADER + body))
    assert report.errors == [
        (2, "no coder named 'zoe' in the project (use --create-missing to add one) "
            "(also on lines 3, 4, 5, 6, 7 and 3 more)"),
        (10, "start must be a whole number of characters from 0 (got 'x')"),
    ]  # fmt: skip


def test_a_quote_that_differs_only_by_normalisation_says_so_in_code_points(proj, tmp_path):
    import unicodedata

    text = "La résistance a tenu le pont.\n"  # NFC, as imported
    documents.add_document(proj, name="fr.txt", text=text, kind="txt")
    s = text.index("résistance")
    e = s + len("résistance")
    nfd = unicodedata.normalize("NFD", "résistance")  # what a Mac-made CSV may hold
    path = write(tmp_path, f"{HEADER}fr.txt,Actors,ana,{s},{e},{nfd}\r\n")
    [(line, message)] = refused(proj, path).errors
    assert line == 2
    assert "only in Unicode normalisation" in message
    assert "at character 2 the file has U+0065 U+0301 where the document has U+00E9" in message


def test_codings_made_after_an_import_get_new_ids(proj, tmp_path):
    # The import gives the ids itself; a server must then move its id sequence past them.
    path = write(tmp_path, HEADER + row("said talks") + row("Dera\u2019a", "Casualties/Killed"))
    csv_import.import_codings_csv(proj, path)
    imported = {c.id for c in codings.list_codings(proj)}
    s, e = span("Rebels")
    made = codings.apply_coding(
        proj, document_id=documents.list_documents(proj)[0].id,
        code_id=codebook.find_code(proj, "Actors").id, coder_id=coders.find_coder(proj, "ana").id,
        start=s, end=e,
    )  # fmt: skip
    assert made.id not in imported
    assert len(codings.list_codings(proj)) == 3
