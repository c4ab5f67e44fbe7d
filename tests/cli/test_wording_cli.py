"""What the command line says reads as a person writes it: numbers agree with their nouns
("1 coding", "2 codings", never "coding(s)"), no "-0.000", and the audit log names who
changed what ("imported 3 codings", by the OS user or --actor, never "(unknown)" or
"coding None")."""

from __future__ import annotations

import getpass
import re

import pytest

from desktop.cli.main import main

NOUNS = ("coding", "code", "document", "file", "problem", "duplicate", "coder", "backup",
         "value", "row", "member", "memo", "example", "change", "page")  # fmt: skip
PLURAL_AFTER_ONE = re.compile(r"(?<![\d.,])\b1 (?:\w+ )?(" + "|".join(NOUNS) + r")s\b")


def said(capsys) -> str:
    out, err = capsys.readouterr()
    return out + err


def awkward(text: str) -> list[str]:
    """Every way the text falls short of written English."""
    found = [m.group(0) for m in re.finditer(r"\w+\(s\)", text)]
    found += [m.group(0) for m in PLURAL_AFTER_ONE.finditer(text)]
    found += re.findall(r"-0\.0+\b", text)
    found += [w for w in ("(unknown)", " None") if w in text]
    return found


@pytest.fixture
def project(tmp_path, capsys):
    path = tmp_path / "study.tessera"
    text = tmp_path / "talks.txt"
    text.write_text("Rebels say talks failed. At least 12 people were killed.\n", "utf-8")
    assert main(["new", str(path), "--template", "conflict-news"]) == 0
    assert main(["import", str(path), str(text)]) == 0
    rows = tmp_path / "codings.csv"
    rows.write_text(
        "document,code,coder,start,end\ntalks.txt,Actors/Armed groups,ana,0,6\n", "utf-8"
    )
    assert main(["codings", "import", str(path), str(rows), "--create-missing"]) == 0
    capsys.readouterr()
    return path


def test_one_of_a_thing_is_singular_everywhere(project, tmp_path, capsys):
    seen = []
    for args in (
        ["codings", "import", str(project), str(tmp_path / "codings.csv")],  # a duplicate
        ["export", str(project), "--what", "codings", "-o", str(tmp_path / "c.csv")],
        ["export", str(project), "--what", "documents", "-o", str(tmp_path / "d.csv")],
        ["export", str(project), "--what", "documents", "--format", "txt",
         "-o", str(tmp_path / "texts")],
        ["export", str(project), "--what", "frequencies", "-o", str(tmp_path / "f.csv")],
        ["backups", str(project)],
        ["coders", "list", str(project)],
        ["codes", "merge", str(project), "Actors/Armed groups", "Actors/Civilians"],
        ["log", str(project)],
    ):  # fmt: skip
        main([str(a) for a in args])
        seen.append(said(capsys))
    text = "\n".join(seen)
    assert "exported 1 coding to" in text and "1 duplicate skipped" in text
    assert awkward(text) == []


def test_the_log_names_the_os_user_and_what_an_import_did(project, capsys):
    assert main(["log", str(project)]) == 0
    log = said(capsys)
    me = getpass.getuser()
    assert f"  {me}  imported 1 coding" in log and "from codings.csv" in log
    assert awkward(log) == []


def test_actor_names_who_made_a_change(project, tmp_path, capsys):
    assert main(["--actor", "Maya", "codes", "add", str(project), "Events/Talks"]) == 0
    capsys.readouterr()
    assert main(["log", str(project)]) == 0
    assert '  Maya  created code 14 "Events"' in said(capsys)


def test_agreement_values_never_read_minus_zero():
    from desktop.core.agreement import format_value

    assert format_value("alpha", -0.0001) == "0.000"
    assert format_value("percent_agreement", -0.00001) == "0.0 %"
