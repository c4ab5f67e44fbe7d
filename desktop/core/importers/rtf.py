"""Rich Text Format files, decoded with striprtf (code page from \\ansicpg, \\'xx, \\uN)."""

from __future__ import annotations

import re
from pathlib import Path

from desktop.core.importers.base import (
    MAX_TEXT_FILE_BYTES,
    Extracted,
    ImportFailure,
    clean_metadata,
    read_bytes,
)
from desktop.core.text import normalise

_ANSICPG = re.compile(rb"\\ansicpg(\d+)")
_INFO_FIELD = r"\{\\%s\s+((?:[^{}\\]|\\[^a-z]|\\[a-z]+-?\d* ?)*)\}"
_CREATIM = re.compile(r"\{\\creatim\s*\\yr(\d{4})(?:\\mo(\d{1,2}))?(?:\\dy(\d{1,2}))?")


def _code_page(data: bytes) -> str:
    m = _ANSICPG.search(data[:4096])
    if m:
        name = f"cp{int(m.group(1))}"
        try:
            "".encode(name)
            return name
        except LookupError:
            pass
    return "cp1252"


def _info(raw: str) -> dict[str, str]:
    from striprtf.striprtf import rtf_to_text

    found: dict[str, object] = {}
    for key, field in (("title", "title"), ("author", "author")):
        m = re.search(_INFO_FIELD % field, raw)
        if m:
            # The value may itself contain \'xx or \uN escapes: decode it like the body.
            found[key] = rtf_to_text("{\\rtf1 " + m.group(1) + "}", errors="replace").strip()
    m = _CREATIM.search(raw)
    if m:
        year, month, day = m.groups()
        found["date"] = (
            year
            + (f"-{int(month):02d}" if month else "")
            + (f"-{int(day):02d}" if month and day else "")
        )
    return clean_metadata(found)


def extract_rtf(path: Path) -> Extracted:
    from striprtf.striprtf import rtf_to_text

    data = read_bytes(path, MAX_TEXT_FILE_BYTES, "an RTF document")
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise ImportFailure("the file is not an RTF document (it does not start with {\\rtf)")
    encoding = _code_page(data)
    # RTF is 7-bit by the spec; stray 8-bit bytes are in the document's code page.
    raw = data.decode(encoding, errors="replace")
    try:
        text = rtf_to_text(raw, encoding=encoding, errors="replace")
    except (ValueError, IndexError, LookupError):
        raise ImportFailure("the RTF document is damaged and could not be read") from None
    text = normalise(text).strip()
    if not text:
        raise ImportFailure("the RTF document contains no text")
    warnings = []
    if "\ufffd" in text:
        warnings.append("some characters could not be decoded and appear as \ufffd")
    return Extracted(text=text, kind="rtf", metadata=_info(raw), pages=None, warnings=warnings)
