"""AES-CBC for pdfminer in the bundle, from the OpenSSL library the bundle already holds.

pdfminer.six decrypts PDFs encrypted with AES (AESV2 and AESV3, as most PDF writers encrypt a
file that has only an owner password: readers open it, and so must Tessera) through the
``cryptography`` package, and uses only this much of it::

    Cipher(algorithms.AES(key), modes.CBC(iv), backend=default_backend())
        .decryptor() / .encryptor()  ->  .update(data), .finalize()

``cryptography`` weighs 15 MB in the bundle, mostly its own static copy of OpenSSL, while
the bundle already carries OpenSSL's libcrypto: libpq's, which PostgreSQL connections use.
This module gives that part of cryptography's API over libcrypto's EVP interface (through
ctypes), with cryptography's behaviour: keys of 16, 24 or 32 bytes, a 16-byte IV, no
padding, ``update`` returning whole blocks and keeping the rest, ``finalize`` refusing a
partial block; a wrong size is a ValueError.

:func:`install` makes it importable under cryptography's module names only when the real
package cannot be imported: anywhere cryptography is installed (a virtual environment, a
wheel) it is used as before. The bundle's entry (launch.py) installs it; the spec leaves
cryptography out."""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import sys

# ctypes is imported on first use, not when the bundle starts and installs the finder.

BLOCK = 16

_lib = None  # the loaded libcrypto (ctypes.CDLL)


def _candidates(library: str = "crypto") -> list[str]:
    """Where libcrypto may be: in a bundle, beside the program or in a wheel's vendored
    folder (``psycopg_binary.libs/libcrypto-<hash>.so.3``); else the system's. (The name
    is a parameter: PyInstaller bundles any library named by a literal in a ctypes call,
    and the bundle must not take the system's OpenSSL along.)"""
    import ctypes.util
    from pathlib import Path

    base = getattr(sys, "_MEIPASS", None)
    if base:
        found: list[str] = []
        for folder in ("", "*/"):
            for suffix in (".so*", ".dylib", ".dll"):
                found += sorted(str(p) for p in Path(base).glob(f"{folder}lib{library}*{suffix}"))
        return found
    system = ctypes.util.find_library(library)
    return [system] if system else []


