"""tessera refi import | export, as a user types them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.services.project.project import Project
from desktop.services.teams import coders

NVIVO_WIN = "nvivo-win-12.6_oltas0517.qdpx"
MAXQDA = "maxqda-24.7_project.qde"


@pytest.fixture(scope="module")
def samples(shared_dir: Path) -> Path:
    return shared_dir / "refi" / "samples"


@pytest.fixture
def project(tmp_path) -> Path:
    path = tmp_path / "study.tessera"
    Project.create(path).close()
    return path


def info(path: Path) -> dict:
    with Project.open(path) as p:
        return p.info()


def test_import_refuses_new_codes_without_add_codes(project, samples, capsys) -> None:
    assert main(["codes", "add", str(project), "Own code"]) == 0  # a codebook of its own
    capsys.readouterr()
    assert main(["refi", "import", str(project), str(samples / NVIVO_WIN)]) == 1
    err = capsys.readouterr().err
    assert "152 codes the project lacks" in err and "--add-codes" in err
    assert "Nothing was imported" in err
    assert info(project)["codes"] == 1 and info(project)["coders"] == 0


def test_import_into_an_empty_project_needs_no_add_codes(project, samples, capsys) -> None:
    assert main(["refi", "import", str(project), str(samples / NVIVO_WIN)]) == 0
    assert "imported 303 of 303 codings" in capsys.readouterr().out
    assert info(project)["codes"] == 152


def test_import_with_add_codes_then_again(project, samples, capsys) -> None:
    assert main(["refi", "import", str(project), str(samples / NVIVO_WIN), "--add-codes"]) == 0
    out, err = capsys.readouterr()
    assert "imported 303 of 303 codings" in out and "NVivo for Windows 12.6" in out
    assert "added coder floriansipos" in out and "added document videos_10_selected" in out
    assert "... and 132 more" in out  # 152 added codes, 20 listed
    assert "warning: selection offsets read as UTF-16" in err
    facts = info(project)
    assert (facts["codes"], facts["documents"], facts["codings"]) == (152, 2, 303)

    assert main(["refi", "import", str(project), str(samples / NVIVO_WIN)]) == 0
    out, _ = capsys.readouterr()
    assert "imported 0 of 303 codings" in out and "303 already in the project" in out
    assert "same coder Gergo" in out
    assert "152 codes already in the codebook" in out
    assert "same document 'videos_selection' is 'videos_selection' in the project" in out


def test_import_dry_run(project, samples, capsys) -> None:
    args = ["refi", "import", str(project), str(samples / NVIVO_WIN), "--add-codes", "--dry-run"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("dry run: nothing was stored")
    assert "would import 303 of 303 codings" in out
    assert info(project)["codes"] == 0 and info(project)["codings"] == 0


def test_import_of_a_maxqda_qde_warns_about_the_missing_texts(project, samples, capsys) -> None:
    assert main(["refi", "import", str(project), str(samples / MAXQDA), "--add-codes"]) == 0
    out, err = capsys.readouterr()
    assert err.count("is not in a lone .qde file") == 10
    assert "imported 0 of 0 codings" in out
    assert info(project)["codes"] == 307


def test_import_errors_are_one_line(project, tmp_path, capsys) -> None:
    assert main(["refi", "import", str(project), str(tmp_path / "none.qdpx")]) == 1
    assert "no such file" in capsys.readouterr().err
    junk = tmp_path / "junk.qdpx"
    junk.write_text("hello")
    assert main(["refi", "import", str(project), str(junk)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tessera: ") and "not well-formed" in err and "Traceback" not in err


def test_export_then_import_elsewhere(project, samples, tmp_path, capsys) -> None:
    main(["refi", "import", str(project), str(samples / NVIVO_WIN), "--add-codes"])
    capsys.readouterr()
    out_file = tmp_path / "out.qdpx"
    assert main(["refi", "export", str(project), "-o", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "exported 2 documents, 152 codes and 303 codings by Gergo, floriansipos" in out
    with zipfile.ZipFile(out_file) as zf:
        assert "project.qde" in zf.namelist()
    other = tmp_path / "other.tessera"
    Project.create(other).close()
    assert main(["refi", "import", str(other), str(out_file), "--add-codes"]) == 0
    assert "imported 303 of 303 codings" in capsys.readouterr().out
    assert info(other)["codings"] == 303


def test_export_of_some_coders(project, samples, tmp_path, capsys) -> None:
    main(["refi", "import", str(project), str(samples / NVIVO_WIN), "--add-codes"])
    capsys.readouterr()
    out_file = tmp_path / "gergo.qdpx"
    assert main(["refi", "export", str(project), "-o", str(out_file), "--coders", "Gergo"]) == 0
    assert "303" not in (out := capsys.readouterr().out) and "6 codings by Gergo" in out
    assert (
        main(["refi", "export", str(project), "-o", str(out_file), "--coders", "Gergo,Nobody"]) == 1
    )
    assert "no coder named 'Nobody'" in capsys.readouterr().err
    with Project.open(project) as p:
        assert {c.name for c in coders.list_coders(p)} == {"Gergo", "floriansipos"}


def test_export_needs_a_file_in_an_existing_folder(project, tmp_path, capsys) -> None:
    assert main(["refi", "export", str(project), "-o", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert main(["refi", "export", str(project), "-o", str(tmp_path / "no" / "x.qdpx")]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_through_the_console_script(project, samples, tmp_path) -> None:
    exe = Path(sys.executable).with_name("tessera")
    run = subprocess.run(
        [exe, "refi", "import", project, samples / "atlasti-win-23.2_target-project.qdpx",
         "--add-codes"], capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "added code Commits" in run.stdout
    run = subprocess.run(
        [exe, "refi", "export", project, "-o", tmp_path / "a.qdpx"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "exported 0 documents, 3 codes" in run.stdout


def test_the_summary_counts_the_selections_it_skipped(project, tmp_path, capsys) -> None:
    code, user = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"

    def sel(kind: str, i: int, a: str, b: str, code_guid: str = code) -> str:
        return (
            f'<{kind} guid="44444444-4444-4444-8444-{i:012d}" startPosition="{a}" '
            f'endPosition="{b}" creatingUser="{user}"><Coding guid="55555555-5555-4555-8555-'
            f'{i:012d}" creatingUser="{user}"><CodeRef targetGUID="{code_guid}"/></Coding></{kind}>'
        )

    selections = "".join(
        [
            sel("PlainTextSelection", 1, "0", "3"),  # "abc": imported
            sel("PlainTextSelection", 2, "8", "11"),  # "ghi": imported
            sel("PlainTextSelection", 3, "4", "99"),  # outside the text
            sel("PlainTextSelection", 4, "x", "7"),  # no valid positions
            sel("PlainTextSelection", 5, "4", "7", "99999999-9999-4999-8999-999999999999"),
            sel("PictureSelection", 6, "0", "1"),  # not a text selection
        ]
    )
    pdf = f'<PDFSource guid="66666666-6666-4666-8666-666666666666" name="scan">{sel("PDFSelection", 7, "0", "2")}</PDFSource>'  # noqa: E501
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="Some Tool 1.0">
<Users><User guid="{user}" name="ana"/></Users>
<CodeBook><Codes><Code guid="{code}" name="Emotion" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="33333333-3333-4333-8333-333333333333" name="doc"
 plainTextPath="internal://s.txt">{selections}</TextSource>{pdf}</Sources>
</Project>"""
    path = tmp_path / "in.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr("sources/s.txt", b"abc def ghi")
    assert main(["refi", "import", str(project), str(path), "--add-codes"]) == 0
    out, err = capsys.readouterr()
    summary = out.strip().splitlines()[-1]
    assert summary.startswith(f"imported 2 of 2 codings from {path}")
    assert "5 selections of 7 in the file skipped (see the warnings)" in summary
    assert err.count("warning:") >= 5
    assert info(project)["codings"] == 2
