"""Helpers of packaging/tessera.spec that make the bundle smaller (run at build time only)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == ELF_MAGIC
    except OSError:
        return False


def _vendored(dest: str) -> bool:
    """A library that auditwheel copied into a wheel (``numpy.libs/``, ``pyicu_wheels.libs/``):
    patchelf rewrote it, and stripping such a file can leave it unloadable."""
    return any(part.endswith(".libs") for part in Path(dest).parts[:-1])


def strip_symbols(binaries: list, cache: Path) -> list:
    """``binaries`` (PyInstaller's (dest, source, typecode) entries) with each ELF library
    replaced by a copy without its debug information and the symbols no other library
    links against (``strip --strip-unneeded``, as distributions strip the libraries they
    ship: the dynamic symbol table stays, so the library still loads and links, and a
    crash's native backtrace still names its exported functions). Copies are kept in
    ``cache`` and made again only when the source is newer. Without ``strip`` on PATH the
    entries are returned unchanged."""
    strip = shutil.which("strip")
    if strip is None or not sys.platform.startswith("linux"):
        print("slim: no `strip` found; the bundle keeps its debug information", file=sys.stderr)
        return binaries
    out = []
    for dest, source, typecode in binaries:
        src = Path(source)
        if _vendored(dest) or not _is_elf(src):
            out.append((dest, source, typecode))
            continue
        copy = cache / dest
        if not copy.exists() or copy.stat().st_mtime < src.stat().st_mtime:
            copy.parent.mkdir(parents=True, exist_ok=True)
            done = subprocess.run([strip, "--strip-unneeded", "-o", str(copy), str(src)],
                                  capture_output=True, text=True)  # fmt: skip
            if done.returncode != 0:
                copy.unlink(missing_ok=True)
                out.append((dest, source, typecode))
                continue
        out.append((dest, str(copy), typecode))
    return out


# ICU's data library (libicudata) is one table of named items ("CmnD" common data): the
# Unicode properties, normalisation, break rules and dictionaries, and per-locale trees of
# collation, time-zone names, currencies, languages, units... Tessera segments text and
# reorders bidi text (pyicu); Qt sorts file names, maps case and names time zones (its own
# ICU). Each gets back a library with only the items those need.
_LOCALE_RES = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*\.res$")
#: Per tree, what is kept: the root (every locale falls back to it) and English.
_TREE_KEEP = {
    "coll": {"root.res", "en.res", "res_index.res", "ucadata.icu"},
    "zone": {"root.res", "en.res", "res_index.res", "pool.res", "tzdbNames.res"},
}
_LOCALE_KEEP = {"root.res", "en.res", "res_index.res", "pool.res"}


def icu_item_kept(name: str, whole_trees: frozenset[str] = frozenset()) -> bool:
    """Whether the item ``name`` (as in ICU's table, without the package prefix:
    ``coll/root.res``, ``unames.icu``) is kept: the Unicode data, the root and English
    locale data, the root collation, time-zone rules and root/English zone names, and the
    trees in ``whole_trees`` entire (``brkitr``: break rules and dictionaries). Dropped:
    character-set converter tables, other locales' data, and the trees of currencies,
    language and region names, units, transliteration and spelled-out numbers."""
    tree, _, item = name.rpartition("/")
    if not tree:
        if item.endswith(".cnv"):
            return False
        return item in _LOCALE_KEEP or not _LOCALE_RES.match(item)
    if tree in whole_trees:
        return True
    return item in _TREE_KEEP.get(tree, ())


def have_binutils() -> bool:
    """Whether the tools that rebuild a data library are on PATH."""
    return all(shutil.which(t) for t in ("nm", "readelf", "ld", "objcopy"))


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(name)
    return path


def _elf_symbol_bytes(lib: Path, symbol_suffix: str) -> tuple[str, bytes]:
    """(name, contents) of the exported data symbol of ``lib`` whose name ends in
    ``symbol_suffix`` (ICU's ``icudtNN_dat``)."""
    table = subprocess.run([_tool("nm"), "-D", "-S", "--defined-only", str(lib)],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    found = [
        line.split() for line in table.splitlines() if line.split()[-1].endswith(symbol_suffix)
    ]
    if len(found) != 1:
        raise ValueError(f"{lib}: no single symbol *{symbol_suffix}")
    address, size, _, name = found[0]
    address, size = int(address, 16), int(size, 16)
    headers = subprocess.run([_tool("readelf"), "-lW", str(lib)], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    for line in headers.splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            offset, vaddr, filesize = int(f[1], 16), int(f[2], 16), int(f[4], 16)
            if vaddr <= address < vaddr + filesize:
                with lib.open("rb") as data:
                    data.seek(address - vaddr + offset)
                    return name, data.read(size)
    raise ValueError(f"{lib}: {name} is in no loaded segment")


def _icu_subset(common: bytes, keep) -> tuple[bytes, int, int]:
    """ICU common data holding only the items ``keep(name)`` accepts; (data, items kept,
    items in all). Layout as ICU's pkgdata writes it: the header, the table of contents
    (offsets from its start), the names, then each item on a 16-byte boundary."""
    header_size = struct.unpack_from("<H", common, 0)[0]
    if common[2:4] != b"\xda\x27" or common[12:16] != b"CmnD" or common[8] != 0:
        raise ValueError("not little-endian ICU common data")
    toc = common[header_size:]
    count = struct.unpack_from("<I", toc, 0)[0]
    offsets = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_at, data_at) in enumerate(offsets):
        full = toc[name_at : toc.index(b"\0", name_at)]
        end = offsets[i + 1][1] if i + 1 < count else len(toc)
        if keep(full.decode("ascii").split("/", 1)[1]):
            items.append((full, toc[data_at:end]))
    names_at = 4 + 8 * len(items)
    names = b"".join(full + b"\0" for full, _ in items)
    data_at = (names_at + len(names) + 15) & ~15
    entries, blobs, name_offset, data_offset = [], [], names_at, data_at
    for full, blob in items:
        entries.append(struct.pack("<II", name_offset, data_offset))
        name_offset += len(full) + 1
        padded = blob + b"\0" * (-len(blob) % 16)
        blobs.append(padded)
        data_offset += len(padded)
    head = struct.pack("<I", len(items)) + b"".join(entries) + names
    out = common[:header_size] + head + b"\0" * (data_at - len(head)) + b"".join(blobs)
    return out, len(items), count


def slim_icu_data(
    lib: Path, out: Path, whole_trees: frozenset[str] = frozenset()
) -> tuple[int, int]:
    """Write to ``out`` ICU's data library ``lib`` with only the items ``icu_item_kept``
    keeps (same soname, same exported symbol); (items kept, items in all). Needs binutils
    (nm, readelf, ld, objcopy)."""
    symbol, common = _elf_symbol_bytes(lib, "_dat")
    data, kept, total = _icu_subset(common, lambda n: icu_item_kept(n, whole_trees))
    dynamic = subprocess.run([_tool("readelf"), "-dW", str(lib)], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    soname = re.search(r"\(SONAME\)\s+Library soname: \[(.+)\]", dynamic).group(1)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "icudata.bin").write_bytes(data)
        run = {"cwd": tmp, "check": True, "capture_output": True}
        subprocess.run([_tool("ld"), "-r", "-b", "binary", "-o", "data.o", "icudata.bin"], **run)
        subprocess.run([_tool("objcopy"),
                        "--rename-section", ".data=.rodata,alloc,load,readonly,data,contents",
                        "--set-section-alignment", ".rodata=16",
                        "--add-symbol", f"{symbol}=.rodata:0,global,object",
                        "--strip-symbol", "_binary_icudata_bin_start",
                        "--strip-symbol", "_binary_icudata_bin_end",
                        "--strip-symbol", "_binary_icudata_bin_size",
                        "data.o"], **run)  # fmt: skip
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([_tool("ld"), "-shared", "-soname", soname, "-z", "noexecstack",
                        "-o", str(out), "data.o"], **run)  # fmt: skip
    return kept, total


def needed(path: Path) -> list[str]:
    """The libraries an ELF file names as needed (DT_NEEDED)."""
    dynamic = subprocess.run([_tool("readelf"), "-dW", str(path)], capture_output=True,
                             text=True).stdout  # fmt: skip
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+)\]", dynamic)


def only_needed_by(dropped: list, kept: list, loaded_by_name: tuple[str, ...] = ()) -> set[str]:
    """The destinations of the entries in ``kept`` that are there only because an entry
    of ``dropped`` needs them (directly or through each other): nothing else in ``kept``
    needs them, and their names start with none of ``loaded_by_name`` (libraries that
    are opened by name at run time, with dlopen or ctypes, not through DT_NEEDED)."""
    by_name: dict[str, list[str]] = {}
    for dest, _, _ in kept:
        by_name.setdefault(Path(dest).name, []).append(dest)
    source_of = {dest: Path(source) for dest, source, _ in kept}
    cache: dict[Path, list[str]] = {}

    def deps(path: Path) -> list[str]:
        if path not in cache:
            cache[path] = needed(path) if _is_elf(path) else []
        return cache[path]

    def closure(start: list[Path]) -> set[str]:
        seen: set[str] = set()
        stack = [d for p in start for d in deps(p)]
        while stack:
            for dest in by_name.get(stack.pop(), []):
                if dest not in seen:
                    seen.add(dest)
                    stack.extend(deps(source_of[dest]))
        return seen

    pulled = closure([Path(source) for _, source, _ in dropped])
    roots = [source_of[dest] for dest in source_of if dest not in pulled]
    wanted = closure(roots)
    return {d for d in pulled - wanted if not Path(d).name.startswith(loaded_by_name)}


_VENDORED_OPENSSL = re.compile(r"(libssl|libcrypto)-[0-9a-f]{8}\.so\.(\d+)")


def _version_needs(path: Path) -> dict[str, set[str]]:
    """The symbol versions an ELF file needs, by library (``readelf -V``)."""
    out = subprocess.run([_tool("readelf"), "-VW", str(path)], capture_output=True,
                         text=True).stdout  # fmt: skip
    needs: dict[str, set[str]] = {}
    library = None
    for line in out.splitlines():
        file = re.search(r"Version: \d+\s+File: (\S+)", line)
        name = re.search(r"^\s*0x[0-9a-f]+:\s+Name: (\S+)", line)
        if file:
            library = file[1]
            needs.setdefault(library, set())
        elif name and library is not None:
            needs[library].add(name[1])
        elif "Version definition" in line or "Version symbols" in line:
            library = None
    return needs


def _version_defs(path: Path) -> set[str]:
    """The symbol versions an ELF library defines (``readelf -V``)."""
    out = subprocess.run([_tool("readelf"), "-VW", str(path)], capture_output=True,
                         text=True).stdout  # fmt: skip
    return set(re.findall(r"Rev: \d+\s+Flags: (?:none|WEAK)\s+Index: \d+\s+Cnt: \d+\s+Name: (\S+)",
                          out))  # fmt: skip


def share_openssl(binaries: list) -> tuple[list, list]:
    """One OpenSSL in the bundle, not two. Python's ssl and hashlib modules need the
    system's ``libssl.so.3`` and ``libcrypto.so.3`` (kept beside the program), and
    psycopg-binary's libpq brings OpenSSL of the same major version under vendored names
    (``psycopg_binary.libs/libssl-<hash>.so.3``). OpenSSL keeps its ABI within a major
    version, and its symbols carry versions (OPENSSL_3.0.0...): when the vendored
    libraries define every version that the files needing the system's ask for, each
    system library is replaced by a link to its vendored twin, and the process loads one
    OpenSSL. Returns the binaries without the system copies and the links to add to the
    datas, as PyInstaller's (dest, target relative to dest's folder, "SYMLINK") entries.
    Nothing changes when there is no complete, compatible vendored pair."""
    vendored: dict[str, tuple[str, str]] = {}  # "libssl.so.3" -> (dest, source)
    for dest, source, _ in binaries:
        match = _VENDORED_OPENSSL.fullmatch(Path(dest).name)
        if match and _vendored(dest):
            vendored[f"{match[1]}.so.{match[2]}"] = (dest, source)
    system = {Path(d).name: d for d, _, _ in binaries if Path(d).name in vendored
              and not _vendored(d)}  # fmt: skip
    pairs = {name[len("libssl") :] for name in system if name.startswith("libssl")}
    pairs &= {name[len("libcrypto") :] for name in system if name.startswith("libcrypto")}
    if not pairs:
        return binaries, []
    replaced = {f"{lib}{suffix}" for suffix in pairs for lib in ("libssl", "libcrypto")}
    defined = {name: _version_defs(Path(vendored[name][1])) for name in replaced}
    for dest, source, _ in binaries:
        if Path(dest).name in replaced or not _is_elf(Path(source)):
            continue
        for library, versions in _version_needs(Path(source)).items():
            if library in replaced and not versions <= defined[library]:
                print(f"slim: {dest} needs {sorted(versions - defined[library])} of {library}, "
                      "which libpq's OpenSSL lacks: the bundle keeps both", file=sys.stderr)  # fmt: skip
                return binaries, []
    kept = [b for b in binaries if b[0] not in {system[name] for name in replaced}]
    links = [(system[name], os.path.relpath(vendored[name][0], os.path.dirname(system[name]) or "."),
              "SYMLINK") for name in sorted(replaced)]  # fmt: skip
    return kept, links
