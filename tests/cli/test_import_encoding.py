"""`tessera import` says which encoding a non-UTF-8 file was read as, and --encoding
overrides the guess; the stored text is what was written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from desktop.cli.main import main
from desktop.services.documents import documents
from desktop.services.project.project import Project

PERSIAN = "گزارش‌هاي رسمي از آتش‌بس در شهر خبر مي‌دهند."
ARABIC = "وقف إطلاق النار في غزة"
HEADLINE = "آتش‌بس در شهر برقرار شد."
HEBREW = "הממשלה הודיעה על הפסקת אש בצפון"
RUSSIAN = "Стороны договорились о прекращении огня на всей линии фронта."
CHINESE = "停火谈判周一在首都恢复，双方代表团同意交换囚犯。"
CHINESE_2 = "据当地媒体报道，谈判将持续一周，联合国观察员将监督撤军。"
JAPANESE = "首都で停戦協議が再開され、双方の代表団は捕虜の交換に合意した。"


def _stored(project_path: Path) -> dict[str, str]:
    project = Project.open(project_path)
    try:
        return {
            d.name: documents.get_text(project, d.id) for d in documents.list_documents(project)
        }
    finally:
        project.close()


def test_import_names_each_legacy_encoding_and_stores_the_right_text(tmp_path):
    src = tmp_path / "news"
    src.mkdir()
    (src / "fa.txt").write_bytes(PERSIAN.encode("cp1256"))
    (src / "ar.txt").write_bytes(ARABIC.encode("cp1256"))
    (src / "he.txt").write_bytes(HEBREW.encode("cp1255"))
    (src / "ru.txt").write_bytes(RUSSIAN.encode("koi8_r"))
    (src / "utf16.txt").write_bytes(HEADLINE.encode("utf-16-le"))  # no BOM
    (src / "zh.txt").write_bytes(CHINESE.encode("gb18030"))
    (src / "ja.txt").write_bytes(JAPANESE.encode("shift_jis"))
    (src / "zh16.txt").write_bytes(CHINESE_2.encode("utf-16-le"))  # no BOM, no NUL byte
    (src / "plain.txt").write_text("An ordinary UTF-8 note.", "utf-8")
    project = tmp_path / "p.tessera"
    exe = Path(sys.executable).with_name("tessera")
    assert subprocess.run([exe, "new", project], capture_output=True).returncode == 0
    out = subprocess.run([exe, "import", project, src], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()

    def note_of(name: str) -> str:
        return next(line for line in lines if line.strip().startswith(f"{name}:"))

    assert "read as Windows-1256" in note_of("fa.txt")
    assert "read as Windows-1256" in note_of("ar.txt")
    assert "read as Windows-1255 (Hebrew)" in note_of("he.txt")
    assert "read as KOI8-R" in note_of("ru.txt")
    assert "UTF-16" in note_of("utf16.txt")
    assert "read as GB18030" in note_of("zh.txt")
    assert "read as Shift JIS" in note_of("ja.txt")
    assert "UTF-16 little-endian" in note_of("zh16.txt")
    assert not any(line.strip().startswith("plain.txt:") for line in lines)  # UTF-8: nothing to say
    assert _stored(project) == {
        "fa.txt": PERSIAN, "ar.txt": ARABIC, "he.txt": HEBREW, "ru.txt": RUSSIAN,
        "utf16.txt": HEADLINE, "plain.txt": "An ordinary UTF-8 note.", "zh.txt": CHINESE,
        "ja.txt": JAPANESE, "zh16.txt": CHINESE_2,
    }  # fmt: skip


def test_encoding_option_overrides_the_guess(tmp_path, capsys):
    f = tmp_path / "ru.txt"
    f.write_bytes(RUSSIAN.encode("cp1251"))
    project = tmp_path / "p.tessera"
    assert main(["new", str(project)]) == 0
    assert main(["import", str(project), str(f), "--encoding", "windows-1251"]) == 0
    out = capsys.readouterr().out
    assert "ru.txt: read as Windows-1251 (Cyrillic), as chosen" in out
    assert _stored(project) == {"ru.txt": RUSSIAN}


def test_a_wrong_chosen_encoding_fails_that_file_with_the_byte(tmp_path, capsys):
    f = tmp_path / "fr.txt"
    f.write_bytes("Un cessez-le-feu à la frontière.".encode("cp1252"))
    project = tmp_path / "p.tessera"
    assert main(["new", str(project)]) == 0
    assert main(["import", str(project), str(f), "--encoding", "utf-8"]) == 1
    err = capsys.readouterr().err
    assert "fr.txt" in err and "not valid UTF-8: byte 0xe0" in err
    assert _stored(project) == {}


def test_an_unknown_encoding_is_refused_before_anything_is_imported(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text("text", "utf-8")
    project = tmp_path / "p.tessera"
    assert main(["new", str(project)]) == 0
    assert main(["import", str(project), str(f), "--encoding", "klingon"]) == 1
    assert "unknown encoding 'klingon'" in capsys.readouterr().err
    assert _stored(project) == {}


def test_an_unsure_guess_names_both_encodings(tmp_path, capsys):
    f = tmp_path / "cs.txt"
    f.write_bytes("Vláda oznámila příměří na celé hranici.".encode("cp1250"))
    project = tmp_path / "p.tessera"
    assert main(["new", str(project)]) == 0
    assert main(["import", str(project), str(f)]) == 0
    out = capsys.readouterr().out
    assert "unsure" in out and "Windows-1250" in out and "Windows-1252" in out


def test_documents_show_keeps_saying_how_a_file_was_read(tmp_path, capsys):
    f = tmp_path / "he.txt"
    f.write_bytes(HEBREW.encode("cp1255"))
    project = tmp_path / "p.tessera"
    assert main(["new", str(project)]) == 0
    assert main(["import", str(project), str(f)]) == 0
    capsys.readouterr()
    assert main(["documents", "show", str(project), "he.txt"]) == 0
    out = capsys.readouterr().out
    assert "import note  not UTF-8; read as Windows-1255 (Hebrew)" in out
