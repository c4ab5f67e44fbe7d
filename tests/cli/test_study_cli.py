"""tessera attributes | documents set --attr | sets | cases | memos from the shell."""

from __future__ import annotations

from desktop.cli.main import main
from desktop.services.documents import attributes, documents
from desktop.services.project.project import Project


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_attributes_sets_cases_and_memos_from_the_shell(tmp_path, capsys):
    path = tmp_path / "p.tessera"
    with Project.create(path) as p:
        for name in ("r1.txt", "a1.txt"):
            documents.add_document(p, name=name, text=f"text of {name}\n", kind="txt")
    assert run(capsys, "attributes", "add", path, "outlet", "--type", "choice",
               "--choices", "Reuters,AFP")[0] == 0  # fmt: skip
    assert run(capsys, "documents", "set", path, "r1.txt", "--attr", "outlet=reuters")[0] == 0
    status, _, err = run(capsys, "documents", "set", path, "a1.txt", "--attr", "outlet=BBC")
    assert status != 0 and "'BBC' is not one of: Reuters, AFP" in err and "Traceback" not in err
    _, out, _ = run(capsys, "attributes", "list", path)
    assert "outlet\tchoice (Reuters, AFP)\t1 value" in out and "title\ttext" in out
    _, out, _ = run(capsys, "documents", "list", path, "--where", "outlet = Reuters")
    assert out.startswith("r1.txt") and "a1.txt" not in out
    assert run(capsys, "sets", "add", path, "wire", "--where", "outlet = Reuters")[0] == 0
    run(capsys, "sets", "include", path, "wire", "--document", "a1.txt")
    _, out, _ = run(capsys, "sets", "list", path)
    assert "wire\t2 documents" in out
    run(capsys, "attributes", "add", path, "country", "--cases")
    run(capsys, "cases", "add", path, "Desk", "--attr", "country=UK")
    run(capsys, "cases", "include", path, "Desk", "r1.txt")
    _, out, _ = run(capsys, "cases", "list", path)
    assert "Desk\t1 document\tcountry=UK" in out and "  r1.txt" in out
    run(capsys, "memos", "journal", path, "Started", "--title", "Day 1")
    run(capsys, "memos", "document", path, "r1.txt", "wire copy")
    _, out, _ = run(capsys, "memos", "list", path, "--search", "wire")
    assert "[document] document r1.txt" in out and "Day 1" not in out
    status, _, err = run(capsys, "attributes", "delete", path, "outlet")
    assert status != 0 and "--yes" in err
    csv_out = tmp_path / "a.csv"
    run(capsys, "attributes", "export", path, "-o", csv_out)
    csv_out.write_bytes(csv_out.read_bytes().replace(b"Reuters", b"Reutres"))
    status, _, err = run(capsys, "attributes", "import", path, csv_out)
    assert status != 0 and "nothing was imported" in err and "line 3, column 'outlet'" in err
    with Project.open(path) as p:
        r1 = documents.find_document(p, "r1.txt")
        assert attributes.values_of(p, r1.id) == {"outlet": "Reuters"}
