"""Legacy code pages are guessed by how each reading reads: one script, common letters,
no symbols inside words. Short real-ish sentences, encoded by Python here."""

from __future__ import annotations

import pytest

from desktop.core.importers import ImportFailure
from desktop.core.importers.encoding import decode_text

# (language, code page, text): Persian in Windows-1256 is written with Arabic yeh and kaf
SENTENCES = [
    ("Persian", "cp1256", "گزارش‌هاي رسمي از آتش‌بس در شهر خبر مي‌دهند و مردم به خانه‌هاي خود باز مي‌گردند."),
    ("Persian headline", "cp1256", "آتش‌بس در شهر برقرار شد."),
    ("Arabic headline", "cp1256", "وقف إطلاق النار في غزة"),
    ("Arabic", "cp1256", "أعلنت الحكومة وقف إطلاق النار في المدينة بعد أسبوع من القتال."),
    ("Hebrew", "cp1255", "הממשלה הודיעה על הפסקת אש בצפון"),
    ("Russian", "cp1251", "Стороны договорились о прекращении огня на всей линии фронта."),
    ("Russian headline", "cp1251", "Перемирие в городе"),
    ("Russian KOI8-R", "koi8_r", "Стороны договорились о прекращении огня на всей линии фронта."),
    ("Russian KOI8-R headline", "koi8_r", "Перемирие в городе"),
    ("Ukrainian", "cp1251", "Сторони домовилися про припинення вогню на всій лінії фронту."),
    ("Greek", "cp1253", "Η κυβέρνηση ανακοίνωσε εκεχειρία στα σύνορα."),
    ("Turkish", "cp1254", "Hükümet sınırda ateşkes ilan ettiğini açıkladı."),
    ("Polish", "cp1250", "Rząd ogłosił zawieszenie broni na całej granicy."),
    ("Czech", "cp1250", "Vláda oznámila příměří na celé hranici."),
    ("French", "cp1252", "Le gouvernement a annoncé un cessez-le-feu à la frontière, très fragile."),
    ("German", "cp1252", "Die Regierung kündigte eine Waffenruhe an der Grenze an – „vorläufig“."),
    ("German Mac Roman", "mac_roman", "Die Regierung kündigte eine Waffenruhe an der Grenze an – „vorläufig“."),
]  # fmt: skip


@pytest.mark.parametrize(("language", "codepage", "text"), SENTENCES, ids=[s[0] for s in SENTENCES])
def test_each_code_page_is_read_as_its_own_script(language, codepage, text):
    decoded = decode_text(text.encode(codepage))
    assert decoded.text == text
    assert decoded.encoding == codepage
    assert decoded.guessed
    # the user is told, by a name they recognise
    assert "read as" in decoded.note()


def test_a_clear_guess_is_not_called_unsure():
    decoded = decode_text(SENTENCES[3][2].encode("cp1256"))
    assert decoded.alternative is None
    assert "unsure" not in decoded.note()


def test_a_close_call_names_both_code_pages():
    # Czech read as Windows-1252 ('pøímìøí') is Latin letters too: too close to be sure
    decoded = decode_text("Vláda oznámila příměří na celé hranici.".encode("cp1250"))
    assert decoded.encoding == "cp1250" and decoded.alternative == "cp1252"
    note = decoded.note()
    assert "unsure" in note and "Windows-1250" in note and "Windows-1252" in note


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "text",
    ["Plain English notes, typed on Windows.", SENTENCES[3][2], SENTENCES[5][2], SENTENCES[4][2]],
)
def test_utf16_without_a_bom_is_recognised_not_refused_as_binary(codec, text):
    decoded = decode_text(text.encode(codec))
    assert decoded.text == text and decoded.encoding == codec
    assert "no byte order mark" in decoded.note()


def test_binary_data_with_nul_bytes_is_still_refused():
    import random

    rng = random.Random(4)
    data = bytes(rng.randrange(256) for _ in range(4000))
    with pytest.raises(ImportFailure, match="not text"):
        decode_text(data)


def test_a_chosen_encoding_overrides_the_guess_and_says_so():
    data = "Перемирие в городе".encode("cp1251")
    decoded = decode_text(data, "koi8-r")
    assert decoded.text == data.decode("koi8_r")
    assert decoded.note() == "read as KOI8-R (Russian), as chosen"


def test_a_chosen_encoding_that_cannot_decode_the_bytes_names_the_byte():
    with pytest.raises(ImportFailure, match=r"not valid UTF-8: byte 0xe9 at position 3"):
        decode_text("café".encode("cp1252"), "utf-8")


def test_mac_roman_is_chosen_only_when_it_really_reads_better():
    # quotes and dashes of Windows-1252 would 'read' as Mac Roman letters (ì, î, ñ)
    assert decode_text("“Quoted” – dash—and ‘single’".encode("cp1252")).encoding == "cp1252"
    assert decode_text("it’s naïve".encode("cp1252")).encoding == "cp1252"
