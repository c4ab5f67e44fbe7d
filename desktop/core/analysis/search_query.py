"""Search queries: words, "phrases", prefixes (negotiat*), AND / OR / NOT and
parentheses; terms side by side mean AND. One parse gives both the SQLite FTS5 MATCH
expression (which documents match) and a regular expression that finds the hits'
positions inside a matching document (terms under NOT are not hits).

Words are cut as FTS5's unicode61 tokenizer cuts them: runs of letters and digits,
anything else separates (so ``Dera'a`` is the phrase ``dera a``). In the scripts written
without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese) a word is a dictionary
word (ICU, UAX #29): the index, which takes a whole run of such letters for one word,
cannot judge such a query, so ``ParsedQuery.unspaced`` says so and ``matches`` judges a
document's text instead; a hit must begin and end at word boundaries there
(``word_hits``), so "秘书" finds 秘书长 (secretary-general: 秘书|长) but "书长" does not.

Three ways to compare (``mode``): ``folded`` (the default) compares text as
desktop.core.folding does (case, harakat, tatweel, digits of every script, NFC/NFD,
ZWNJ), and its regular expression is meant for a document's folded text; ``case``
folds case only (the expression runs on the original text, case-insensitively);
``exact`` matches the same code points only."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from desktop.core.folding import fold
from desktop.core.segmentation import UNSPACED, word_boundaries

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"(\*?)|([^\s()"]+))')
_WORDCHARS = re.compile(r"[^\W_]+")
_OPERATORS = ("AND", "OR", "NOT")
# Letters and digits are word characters; an underscore is not (as in unicode61).
_NOT_WORD_BEFORE = r"(?<![^\W_])"
_NOT_WORD_AFTER = r"(?![^\W_])"
MODES = ("folded", "case", "exact")


@functools.cache
def _marks() -> str:
    """A character class of the combining marks (Unicode category M*): in folded text a
    letter's marks follow it (NFD), and a word must not end between them."""
    ranges: list[list[int]] = []
    for cp in range(0x300, sys.maxunicode + 1):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]"


