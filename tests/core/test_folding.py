"""desktop.core.folding: find what readers treat as the same, at the original characters."""

from __future__ import annotations

import unicodedata

import pytest

from desktop.core.folding import find_all, fold


def found(text: str, query: str, **kw) -> list[str]:
    """The original text of each hit."""
    return [text[a:b] for a, b in find_all(text, query, **kw)]


def test_arabic_harakat_are_ignored_and_the_hit_covers_them():
    text = "قال المرصد إن المسلحين قُتِلوا أمس."
    assert found(text, "قتلوا") == ["قُتِلوا"]
    assert found(text, "قُتِلوا") == ["قُتِلوا"]  # a query with harakat finds it too
    assert found("قتلوا", "قُتِلوا") == ["قتلوا"]
    # marks after the last letter belong to the hit: no letter is cut from its marks
    assert found("الرسميُّ والرسمي", "الرسمي") == ["الرسميُّ", "الرسمي"]


def test_tatweel_is_ignored():
    text = "استمرت الحـــرب عامين، ثم انتهت الحرب."
    assert found(text, "الحرب") == ["الحـــرب", "الحرب"]


def test_arabic_indic_and_persian_digits_read_as_ascii():
    text = "قُتل ١٢٠ شخصاً. ۱۲۰ نفر کشته شدند. 120 killed."
    assert found(text, "120") == ["١٢٠", "۱۲۰", "120"]
    assert found(text, "١٢٠") == ["١٢٠", "۱۲۰", "120"]


def test_persian_with_and_without_zwnj():
    joined, plain = "می\u200cخواهند", "میخواهند"
    text = f"آنها {joined} بروند و {plain} بمانند."
    assert found(text, plain) == [joined, plain]
    assert found(text, joined) == [joined, plain]


def test_persian_and_arabic_yeh_and_kaf_are_one_letter():
    text = "كتاب ي کتاب ی"
    assert found(text, "کتاب") == ["كتاب", "کتاب"]


def test_nfc_and_nfd_find_each_other():
    nfc = unicodedata.normalize("NFC", "résistance")
    nfd = unicodedata.normalize("NFD", "résistance")
    assert nfc != nfd
    text = f"La {nfc} et la {nfd}."
    assert found(text, nfc) == [nfc, nfd]
    assert found(text, nfd) == [nfc, nfd]
    # accents are not folded away, and a hit never stops before a letter's accent
    assert found(text, "resistance") == []
    assert found(f"{nfd} cafe\u0301", "cafe") == []


def test_case_is_folded_fully():
    text = "Rebels said REBELS and rebels; die Straße, STRASSE."
    assert found(text, "rebels") == ["Rebels", "REBELS", "rebels"]
    assert found(text, "strasse") == ["Straße", "STRASSE"]
    assert found("ПЕРЕМИРИЕ перемирие", "Перемирие") == ["ПЕРЕМИРИЕ", "перемирие"]


def test_exact_finds_only_the_same_code_points():
    text = "قُتِلوا قتلوا Rebels rebels ١٢٠ 120"
    assert found(text, "قتلوا", exact=True) == ["قتلوا"]
    assert found(text, "rebels", exact=True) == ["rebels"]
    assert found(text, "120", exact=True) == ["120"]
    assert find_all(text, "", exact=True) == find_all(text, "") == []


def test_offsets_are_code_points_of_the_original_with_astral_characters():
    text = "🔥🔥 الحـــرب 🔥 Straße 𝐀 ١٢٠"
    for query, original in (("الحرب", "الحـــرب"), ("strasse", "Straße"), ("120", "١٢٠")):
        ((a, b),) = find_all(text, query)
        assert text[a:b] == original and a == text.index(original)


def test_marks_typed_in_another_order_are_canonically_equal():
    canonical = unicodedata.normalize("NFD", "ệ")  # e, dot below (220), circumflex (230)
    swapped = "e\u0302\u0323"
    assert canonical != swapped
    text = f"{canonical} {swapped} ệ"
    assert found(text, "ệ") == [canonical, swapped, "ệ"]


def test_hits_do_not_overlap_and_one_character_is_one_hit():
    assert find_all("aaaa", "aa") == [(0, 2), (2, 4)]
    assert find_all("ßß", "ss") == [(0, 1), (1, 2)]
    assert find_all("ß", "s") == [(0, 1)]


@pytest.mark.parametrize("query", ["ceasefire", "الحرب", "۱۲۰", "résistance", "停火"])
def test_a_folded_text_searched_many_times_gives_what_one_call_gives(query):
    text = "Ceasefire ١٢٠ الحـــرب re\u0301sistance 联合国呼吁立即停火 ceasefire 120 ۱۲۰ الحرب"
    folded = fold(text)
    assert folded.find(query) == find_all(text, query) != []
