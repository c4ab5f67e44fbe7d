"""desktop.core.csvio: RFC 4180 writing, BOMs, encodings, line numbers, clear errors."""

from __future__ import annotations

import io

import pytest

from desktop.core import csvio


def write_rows(rows, **kw) -> str:
    buf = io.StringIO(newline="")
    with csvio.open_output(buf, **kw) as fh:
        w = csvio.writer(fh)
        for r in rows:
            w.writerow(r)
    return buf.getvalue()


def read_all(path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    with csvio.CsvReader(path) as r:
        return r.header, list(r)


def test_writing_is_rfc4180_minimal_quoting_and_crlf():
    text = write_rows([["a", "b,c", 'say "hi"', "two\nlines", "", "é🔥"]])
    assert text == 'a,"b,c","say ""hi""","two\nlines",,é🔥\r\n'


def test_excel_adds_one_bom_to_text_binary_and_path_outputs(tmp_path):
    assert write_rows([["x"]], excel=True) == "\ufeffx\r\n"
    buf = io.BytesIO()
    with csvio.open_output(buf, excel=True) as fh:
        csvio.writer(fh).writerow(["é"])
    assert buf.getvalue() == b"\xef\xbb\xbf\xc3\xa9\r\n"
    assert not buf.closed  # the caller's stream stays open
    path = tmp_path / "out.csv"
    with csvio.open_output(path, excel=True) as fh:
        csvio.writer(fh).writerow(["é"])
    assert path.read_bytes() == b"\xef\xbb\xbf\xc3\xa9\r\n"


def test_a_failed_write_to_a_path_leaves_nothing(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old")
    with pytest.raises(RuntimeError), csvio.open_output(path) as fh:
        fh.write("partial")
        raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_what_is_written_reads_back_with_line_numbers(tmp_path):
    rows = [["h1", "h2"], ["a", "multi\nline\nvalue"], ["b", 'q "x"'], ["c", "🔥"]]
    path = tmp_path / "t.csv"
    path.write_text(write_rows(rows), encoding="utf-8", newline="")
    header, records = read_all(path)
    assert header == ["h1", "h2"]
    assert records == [(2, ["a", "multi\nline\nvalue"]), (5, ["b", 'q "x"']), (6, ["c", "🔥"])]


def test_bom_lf_blank_lines_and_header_case(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeff Name ,Other\n\nx,y\n,\n".encode())
    with csvio.CsvReader(path) as r:
        assert r.encoding.name == "utf-8-sig" and r.encoding.bom
        assert r.header == ["Name", "Other"]
        assert r.index("NAME") == 0 and r.index("other") == 1 and r.index("x") is None
        assert list(r) == [(3, ["x", "y"])]


def test_utf16_with_bom(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("a,b\r\né,🔥\r\n".encode("utf-16"))
    assert read_all(path) == (["a", "b"], [(2, ["é", "🔥"])])


def test_cp1252_fallback_warns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("a\r\ncaf\u00e9 \u2013 \u201cx\u201d\r\n".encode("cp1252"))
    with csvio.CsvReader(path) as r:
        assert r.encoding.name == "cp1252"
        assert "Windows-1252" in r.warnings[0] and str(path) in r.warnings[0]
        assert list(r) == [(2, ["caf\u00e9 \u2013 \u201cx\u201d"])]


def test_a_bad_byte_far_into_the_file_is_found(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a\r\n" + b"plain\r\n" * 300_000 + b"caf\xe9\r\n")
    with csvio.CsvReader(path) as r:
        assert r.encoding.name == "cp1252"


def test_long_fields_are_allowed(tmp_path):
    path = tmp_path / "t.csv"
    long = "x" * 300_000
    path.write_text(f'a\r\n"{long}"\r\n', encoding="utf-8", newline="")
    assert read_all(path)[1] == [(2, [long])]


@pytest.mark.parametrize(
    "data,message,line",
    [
        (b"a,b\r\n1,\"open\r\n2,3\r\n", "never closed", 2),
        (b"a,b\r\n1,2\r\n\"x\"y,3\r\n", "followed by other characters", 3),
        (b"", "the file is empty", None),
        (b"\r\n\r\n", "the file is empty", None),
        (b"a,A\r\n", "appears twice", 1),
        (b"a\x00b\r\n", "binary data", None),
        (b"PK\x03\x04rest", "zip archive", None),
        (b"SQLite format 3\x00", "SQLite database", None),
        (b"\xef\xbb\xbfa\r\n\xff\r\n", "not UTF-8", None),
    ],
)  # fmt: skip
def test_format_errors_name_the_file_and_line(tmp_path, data, message, line):
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(csvio.CsvFormatError) as caught:
        read_all(path)
    err = caught.value
    assert message in str(err) and str(path) in str(err)
    assert err.line == line
    if line:
        assert f"line {line}:" in str(err)


def test_require_names_missing_columns_and_what_was_found(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("document,code\r\n")
    with csvio.CsvReader(path) as r, pytest.raises(csvio.CsvFormatError) as caught:
        r.require("document", "start", "end")
    assert "missing required columns: start, end" in str(caught.value)
    assert "'document', 'code'" in str(caught.value)


def test_a_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(csvio.CsvFormatError, match="cannot be read"):
        csvio.CsvReader(tmp_path / "nope.csv")


def test_field_size_limit_is_restored(tmp_path):
    import csv

    before = csv.field_size_limit()
    path = tmp_path / "t.csv"
    path.write_text("a\r\nb\r\n")
    read_all(path)
    assert csv.field_size_limit() == before


def test_count_lines(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a\nb\nc")
    assert csvio.count_lines(path) == 3
    path.write_bytes(b"a\nb\n")
    assert csvio.count_lines(path) == 2


def test_utf16_without_a_bom_is_named(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("document,code\r\nx,y\r\n".encode("utf-16-le"))
    with pytest.raises(csvio.CsvFormatError, match="UTF-16 text without a byte order mark"):
        csvio.CsvReader(path)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolons_and_tabs_from_spreadsheets(tmp_path, sep):
    path = tmp_path / "t.csv"
    path.write_bytes(
        f'\ufeffdocument{sep}code{sep}memo\r\na.txt{sep}Actors{sep}"x, y{sep} z"\r\n'.encode()
    )
    with csvio.CsvReader(path) as r:
        assert r.delimiter == sep
        assert r.header == ["document", "code", "memo"]
        assert list(r) == [(2, ["a.txt", "Actors", f"x, y{sep} z"])]


def test_commas_win_a_tie(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a;b,c\r\n1;2,3\r\n")
    with csvio.CsvReader(path) as r:
        assert r.delimiter == "," and r.header == ["a;b", "c"]


# -- spreadsheet exports: formulas neutralised (OWASP "CSV Injection") ------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+2+3",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_that_would_start_a_formula_gets_an_apostrophe(value):
    assert csvio.spreadsheet_cell(value) == "'" + value
    assert csvio.unguard_cell(csvio.spreadsheet_cell(value)) == value


@pytest.mark.parametrize(
    "value", ["", "plain", "a=b", " =1+1", "'quoted", "-0.25", "+3", "-12", "1e-5", 7, -3, 0.5]
)
def test_numbers_and_other_text_are_left_as_they_are(value):
    assert csvio.spreadsheet_cell(value) == value
    if isinstance(value, str):
        assert csvio.unguard_cell(value) == value


def test_excel_output_neutralises_through_any_writer_on_it_plain_keeps_exact_values():
    rows = [["name", "n"], ["=1+1", -4], ["@x", "-0.5"]]
    assert write_rows(rows, excel=True) == "\ufeffname,n\r\n'=1+1,-4\r\n'@x,-0.5\r\n"
    assert write_rows(rows) == "name,n\r\n=1+1,-4\r\n@x,-0.5\r\n"
    # A service handed the excel stream opens it again, as services do: still neutralised.
    buf = io.StringIO(newline="")
    with csvio.open_output(buf, excel=True) as outer, csvio.open_output(outer) as inner:
        csvio.writer(inner).writerow(["-x"])
    assert buf.getvalue() == "\ufeff'-x\r\n"
    buf = io.BytesIO()
    with csvio.open_output(buf, excel=True) as fh:
        csvio.writer(fh).writerows([["+1+1"]])
    assert buf.getvalue() == b"\xef\xbb\xbf'+1+1\r\n"


def test_a_spreadsheet_export_reads_back_as_written_a_plain_one_verbatim(tmp_path):
    rows = [["code", "memo"], *[[v, v] for v in HOSTILE], ["'=kept", "''x"], ["'-0.25", "'"]]
    safe, plain = tmp_path / "safe.csv", tmp_path / "plain.csv"
    for path, excel in ((safe, True), (plain, False)):
        with csvio.open_output(path, excel=excel) as fh:
            csvio.writer(fh).writerows(rows)
    assert "'=HYPERLINK" in safe.read_text(encoding="utf-8-sig")
    for path in (safe, plain):
        header, records = read_all(path)
        assert [header, *(values for _, values in records)] == rows


# Excel saves "CSV" in the Windows code page of the user's language: Russian, Arabic,
# Chinese and Japanese researchers' spreadsheets arrive in these.
@pytest.mark.parametrize(
    ("rows", "codec", "label"),
    [
        ([["код", "описание"], ["Стороны", "Прекращение огня на всей линии фронта"]],
         "cp1251", "Windows-1251"),
        ([["الرمز", "الوصف"], ["وقف إطلاق النار", "تبادل الأسرى بين الطرفين"]],
         "cp1256", "Windows-1256"),
        ([["代码", "说明"], ["停火", "双方代表团同意交换囚犯"]], "gb18030", "GB18030"),
        ([["コード", "説明"], ["停戦", "双方の代表団は捕虜の交換に合意した"]], "cp932", "Japanese"),
    ],
)  # fmt: skip
def test_a_spreadsheet_saved_in_a_windows_code_page_is_read_in_it(tmp_path, rows, codec, label):
    path = tmp_path / "codes.csv"
    path.write_bytes("\r\n".join(",".join(r) for r in rows).encode(codec) + b"\r\n")
    with csvio.CsvReader(path) as r:
        assert r.header == rows[0]
        assert [values for _, values in r] == rows[1:]
        assert label in r.warnings[0] and str(path) in r.warnings[0]


def test_bytes_no_code_page_reads_as_words_are_refused(tmp_path):
    import random

    rng = random.Random(1)
    junk = [b"x," + bytes(rng.randrange(128, 256) for _ in range(12)) for _ in range(20)]
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\r\n" + b"\r\n".join(junk) + b"\r\n")
    with pytest.raises(csvio.CsvFormatError, match="reads as no language's code page"):
        csvio.CsvReader(path)
