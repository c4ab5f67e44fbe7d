"""Exchange formats: files other tools write and read (REFI-QDA, ...)."""

from __future__ import annotations

from desktop.core.exchange.refi import (
    CodebookRead,
    CodeSpec,
    ExchangeError,
    ExchangeWarning,
    RefiProject,
    read_codebook,
    read_project,
    write_codebook_qdc,
)

__all__ = [
    "CodeSpec",
    "CodebookRead",
    "ExchangeError",
    "ExchangeWarning",
    "RefiProject",
    "read_codebook",
    "read_project",
    "write_codebook_qdc",
]
