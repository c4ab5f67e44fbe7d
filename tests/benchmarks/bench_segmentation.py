"""Segmentation speed: Tessera's words, sentences and grapheme clusters (code point spans,
word status, white space trimmed) against ICU's break iterator alone walking the same
5 MB mixed-script text, in the same run.

    .venv/bin/python -m tests.benchmarks.bench_segmentation

``run()`` returns rows {measure, baseline, value, ratio, target}; times in ms, the
median of a few repeats. Nothing here asserts a timing: it reports."""

from __future__ import annotations

import random
import statistics
import time

SIZE = 5_000_000  # bytes of UTF-8
REPEATS = 7
PIECES = [
    "The army said rebels killed 12 people in Tafas on Wednesday. ",
    "Did the talks fail? ",
    "قُتِلوا في الحرب؟ قال المتحدث الرسميُّ إن ١٢٠ شخصاً قتلوا. ",
    "جنگ در شهر ادامه دارد؛ آیا آتش‌بس برقرار می‌شود؟ ",
    "הצבא אמר שההפסקה נכשלה. ",
    "联合国秘书长呼吁立即停火。",
    "日本の首相は言った。戦争は終わったのか？",
    "เป็นเวลาสามวันที่มีการสู้รบ ",
    "युद्ध जारी है। शांति वार्ता विफल रही। ",
    "Переговоры о прекращении огня провалились. ",
    "👩\u200d👩\u200d👧 🇫🇷 👍🏽 café e\u0301 ",
]


def make_text(size: int = SIZE, seed: int = 3) -> str:
    """About ``size`` bytes of UTF-8: paragraphs of sentences drawn from every script."""
    rnd = random.Random(seed)
    parts, n = [], 0
    while n < size:
        para = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(3, 12))) + "\n\n"
        parts.append(para)
        n += len(para.encode("utf-8"))
    return "".join(parts)


def icu_alone(text: str, kind: str) -> list[int]:
    """The baseline: ICU's iterator walking the text, its boundaries in a list."""
    import icu

    make = {
        "word": icu.BreakIterator.createWordInstance,
        "sentence": icu.BreakIterator.createSentenceInstance,
        "grapheme": icu.BreakIterator.createCharacterInstance,
    }[kind]
    it = make(icu.Locale.getRoot())
    it.setText(text)
    return list(it)


def paired_ms(baseline, ours, text: str) -> tuple[float, float]:
    """Median ms of each, run in turns, so that a busy machine slows both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(REPEATS):
        for fn, out in ((baseline, times[0]), (ours, times[1])):
            t0 = time.perf_counter()
            fn(text)
            out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def row(measure: str, baseline: float | None, value: float, target) -> dict:
    return {
        "measure": f"{measure} (ms)",
        "baseline": round(baseline, 1) if baseline else None,
        "value": round(value, 1),
        "ratio": round(value / baseline, 2) if baseline else None,
        "target": target,
    }


def run() -> list[dict]:
    from desktop.core import segmentation as sg
    from desktop.core.agreement.units import sentence_spans, word_spans

    text = make_text()
    sg.word_spans(text[:10_000])  # make the iterators and character tables once
    sg.sentence_spans(text[:10_000])
    mb = len(text.encode("utf-8")) / 1e6
    rows = []
    for kind, ours, target in (
        ("word", sg.word_spans, "ratio <= 1.5"),
        ("word", word_spans, "ratio <= 1.5"),
        ("sentence", sg.sentence_spans, "ratio <= 1.5"),
        ("sentence", sentence_spans, "ratio <= 1.5"),
        ("grapheme", sg.grapheme_spans, "ratio <= 1.5"),
    ):
        base, value = paired_ms(lambda t, kind=kind: icu_alone(t, kind), ours, text)
        name = f"{ours.__module__.rsplit('.', 1)[-1]}.{ours.__name__}"
        rows.append(
            row(f"{name}, {mb:.1f} MB mixed scripts vs ICU {kind} iterator", base, value, target)
        )
    t0 = time.perf_counter()
    positions = range(1000, len(text) - 1000, len(text) // 200)
    for p in positions:
        sg.snap_to_words(text, p, p + 7)
    per_snap = (time.perf_counter() - t0) * 1000 / len(positions)
    # a selection is snapped while the mouse moves: it must fit well inside a frame
    rows.append(row("snap_to_words in a 5 MB text, per selection", None, per_snap, "< 5"))
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
