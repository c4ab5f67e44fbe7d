"""Numbers and plurals as a reader writes them: "1 coding", "2 codings", "1,204
documents", and never "-0.000". One place, used by the window, the CLI and reports."""

from __future__ import annotations

# plurals that are not the singular plus "s"
_IRREGULAR = {"match": "matches", "child": "children", "this": "these", "is": "are", "was": "were"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """``word`` in the form ``n`` asks for (without the number)."""
    if n == 1:
        return word
    if many is not None:
        return many
    head, _, last = word.rpartition(" ")
    last = _IRREGULAR.get(last, last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s"))
    return f"{head} {last}" if head else last


def count(n: int, word: str, many: str | None = None) -> str:
    """``n`` with thousands separators and ``word`` agreeing with it: count(1, "coding")
    is "1 coding", count(1204, "document") is "1,204 documents"."""
    return f"{n:,} {plural(n, word, many)}"


def number(x: float, places: int = 3) -> str:
    """``x`` rounded to ``places`` decimals, with no minus sign on a value that rounds to
    zero ("-0.000" reads as a negative agreement that is not there)."""
    text = f"{x:.{places}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text
