"""The bundle's stand-in for cryptography's AES-CBC (packaging/openssl_aes.py): the same
bytes as cryptography for every key size and any way of feeding the data, the same errors,
and, where cryptography cannot be imported, pdfminer opening AES-encrypted PDFs with it."""

from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.packaging.helpers import owner_only_pdfs

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("openssl_aes", REPO / "packaging" / "openssl_aes.py")
aes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(aes)

ciphers = pytest.importorskip("cryptography.hazmat.primitives.ciphers")


def _real(key, iv):
    return ciphers.Cipher(ciphers.algorithms.AES(key), ciphers.modes.CBC(iv))


def _mine(key, iv):
    return aes.Cipher(aes.AES(key), aes.CBC(iv), backend=aes.default_backend())


def _feed(context, data, cuts):
    out = b""
    last = 0
    for cut in [*cuts, len(data)]:
        out += context.update(data[last:cut])
        last = cut
    return out


@pytest.mark.parametrize("key_size", [16, 24, 32])
def test_same_bytes_as_cryptography(key_size):
    rng = random.Random(key_size)
    for _ in range(200):
        key, iv = rng.randbytes(key_size), rng.randbytes(16)
        data = rng.randbytes(16 * rng.randrange(0, 64))
        cuts = sorted(rng.randrange(0, len(data) + 1) for _ in range(rng.randrange(0, 5)))
        enc = _mine(key, iv).encryptor()
        sealed = _feed(enc, data, cuts) + enc.finalize()
        real = _real(key, iv).encryptor()
        assert sealed == real.update(data) + real.finalize()
        dec = _mine(key, iv).decryptor()
        assert _feed(dec, sealed, cuts) + dec.finalize() == data


def test_update_keeps_a_partial_block_and_finalize_refuses_it():
    key, iv = bytes(range(16)), bytes(16)
    data = bytes(range(40))
    mine, real = _mine(key, iv).decryptor(), _real(key, iv).decryptor()
    assert mine.update(data) == real.update(data)  # two whole blocks, 8 bytes kept
    with pytest.raises(ValueError):
        real.finalize()
    with pytest.raises(ValueError):
        mine.finalize()
    with pytest.raises(aes.AlreadyFinalized):
        mine.update(b"")


@pytest.mark.parametrize(("key", "iv"), [(bytes(15), bytes(16)), (bytes(33), bytes(16)),
                                         (bytes(16), bytes(8)), (bytes(32), b"")])  # fmt: skip
def test_wrong_sizes_are_value_errors_as_in_cryptography(key, iv):
    with pytest.raises(ValueError):
        _real(key, iv)
    with pytest.raises(ValueError):
        _mine(key, iv)


def test_pdfminer_opens_aes_pdfs_where_cryptography_is_missing(tmp_path, shared_dir):
    """A Python that sees every installed package but cryptography (a folder of links to
    site-packages without it), as in the bundle: with install(), pdfminer's import of
    cryptography gets the stand-in and AES-encrypted PDFs open."""
    site = Path(sysconfig.get_path("purelib"))
    view = tmp_path / "site"
    view.mkdir()
    for entry in site.iterdir():
        if not entry.name.startswith(("cryptography", "_cffi_backend", "__editable__")):
            (view / entry.name).symlink_to(entry)
    pdfs = owner_only_pdfs(tmp_path / "in", shared_dir)
    probe = (
        "import importlib.util, sys\n"
        "assert importlib.util.find_spec('cryptography') is None\n"
        "import openssl_aes\n"
        "openssl_aes.install()\n"
        "from desktop.core.importers import extract\n"
        "for path in sys.argv[1:]:\n"
        "    print(path, 'Beautiful is better than ugly.' in extract(path).text)\n"
        "import cryptography\n"
        "assert not hasattr(cryptography, '__file__') or cryptography.__file__ is None\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(view), str(REPO),
                                                          str(REPO / "packaging")])}  # fmt: skip
    done = subprocess.run([sys.executable, "-S", "-c", probe, *map(str, pdfs)], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [x for p in pdfs for x in (str(p), "True")], done.stdout


def test_the_real_package_wins_where_it_is_installed():
    """install() only adds a fallback: in a virtual environment cryptography's own
    modules are imported, untouched."""
    probe = ("import openssl_aes; openssl_aes.install()\n"
             "from cryptography.hazmat.primitives.ciphers import Cipher\n"
             "print(Cipher.__module__)\n")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO / "packaging")}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("cryptography.hazmat.primitives.ciphers")
    assert "openssl_aes" not in done.stdout


def test_in_a_bundle_only_the_bundled_libcrypto_is_looked_for(tmp_path, monkeypatch):
    """In the bundle, libpq's vendored libcrypto (psycopg_binary.libs/libcrypto-<hash>.so.3,
    or PyInstaller's link to it beside the program) is used, never the system's."""
    vendored = tmp_path / "psycopg_binary.libs" / "libcrypto-3a0647ea.so.3"
    vendored.parent.mkdir()
    vendored.write_bytes(b"")
    (tmp_path / "libcrypt-bc2db45e.so.1").write_bytes(b"")  # libcrypt, not libcrypto
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert aes._candidates() == [str(vendored)]
