"""Word counts, keyness and collocations of texts.

Words are cut by desktop.core.segmentation (ICU, UAX #29: every script alike) in the
folded text (desktop.core.folding: case, Arabic marks and tatweel, digits, NFC/NFD,
ZWNJ), so "The", "the" and "THE", or "الحـرب" and "الحَرْب", count as one word. A word is
counted only if it has a letter (numbers are left out) and is not a stop word.

Keyness is Dunning's log-likelihood G2 as corpus linguists compute it (Rayson and
Garside 2000): for a word seen ``a`` times in a target of ``c`` words and ``b`` times in
a reference of ``d`` words, E1 = c(a+b)/(c+d), E2 = d(a+b)/(c+d) and
G2 = 2 (a ln(a/E1) + b ln(b/E2)), a term with a zero count adding nothing; it is given
a minus sign when the word is rarer in the target than in the reference.

Collocations are nltk's (``BigramCollocationFinder`` scored by the likelihood ratio),
over the words in text order with stop words filtered out of the pairs; nltk is
imported only when collocations are asked for (it costs ~0.2 s)."""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from desktop.core import segmentation
from desktop.core.folding import fold


def normal(word: str) -> str:
    """A word as it is counted: folded, then composed (NFC) for display."""
    return unicodedata.normalize("NFC", fold(word).text)


def stop_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(normal(w) for w in words if w.strip())


def tokens(text: str) -> list[str]:
    """The words of ``text`` in order, folded, numbers and punctuation left out."""
    folded = unicodedata.normalize("NFC", fold(text).text)
    return [
        w for w in segmentation.words(folded) if not w.isdigit() and any(c.isalpha() for c in w)
    ]


def count(texts: Iterable[str], stop: frozenset[str] = frozenset()) -> tuple[Counter[str], int]:
    """Counts of the words that are not stop words, and the number of all words."""
    counts: Counter[str] = Counter()
    total = 0
    for text in texts:
        words = tokens(text)
        total += len(words)
        counts.update(w for w in words if w not in stop)
    return counts, total


def log_likelihood(a: int, b: int, c: int, d: int) -> float:
    """Signed G2 of a word seen ``a`` times in ``c`` target words, ``b`` in ``d`` reference words."""
    if c <= 0 or d <= 0 or a + b == 0:
        return 0.0
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    g2 = 2.0 * ((a * math.log(a / e1) if a else 0.0) + (b * math.log(b / e2) if b else 0.0))
    return g2 if a / c >= b / d else -g2


@dataclass(frozen=True)
class Keyword:
    word: str
    target: int
    reference: int
    g2: float


def keyness(target: Counter[str], c: int, reference: Counter[str], d: int) -> list[Keyword]:
    """Every target word with its G2 against the reference, most key first."""
    out = [Keyword(w, a, reference.get(w, 0), log_likelihood(a, reference.get(w, 0), c, d))
           for w, a in target.items()]  # fmt: skip
    out.sort(key=lambda k: (-k.g2, -k.target, k.word))
    return out


def collocations(
    texts: Iterable[str], stop: frozenset[str] = frozenset(), top: int = 20, min_count: int = 2
) -> list[tuple[str, str, int, float]]:
    """The ``top`` word pairs that go together most (likelihood ratio), with their
    count; pairs never cross from one text to the next, stop words are left out."""
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

    seqs = [tokens(t) for t in texts]
    finder = BigramCollocationFinder.from_documents(seqs)
    finder.apply_word_filter(lambda w: w in stop)
    finder.apply_freq_filter(min_count)
    scored = finder.score_ngrams(BigramAssocMeasures.likelihood_ratio)[:top]
    return [(a, b, int(finder.ngram_fd[(a, b)]), float(s)) for (a, b), s in scored]
