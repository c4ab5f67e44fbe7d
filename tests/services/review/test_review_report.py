"""The agreement report as CSV and as a readable HTML page, through the CLI: the HTML
tables say what the JSON says, names are escaped, the settings are all there."""

from __future__ import annotations

import csv
import io
import json

import lxml.html
import pytest

from desktop import __version__
from desktop.cli.main import main
from desktop.core.agreement.report import TABLE_MEASURES
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders

EVIL = "<script>alert(1)</script>"
DOC1 = "Rebels said talks failed. Russia resumed air strikes today. A monitor said so."
DOC2 = "The army took the town. Rebels fled north & east. Nobody was hurt, the mayor said."


@pytest.fixture
def project_path(tmp_path):
    path = tmp_path / "report.tessera"
    p = Project.create(path, template="empty", name="Report & <study>")
    d1 = documents.add_document(p, name="one.txt", text=DOC1, kind="txt").id
    d2 = documents.add_document(p, name="two <b>.txt", text=DOC2, kind="txt").id
    actors = codebook.add_code(p, "Actors/Armed & dangerous").id
    evil = codebook.add_code(p, EVIL).id
    never = codebook.add_code(p, "Quiet").id
    codebook.add_code(p, "Never used")
    ana = coders.add_coder(p, "ana").id
    ben = coders.add_coder(p, "ben").id
    for coder, code, doc, start, end in [
        (ana, actors, d1, 0, 6), (ben, actors, d1, 0, 6), (ana, actors, d2, 4, 8),
        (ben, actors, d2, 24, 30), (ana, evil, d1, 12, 24), (ben, evil, d1, 18, 24),
        (ana, never, d2, 0, 3), (ben, never, d2, 0, 3),
    ]:  # fmt: skip
        codings.apply_coding(p, document_id=doc, code_id=code, coder_id=coder, start=start, end=end)
    p.close()
    return str(path)


