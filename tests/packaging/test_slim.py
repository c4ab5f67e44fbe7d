"""The bundle's ICU data libraries keep only what Tessera and Qt use (packaging/slim.py).
Each is rebuilt here from the installed one and loaded by ICU itself, in a fresh process:
with the slimmed data Tessera cuts every script's text exactly as with the whole data,
and Qt still sorts and maps case."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("tessera_slim", REPO / "packaging" / "slim.py")
slim = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slim)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not slim.have_binutils(),
    reason="rebuilding ICU's data library needs Linux and binutils (ld, objcopy)",
)

SITE = Path(sysconfig.get_path("platlib"))

# What Tessera asks of pyicu: boundaries of every kind in every script, with the root rules
# and with locales (abbreviations not ending sentences), the set of unspaced letters,
# locale checks and the inverse bidi reordering of PDF lines.
ICU_PROBE = r"""
import json, icu
from desktop.core import segmentation
from desktop.core.agreement.units import sentence_segmenter
texts = {
    "en": "Mr. Smith went to Washington. He left at 5 p.m. sharp! Did he?",
    "zh": "我们今天去北京大学学习中文。明天回家。",
    "ja": "東京都に住んでいます。日本語を勉強しています。",
    "th": "ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรคระหว่างคำ",
    "km": "ភាសាខ្មែរជាភាសាផ្លូវការនៃប្រទេសកម្ពុជា",
    "lo": "ພາສາລາວເປັນພາສາທາງການ",
    "my": "မြန်မာဘာသာစကားသည်တရားဝင်ဘာသာစကားဖြစ်သည်",
    "ar": "اللغة العربية جميلة. هل تتكلمها؟",
    "emoji": "Family: 👨‍👩‍👧‍👦 and flags 🇫🇷🇩🇪 e\u0301",
}
out = {"icu": icu.ICU_VERSION, "unspaced": segmentation.UNSPACED.pattern}
for name, text in texts.items():
    for kind in ("grapheme", "word", "sentence"):
        for locale in ("", "en@ss=standard", "de", "th", "ja"):
            out[f"{name} {kind} {locale}"] = segmentation._boundaries(text, kind, locale).tolist()
for locale in ("de", "fr@ss=standard", "xx"):
    try:
        out["segmenter " + locale] = sentence_segmenter(locale).locale
    except ValueError as exc:
        out["segmenter " + locale] = str(exc)
