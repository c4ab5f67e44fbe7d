"""Analysis: coded passages across the corpus (retrieval), corpus search over the
full-text index, and code matrices (by document, coder or attribute; co-occurrence).
Each query is one service call returning frozen dataclasses; large results stay in
numpy arrays and become Python objects one page at a time."""