def run_json(project_path, capsys, *extra) -> dict:
    assert main(["agreement", project_path, "--coders", "ana,ben", *extra, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def cells(table) -> list[list]:
    return [[td for td in tr.findall("td")] for tr in table.find("tbody").findall("tr")]


def number(td) -> float | None:
    value = td.get("data-value")
    return None if value == "" else float(value)


def test_html_tables_equal_the_json(project_path, capsys, tmp_path):
    out = tmp_path / "agreement.html"
    codes = ["Actors/Armed & dangerous", EVIL, "Quiet", "Never used"]
    data = run_json(project_path, capsys, "--codes", *codes, "--html", str(out), "--by-document")
    page = lxml.html.fromstring(out.read_text("utf-8"))

    pooled = [r for r in data["rows"] if r["scope"] == "pooled"]
    per_doc = [r for r in data["rows"] if r["scope"] == "document"]
    (per_code,) = page.find_class("per-code")
    (per_document,) = page.find_class("per-document")
    header = [th.text_content() for th in per_code.find("thead").iter("th")]
    assert header[:5] == ["Code", "Units", "Coded by any", "Codings: ana", "Codings: ben"]
    assert header[5:] == [
        "Percent agreement", "Scott's pi", "Cohen's kappa", "Fleiss' kappa", "Krippendorff's alpha",
        "Bennett's S", "Gwet's AC1",
    ]  # fmt: skip

    rows = cells(per_code)
    assert [r[0].text_content() for r in rows] == [r["code"] for r in pooled]
    for tds, row in zip(rows, pooled, strict=True):
        assert number(tds[1]) == row["units"] and number(tds[2]) == row["coded_by_any"]
        assert [number(td) for td in tds[3:5]] == [row["codings"]["ana"], row["codings"]["ben"]]
        for td, measure in zip(tds[5:], TABLE_MEASURES, strict=True):
            if row[measure] is None:
                assert td.text_content() == "n/a" and td.get("title") == row["notes"][measure]
            else:
                assert number(td) == pytest.approx(row[measure], abs=1e-12)
                shown = td.text_content()
                expect = row[measure] * 100 if measure == "percent_agreement" else row[measure]
                assert float(shown.rstrip(" %")) == pytest.approx(expect, abs=0.051)

    rows = cells(per_document)
    assert [(r[0].text_content(), r[1].text_content()) for r in rows] == [
        (r["code"], r["document"]) for r in per_doc
    ]
    head = [th.text_content() for th in per_document.find("thead").iter("th")]
    alpha = head.index("Krippendorff's alpha")
    for tds, row in zip(rows, per_doc, strict=True):
        assert number(tds[alpha]) == row["krippendorff_alpha"] or (
            number(tds[alpha]) == pytest.approx(row["krippendorff_alpha"])
        )

    # the chart: one bar per code with an alpha, n/a for the others
    bars = page.xpath("//svg//rect[@class='bar']")
    alphas = {r["code"]: r["krippendorff_alpha"] for r in pooled}
    assert {b.get("data-code"): float(b.get("data-value")) for b in bars} == pytest.approx(
        {c: a for c, a in alphas.items() if a is not None}
    )
    assert alphas["Never used"] is None  # no variation: undefined, not 1
    assert page.xpath("//svg//text[title]")[-1].text_content().endswith("n/a")


def test_names_are_escaped_and_settings_listed(project_path, capsys, tmp_path):
    out = tmp_path / "agreement.html"
    run_json(project_path, capsys, "--html", str(out))
    text = out.read_text("utf-8")
    assert EVIL not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "two <b>.txt" not in text and "two &lt;b&gt;.txt" in text
    page = lxml.html.fromstring(text)
    assert not page.xpath("//script") and not page.xpath("//b")
    assert EVIL in page.find_class("per-code")[0].text_content()  # shown as text
    settings = dict(
        zip(
            [dt.text_content() for dt in page.xpath("//dl[@class='settings']/dt")],
            [dd.text_content() for dd in page.xpath("//dl[@class='settings']/dd")],
            strict=True,
        )
    )
    assert settings["Coders"] == "ana, ben"
    assert settings["Unit"] == "char units"
    assert settings["Documents (2)"] == "one.txt, two <b>.txt"
    assert settings["Codes (3)"] == f"Actors/Armed & dangerous, {EVIL}, Quiet"
    assert settings["Tessera version"] == __version__
    assert settings["Computed"][:2] == "20"
    assert page.find(".//title").text_content() == "Inter-coder agreement — Report & <study>"


def test_csv_and_chosen_codes_and_units(project_path, capsys, tmp_path):
    assert main(["agreement", project_path, "--coders", "ana,ben", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    data = run_json(project_path, capsys)
    assert [(r["code"], r["scope"], r["document"]) for r in rows] == [
        (r["code"], r["scope"], r["document"] or "") for r in data["rows"]
    ]
    assert [r["krippendorff_alpha"] for r in rows] == [
        "" if r["krippendorff_alpha"] is None else f"{r['krippendorff_alpha']:.6f}"
        for r in data["rows"]
    ]
    out = tmp_path / "words.html"
    args = ["--unit", "word", "--codes", "Quiet", "--html", str(out)]
    assert main(["agreement", project_path, "--coders", "ana,ben", *args]) == 0
    page = lxml.html.fromstring(out.read_text("utf-8"))
    assert [r[0].text_content() for r in cells(page.find_class("per-code")[0])] == ["Quiet"]
    assert "word units" in page.text_content()


def test_html_errors(project_path, capsys, tmp_path):
    bad = tmp_path / "no such folder" / "x.html"
    assert main(["agreement", project_path, "--coders", "ana,ben", "--html", str(bad)]) == 1
    assert "cannot write the HTML report" in capsys.readouterr().err
    assert not bad.parent.exists()
    table = tmp_path / "t.csv"
    table.write_text("a,b\n1,1\n", encoding="utf-8")
    assert main(["agreement", "--table", str(table), "--html", str(tmp_path / "y.html")]) == 1
    assert "--html only apply to a PROJECT" in capsys.readouterr().err
