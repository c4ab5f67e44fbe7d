"""REFI-QDA exchange (https://www.qdasoftware.org): the public API.

- :func:`read_codebook` reads the codes of a .qdc, .qde or .qdpx file and returns a
  :class:`CodebookRead` (``.codes``, ``.warnings``, ``.origin``).
- :func:`write_codebook_qdc` writes a .qdc file valid against Codebook.xsd.
- :func:`read_project` reads users, codes, text sources and codings of a .qdpx into
  :class:`RefiProject`, with offsets as code points over normalised text.

The implementation lives in refi_codebook (codes), refi_common (loading, GUIDs,
colours) and refi_project (sources and codings of a whole .qdpx project).
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
    RefiSource,
    RefiUser,
    read_project,
)

__all__ = [
    "NS_CODEBOOK",
    "NS_PROJECT",
    "OffsetUnit",
    "RefiCoding",
    "RefiProject",
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
    "read_codebook",
    "read_project",
    "split_description",
    "write_codebook_qdc",
]
