"""Importing many files: stored in batches, names and duplicates checked against the
project and the batch itself, with progress and Cancel, at a cost per file that does not
grow with the project (no per-file search over the document names)."""

from __future__ import annotations

from sqlalchemy import event

from desktop.services.documents import documents


def _files(folder, n, prefix="a", text="Article {i}: talks resumed near the border.\n"):
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        f = folder / f"{prefix}{i:04}.txt"
        f.write_text(text.format(i=i), "utf-8")
        out.append(f)
    return out


def test_many_files_in_one_command_with_unique_names_and_duplicates(project, tmp_path):
    _files(tmp_path / "one", 450)
    _files(tmp_path / "two", 3, text="Other text {i}.\n")  # same names, new texts
    (tmp_path / "three").mkdir()
    (tmp_path / "three" / "copy.txt").write_text("Article 7: talks resumed near the border.\n")
    seen = []
    report = documents.import_files(project, [tmp_path / "one", tmp_path / "two",
                                              tmp_path / "three"], progress=seen.append)  # fmt: skip
    assert len(report.imported) == 453 and report.ok
    assert [(p.name, name) for p, name in report.duplicates] == [("copy.txt", "a0007.txt")]
    names = {d.name for d in documents.list_documents(project)}
    assert {"a0000.txt", "a0000 (2).txt", "a0002 (2).txt", "a0449.txt"} <= names
    assert len(names) == 453
    assert [p.files_done for p in seen][-1] == seen[-1].files_total == 454


def test_cancel_keeps_the_files_read_so_far(project, tmp_path):
    files = _files(tmp_path / "in", 30)
    seen = []
    report = documents.import_files(
        project,
        files,
        progress=seen.append,
        cancelled=lambda: bool(seen) and seen[-1].files_done >= 12,
    )
    assert report.cancelled
    kept = sorted(d.name for d in documents.list_documents(project))
    assert 12 <= len(kept) <= 13  # stopped before or right after the 13th file
    assert kept == [f"a{i:04}.txt" for i in range(len(kept))] == [d.name for d in report.imported]


def test_no_search_over_the_names_per_file(project, tmp_path):
    files = _files(tmp_path / "in", 250)
    statements = []
    target = project.engine
    listen = lambda conn, cur, sql, *a: statements.append(sql)  # noqa: E731
    event.listen(target, "before_cursor_execute", listen)
    try:
        documents.import_files(project, files)
    finally:
        event.remove(target, "before_cursor_execute", listen)
    assert not [s for s in statements if "LIKE" in s]
    names = [s for s in statements if s.lstrip().startswith("SELECT document.name \nFROM document")
             and "WHERE" not in s]  # fmt: skip
    assert 1 <= len(names) <= 2  # once per batch of files
