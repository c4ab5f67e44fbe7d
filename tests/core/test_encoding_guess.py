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


# Chinese, Japanese and Korean news in their legacy code pages: no spaces, full-width
# punctuation, and Japanese mixes kanji, hiragana and katakana in one word.
CJK_LEGACY = [
    ("停火谈判周一在首都恢复。", "gb18030"),
    ("双方代表团同意交换囚犯，并在联合国观察员的监督下撤出重型武器。据当地媒体报道，谈判将持续一周。\n"
     * 5, "gb18030"),
    ("停火談判週一在首都恢復。", "big5"),
    ("雙方代表團同意交換囚犯，並在聯合國觀察員的監督下撤出重型武器。\n" * 5, "big5"),
    ("首都で停戦協議が再開された。", "shift_jis"),
    ("「停戦」の協議、首都で再開。コーヒーを飲みながらニュースを読む。\n" * 5, "shift_jis"),
    ("首都で停戦協議が月曜日に再開され、双方の代表団は捕虜の交換に合意した。\n" * 5, "euc_jp"),
    ("휴전 협상이 월요일 수도에서 재개되었고 양측 대표단은 포로 교환에 합의했다.\n" * 5, "euc_kr"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "codec"), CJK_LEGACY)
def test_chinese_japanese_and_korean_code_pages_are_read_right(text, codec):
    decoded = decode_text(text.encode(codec))
    assert decoded.text == text, (codec, decoded.encoding, decoded.text[:20])
    assert decoded.encoding == codec


# Windows writes Korean, Japanese and Traditional Chinese in supersets of EUC-KR, Shift JIS
# and Big5 (cp949, cp932, cp950): a file with one of their extra characters is read in
# them; a file without reads the same in either and is named by the standard's name.
@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("휴전 협상이 월요일 수도에서 재개되었고 똠방각하 양측 대표단은 합의했다.", "cp949"),
        ("①髙橋さんと山﨑さんが停戦協議に参加した。②㈱国連の監視団が立ち会う。", "cp932"),
        ("停火談判週一在首都恢復，雙方代表團同意交換囚犯。碁銹", "cp950"),
    ],
)
def test_windows_supersets_of_the_cjk_code_pages_are_read(text, codec):
    decoded = decode_text(text.encode(codec))
    assert decoded.text == text and decoded.encoding == codec


# Chinese, Japanese and Korean in UTF-16 have NUL bytes only where there is ASCII: a long
# paragraph has one at its line break, a headline none at all.
CJK_PARAGRAPHS = [
    "停火谈判周一在首都恢复，双方代表团同意交换囚犯，并在联合国观察员的监督下撤出重型武器。" * 6
    + "\n",
    "首都で停戦協議が月曜日に再開され、双方の代表団は捕虜の交換に合意し、国連監視団の立会いの下で重火器を撤収することになった。"
    * 5
    + "\n",
    "휴전협상이월요일수도에서재개되었고양측대표단은포로교환에합의했으며유엔감시단의감독아래중화기를철수하기로했다。"
    * 5,
    "停火谈判恢复。",
]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", CJK_PARAGRAPHS)
def test_cjk_in_utf16_without_a_bom_and_few_nul_bytes_is_read(codec, text):
    decoded = decode_text(text.encode(codec))
    assert decoded.text == text and decoded.encoding == codec
    assert "no byte order mark" in decoded.note()


def test_text_in_a_legacy_code_page_is_not_taken_for_utf16():
    """Pairs of bytes of any text make code points; UTF-16 is read only when nothing
    else reads (\"Bush hid the facts\" stays English)."""
    for text, codec in [("Bush hid the facts", "ascii"), ("Größe Ça va très bien!", "cp1252"),
                        ("停火谈判周一在首都恢复。", "gb18030"), ("휴전협상이 재개되었다.", "euc-kr"),
                        ("Привет, это тест!", "cp1251")]:  # fmt: skip
        decoded = decode_text(text.encode(codec))
        assert decoded.text == text, (codec, decoded.encoding)


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
