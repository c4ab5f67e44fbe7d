from __future__ import annotations

from desktop.core.wording import count, number, plural


def test_counts_agree_with_their_number():
    assert count(1, "coding") == "1 coding"
    assert count(0, "coding") == "0 codings"
    assert count(1204, "document") == "1,204 documents"
    assert count(2, "match") == "2 matches"
    assert count(3, "code value") == "3 code values"
    assert count(2, "person", "people") == "2 people"
    assert plural(1, "problem") == "problem" and plural(5, "problem") == "problems"


def test_numbers_never_show_minus_zero():
    assert number(-0.0001) == "0.000"
    assert number(-0.0) == "0.000"
    assert number(-0.25, 2) == "-0.25"
    assert number(0.8126) == "0.813"