class QueryError(ValueError):
    """The query cannot be searched; the message says why, quoting it."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # as the index compares them (lower case; folded if so asked)
    prefix: bool = False
    typed: tuple[str, ...] = ()  # as typed (exact matching)

    def fts(self) -> str:
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")

    @property
    def unspaced(self) -> bool:
        """Some of its words are in a script written without spaces."""
        return any(UNSPACED.search(w) for w in self.words)

    def pattern(self, mode: str = "case") -> str:
        # Where a word begins or ends with a letter of a script written without spaces,
        # the letters beside it may belong to other words: no look-around there (the
        # hits are then kept only at dictionary word boundaries, see word_hits), and a
        # prefix is not run on to the end of the letters (word_hits takes its word).
        folded = mode == "folded"
        words = self.typed if mode == "exact" and self.typed else self.words
        if folded:  # the folded text is in NFD: letters with marks after them
            words = tuple(unicodedata.normalize("NFD", w) for w in self.words)
            marks = _marks()
            letter = rf"(?:[^\W_]|{marks})"
            gap = rf"(?:[\W_](?<!{marks}))"
            run_on, not_after = rf"{letter}*", rf"(?!{letter})"
        else:
            gap, run_on, not_after = r"[\W_]", r"[^\W_]*", _NOT_WORD_AFTER
        body = re.escape(words[0])
        for before, word in zip(words, words[1:], strict=False):
            unspaced = UNSPACED.match(before[-1]) and UNSPACED.match(word[0])
            body += gap + ("*" if unspaced else "+") + re.escape(word)
        start = "" if UNSPACED.match(words[0][0]) else _NOT_WORD_BEFORE
        end = run_on if self.prefix else not_after
        return start + body + ("" if UNSPACED.match(words[-1][-1]) else end)


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    fts: str  # the MATCH expression
    regex: re.Pattern[str]  # positions of the hits (terms not under NOT)
    terms: tuple[Term, ...]
    mode: str = "case"
    # the query as operators ("(", ")", "AND", "OR", "NOT") and terms, ANDs made explicit
    expr: tuple[str | Term, ...] = ()

    @property
    def unspaced(self) -> bool:
        """A term (NOT ones too) is in a script written without spaces: the index cannot
        judge which documents match; ``matches`` does, on their text."""
        return any(isinstance(t, Term) and t.unspaced for t in self.expr)

    def matches(self, present: Callable[[Term], bool]) -> bool:
        """Whether a document matches, ``present(term)`` telling whether it holds a term.
        NOT binds tighter than AND, AND than OR, as in FTS5."""
        return _evaluate(list(self.expr), present)


def _term(raw: str, prefix: bool, query: str, mode: str = "case") -> Term:
    typed = tuple(_WORDCHARS.findall(unicodedata.normalize("NFC", raw)))
    if mode == "folded":
        # folded, then composed again: the index holds composed letters ("é")
        raw = unicodedata.normalize("NFC", fold(raw).text)
    words = tuple(w.lower() for w in _WORDCHARS.findall(raw))
    if not words:
        raise QueryError(f"search query {query!r}: {raw!r} has no letters or digits to search for")
    return Term(words, prefix, typed)


def parse(query: str, mode: str = "case") -> ParsedQuery:
    """Parse a search query; QueryError (naming the problem) if it cannot be searched.
    ``mode``: folded, case or exact (see the module's docstring)."""
    if mode not in MODES:
        raise QueryError(f"unknown comparison {mode!r}: use {', '.join(MODES)}")
    if not query or not query.strip():
        raise QueryError("the search query is empty")
    tokens: list[tuple[str, object]] = []
    pos = 0
    text = query.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise QueryError(f"search query {query!r}: unmatched quote at character {pos + 1}")
        pos = m.end()
        lpar, rpar, phrase, star, word = m.groups()
        if lpar:
            tokens.append(("(", None))
        elif rpar:
            tokens.append((")", None))
        elif phrase is not None:
            tokens.append(("term", _term(phrase, bool(star), query, mode)))
        elif word in _OPERATORS:
            tokens.append((word, None))
        else:
            prefix = word.endswith("*")
            tokens.append(("term", _term(word.rstrip("*"), prefix, query, mode)))
    return _build(query, tokens, mode)


def _build(query: str, tokens: list[tuple[str, object]], mode: str = "case") -> ParsedQuery:
    """Check the shape (operators between operands, balanced parentheses) and collect
    the positive terms: those not inside the right-hand side of a NOT."""
    out: list[str | Term] = []  # operators and terms, ANDs made explicit
    positive: list[Term] = []
    depth = 0
    expect_operand = True
    negated_depths: list[int] = []  # parenthesis depths at which a NOT is in force
    negate_next = False
    for kind, value in tokens:
        if kind == "(":
            if not expect_operand:
                out.append("AND")
            if negate_next:
                negated_depths.append(depth + 1)
                negate_next = False
            depth += 1
            out.append("(")
            expect_operand = True
        elif kind == ")":
            if depth == 0 or expect_operand:
                raise QueryError(f"search query {query!r}: a ')' without its '(' or operand")
            if negated_depths and negated_depths[-1] == depth:
                negated_depths.pop()
            depth -= 1
            out.append(")")
            expect_operand = False
        elif kind in _OPERATORS:
            if expect_operand:
                raise QueryError(f"search query {query!r}: {kind} needs a word or phrase before it")
            out.append(kind)
            expect_operand = True
            negate_next = kind == "NOT"
        else:
            assert isinstance(value, Term)
            if not expect_operand:
                out.append("AND")
                negate_next = False
            if not negate_next and not negated_depths:
                positive.append(value)
            negate_next = False
            out.append(value)
            expect_operand = False
    if depth:
        raise QueryError(f"search query {query!r}: a '(' is not closed")
    if expect_operand:
        raise QueryError(f"search query {query!r}: ends with an operator")
    if not positive:
        raise QueryError(f"search query {query!r}: nothing to find (every term is under NOT)")
    # Longer alternatives first, so that a phrase wins over its first word.
    ordered = sorted(set(positive), key=lambda t: (-len(t.words), -sum(map(len, t.words))))
    regex = term_regex(tuple(ordered), mode)
    fts = " ".join(x.fts() if isinstance(x, Term) else x for x in out)
    return ParsedQuery(query, fts, regex, tuple(positive), mode, tuple(out))


@functools.lru_cache(maxsize=256)
def term_regex(terms: tuple[Term, ...], mode: str) -> re.Pattern[str]:
    """One expression finding any of ``terms``, compared as ``mode`` says."""
    flags = 0 if mode == "exact" else re.IGNORECASE
    return re.compile("|".join(t.pattern(mode) for t in terms), flags)


def _evaluate(tokens: list, present: Callable[[Term], bool]) -> bool:
    """The boolean value of a checked query (see _build): OR of ANDs of NOT chains."""
    pos = 0

    def either() -> bool:
        nonlocal pos
        value = both()
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            value = both() or value  # both sides are read whatever the left one says
        return value

    def both() -> bool:
        nonlocal pos
        value = unless()
        while pos < len(tokens) and tokens[pos] == "AND":
            pos += 1
            value = unless() and value
        return value

    def unless() -> bool:
        nonlocal pos
        value = operand()
        while pos < len(tokens) and tokens[pos] == "NOT":
            pos += 1
            value = (not operand()) and value
        return value

    def operand() -> bool:
        nonlocal pos
        token = tokens[pos]
        pos += 1
        if token == "(":
            value = either()
            pos += 1  # the ")"
            return value
        return present(token)

    return either()


def word_hits(
    text: str, spans: list[tuple[int, int]], *, prefix: bool = False
) -> list[tuple[int, int]]:
    """The hits of ``spans`` (in ``text``) that begin and end at word boundaries where
    the letters are of a script written without spaces (elsewhere the expression
    already saw to it); with ``prefix``, a hit ending in such letters runs on to the
    end of its word."""
    if not spans:
        return spans
    bounds: np.ndarray | None = None
    out = []
    for a, b in spans:
        if a == b:
            continue
        check_a = UNSPACED.match(text[a]) or (a > 0 and UNSPACED.match(text[a - 1]))
        check_b = UNSPACED.match(text[b - 1]) or (b < len(text) and UNSPACED.match(text[b]))
        if (check_a or check_b) and bounds is None:
            bounds = word_boundaries(text)
        if check_a and not _is_bound(bounds, a):
            continue
        if check_b and not _is_bound(bounds, b):
            if not (prefix and UNSPACED.match(text[b - 1])):
                continue
            b = int(bounds[np.searchsorted(bounds, b)])
        out.append((a, b))
    return out


def _is_bound(bounds, i: int) -> bool:
    k = int(np.searchsorted(bounds, i))
    return k < len(bounds) and int(bounds[k]) == i


def compile_regex(pattern: str) -> re.Pattern[str]:
    """A user's regular expression, case folded; QueryError naming it if invalid."""
    if not pattern:
        raise QueryError("the regular expression is empty")
    try:
        rx = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    except re.error as exc:
        raise QueryError(f"invalid regular expression {pattern!r}: {exc}") from exc
    return rx
