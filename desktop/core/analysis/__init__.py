"""Analysis algorithms over plain texts and offsets: sentence and paragraph spans,
context windows, sweeps over sorted intervals (AND, NOT, NEAR, FOLLOWED BY,
co-occurrence), search-query parsing and keyword-in-context lines. No Qt, no SQL."""