bidi = icu.Bidi()
bidi.setReorderingMode(icu.UBiDiReorderingMode.INVERSE_LIKE_DIRECT)
visual = icu.UnicodeString("123 םולש")
bidi.setPara(visual, 0xFE)
out["bidi"] = str(bidi.writeReordered(icu.Bidi.KEEP_BASE_COMBINING))
print(json.dumps(out, ensure_ascii=False))
"""

QT_PROBE = r"""
import json
from PySide6.QtCore import QCollator, QLocale, QTimeZone
maps = open("/proc/self/maps").read()
out = {"data": sorted({l.split()[-1] for l in maps.splitlines() if "libicudata" in l})}
c = QCollator(QLocale("en_US"))
c.setNumericMode(True)
out["sorted"] = sorted(["file10.txt", "File2.txt", "éclair", "eclair", "Zebra", "apple"], key=c.sortKey)
out["upper"] = [QLocale("tr_TR").toUpper("istanbul"), QLocale("en_US").toUpper("straße")]
zone = QTimeZone(b"Europe/Berlin")
out["zone"] = zone.displayName(QTimeZone.StandardTime, QTimeZone.LongName, QLocale("en_US"))
print(json.dumps(out, ensure_ascii=False))
"""


def _probe(code: str, env_extra: dict[str, str]) -> tuple[dict, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(env_extra)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout), done.stderr


def _icu_data(folder: Path) -> Path:
    found = [p for p in folder.glob("libicudata*.so*") if not p.is_symlink()]
    assert len(found) == 1, found
    return found[0]


def test_tessera_cuts_text_as_with_the_whole_icu_data(tmp_path):
    site = tmp_path / "site"
    for package in ("icu", "pyicu_wheels.libs"):
        shutil.copytree(SITE / package, site / package)
    whole = _icu_data(SITE / "pyicu_wheels.libs")
    slimmed = _icu_data(site / "pyicu_wheels.libs")
    kept, total = slim.slim_icu_data(whole, slimmed, frozenset({"brkitr"}))
    assert kept < total / 10 and slimmed.stat().st_size < whole.stat().st_size / 3

    expected, _ = _probe(ICU_PROBE, {"PYTHONPATH": str(REPO)})
    got, _ = _probe(ICU_PROBE, {"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])})
    assert got == expected
    assert expected["segmenter xx"].startswith("'xx' is not a locale")


def test_qt_sorts_and_maps_case_with_its_slimmed_icu_data(tmp_path):
    qt_lib = SITE / "PySide6" / "Qt" / "lib"
    whole = _icu_data(qt_lib)
    slimmed = tmp_path / whole.name
    slim.slim_icu_data(whole, slimmed)
    assert slimmed.stat().st_size < whole.stat().st_size / 5

    expected, _ = _probe(QT_PROBE, {})
    got, err = _probe(QT_PROBE, {"LD_LIBRARY_PATH": str(tmp_path)})
    assert got["data"] == [str(slimmed)]  # Qt really read the slimmed library
    assert {k: v for k, v in got.items() if k != "data"} == {
        k: v for k, v in expected.items() if k != "data"
    }
    assert got["sorted"][:2] == ["apple", "eclair"] and got["upper"][0] == "İSTANBUL"
    assert "collator" not in err.lower(), err


def test_only_the_libraries_of_what_was_dropped_go(tmp_path):
    """A library goes when only dropped files need it, not when a kept one does too, and
    never when it is opened by name."""
    folders = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib")
    libs = sorted(p for f in folders for p in Path(f).glob("libgio-2.0.so.0"))
    if not libs:
        pytest.skip("needs the system's GIO to have real ELF dependencies to follow")
    gio = libs[0].resolve()
    needs = slim.needed(gio)
    assert "libgobject-2.0.so.0" in needs and "libglib-2.0.so.0" in needs
    system = gio.parent
    gobject = ("libgobject-2.0.so.0", str(system / "libgobject-2.0.so.0"), "BINARY")
    glib = ("libglib-2.0.so.0", str(system / "libglib-2.0.so.0"), "BINARY")
    kept_user = ("libgthread-2.0.so.0", str(system / "libgthread-2.0.so.0"), "BINARY")
    dropped = [("libgio-2.0.so.0", str(gio), "BINARY")]
    # glib is needed by gthread, which stays; gobject only by the dropped GIO
    gone = slim.only_needed_by(dropped, [gobject, glib, kept_user])
    assert "libgobject-2.0.so.0" in gone and "libglib-2.0.so.0" not in gone
    assert not slim.only_needed_by(dropped, [gobject, glib, kept_user], ("libgobject",)) & {
        "libgobject-2.0.so.0"
    }


def _openssl_pair() -> list[tuple[str, str, str]] | None:
    """PyInstaller's entries for what the bundle gets: psycopg-binary's vendored OpenSSL,
    the system's libssl/libcrypto beside the program, and Python's _ssl that needs them."""
    import _ssl

    vendored = sorted((SITE / "psycopg_binary.libs").glob("lib*-*.so.3"))
    ssl_lib = [p for p in vendored if p.name.startswith("libssl-")]
    crypto_lib = [p for p in vendored if p.name.startswith("libcrypto-")]
    needs = slim.needed(Path(_ssl.__file__))
    system = [Path(p) for p in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
                                "/usr/lib64", "/usr/lib")]  # fmt: skip
    found = {n: next((d / n for d in system if (d / n).exists()), None) for n in needs}
    if (
        not (ssl_lib and crypto_lib)
        or not found.get("libssl.so.3")
        or not found.get("libcrypto.so.3")
    ):
        return None
    return [
        (f"psycopg_binary.libs/{ssl_lib[0].name}", str(ssl_lib[0]), "BINARY"),
        (f"psycopg_binary.libs/{crypto_lib[0].name}", str(crypto_lib[0]), "BINARY"),
        ("libssl.so.3", str(found["libssl.so.3"]), "BINARY"),
        ("libcrypto.so.3", str(found["libcrypto.so.3"]), "BINARY"),
        ("python3.11/lib-dynload/_ssl.so", _ssl.__file__, "EXTENSION"),
    ]


def test_python_ssl_is_pointed_at_libpqs_openssl():
    """The system's libssl/libcrypto give way to links to psycopg-binary's, which define
    every symbol version Python's _ssl asks for; the rest of the entries stay."""
    entries = _openssl_pair()
    if entries is None:
        pytest.skip("needs psycopg-binary and a Python whose _ssl links OpenSSL 3")
    kept, links = slim.share_openssl(entries)
    assert [e[0] for e in kept] == [entries[0][0], entries[1][0], entries[4][0]]
    assert sorted(links) == [
        ("libcrypto.so.3", entries[1][0], "SYMLINK"),
        ("libssl.so.3", entries[0][0], "SYMLINK"),
    ]


def test_openssl_stays_twice_when_the_vendored_one_lacks_a_version(monkeypatch):
    """A Python built against a newer OpenSSL than libpq's would need symbols the vendored
    library does not have: then nothing is shared."""
    entries = _openssl_pair()
    if entries is None:
        pytest.skip("needs psycopg-binary and a Python whose _ssl links OpenSSL 3")
    monkeypatch.setattr(slim, "_version_defs", lambda path: {"OPENSSL_1_1_0"})
    assert slim.share_openssl(entries) == (entries, [])
