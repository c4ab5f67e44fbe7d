"""Benchmark: folded find (harakat, tatweel, digits, NFC/NFD, ZWNJ, case) against exact find
over the same ~5 MB mixed-script text (English, French in NFC and NFD, Arabic with
harakat and tatweel, Persian with ZWNJ, Russian, Chinese, Hindi, digits in three scripts).

    .venv/bin/python -m tests.benchmarks.bench_folding

- search: ``Folded.find`` on the text folded once (as the find bar and corpus search
  keep it per document) against ``find_all(..., exact=True)``, for a set of queries in
  every script, hits mapped back to original offsets included. Target: at most 1.3x.
- fold once: folding the whole text (the one-time cost per document) against reading it
  once as code points (``str.encode('utf-32')``), for scale; no target.
- one call: ``find_all`` that folds the text on every call, against exact; no target.

``run()`` returns rows {measure, baseline, value, ratio, target}; times in ms (best of 5).
Timings on a shared machine are noisy: nothing here is asserted in tests."""

from __future__ import annotations

import random
import time

from desktop.core.folding import find_all, fold

SIZE = 5_000_000
SEARCH_TARGET = 1.3
PARAGRAPHS = [
    "The ceasefire talks failed; at least 120 civilians were killed near the border.",
    "La résistance a annoncé un cessez-le-feu après 120 jours de combats.",
    "La re\u0301sistance a annonce\u0301 un cessez-le-feu apre\u0300s 120 jours.",  # NFD
    "قُتِلَ ١٢٠ مدنياً في الحـــرب، وقال المرصد إن القصف استمر.",
    "قتلوا ۱۲۰ نفر در جنگ؛ آنها می\u200cخواهند آتش\u200cبس برقرار شود.",
    "Повстанцы заявили, что переговоры о прекращении огня провалились.",
    "联合国秘书长呼吁立即停火，至少120名平民在边境附近遇难。",
    "युद्ध में कम से कम १२० नागरिक मारे गए, निगरानी समूह ने कहा।",
]
QUERIES = ["ceasefire", "résistance", "الحرب", "قتلوا", "120", "میخواهند", "огня", "停火", "युद्ध"]


def make_text(size: int = SIZE, seed: int = 7) -> str:
    rnd = random.Random(seed)
    parts, n = [], 0
    while n < size:
        para = " ".join(rnd.choice(PARAGRAPHS) for _ in range(rnd.randint(2, 6))) + "\n\n"
        parts.append(para)
        n += len(para)
    return "".join(parts)[:size]


def best_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def row(measure: str, baseline: float, value: float, target=None) -> dict:
    return {
        "measure": f"{measure} (ms)",
        "baseline": round(baseline, 2),
        "value": round(value, 2),
        "ratio": round(value / baseline, 2) if baseline else None,
        "target": target,
    }


def run() -> list[dict]:
    text = make_text()
    folded = fold(text)  # tables warmed up for these scripts, as after the first search
    hits_exact = sum(len(find_all(text, q, exact=True)) for q in QUERIES)
    hits_folded = sum(len(folded.find(q)) for q in QUERIES)
    exact = best_ms(lambda: [find_all(text, q, exact=True) for q in QUERIES])
    searched = best_ms(lambda: [folded.find(q) for q in QUERIES])
    read_once = best_ms(lambda: text.encode("utf-32-le"))
    fold_once = best_ms(lambda: fold(text))
    one_call = best_ms(lambda: [find_all(text, q) for q in QUERIES], repeat=2)
    return [
        row(
            f"{len(QUERIES)} queries over {len(text) / 1e6:.1f} M characters, folded once "
            f"({hits_folded:,} hits) vs exact ({hits_exact:,} hits)",
            exact,
            searched,
            f"ratio <= {SEARCH_TARGET}",
        ),  # fmt: skip
        row("fold the whole text once vs read it as code points", read_once, fold_once),
        row(f"{len(QUERIES)} queries, folding on every call, vs exact", exact, one_call),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
