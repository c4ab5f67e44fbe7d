"""REFI-QDA exchange (https://www.qdasoftware.org): the public API.

- :func:`read_codebook` reads the codes of a .qdc, .qde or .qdpx file and returns a
  :class:`CodebookRead` (``.codes``, ``.warnings``, ``.origin``).
- :func:`write_codebook_qdc` writes a .qdc file valid against Codebook.xsd.
- :func:`read_project` reads users, codes, text sources and codings of a .qdpx into
  :class:`RefiProject`, with offsets as code points over normalised text;
  :func:`open_project` reads the same as a stream, one source at a time, for projects of
  any size.

The implementation lives in refi_codebook (codes), refi_common (loading, GUIDs,
colours), refi_project (a whole .qdpx project, read as a stream), refi_survey (the
stream's first pass), refi_selections (the codings of one selection, the notes' part of
the stream) and refi_notes (every note of the project, kept on disk: coding, document and
code memos, and the project's own notes).
"""

from __future__ import annotations

from desktop.core.exchange.refi_codebook import (
    CodebookRead,
    CodeSpec,
    codebook_bytes,
    codes_element,
    compose_description,
    read_codebook,
    split_description,
    write_codebook_qdc,
)
from desktop.core.exchange.refi_common import (
    NS_CODEBOOK,
    NS_PROJECT,
    ExchangeError,
    ExchangeWarning,
    normalise_colour,
    normalise_guid,
)
from desktop.core.exchange.refi_offsets import OffsetUnit
from desktop.core.exchange.refi_project import (
    RefiCoding,
    RefiProject,
    RefiProjectStream,
    RefiSource,
    RefiUser,
    open_project,
    read_project,
)

__all__ = [
    "NS_CODEBOOK",
    "NS_PROJECT",
    "OffsetUnit",
    "RefiCoding",
    "RefiProject",
    "RefiProjectStream",
    "RefiSource",
    "RefiUser",
    "CodeSpec",
    "CodebookRead",
    "ExchangeError",
    "ExchangeWarning",
    "codebook_bytes",
    "codes_element",
    "compose_description",
    "normalise_colour",
    "normalise_guid",
    "open_project",
    "read_codebook",
    "read_project",
    "split_description",
    "write_codebook_qdc",
]
