"""Agreement units follow the script: the same coding pattern gives the same coefficients
in Arabic, Chinese, Japanese and Hindi as in English, for sentence and word units, and
in Thai for word units (written without spaces: ICU's dictionary cuts the words)."""

from __future__ import annotations

import pytest

from desktop.core.agreement import corpus_agreement, sentence_spans, unitize, word_spans
from desktop.core.agreement.units import unit_spans

# the same four sentences in each language: a question, then three statements
SENTENCES = {
    "english": ["Talks failed?", "The army attacked.", "Rebels fled.", "Nobody spoke."],
    "arabic": ["هل فشلت المحادثات؟", "هاجم الجيش.", "فرّ المتمردون.", "لم يتكلم أحد."],
    "chinese": ["谈判失败了吗？", "军队发动了进攻。", "叛军逃跑了。", "没有人说话。"],
    "japanese": ["交渉は失敗したか？", "軍が攻撃した。", "反乱軍は逃げた。", "誰も話さなかった。"],
    "hindi": ["क्या वार्ता विफल रही?", "सेना ने हमला किया।", "विद्रोही भाग गए।", "कोई नहीं बोला।"],
}
# six words, as a reader of each language counts them
WORDS = {
    "english": ["rebels", "attacked", "the", "town", "yesterday", "morning"],
    "arabic": ["المتمردون", "هاجموا", "البلدة", "صباح", "أمس", "الباكر"],
    "chinese": ["叛军", "昨天", "早上", "袭击", "了", "城镇"],
    "japanese": ["軍", "が", "町", "を", "攻撃", "した"],
    "hindi": ["सेना", "ने", "शहर", "पर", "हमला", "किया"],
    "thai": ["ทหาร", "ยิง", "กบฏ", "ใน", "เมือง", "นี้"],  # soldiers shot rebels in this town
}
JOIN = {"english": " ", "arabic": " ", "hindi": " ", "chinese": "", "japanese": "", "thai": ""}
MEASURES = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")


def spans_of(text: str, parts: list[str]) -> list[tuple[int, int]]:
    out, at = [], 0
    for part in parts:
        at = text.index(part, at)
        out.append((at, at + len(part)))
        at += len(part)
    return out


def report(text: str, parts: list[str], unit: str):
    """ann codes part 0 and the last part, bob part 1 and the last part."""
    spans = spans_of(text, parts)
    codings = {
        "ann": [("d", "X", *spans[0]), ("d", "X", *spans[-1])],
        "bob": [("d", "X", *spans[1]), ("d", "X", *spans[-1])],
    }
    return corpus_agreement({"d": text}, codings, ["X"], unit=unit).find("X")


def values(row) -> dict[str, float | None]:
    return {m: row.value(m) for m in MEASURES}


@pytest.mark.parametrize("language", ["arabic", "chinese", "japanese", "hindi"])
def test_sentence_units_give_the_english_coefficients(language):
    text = JOIN[language].join(SENTENCES[language])
    assert [text[a:b] for a, b in sentence_spans(text).tolist()] == SENTENCES[language]
    english = " ".join(SENTENCES["english"])
    got = values(report(text, SENTENCES[language], "sentence"))
    want = values(report(english, SENTENCES["english"], "sentence"))
    assert got == pytest.approx(want)
    # coders who coded different sentences do not agree perfectly
    assert got["krippendorff_alpha"] < 0.5


@pytest.mark.parametrize("language", ["arabic", "chinese", "japanese", "hindi", "thai"])
def test_word_units_give_the_english_coefficients(language):
    text = JOIN[language].join(WORDS[language])
    assert [text[a:b] for a, b in word_spans(text).tolist()] == WORDS[language]
    english = " ".join(WORDS["english"])
    got = values(report(text, WORDS[language], "word"))
    want = values(report(english, WORDS["english"], "word"))
    assert got == pytest.approx(want)
    assert got["krippendorff_alpha"] < 0.5


def test_two_coders_on_different_arabic_sentences_do_not_agree():
    text = " ".join(SENTENCES["arabic"])
    (a0, a1), (b0, b1) = spans_of(text, SENTENCES["arabic"][:2])
    codings = {"ann": [("d", "X", a0, a1)], "bob": [("d", "X", b0, b1)]}
    row = corpus_agreement({"d": text}, codings, ["X"], unit="sentence").find("X")
    assert row.value("krippendorff_alpha") < 0


def test_an_emoji_sequence_or_an_accent_is_one_character_unit():
    family = "👩\u200d👩\u200d👧"
    text = f"a{family}e\u0301🇫🇷"
    units = unit_spans(text, "char")
    assert [text[a:b] for a, b in units.tolist()] == ["a", family, "e\u0301", "🇫🇷"]
    # ann coded the first person of the family, bob the whole sequence: the same unit
    m = unitize(len(text), units, {"ann": [("X", 1, 2)], "bob": [("X", 1, 1 + len(family))]})
    assert m["X"].tolist() == [[0, 1, 0, 0], [0, 1, 0, 0]]
    assert unit_spans("plain text", "char") is None  # one code point each: as before
