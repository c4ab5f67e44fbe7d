"""Search queries: words, "phrases", prefixes (negotiat*), AND / OR / NOT and
parentheses; terms side by side mean AND. One parse gives both the SQLite FTS5 MATCH
expression (which documents match) and a regular expression that finds the hits'
positions inside a matching document (terms under NOT are not hits).

Words are cut as FTS5's unicode61 tokenizer cuts them: runs of letters and digits,
anything else separates (so ``Dera'a`` is the phrase ``dera a``).

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
from dataclasses import dataclass

from desktop.core.folding import fold

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

    def pattern(self, mode: str = "case") -> str:
        if mode == "folded":
            # the folded text is in NFD: letters with marks after them
            marks = _marks()
            letter = rf"(?:[^\W_]|{marks})"
            words = [unicodedata.normalize("NFD", w) for w in self.words]
            body = rf"(?:[\W_](?<!{marks}))+".join(re.escape(w) for w in words)
            end = rf"{letter}*" if self.prefix else rf"(?!{letter})"
            return _NOT_WORD_BEFORE + body + end
        words = self.typed if mode == "exact" and self.typed else self.words
        body = r"[\W_]+".join(re.escape(w) for w in words)
        return _NOT_WORD_BEFORE + body + (r"[^\W_]*" if self.prefix else _NOT_WORD_AFTER)


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    fts: str  # the MATCH expression
    regex: re.Pattern[str]  # positions of the hits (terms not under NOT)
    terms: tuple[Term, ...]
    mode: str = "case"


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
    out: list[str] = []
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
            out.append(value.fts())
            expect_operand = False
    if depth:
        raise QueryError(f"search query {query!r}: a '(' is not closed")
    if expect_operand:
        raise QueryError(f"search query {query!r}: ends with an operator")
    if not positive:
        raise QueryError(f"search query {query!r}: nothing to find (every term is under NOT)")
    # Longer alternatives first, so that a phrase wins over its first word.
    ordered = sorted(set(positive), key=lambda t: (-len(t.words), -sum(map(len, t.words))))
    flags = 0 if mode == "exact" else re.IGNORECASE
    regex = re.compile("|".join(t.pattern(mode) for t in ordered), flags)
    return ParsedQuery(query, " ".join(out), regex, tuple(positive), mode)


def compile_regex(pattern: str) -> re.Pattern[str]:
    """A user's regular expression, case folded; QueryError naming it if invalid."""
    if not pattern:
        raise QueryError("the regular expression is empty")
    try:
        rx = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    except re.error as exc:
        raise QueryError(f"invalid regular expression {pattern!r}: {exc}") from exc
    return rx
