"""Codings: passages of a document coded with a code by a coder."""
