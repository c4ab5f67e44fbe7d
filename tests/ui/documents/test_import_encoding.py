"""The window's import: files not in UTF-8 are shown with their guessed encoding and a
preview of their first lines; choosing another encoding changes the preview and what is
stored; the import's summary says how each such file was read."""

from __future__ import annotations

from desktop.services.documents import documents

RUSSIAN = "Стороны договорились о прекращении огня на всей линии фронта.\nВторая строка."
PERSIAN = "گزارش‌هاي رسمي از آتش‌بس در شهر خبر مي‌دهند."


def wait_import(qtbot, window):
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20_000)


def stored(window, name):
    doc = documents.find_document(window.project, name)
    return documents.get_text(window.project, doc.id) if doc else None


def test_the_dialog_shows_the_guess_and_a_preview_and_the_summary_names_the_encoding(
    window, qtbot, prompts, tmp_path
):
    fa = tmp_path / "fa.txt"
    fa.write_bytes(PERSIAN.encode("cp1256"))
    plain = tmp_path / "plain.txt"
    plain.write_text("An ordinary UTF-8 note.", "utf-8")
    seen = {}

    def look(dialog):
        qtbot.addWidget(dialog)
        seen["files"] = [dialog.files.item(i).text() for i in range(dialog.files.count())]
        seen["encoding"] = dialog.encoding.currentText()
        seen["preview"] = dialog.preview.toPlainText()

    prompts.on_encoding_dialog = look
    window.import_files([str(fa), str(plain)])
    wait_import(qtbot, window)
    assert seen["files"] == ["fa.txt  —  Windows-1256 (Arabic, Persian, Urdu)"]  # not plain.txt
    assert seen["encoding"].startswith("Windows-1256") and "guessed" in seen["encoding"]
    assert seen["preview"] == PERSIAN
    assert stored(window, "fa.txt") == PERSIAN
    ((title, message, details),) = prompts.summaries
    assert "fa.txt: not UTF-8; read as Windows-1256" in message
    assert "plain.txt" not in message


def test_choosing_another_encoding_changes_the_preview_and_what_is_stored(
    window, qtbot, prompts, tmp_path
):
    ru = tmp_path / "ru.txt"
    data = RUSSIAN.encode("cp1251")
    ru.write_bytes(data)

    def choose_koi8(dialog):
        qtbot.addWidget(dialog)
        assert dialog.preview.toPlainText() == RUSSIAN  # the guess reads right...
        dialog.choose("koi8_r")  # ...but the user insists
        assert dialog.preview.toPlainText() == data.decode("koi8_r")

    prompts.on_encoding_dialog = choose_koi8
    window.import_files([str(ru)])
    wait_import(qtbot, window)
    assert stored(window, "ru.txt") == data.decode("koi8_r")
    assert "read as KOI8-R (Russian), as chosen" in prompts.summaries[0][1]


def test_cancelling_the_encoding_dialog_imports_nothing(window, qtbot, prompts, tmp_path):
    ru = tmp_path / "ru.txt"
    ru.write_bytes(RUSSIAN.encode("koi8_r"))
    prompts.on_encoding_dialog = lambda dialog: False
    window.import_files([str(ru)])
    assert not window.importer.busy
    assert stored(window, "ru.txt") is None


def test_a_choice_that_cannot_decode_the_file_says_why_in_the_dialog(qtbot, tmp_path):
    from desktop.ui.documents.importing import EncodingDialog, legacy_files

    f = tmp_path / "fr.txt"
    f.write_bytes("Un cessez-le-feu à la frontière, très fragile.".encode("cp1252"))
    (preview,) = legacy_files([str(tmp_path)])
    dialog = EncodingDialog([preview])
    qtbot.addWidget(dialog)
    assert dialog.preview.toPlainText() == "Un cessez-le-feu à la frontière, très fragile."
    dialog.choose("utf-8")
    assert "not valid UTF-8" in dialog.note.text()
    assert dialog.preview.toPlainText() == ""


def test_an_unsure_guess_is_marked_in_the_dialog_and_the_summary_names_both(
    window, qtbot, prompts, tmp_path
):
    cs = tmp_path / "cs.txt"
    cs.write_bytes("Vláda oznámila příměří na celé hranici.".encode("cp1250"))
    seen = {}

    def look(dialog):
        qtbot.addWidget(dialog)
        seen["files"] = [dialog.files.item(i).text() for i in range(dialog.files.count())]
        seen["choices"] = [dialog.encoding.itemText(i) for i in range(2)]
        seen["note"] = dialog.note.text()

    prompts.on_encoding_dialog = look
    window.import_files([str(cs)])
    wait_import(qtbot, window)
    assert seen["files"] == ["cs.txt  —  Windows-1250 (Central European) (unsure)"]
    assert seen["choices"] == [
        "Windows-1250 (Central European) (guessed)",
        "Windows-1252 (Western European) (also likely)",
    ]
    assert "unsure" in seen["note"] and "Windows-1252" in seen["note"]
    message = prompts.summaries[0][1]
    assert "cs.txt: not UTF-8; read as Windows-1250" in message
    assert "unsure" in message and "Windows-1252" in message


def test_the_preview_of_a_right_to_left_file_is_right_aligned(qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from desktop.ui.documents.importing import EncodingDialog, legacy_files

    (tmp_path / "fa.txt").write_bytes(PERSIAN.encode("cp1256"))
    dialog = EncodingDialog(legacy_files([str(tmp_path)]))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    preview = dialog.preview
    block = preview.document().firstBlock()
    assert block.text() == PERSIAN
    assert block.textDirection() == Qt.LayoutDirection.RightToLeft
    cursor = preview.textCursor()
    cursor.setPosition(0)  # before the first letter: at the right edge
    assert preview.cursorRect(cursor).center().x() > preview.viewport().width() - 30
