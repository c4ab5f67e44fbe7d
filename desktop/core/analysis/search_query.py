"""Search queries: words, "phrases", prefixes (negotiat*), AND / OR / NOT and
parentheses; terms side by side mean AND. One parse gives both the SQLite FTS5 MATCH
expression (which documents match) and a regular expression that finds the hits'
positions inside a matching document (terms under NOT are not hits).

Words are cut as FTS5's unicode61 tokenizer cuts them: runs of letters and digits,
anything else separates (so ``Dera'a`` is the phrase ``dera a``). Case is folded."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"(\*?)|([^\s()"]+))')
_WORDCHARS = re.compile(r"[^\W_]+")
_OPERATORS = ("AND", "OR", "NOT")
# Letters and digits are word characters; an underscore is not (as in unicode61).
_NOT_WORD_BEFORE = r"(?<![^\W_])"
_NOT_WORD_AFTER = r"(?![^\W_])"


class QueryError(ValueError):
    """The query cannot be searched; the message says why, quoting it."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")

    def pattern(self) -> str:
        body = r"[\W_]+".join(re.escape(w) for w in self.words)
        return _NOT_WORD_BEFORE + body + (r"[^\W_]*" if self.prefix else _NOT_WORD_AFTER)


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    fts: str  # the MATCH expression
    regex: re.Pattern[str]  # positions of the hits (terms not under NOT)
    terms: tuple[Term, ...]


def _term(raw: str, prefix: bool, query: str) -> Term:
    words = tuple(w.lower() for w in _WORDCHARS.findall(raw))
    if not words:
        raise QueryError(f"search query {query!r}: {raw!r} has no letters or digits to search for")
    return Term(words, prefix)


def parse(query: str) -> ParsedQuery:
    """Parse a search query; QueryError (naming the problem) if it cannot be searched."""
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
            tokens.append(("term", _term(phrase, bool(star), query)))
        elif word in _OPERATORS:
            tokens.append((word, None))
        else:
            prefix = word.endswith("*")
            tokens.append(("term", _term(word.rstrip("*"), prefix, query)))
    return _build(query, tokens)


def _build(query: str, tokens: list[tuple[str, object]]) -> ParsedQuery:
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
    regex = re.compile("|".join(t.pattern() for t in ordered), re.IGNORECASE)
    return ParsedQuery(query, " ".join(out), regex, tuple(positive))


def compile_regex(pattern: str) -> re.Pattern[str]:
    """A user's regular expression, case folded; QueryError naming it if invalid."""
    if not pattern:
        raise QueryError("the regular expression is empty")
    try:
        rx = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    except re.error as exc:
        raise QueryError(f"invalid regular expression {pattern!r}: {exc}") from exc
    return rx
