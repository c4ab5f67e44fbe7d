"""`tessera agreement`: reliability data from a CSV table, and over a project."""

from __future__ import annotations

import csv
import io
import json

import pytest

from desktop.cli.main import main

# Krippendorff (2011): 12 units (rows) x 4 observers (columns), empty = missing
KRIPPENDORFF_CSV = """A,B,C,D
1,1,,1
2,2,3,2
3,3,3,3
3,3,3,3
2,2,2,2
1,2,3,4
4,4,4,4
1,1,2,1
2,2,2,2
,5,5,5
,,1,1
,3,,
"""


@pytest.fixture
def table(tmp_path):
    def write(text: str, name: str = "data.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


@pytest.mark.parametrize(
    ("level", "alpha"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_json_of_the_krippendorff_example(table, capsys, level, alpha):
    assert main(["agreement", "--table", table(KRIPPENDORFF_CSV), "--level", level, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == [
        "percent_agreement", "scott_pi", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
        "bennett_s", "gwet_ac1", "gwet_ac2", "cohen_kappa_linear", "cohen_kappa_quadratic",
        "pairwise_kappa", "units", "coders", "pairable_values", "notes",
    ]  # fmt: skip
    assert round(data["krippendorff_alpha"], 3) == alpha
    assert data["percent_agreement"] == pytest.approx(0.8)
    assert (data["units"], data["coders"], data["pairable_values"]) == (12, 4, 40)
    assert data["scott_pi"] is data["cohen_kappa"] is data["fleiss_kappa"] is None


def test_text_output_names_every_coefficient_and_why_one_is_na(table, capsys):
    assert main(["agreement", "--table", table(KRIPPENDORFF_CSV), "--level", "interval"]) == 0
    out = capsys.readouterr().out
    assert "12 units, 4 coders (A, B, C, D)" in out
    assert "40 pairable values" in out
    for title in ("Percent agreement", "Scott's pi", "Cohen's kappa", "Fleiss' kappa"):
        assert title in out
    assert "Krippendorff's alpha     0.849" in out
    assert "needs exactly 2 coders" in out


def test_two_coders_with_string_categories(table, capsys):
    # Cohen (1960): 200 subjects; a 3 x 3 table expanded to rows
    pairs = [(a, b) for a, b, n in [
        ("x", "x", 88), ("x", "y", 14), ("x", "z", 18), ("y", "x", 10), ("y", "y", 40),
        ("y", "z", 10), ("z", "x", 2), ("z", "y", 6), ("z", "z", 12)] for _ in range(n)]  # fmt: skip
    csv_text = "judge A,judge B\n" + "".join(f"{a},{b}\n" for a, b in pairs)
    assert main(["agreement", "--table", table(csv_text), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert round(data["cohen_kappa"], 3) == 0.492
    assert data["percent_agreement"] == pytest.approx(0.70)
    assert data["scott_pi"] < data["cohen_kappa"]
    assert data["fleiss_kappa"] == pytest.approx(data["scott_pi"])
    assert data["units"] == 200 and data["coders"] == 2 and data["pairable_values"] == 400


def test_two_coders_with_a_missing_value_have_no_kappa(table, capsys):
    assert main(["agreement", "--table", table("a,b\n1,1\n2,\n2,2\n1,2\n"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cohen_kappa"] is None and data["scott_pi"] is None
    assert data["krippendorff_alpha"] is not None


def test_no_variation_is_na_not_one(table, capsys):
    assert main(["agreement", "--table", table("a,b\nyes,yes\nyes,yes\n"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["percent_agreement"] == 1.0
    assert data["krippendorff_alpha"] is None and data["cohen_kappa"] is None


def test_csv_output(table, capsys):
    assert main(["agreement", "--table", table(KRIPPENDORFF_CSV), "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "measure,value,units,pairable_values,note"
    assert any(line.startswith("krippendorff_alpha,0.743421,11,40") for line in lines)
    assert any(line.startswith("gwet_ac1,") for line in lines)


@pytest.mark.parametrize(
    ("text", "level", "message"),
    [
        ("a,b\n1,2\n1,x\n", "ordinal", "line 3, column 2 (b): 'x' is not a number"),
        ("a,b\n1,2\n1\n", "nominal", "line 3: 1 cells, but the header names 2 coders"),
        ('a,b\n1,"2\n', "nominal", "line 2: a quoted value starting on this line is never closed"),
        ("", "nominal", "the file is empty"),
        ("a\n1\n", "nominal", "at least two coder columns"),
        ("a,,c\n1,2,3\n", "nominal", "column 2 has no coder name"),
        ("a,b\n1,-2\n", "ratio", "negative"),
    ],
)
def test_bad_tables_are_clear_errors_naming_the_file(table, capsys, text, level, message):
    path = table(text, "bad table.csv")
    assert main(["agreement", "--table", path, "--level", level]) != 0
    err = capsys.readouterr().err
    assert "bad table.csv" in err
    assert message in err


def test_missing_and_binary_files(tmp_path, capsys):
    assert main(["agreement", "--table", str(tmp_path / "nope.csv")]) == 1
    assert "nope.csv: no such file" in capsys.readouterr().err
    blob = tmp_path / "blob.csv"
    blob.write_bytes(b"\xff\xfe\x00\x81\x00")
    assert main(["agreement", "--table", str(blob)]) == 1
    assert "blob.csv" in capsys.readouterr().err


def test_argument_mistakes(table, capsys):
    assert main(["agreement"]) == 1
    assert "--table" in capsys.readouterr().err
    assert main(["agreement", "--table", table(KRIPPENDORFF_CSV), "--coders", "a,b"]) == 1
    assert "only apply to a PROJECT" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["agreement", "--table", "x.csv", "--level", "cardinal"])


# --- the project form -----------------------------------------------------------------------


@pytest.fixture
def project_path(tmp_path):
    from desktop.services.codebook import codebook
    from desktop.services.coding import codings
    from desktop.services.documents import documents
    from desktop.services.project.project import Project
    from desktop.services.teams import coders

    path = tmp_path / "study.tessera"
    p = Project.create(path, template="empty")
    p.actor = "test"
    doc = documents.add_document(
        p, name="one.txt", text="Rebels said no. The army said yes.", kind="txt"
    )
    code = codebook.add_code(p, "Actors/Armed")
    for name, spans in {"ana": [(0, 6), (16, 24)], "ben": [(0, 6), (20, 24)]}.items():
        coder = coders.add_coder(p, name)
        for start, end in spans:
            codings.apply_coding(
                p, document_id=doc.id, code_id=code.id, coder_id=coder.id, start=start, end=end
            )
    p.close()
    return str(path)


def test_project_text_json_and_csv(project_path, capsys):
    args = ["agreement", project_path, "--coders", "ana,ben", "--unit", "word", "--by-document"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Agreement of ana, ben by word units" in out
    assert "Actors/Armed" in out and "(all)" in out and "one.txt" in out

    assert main(["agreement", project_path, "--coders", "ana,ben", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["unit"] == "char" and data["coders"] == ["ana", "ben"]
    pooled = data["rows"][0]
    assert pooled["code"] == "Actors/Armed" and pooled["scope"] == "pooled"
    assert pooled["units"] == len("Rebels said no. The army said yes.")
    assert pooled["codings"] == {"ana": 2, "ben": 2}
    assert 0 < pooled["cohen_kappa"] < 1

    args = ["agreement", project_path, "--coders", "ana,ben", "--codes", "Actors/Armed", "--csv"]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("kind,code,scope,document,unit,units")
    assert len(lines) == 2  # the pooled row only, by default
    assert main([*args, "--by-document"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3  # one document, then the pooled row


def test_rows_by_document_only_on_request_and_streamed_csv_equals_json(project_path, capsys):
    base = ["agreement", project_path, "--coders", "ana,ben"]
    assert main([*base, "--json"]) == 0
    assert [r["scope"] for r in json.loads(capsys.readouterr().out)["rows"]] == ["pooled"]
    assert main([*base, "--json", "--by-document"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert sorted((r["scope"], r["document"]) for r in rows) == [
        ("document", "one.txt"), ("pooled", None)
    ]  # fmt: skip
    assert main([*base, "--csv", "--by-document"]) == 0
    streamed = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    by_scope = {r["scope"]: r for r in rows}
    assert [r["scope"] for r in streamed] == ["document", "pooled"]
    for line in streamed:
        want = by_scope[line["scope"]]
        assert int(line["units"]) == want["units"]
        assert float(line["krippendorff_alpha"]) == pytest.approx(
            want["krippendorff_alpha"], abs=1e-6
        )


def test_project_errors(project_path, capsys):
    assert main(["agreement", project_path, "--coders", "ana"]) == 1
    assert "at least two coders" in capsys.readouterr().err
    assert main(["agreement", project_path, "--coders", "ana,zoe"]) == 1
    assert "no coder named 'zoe'" in capsys.readouterr().err


# --- table mode: IDs, delimiters, numbers, order; bootstrap; segments -----------------------

UNIT_AB = "unit,a,b\n1,x,x\n2,y,x\n3,y,y\n4,x,x\n"


def test_a_unit_id_column_is_not_a_coder(table, capsys):
    assert main(["agreement", "--table", table(UNIT_AB), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coders"] == 2
    assert data["krippendorff_alpha"] == pytest.approx(0.533, abs=5e-4)
    assert any("'unit' read as unit IDs" in n for n in data["notes"])
    # told to, the column is a coder after all
    assert main(["agreement", "--table", table(UNIT_AB), "--id-column", "", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["coders"] == 3


def test_distinct_first_column_and_named_id_column(table, capsys):
    text = "case_no;r1;r2\nA17;1;1\nB02;2;2\nC33;2;1\nD4;1;1\n"
    assert main(["agreement", "--table", table(text)]) == 0
    out = capsys.readouterr().out
    assert "2 coders (r1, r2)" in out and "every value distinct" in out and "';'" in out
    tabbed = "r1\tkey\tr2\n1\tA\t1\n2\tB\t2\n2\tC\t1\n"
    assert main(["agreement", "--table", table(tabbed), "--id-column", "KEY", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["coders"] == 2
    assert main(["agreement", "--table", table(tabbed), "--id-column", "nope"]) == 1
    assert "no column 'nope' for --id-column" in capsys.readouterr().err


def test_numbers_written_differently_are_one_value_at_every_level(table, capsys):
    text = "a,b\n1,1.0\n01,1\n2,2.0\n2,1\n"
    values = {}
    for level in ("nominal", "interval"):
        assert main(["agreement", "--table", table(text), "--level", level, "--json"]) == 0
        values[level] = json.loads(capsys.readouterr().out)
    for key in ("percent_agreement", "scott_pi", "cohen_kappa"):
        assert values["nominal"][key] == pytest.approx(values["interval"][key])
    assert values["nominal"]["percent_agreement"] == pytest.approx(0.75)


def test_order_gives_labels_their_ranks(table, capsys):
    text = "a,b\nlow,low\nmid,high\nhigh,high\nmid,mid\nlow,mid\n"
    args = ["agreement", "--table", table(text), "--level", "ordinal", "--json"]
    assert main(args) == 1
    assert "'low' is not a number" in capsys.readouterr().err
    assert main([*args, "--order", "low,mid,high"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cohen_kappa_linear"] is not None and data["gwet_ac2"] is not None
    assert main([*args, "--order", "low,high"]) == 1
    assert "'mid' is not one of the --order labels" in capsys.readouterr().err


def test_bootstrap_interval_repeats_with_a_seed(table, capsys):
    args = ["agreement", "--table", table(KRIPPENDORFF_CSV), "--level", "interval",
            "--bootstrap", "1000", "--seed", "5"]  # fmt: skip
    assert main([*args, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)["bootstrap"]
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["bootstrap"] == first
    low, high = first["interval"]
    assert low < 0.849 < high and set(first["q"]) == {"0.667", "0.8"}
    assert main(args) == 0
    assert "q(alpha < 0.8) = " in capsys.readouterr().out


SEGMENTS_2004 = """coder,start,end,category
i,225,295,c
i,370,400,c
j,220,300,c
j,355,375,c
j,400,420,c
i,180,240,k
j,180,240,k
i,300,350,k
j,300,350,k
"""


def test_segments_json_reproduces_krippendorff_2004(table, capsys):
    # Krippendorff, Content Analysis 2nd ed. (2004), p. 254: alpha(c) = .7286, alpha(k) = 1
    path = table(SEGMENTS_2004, "segments.csv")
    assert main(["agreement", "--segments", path, "--length", "300", "--begin", "150",
                 "--json"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert {"u_alpha", "u_alpha_binary", "cu_alpha", "Cu_alpha", "per_category"} <= set(data)
    c = data["per_category"]["c"]
    assert set(c) == {"u_alpha", "observed_disagreement", "expected_disagreement"}
    assert c["u_alpha"] == pytest.approx(0.7286, abs=5e-5)
    assert data["per_category"]["k"]["u_alpha"] == pytest.approx(1.0)


def test_segments_errors_name_the_file(table, capsys):
    path = table("coder,start,end,category\ni,10,500,c\nj,10,20,c\n", "segs.csv")
    assert main(["agreement", "--segments", path, "--length", "300"]) == 1
    err = capsys.readouterr().err
    assert "segs.csv" in err and "[10, 500)" in err
    assert main(["agreement", "--segments", path]) == 1
    assert "--length" in capsys.readouterr().err
    bad = table("coder,start,end,category\ni,a,20,c\n", "bad.csv")
    assert main(["agreement", "--segments", bad, "--length", "30"]) == 1
    assert "bad.csv, line 2: start and end must be whole numbers" in capsys.readouterr().err


# --- a project: the choices a figure rests on, unitizing alpha, segment matching -------------

PARAGRAPH_1 = "Rebels said no. The army said yes."
TWO_PARAGRAPHS = PARAGRAPH_1 + "\n\n" + "A long paragraph nobody coded. " * 30


@pytest.fixture
def two_paragraphs(tmp_path):
    from desktop.services.codebook import codebook
    from desktop.services.coding import codings
    from desktop.services.documents import documents
    from desktop.services.project.project import Project
    from desktop.services.teams import coders

    path = tmp_path / "paras.tessera"
    p = Project.create(path, template="empty")
    p.actor = "test"
    doc = documents.add_document(p, name="two.txt", text=TWO_PARAGRAPHS, kind="txt")
    armed = codebook.add_code(p, "Actors/Armed")
    civil = codebook.add_code(p, "Actors/Civil")
    plan = {
        "ana": [(armed, 0, 6), (armed, 16, 24), (civil, 25, 34)],
        "ben": [(armed, 0, 7), (armed, 20, 24)],
    }
    for name, spans in plan.items():
        coder = coders.add_coder(p, name)
        for code, start, end in spans:
            codings.apply_coding(p, document_id=doc.id, code_id=code.id, coder_id=coder.id,
                                 start=start, end=end)  # fmt: skip
    p.close()
    return str(path)


def _pooled(data, code):
    return next(r for r in data["rows"] if r["code"] == code and r["scope"] == "pooled")


def test_coded_stretches_count_only_the_coded_paragraph(two_paragraphs, capsys):
    base = ["agreement", two_paragraphs, "--coders", "ana,ben", "--codes", "Actors/Armed"]
    assert main([*base, "--json"]) == 0
    every = json.loads(capsys.readouterr().out)
    assert _pooled(every, "Actors/Armed")["units"] == len(TWO_PARAGRAPHS)
    assert "every unit" in every["choices"][0]
    assert main([*base, "--coded-stretches", "paragraph", "--json"]) == 0
    inside = json.loads(capsys.readouterr().out)
    row = _pooled(inside, "Actors/Armed")
    assert row["units"] == len(PARAGRAPH_1)
    assert "paragraph" in inside["choices"][0]
    # uncoded text no longer inflates kappa
    assert row["cohen_kappa"] < _pooled(every, "Actors/Armed")["cohen_kappa"]
    assert main([*base, "--coded-stretches", "paragraph"]) == 0
    assert "Units counted: only units inside a paragraph" in capsys.readouterr().out


def test_html_report_states_the_choices(two_paragraphs, tmp_path, capsys):
    page = tmp_path / "report.html"
    args = ["agreement", two_paragraphs, "--coders", "ana,ben", "--coded-stretches", "sentence",
            "--exclusive", "Actors/Armed", "Actors/Civil", "--html", str(page)]  # fmt: skip
    assert main(args) == 0
    text = page.read_text(encoding="utf-8")
    assert "<dt>Units counted</dt><dd>only units inside a sentence" in text
    assert "agreement given that both coded" in text


def test_none_as_value_penalises_coding_against_not_coding(two_paragraphs, capsys):
    base = ["agreement", two_paragraphs, "--coders", "ana,ben", "--codes", "Actors/Armed",
            "--exclusive", "Actors/Armed", "Actors/Civil", "--json"]  # fmt: skip
    assert main(base) == 0
    given = json.loads(capsys.readouterr().out)
    assert "agreement given that both coded" in " ".join(given["choices"])
    assert main([*base, "--none-as-value"]) == 0
    none = json.loads(capsys.readouterr().out)
    assert "(none)" in " ".join(none["choices"])
    label = "Actors/Armed | Actors/Civil"
    assert _pooled(none, label)["pairable_values"] > _pooled(given, label)["pairable_values"]


def test_unitizing_and_segment_matching_over_a_project(two_paragraphs, capsys):
    args = ["agreement", two_paragraphs, "--coders", "ana,ben", "--unitizing",
            "--segments-match", "80", "--json"]  # fmt: skip
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    armed = next(r for r in data["unitizing"] if r["code"] == "Actors/Armed" and not r["document"])
    assert 0 < armed["u_alpha"] < 1 and armed["length"] == len(TWO_PARAGRAPHS)
    match = data["segments_match"]
    overall = match["rows"][0]
    # [0,6) vs [0,7): 6/7 = 86 % >= 80 % match; [16,24) vs [20,24): 50 %; Civil only ana
    assert (overall["matched"], overall["only_a"], overall["only_b"]) == (2, 2, 1)
    assert overall["percent_agreement"] == pytest.approx(2 / 5)
    assert overall["kappa"] == pytest.approx((2 / 5 - 1 / 2) / (1 - 1 / 2))
    assert len(match["passages"]) == 4
    assert main(args[:-1]) == 0
    out = capsys.readouterr().out
    assert "Segment matching (MAXQDA): overlap >= 80 %" in out and "match 86 %" in out
    assert main(["agreement", two_paragraphs, "--coders", "ana,ben", "--segments-match", "0"]) == 1
    assert "threshold" in capsys.readouterr().err


def test_project_bootstrap(two_paragraphs, capsys):
    args = ["agreement", two_paragraphs, "--coders", "ana,ben", "--bootstrap", "200",
            "--seed", "1", "--json"]  # fmt: skip
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)["bootstrap"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["bootstrap"] == first
    assert {b["code"] for b in first} == {"Actors/Armed", "Actors/Civil"}


def test_bootstrap_service_reports_progress_and_cancels(two_paragraphs):
    from desktop.services.project.project import Project
    from desktop.services.review.agreement import project_agreement, project_bootstrap

    with Project.open(two_paragraphs) as p:
        report = project_agreement(p, coders=["ana", "ben"], unit="sentence")
    seen: list[tuple[int, int]] = []
    result = project_bootstrap(
        report, samples=300, seed=2, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (600, 600) and set(result) == {
        ("Actors/Armed", None),
        ("Actors/Civil", None),
    }
    assert all(b.seed == 2 for b in result.values())
    stopped = project_bootstrap(report, samples=300, seed=2, cancel=lambda: True)
    assert stopped is None


def test_a_project_with_two_coders_needs_no_coders_option(project_path, capsys):
    assert main(["agreement", project_path, "--unit", "word", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["coders"] == ["ana", "ben"]
    assert "comparing the project's two coders, ana and ben" in err


def test_with_more_coders_the_choice_names_them(project_path, capsys):
    from desktop.services.project.project import Project
    from desktop.services.teams import coders

    with Project.open(project_path) as p:
        coders.add_coder(p, "cy")
    assert main(["agreement", project_path, "--json"]) == 0  # cy coded nothing: ana and ben
    capsys.readouterr()
    with Project.open(project_path) as p:
        from desktop.services.codebook import codebook
        from desktop.services.coding import codings
        from desktop.services.documents import documents

        doc = documents.list_documents(p)[0]
        cy = next(c for c in coders.list_coders(p) if c.name == "cy")
        code = codebook.find_code(p, "Actors/Armed")
        codings.apply_coding(p, document_id=doc.id, code_id=code.id, coder_id=cy.id, start=0, end=6)
    assert main(["agreement", project_path]) == 1
    assert "3 coders (ana, ben, cy): name those to compare with --coders" in capsys.readouterr().err
