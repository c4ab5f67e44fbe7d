"""Damaged copies of good files of every kind: each either imports (normalised text) or
fails with a reason; no other exception escapes, and none takes long."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from desktop.core.importers import Extracted, ImportFailure, extract
from desktop.core.text import normalise
from tests.core.importer_fixtures import text_page_stream, write_pdf, write_rtf
from tests.core.test_importers_office import make_docx, make_odt


def _seed(tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"seed{suffix}"
    if suffix == ".docx":
        return make_docx(path)
    if suffix == ".odt":
        return make_odt(path)
    if suffix == ".rtf":
        return write_rtf(path, r"\pard Talks failed in Dera\'92a \u8211? again.\par " * 30)
    if suffix == ".pdf":
        return write_pdf(
            path, [text_page_stream([f"Page {i}: talks failed."] * 15) for i in range(3)]
        )
    if suffix == ".html":
        path.write_text(
            "<html><head><title>T</title></head><body><article><h1>Talks</h1>"
            + "<p>Talks failed, said “the envoy”, after a long night.</p>" * 30
            + "</article></body></html>"
        )
        return path
    path.write_bytes("Talks “failed” – naïve.\r\n".encode("cp1252") * 40)
    return path


def _damage(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    how = rng.choice(["flip", "truncate", "cut", "zero", "insert"])
    a = rng.randrange(len(b))
    z = min(len(b), a + rng.randint(1, max(1, len(b) // 6)))
    if how == "flip":
        for _ in range(rng.randint(1, 30)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif how == "truncate":
        del b[a:]
    elif how == "cut":
        del b[a:z]
    elif how == "zero":
        b[a:z] = bytes(z - a)
    else:
        b[a:a] = rng.randbytes(rng.randint(1, 300))
    return bytes(b)


@pytest.mark.parametrize("suffix", [".txt", ".html", ".pdf", ".docx", ".odt", ".rtf"])
def test_damaged_files_import_or_fail_with_a_reason(tmp_path, suffix):
    rng = random.Random(f"tessera{suffix}")
    good = _seed(tmp_path, suffix).read_bytes()
    outcomes = {"imported": 0, "refused": 0}
    for i in range(20):
        path = tmp_path / f"damaged{i}{suffix}"
        path.write_bytes(_damage(good, rng))
        started = time.monotonic()
        try:
            doc = extract(path)
        except ImportFailure as exc:
            assert str(exc).strip()
            outcomes["refused"] += 1
        else:
            assert isinstance(doc, Extracted)
            assert doc.text.strip() and normalise(doc.text) == doc.text
            if doc.pages is not None:
                assert all(0 <= a <= b <= len(doc.text) for a, b in doc.pages)
            outcomes["imported"] += 1
        assert time.monotonic() - started < 30
    assert sum(outcomes.values()) == 20
