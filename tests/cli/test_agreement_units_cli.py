"""`tessera agreement` over a project: a document has the same units in every report,
every report (JSON, CSV, HTML, text) names the segmenter and its version, and the
project keeps the segmenter's parameters (the sentence locale) for every later report."""

from __future__ import annotations

import csv
import io
import json

import pytest

from desktop.cli.main import main
from desktop.core.segmentation import ICU_VERSION

# ana and ben code the same passages of ONE; LONG is a large document only ana coded
ONE = "Mr. Smith spoke. He said no. Talks failed. Dr. Jones left. Nobody stayed."
LONG = "The talks went on for another day and nobody came. " * 1200  # > 50,000 characters
PLAN = {
    "ana": [("one.txt", "Mr."), ("one.txt", "He said no."), ("one.txt", "Dr. Jones left."),
            ("long.txt", "The talks went on")],
    "ben": [("one.txt", "Smith spoke."), ("one.txt", "He said no."), ("one.txt", "Jones left.")],
}  # fmt: skip


@pytest.fixture
def project_path(tmp_path):
    from desktop.services.codebook import codebook
    from desktop.services.coding import codings
    from desktop.services.documents import documents
    from desktop.services.project.project import Project
    from desktop.services.teams import coders

    path = tmp_path / "units.tessera"
    p = Project.create(path, template="empty")
    p.actor = "test"
    texts = {"one.txt": ONE, "long.txt": LONG}
    docs = {n: documents.add_document(p, name=n, text=t, kind="txt").id for n, t in texts.items()}
    code = codebook.add_code(p, "Events").id
    for name, spans in PLAN.items():
        coder = coders.add_coder(p, name).id
        for doc, passage in spans:
            start = texts[doc].index(passage)
            codings.apply_coding(p, document_id=docs[doc], code_id=code, coder_id=coder,
                                 start=start, end=start + len(passage))  # fmt: skip
    p.close()
    return str(path)


def report(capsys, path, *extra) -> dict:
    capsys.readouterr()
    args = ["agreement", path, "--coders", "ana,ben", "--unit", "sentence", "--json", *extra]
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def row_of(data: dict, document: str | None) -> dict:
    return next(r for r in data["rows"] if r["document"] == document)


def test_a_document_has_the_same_sentence_units_alone_and_in_its_project(project_path, capsys):
    alone = report(capsys, project_path, "--documents", "one.txt")
    whole = report(capsys, project_path, "--by-document")
    mine, theirs = row_of(alone, None), row_of(whole, "one.txt")
    # root rules: "Mr." and "Dr." end sentences, so 7 sentences, in both reports
    assert mine["units"] == theirs["units"] == 7
    for key in ("krippendorff_alpha", "cohen_kappa", "percent_agreement", "coded_units"):
        assert mine[key] == theirs[key]


def test_every_report_names_the_segmenter_and_its_version(project_path, capsys, tmp_path):
    data = report(capsys, project_path)
    assert data["segmentation"] == {
        "segmenter": "ICU", "version": ICU_VERSION,
        "rules": "UAX #29 sentences, ended at line breaks", "locale": "root",
    }  # fmt: skip
    assert f"Units cut by: ICU {ICU_VERSION}, UAX #29 sentences" in " ".join(data["choices"])
    base = ["agreement", project_path, "--coders", "ana,ben", "--unit", "word"]
    page = tmp_path / "r.html"
    assert main([*base, "--csv", "--html", str(page)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and all(r["segmenter"] == f"ICU {ICU_VERSION}, UAX #29 words, dictionary "
                        "words in Chinese, Japanese, Thai, Lao, Khmer, Burmese" for r in rows)  # fmt: skip
    assert f"<dt>Units cut by</dt><dd>ICU {ICU_VERSION}, UAX #29 words" in page.read_text("utf-8")
    # the rows written as they are computed say it too
    assert main([*base, "--csv", "--by-document"]) == 0
    streamed = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["segmenter"] for r in streamed} == {rows[0]["segmenter"]}
    assert main(base) == 0
    assert f"Units cut by: ICU {ICU_VERSION}, UAX #29 words" in capsys.readouterr().out


def test_the_project_keeps_the_sentence_locale_for_every_later_report(project_path, capsys):
    from desktop.services.project.project import Project

    before = report(capsys, project_path)
    with Project.open(project_path) as p:  # stored the first time units were cut
        assert p.settings()["agreement_units"] == {
            "segmenter": "ICU", "version": ICU_VERSION, "sentence_locale": ""}  # fmt: skip
    assert main(["agreement", project_path, "--sentence-locale", "en@ss=standard"]) == 0
    assert "en@ss=standard from now on" in capsys.readouterr().err
    after = report(capsys, project_path)
    assert after["segmentation"]["locale"] == "en@ss=standard"
    # "Mr. Smith spoke." is one sentence now: ana's "Mr." and ben's "Smith spoke." agree
    assert row_of(after, None)["units"] == row_of(before, None)["units"] - 1
    assert row_of(after, None)["krippendorff_alpha"] > row_of(before, None)["krippendorff_alpha"]
    assert main(["agreement", project_path, "--sentence-locale", "root"]) == 0
    assert report(capsys, project_path)["rows"] == before["rows"]


def test_a_bad_locale_or_another_icu_is_said(project_path, capsys):
    from desktop.services.project.project import Project

    assert main(["agreement", project_path, "--sentence-locale", "qq"]) == 1
    assert "'qq' is not a locale ICU knows" in capsys.readouterr().err
    with Project.open(project_path) as p:
        p.update_settings(agreement_units={"segmenter": "ICU", "version": "60.1",
                                           "sentence_locale": ""})  # fmt: skip
    data = report(capsys, project_path)
    assert data["segmentation"]["note"] == (
        f"this project's units were first cut with ICU 60.1; ICU {ICU_VERSION} may place "
        "some boundaries differently"
    )
    assert "first cut with ICU 60.1" in " ".join(data["choices"])
