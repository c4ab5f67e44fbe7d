"""Passages extend to sentences and words as the rest of the application cuts them
(ICU, UAX #29): every script's sentence terminators, dictionary words."""

from __future__ import annotations

from desktop.core.analysis import segments


def test_arabic_question_mark_ends_a_sentence():
    text = "هل قُتل أحد؟ نعم قتل ١٢ شخصا."
    got = [text[a:b] for a, b in segments.sentences(text)]
    assert got == ["هل قُتل أحد؟", "نعم قتل ١٢ شخصا."]


def test_context_sentence_of_a_hindi_passage_stops_at_the_danda():
    text = "सेना ने गोली चलाई। बारह लोग मारे गए। बातचीत विफल रही।"
    a = text.index("बारह")
    ca, cb = segments.context_span(text, a, a + 4, "sentence")
    assert text[ca:cb] == "बारह लोग मारे गए।"


def test_chinese_words_are_dictionary_words():
    text = "我们今天去北京"
    assert [text[a:b] for a, b in segments.words(text)] == ["我们", "今天", "去", "北京"]


def test_extend_to_word_keeps_arabic_marks():
    text = "قال إنّ الجيشَ قَتَلَ المدنيين"
    a = text.index("قَتَلَ") + 1
    x, y = segments.extend(text, a, a + 1, "word")
    assert text[x:y] == "قَتَلَ"
