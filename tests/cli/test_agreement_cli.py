"""`tessera agreement`: reliability data from a CSV table, and over a project."""

from __future__ import annotations

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
        "units", "coders", "pairable_values",
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
    assert lines[-1].startswith("krippendorff_alpha,0.743421,11,40")


@pytest.mark.parametrize(
    ("text", "level", "message"),
    [
        ("a,b\n1,2\n1,x\n", "ordinal", "line 3, column 2 (b): 'x' is not a number"),
        ("a,b\n1,2\n1\n", "nominal", "line 3: 1 cells, but the header names 2 coders"),
        ('a,b\n1,"2\n', "nominal", "line 2: malformed CSV"),
        ("", "nominal", "empty file"),
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
    assert main(["agreement", project_path, "--coders", "ana,ben", "--unit", "word"]) == 0
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
    assert len(lines) == 3  # pooled + one document


def test_project_errors(project_path, capsys):
    assert main(["agreement", project_path, "--coders", "ana"]) == 1
    assert "at least two coders" in capsys.readouterr().err
    assert main(["agreement", project_path, "--coders", "ana,zoe"]) == 1
    assert "no coder named 'zoe'" in capsys.readouterr().err