def _library():
    """libcrypto (a ctypes.CDLL), loaded on first use, with the signatures of the calls
    used here."""
    import ctypes

    global _lib
    if _lib is not None:
        return _lib
    problems = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            lib.EVP_CIPHER_CTX_new  # noqa: B018 (an OpenSSL 1.1+ libcrypto has it)
        except (OSError, AttributeError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        _declare(lib)
        _lib = lib  # two threads may both get here first: both load the same library
        return lib
    raise ImportError("no OpenSSL libcrypto to decrypt AES with"
                      + (": " + "; ".join(problems) if problems else ""))  # fmt: skip


def _declare(lib) -> None:
    import ctypes

    p, i, cp = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    lib.EVP_CIPHER_CTX_new.restype = p
    lib.EVP_CIPHER_CTX_new.argtypes = []
    lib.EVP_CIPHER_CTX_free.restype = None
    lib.EVP_CIPHER_CTX_free.argtypes = [p]
    for name in ("EVP_aes_128_cbc", "EVP_aes_192_cbc", "EVP_aes_256_cbc"):
        getattr(lib, name).restype = p
        getattr(lib, name).argtypes = []
    lib.EVP_CipherInit_ex.restype = i
    lib.EVP_CipherInit_ex.argtypes = [p, p, p, cp, cp, i]
    lib.EVP_CIPHER_CTX_set_padding.restype = i
    lib.EVP_CIPHER_CTX_set_padding.argtypes = [p, i]
    lib.EVP_CipherUpdate.restype = i
    lib.EVP_CipherUpdate.argtypes = [p, p, ctypes.POINTER(i), cp, i]
    lib.EVP_CipherFinal_ex.restype = i
    lib.EVP_CipherFinal_ex.argtypes = [p, p, ctypes.POINTER(i)]


# --- cryptography.hazmat.primitives.ciphers, the part pdfminer uses -------------------------


class AES:
    name = "AES"
    block_size = 128

    def __init__(self, key: bytes):
        key = bytes(key)
        if len(key) not in (16, 24, 32):
            raise ValueError(f"Invalid key size ({len(key) * 8}) for AES.")
        self.key = key

    @property
    def key_size(self) -> int:
        return len(self.key) * 8


class CBC:
    name = "CBC"

    def __init__(self, initialization_vector: bytes):
        self.initialization_vector = bytes(initialization_vector)

    @property
    def iv(self) -> bytes:  # cryptography's alias
        return self.initialization_vector


class Cipher:
    def __init__(self, algorithm: AES, mode: CBC, backend: object = None):
        if not isinstance(algorithm, AES) or not isinstance(mode, CBC):
            raise ValueError("only AES in CBC mode is available in this build")
        if len(mode.initialization_vector) != BLOCK:
            raise ValueError(f"Invalid IV size ({len(mode.initialization_vector)}) for CBC.")
        self.algorithm = algorithm
        self.mode = mode

    def encryptor(self) -> _Context:
        return _Context(self.algorithm.key, self.mode.initialization_vector, encrypt=True)

    def decryptor(self) -> _Context:
        return _Context(self.algorithm.key, self.mode.initialization_vector, encrypt=False)


class AlreadyFinalized(Exception):
    pass


class _Context:
    """One encryption or decryption: OpenSSL's EVP_CIPHER_CTX with padding off."""

    def __init__(self, key: bytes, iv: bytes, *, encrypt: bool):
        lib = _library()
        cipher = {16: lib.EVP_aes_128_cbc, 24: lib.EVP_aes_192_cbc, 32: lib.EVP_aes_256_cbc}
        self._lib = lib
        self._ctx = lib.EVP_CIPHER_CTX_new()
        if not self._ctx:
            raise MemoryError("OpenSSL could not make a cipher context")
        if (lib.EVP_CipherInit_ex(self._ctx, cipher[len(key)](), None, key, iv, int(encrypt)) != 1
                or lib.EVP_CIPHER_CTX_set_padding(self._ctx, 0) != 1):  # fmt: skip
            self._free()
            raise ValueError("OpenSSL refused the AES key or IV")
        self._pending = 0  # bytes given to update and not yet returned (a partial block)

    def update(self, data: bytes) -> bytes:
        import ctypes

        if self._ctx is None:
            raise AlreadyFinalized("Context was already finalized.")
        data = bytes(data)
        out = ctypes.create_string_buffer(len(data) + BLOCK)
        written = ctypes.c_int(0)
        if self._lib.EVP_CipherUpdate(self._ctx, out, ctypes.byref(written), data, len(data)) != 1:
            raise ValueError("OpenSSL could not process the data")
        self._pending = (self._pending + len(data)) % BLOCK
        return out.raw[: written.value]

    def finalize(self) -> bytes:
        import ctypes

        if self._ctx is None:
            raise AlreadyFinalized("Context was already finalized.")
        try:
            if self._pending:
                raise ValueError("The length of the provided data is not a multiple of the "
                                 "block length.")  # fmt: skip
            out = ctypes.create_string_buffer(BLOCK)
            written = ctypes.c_int(0)
            if self._lib.EVP_CipherFinal_ex(self._ctx, out, ctypes.byref(written)) != 1:
                raise ValueError("OpenSSL could not finish the cipher")
            return out.raw[: written.value]
        finally:
            self._free()

    def _free(self) -> None:
        if self._ctx is not None:
            self._lib.EVP_CIPHER_CTX_free(self._ctx)
            self._ctx = None

    def __del__(self):
        with contextlib.suppress(Exception):  # at interpreter shutdown ctypes may be gone
            self._free()


def default_backend() -> None:
    """cryptography's backends are gone from its API; pdfminer still passes one."""
    return None


# --- importable as cryptography's modules when cryptography is absent -----------------------

_MODULES: dict[str, dict[str, object]] = {
    "cryptography": {},
    "cryptography.hazmat": {},
    "cryptography.hazmat.backends": {"default_backend": default_backend},
    "cryptography.hazmat.primitives": {},
    "cryptography.hazmat.primitives.ciphers": {"Cipher": Cipher},
    "cryptography.hazmat.primitives.ciphers.algorithms": {"AES": AES},
    "cryptography.hazmat.primitives.ciphers.modes": {"CBC": CBC},
    "cryptography.exceptions": {"AlreadyFinalized": AlreadyFinalized},
}
_PACKAGES = {"cryptography", "cryptography.hazmat", "cryptography.hazmat.backends",
             "cryptography.hazmat.primitives", "cryptography.hazmat.primitives.ciphers"}  # fmt: skip


class _Finder:
    """Serves the names above. It sits last on ``sys.meta_path``, so it is asked only
    when no other finder has the real package."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=fullname in _PACKAGES)

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module):
        module.__dict__.update(_MODULES[module.__name__])
        if module.__name__ == "cryptography.hazmat.primitives.ciphers":
            # ``from ...ciphers import algorithms, modes``: the import system sets each
            # submodule as an attribute of this one once it is loaded.
            importlib.import_module(module.__name__ + ".algorithms")
            importlib.import_module(module.__name__ + ".modes")


def install() -> None:
    """Make ``cryptography``'s AES-CBC importable if the real package is not there."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
