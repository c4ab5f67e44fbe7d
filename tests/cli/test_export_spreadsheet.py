"""Exports meant for a spreadsheet never carry a live formula; the plain CSV keeps every
value exactly. Names, memos and quotes can come from other people's files (merge,
REFI-QDA, codings import), so a code named =HYPERLINK(...) must reach Excel as text."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders

CODE = '=HYPERLINK("https:evil.example","click me")'
CODER = "@SUM(1+1)"
MEMO = "-2+3+cmd|' /C calc'!A0"
TEXT = "On the wall: =1+1 and +7 were written.\n\tTabbed line.\n"
QUOTE = "=1+1 and +7"


@pytest.fixture
def project_path(tmp_path) -> Path:
    path = tmp_path / "p.tessera"
    with Project.create(path) as p:
        doc = documents.add_document(p, name="+wall.txt", text=TEXT, kind="txt")
        coder = coders.add_coder(p, CODER)
        code = codebook.add_code(p, CODE, description="=2*3")
        s = TEXT.index(QUOTE)
        codings.apply_coding(p, document_id=doc.id, code_id=code.id, coder_id=coder.id,
                             start=s, end=s + len(QUOTE), memo=MEMO)  # fmt: skip
        s = TEXT.index("\tTabbed")
        codings.apply_coding(p, document_id=doc.id, code_id=code.id, coder_id=coder.id,
                             start=s, end=s + 7, memo="\rreturn")  # fmt: skip
    return path


def export(project_path: Path, out: Path, what: str, *extra: str) -> list[dict[str, str]]:
    assert main(["export", str(project_path), "--what", what, "-o", str(out), *extra]) == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_codings_for_excel_are_neutralised_the_plain_csv_is_exact(project_path, tmp_path):
    safe = export(project_path, tmp_path / "safe.csv", "codings", "--excel")
    plain = export(project_path, tmp_path / "plain.csv", "codings")
    assert [(r["document"], r["code"], r["coder"], r["text"], r["memo"]) for r in plain] == [
        ("+wall.txt", CODE, CODER, QUOTE, MEMO),
        ("+wall.txt", CODE, CODER, "\tTabbed", "\rreturn"),
    ]
    assert [(r["document"], r["code"], r["coder"], r["text"], r["memo"]) for r in safe] == [
        ("'+wall.txt", "'" + CODE, "'" + CODER, "'" + QUOTE, "'" + MEMO),
        ("'+wall.txt", "'" + CODE, "'" + CODER, "'\tTabbed", "'\rreturn"),
    ]
    assert [r["start"] for r in safe] == [r["start"] for r in plain]  # numbers stay numbers


def test_the_excel_codings_file_imports_back_exactly(project_path, tmp_path):
    out = tmp_path / "safe.csv"
    export(project_path, out, "codings", "--excel")
    fresh = tmp_path / "fresh.tessera"
    with Project.create(fresh) as p:
        documents.add_document(p, name="+wall.txt", text=TEXT, kind="txt")
    assert main(["codings", "import", str(fresh), str(out), "--create-missing"]) == 0
    again = export(fresh, tmp_path / "again.csv", "codings")
    plain = export(project_path, tmp_path / "plain.csv", "codings")
    keys = ("document", "code", "coder", "start", "end", "text", "memo")
    assert [[r[k] for k in keys] for r in again] == [[r[k] for k in keys] for r in plain]


def test_frequencies_are_always_safe_codebook_and_documents_with_excel(project_path, tmp_path):
    freq = export(project_path, tmp_path / "f.csv", "frequencies", "--by", "coder")
    assert list(freq[0]) == ["code", "'" + CODER, "total", "total with sub-codes"]
    assert freq[0]["code"] == "'" + CODE and freq[0]["total"] == "2"
    book = export(project_path, tmp_path / "b.csv", "codebook", "--excel")
    assert book[0]["path"] == "'" + CODE and book[0]["description"] == "'=2*3"
    assert export(project_path, tmp_path / "bp.csv", "codebook")[0]["path"] == CODE
    docs = export(project_path, tmp_path / "d.csv", "documents", "--excel")
    assert docs[0]["name"] == "'+wall.txt"
    assert export(project_path, tmp_path / "dp.csv", "documents")[0]["name"] == "+wall.txt"


def test_the_agreement_table_saved_for_a_spreadsheet_neutralises_names():
    from desktop.core.agreement.corpus import corpus_agreement

    report = corpus_agreement(
        {"d": "x" * 20},
        {"a": [("d", CODE, 0, 10)], "b": [("d", CODE, 0, 8), ("d", CODE, 12, 15)]},
        [CODE],
        document_names={"d": "+wall.txt"},
    )
    read = lambda text: list(csv.DictReader(io.StringIO(text)))  # noqa: E731
    plain, safe = read(report.to_csv()), read(report.to_csv(spreadsheet=True))
    assert {(r["code"], r["document"]) for r in plain} == {(CODE, "+wall.txt"), (CODE, "")}
    assert {(r["code"], r["document"]) for r in safe} == {
        ("'" + CODE, "'+wall.txt"),
        ("'" + CODE, ""),
    }
    assert [r["krippendorff_alpha"] for r in safe] == [r["krippendorff_alpha"] for r in plain]


# -- a real spreadsheet engine -------------------------------------------------------------


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(soffice: str, csv_path: Path, work: Path) -> str:
    """The sheet XML of ``csv_path`` as LibreOffice Calc opens it (UTF-8, formulas
    evaluated, as a user double-clicking the file gets), saved as .xlsx."""
    out = work / "out"
    profile = (work / "profile").as_uri()  # a private profile: parallel runs do not clash
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless",
         "--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true",
         "--convert-to", "xlsx", "--outdir", str(out), str(csv_path)],
        check=True, capture_output=True, timeout=180,
        env={**os.environ, "HOME": str(work)},
    )  # fmt: skip
    with zipfile.ZipFile(out / (csv_path.stem + ".xlsx")) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            z.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in z.namelist()
            else ""
        )
    return sheet + strings


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed: "
                    "`./run test` installs it on Debian as root; or apt-get install libreoffice-calc-nogui")  # fmt: skip
def test_libreoffice_opens_the_excel_exports_without_a_single_formula(project_path, tmp_path):
    soffice = _soffice()
    assert soffice
    plain = tmp_path / "plain.csv"
    export(project_path, plain, "codings")
    # The control: the same cells unguarded do become formulas in this engine.
    assert re.search(r"<f[ >]", _convert(soffice, plain, tmp_path / "p"))
    for what, extra, shown in (
        ("codings", ["--excel"], "&apos;=HYPERLINK"),
        ("codebook", ["--excel"], "&apos;=HYPERLINK"),
        ("documents", ["--excel"], "&apos;+wall.txt"),
        ("frequencies", [], "&apos;=HYPERLINK"),
    ):
        out = tmp_path / f"{what}.csv"
        export(project_path, out, what, *extra)
        converted = _convert(soffice, out, tmp_path / what)
        assert not re.search(r"<f[ >]", converted), f"{what}: a cell became a formula"
        assert shown in converted  # the hostile value is there, as text
