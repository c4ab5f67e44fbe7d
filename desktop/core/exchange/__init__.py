"""Exchange formats: files other tools write and read (REFI-QDA, ...)."""

from __future__ import annotations

from desktop.core.exchange.refi import (
    CodebookRead,
    CodeSpec,
    ExchangeError,
    ExchangeWarning,
    read_codebook,
    write_codebook_qdc,
)

__all__ = [
    "CodeSpec",
    "CodebookRead",
    "ExchangeError",
    "ExchangeWarning",
    "read_codebook",
    "write_codebook_qdc",
]
