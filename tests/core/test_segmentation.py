"""Unicode text segmentation: what a reader of each script calls a character, a word and
a sentence, and selections widened to them."""

from __future__ import annotations

import unicodedata

import icu
import pytest

from desktop.core import segmentation as sg

FAMILY = "👩\u200d👩\u200d👧"  # one ZWJ sequence, five code points
FLAG = "🇫🇷"  # two regional indicators
THUMB = "👍🏽"  # emoji with a skin tone


def snapped(text: str, part: str, *, within: str | None = None) -> str:
    """The text a selection of ``part`` (found inside ``within``, if given) becomes."""
    base = text.index(within) if within else 0
    start = text.index(part, base)
    a, b = sg.snap_to_words(text, start, start + len(part))
    return text[a:b]


def test_dragging_over_letters_of_a_decomposed_word_keeps_its_accent():
    text = unicodedata.normalize("NFD", "le café noir")
    assert snapped(text, "af") == unicodedata.normalize("NFD", "café")


def test_arabic_word_keeps_shadda_and_damma():
    text = "قال المتحدث الرسميُّ أمس"
    assert snapped(text, "رس") == "الرسميُّ"


def test_thai_selection_is_the_dictionary_word():
    assert snapped("เป็นเวลาสามวัน", "สาม") == "สาม"


def test_hindi_word_without_the_next_consonant():
    text = "युद्ध विराम"
    assert snapped(text, "युद्ध"[:3]) == "युद्ध"
    assert "व" not in snapped(text, "युद्ध")


def test_chinese_selection_is_a_word_not_the_clause():
    text = "联合国秘书长呼吁立即停火"
    got = snapped(text, "秘书")
    assert got in ("秘书", "秘书长")  # a dictionary word holding the selection
    assert snapped(text, "书长") == "秘书长"  # across two dictionary words: both


def test_japanese_persian_and_russian_selections_take_their_words():
    assert snapped("日本の首相は停戦を呼びかけた。", "首") == "首相"
    assert snapped("日本の首相は停戦を呼びかけた。", "戦を") == "停戦を"
    # the zero-width non-joiner is inside a Persian word, not between two
    assert snapped("از آتش‌بس در شهر", "تش") == "آتش‌بس"
    assert snapped("گزارش‌های رسمی", "ها") == "گزارش‌های"
    assert snapped("Стороны призвали к прекращению огня.", "екр") == "прекращению"


def test_lao_khmer_and_burmese_are_cut_into_dictionary_words():
    assert sg.words("ສະບາຍດີປະເທດລາວ") == ["ສະບາຍດີ", "ປະເທດ", "ລາວ"]
    assert sg.words("ប្រទេសកម្ពុជាមានសន្តិភាព") == ["ប្រទេស", "កម្ពុជា", "មាន", "សន្តិភាព"]
    assert sg.words("မြန်မာနိုင်ငံတွင်စစ်ပွဲ") == ["မြန်မာနိုင်ငံ", "တွင်", "စစ်ပွဲ"]
    # a Khmer subscript consonant (coeng) stays with its letter
    assert snapped("ប្រទេសកម្ពុជាមាន", "ម្") == "កម្ពុជា"


def test_emoji_sequences_and_flags_are_one_cluster():
    text = f"a{FAMILY}{FLAG}{THUMB}e\u0301"
    assert sg.graphemes(text) == ["a", FAMILY, FLAG, THUMB, "e\u0301"]
    start = text.index(FAMILY) + 2  # inside the sequence
    assert sg.snap_to_graphemes(text, start, start + 1) == (1, 1 + len(FAMILY))
    f = text.index(FLAG)
    assert sg.snap_to_graphemes(text, f + 1, f + 2) == (f, f + 2)
    # a word selection ending inside an emoji takes the whole emoji, never half of it
    a, b = sg.snap_to_words(f"peace {FAMILY} now", 0, 8)
    assert f"peace {FAMILY} now"[a:b] == f"peace {FAMILY}"


def test_sentences_end_at_arabic_chinese_and_hindi_terminators():
    assert sg.sentences("هل قتلوا؟ نعم، قتلوا. لا أعرف") == ["هل قتلوا؟", "نعم، قتلوا.", "لا أعرف"]
    assert sg.sentences("سلام۔ خدا حافظ") == ["سلام۔", "خدا حافظ"]
    assert sg.sentences("联合国呼吁停火。他们同意了吗？同意！") == [
        "联合国呼吁停火。",
        "他们同意了吗？",
        "同意！",
    ]
    assert sg.sentences("日本の首相は言った。戦争は終わった。") == [
        "日本の首相は言った。",
        "戦争は終わった。",
    ]
    assert sg.sentences("युद्ध जारी है। शांति नहीं॥ ठीक") == ["युद्ध जारी है।", "शांति नहीं॥", "ठीक"]


def test_sentences_never_cross_a_line_and_carry_no_white_space():
    text = "Headline without a stop\n\n  Rebels said no.  The army said yes.\n \nNobody spoke."
    assert sg.sentences(text) == [
        "Headline without a stop",
        "Rebels said no.",
        "The army said yes.",
        "Nobody spoke.",
    ]


def test_words_are_dictionary_words_and_never_punctuation_or_space():
    assert sg.words("联合国秘书长呼吁立即停火") == [
        "联合",
        "国",
        "秘书",
        "长",
        "呼吁",
        "立即",
        "停火",
    ]
    assert sg.words("Don't stop—now, ok?") == ["Don't", "stop", "now", "ok"]
    assert sg.words(f"peace {FAMILY} ١٢٠ قتيلاً") == ["peace", "١٢٠", "قتيلاً"]


MIXED = (
    f"The army said: 12 killed_in Tafas. _ __x {FAMILY} {FLAG} café e\u0301 "
    "قُتِلوا في الحـــرب؟ الرسميُّ. 联合国秘书长呼吁立即停火。日本の首相は言った。"
    "เป็นเวลาสามวัน युद्ध जारी है। שלום עולם. Привет, мир! \u0301x 𠀀𠀁 ＡＢ１"
)


def test_word_like_segments_are_those_icu_gives_a_word_rule_status():
    it = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    it.setText(MIXED)
    spans, start = [], 0
    units = MIXED.encode("utf-16-le")
    for b in it:
        if it.getRuleStatus() != 0:
            spans.append((start, b))
        start = b

    def cp(u: int) -> int:
        return len(units[: 2 * u].decode("utf-16-le"))

    expected = [MIXED[cp(a) : cp(b)] for a, b in spans]
    assert sg.words(MIXED) == expected


@pytest.mark.parametrize("text", [MIXED, "", "a", FAMILY, "\n\n", "x" * 3 + "😀" * 3])
def test_spans_are_code_points_and_cover_the_text(text):
    clusters = sg.grapheme_spans(text).tolist()
    assert "".join(text[a:b] for a, b in clusters) == text
    for a, b in sg.word_spans(text, punctuation=True).tolist():
        assert text[a:b].strip() == text[a:b] != ""
    for a, b in sg.sentence_spans(text).tolist():
        assert text[a:b].strip() == text[a:b] != ""


def test_snapping_never_splits_a_cluster_anywhere():
    bounds = {b for span in sg.grapheme_spans(MIXED).tolist() for b in span}
    for start in range(0, len(MIXED) - 3, 2):
        for snap in (sg.snap_to_words, sg.snap_to_graphemes):
            a, b = snap(MIXED, start, start + 3)
            assert a in bounds and b in bounds and a <= start and b >= start + 3


def test_a_selection_of_whole_words_is_left_as_it_is():
    text = "rebels said talks failed"
    assert sg.snap_to_words(text, 2, 9) == (0, 11)
    assert sg.snap_to_words(text, 7, 11) == (7, 11)
    assert sg.snap_to_words(text, 0, len(text)) == (0, len(text))
