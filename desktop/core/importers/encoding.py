"""Turning the bytes of a text file into str: BOMs, UTF-8, UTF-16, and legacy code pages.

Order: a BOM; UTF-16 without a BOM (its NUL bytes fall on every other byte); strict
UTF-8; otherwise a legacy code page, guessed (UTF-16 of Chinese, Japanese or Korean, which
has NUL bytes only at its ASCII, is guessed among them). Detectors (charset-normalizer included)
cannot tell related single-byte code pages apart on short texts: a Windows-1256 Persian
file comes out as Mac Roman, a Windows-1256 Arabic headline as Greek. Every code page
of the 125x family maps its upper half to letters of its own script, so "it decodes"
and "the letters are of one script" do not decide either. We decode with every
candidate and score how each reading reads:

- a word (non-ASCII words only: ASCII reads the same in all of them) is odd when it
  mixes scripts ('cafщ'), carries a symbol or control inside ('gêœl¹'), a mark on no
  letter or on a letter of another script, or a capital after a small letter ('пРИВЕТ',
  'ЗбНСИ': KOI8-R read as Windows-1251, Arabic read as Cyrillic);
- the letters are weighed by how common they are in a language of that script
  (charset-normalizer's letter-frequency tables), so real Hebrew beats the Cyrillic
  letters the same bytes make in Windows-1251.

The best reading wins; when the second best is close, the result says so and names
both, so that the import can tell the user it is unsure. Ties go to the more common
code page (Windows-1252 first); Mac Roman must read clearly better to be chosen, and
Latin-1 is only a last resort (it turns Word's quotes and dashes into C1 controls)."""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from dataclasses import dataclass

from desktop.core.importers.base import ImportFailure

NOT_TEXT = "the file is not text (it looks like binary data)"

_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of binary formats people rename or mis-save as .txt; named in the message.
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive or an Office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc/.xls)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

# Code pages tried, in order of preference on a tie (identical readings are merged into
# the first). Mac Roman last: quotes and dashes alone "read" as Mac Roman letters.
# Windows' supersets (cp950, cp932, cp949) follow their standards: a file in the standard
# reads the same in both, and is named by the standard's name.
CANDIDATES = (
    "cp1252", "cp1250", "cp1251", "cp1256", "cp1255", "cp1253", "cp1254", "koi8_r",
    "koi8_u", "cp1257", "cp874", "gb18030", "big5", "cp950", "shift_jis", "cp932", "euc_jp",
    "euc_kr", "cp949", "mac_roman",
)  # fmt: skip
_HANDICAP = {"mac_roman": 0.3}
# A second reading within this much of the best is named as a possible alternative.
UNSURE_MARGIN = 0.15
_SAMPLE_CHARS = 100_000
# C0 and C1 controls but tab, newlines and form feed; private-use characters (Mac Roman's
# Apple logo): what no text has in a reading that is right.
_BINARY = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")
_SAMPLE_WORDS = 2_000  # non-ASCII words: plenty to judge by, quick on a 50 MB file
_EDGE_PUNCTUATION = ".,;:!?()[]{}\"'«»‹›“”„‘’‚–—…-*_/<>|"
_IN_WORD = frozenset("’‘·–—…\u2010\u2011\u00ad\u200c\u200d")  # it’s, col·lecció, ZWNJ, dash—joined
_EDGE_SYMBOLS = frozenset("°%‰§©®™")
# Words end at spaces and at ASCII punctuation that never joins a word (markup, commas),
# and at the ideographic and full-width punctuation of Chinese, Japanese and Korean: that
# text has no spaces, so its commas and full stops are what end its runs of letters (as
# do the circled numbers and signs that start its list items).
_TOKEN_BREAK = re.compile(
    r"[\s<>()\[\]{}\"=/\\,;:!?|*_+#@~^`"
    "\u3000-\u3003\u3008-\u3011\u3014-\u301f\u30fb"  # 、。「」『』【】〔〕〜・ ...
    "\uff01\uff08\uff09\uff0c\uff0e\uff1a\uff1b\uff1f\uff3b\uff3d\uff5b\uff5d\uff5e"  # ！（），．：；？［］｛｝～
    "\u2460-\u24ff\u2776-\u2793\u3200-\u32ff"  # list numbers and signs: ① ❶ ㈱ ㊤
    "]+"
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, how, and how sure we are."""

    text: str
    encoding: str  # a Python codec name
    guessed: bool = False  # not UTF-8/16/32 with a BOM, nor chosen by the user
    alternative: str | None = None  # a close second guess, when unsure
    chosen: bool = False  # the user named the encoding
    others: tuple[str, ...] = ()  # the next best guesses, best first

    @property
    def unicode(self) -> bool:
        return self.encoding.startswith("utf")

    def note(self) -> str | None:
        """What the user should be told about the encoding, or None for plain Unicode."""
        label = encoding_label(self.encoding)
        if self.chosen:
            return f"read as {label}, as chosen"
        if self.encoding in ("utf-8", "utf-8-sig") or (self.unicode and not self.guessed):
            return None
        if self.unicode:
            return f"read as {label} (the file has no byte order mark)"
        note = f"not UTF-8; read as {label}"
        if self.alternative:
            note += (
                f", but unsure: it may be {encoding_label(self.alternative)}"
                " (choose the encoding if the text looks wrong)"
            )
        return note


def binary_kind(data: bytes) -> str | None:
    """What binary format the bytes look like, or None if they may be text."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return None


def _looks_binary(text: str) -> bool:
    """Control characters (other than tab, newlines, form feed) mean binary data."""
    sample = text[:65536]
    if not sample:
        return False
    controls = len(_BINARY.findall(sample))
    # Random bytes are ~12% controls; a stray one or two in a real text are not binary.
    return controls > 2 and controls / len(sample) > 0.005


def _not_text(data: bytes) -> ImportFailure:
    kind = binary_kind(data)
    if kind:
        return ImportFailure(f"{NOT_TEXT[:-1]}: {kind})")
    return ImportFailure(NOT_TEXT)


def normal_encoding(name: str) -> str:
    """The codec name for an encoding the user typed ('Windows-1256', 'KOI8-R').

    Raises LookupError with the name if Python has no such codec."""
    try:
        info = codecs.lookup(name.strip())
    except LookupError:
        raise LookupError(f"unknown encoding {name!r} (e.g. cp1256, koi8-r, utf-16)") from None
    return info.name


def detect_decode(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text file; returns (text, encoding name).

    Raises ImportFailure if the bytes are binary data rather than text."""
    decoded = decode_text(data)
    return decoded.text, decoded.encoding


def decode_text(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode bytes of a text file, with `encoding` if the user chose one (a BOM still
    wins: it cannot be wrong), else guessed. Raises ImportFailure for binary data or
    bytes that are not valid in the chosen encoding."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(name)
            except UnicodeDecodeError:
                raise _not_text(data) from None
            if _looks_binary(text):
                raise _not_text(data)
            return Decoded(text, name)

    if encoding is not None:
        return _decode_chosen(data, normal_encoding(encoding))

    if binary_kind(data):
        raise _not_text(data)
    if b"\x00" in data[:65536]:
        # (Chinese, Japanese or Korean in UTF-16 has a NUL only where there is ASCII)
        utf16 = _utf16_without_bom(data) or _utf16_by_its_letters(data)
        if utf16 is None:
            raise _not_text(data)
        return utf16

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_binary(text):
            raise _not_text(data)
        return Decoded(text, "utf-8")

    return _decode_legacy(data)


def _decode_chosen(data: bytes, encoding: str) -> Decoded:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise ImportFailure(
            f"the file is not valid {encoding_label(encoding)}: byte 0x{bad} at position "
            f"{exc.start} has no meaning in it (choose another encoding)"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return Decoded(text, encoding, chosen=True)


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 without a BOM: its text has NUL bytes on one side of every pair (the high
    byte of ASCII, or the low byte of U+0600, U+0400...), the other side has few."""
    sample = data[:65536]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if nul_odd >= 0.05 and nul_even <= 0.01:
        encoding = "utf-16-le"
    elif nul_even >= 0.05 and nul_odd <= 0.01:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data[: len(data) - len(data) % 2].decode(encoding)
    except UnicodeDecodeError:
        return None
    if len(data) % 2 or _looks_binary(text) or "\x00" in text:
        return None
    # The letters must read as words of one script, like any text would.
    words, odd, _plausible = _reading(text)
    if words and odd / words > 0.3:
        return None
    return Decoded(text, encoding, guessed=True)


def _utf16_by_its_letters(data: bytes) -> Decoded | None:
    """UTF-16 without a BOM whose NUL bytes are too few to tell (a text of Chinese,
    Japanese or Korean has them only at its line breaks): read if its letters read as
    well as a code page's would (see _score)."""
    if len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for encoding in _UTF16:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text or _looks_binary(text):
            continue
        score = _score(text, encoding)
        if score > 0 and (best is None or score > best[0]):
            best = (score, encoding, text)
    return Decoded(best[2], best[1], guessed=True) if best else None


@functools.lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    if ch.isascii():
        return "LATIN"
    return unicodedata.name(ch, "?").split(" ", 1)[0]


# Scripts one word is written in together: Japanese words are kanji and kana ('停戦協議が',
# 'コーヒー'). (Korean today writes hanja apart: hangul beside hanja in one word is a
# misreading.)
_WRITES_WITH = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "KATAKANA-HIRAGANA": "CJK"}


def _odd_word(core: str) -> bool:
    """Does a (non-ASCII) word read as no word of any language would? See the module
    docstring for what counts."""
    scripts: set[str] = set()
    letter_script = ""
    prev_lower = False
    last = len(core) - 1
    for i, ch in enumerate(core):
        cat = unicodedata.category(ch)
        if cat[0] == "L":
            script = _script(ch)
            if script == "HALFWIDTH":  # half-width katakana: Shift-JIS misreadings
                return True
            scripts.add(_WRITES_WITH.get(script, script))
            if ch.isupper() and prev_lower:
                return True
            prev_lower = ch.islower()
            letter_script = script
        elif cat[0] == "M":
            # a mark belongs on a letter of its own script (Thai tone marks on 'é' do not)
            if not letter_script or (letter_script != _script(ch) and not ch.isascii()
                                     and unicodedata.name(ch, "").split(" ", 1)[0] != "COMBINING"):  # fmt: skip
                return True
        elif cat == "Nd" or ch in _IN_WORD:
            if cat == "Nd" and not ch.isascii():  # Thai '๑' in 'se๑or' is no Latin digit
                scripts.add(
                    _script(ch).replace("EXTENDED", "ARABIC").replace("ARABIC-INDIC", "ARABIC")
                )
            prev_lower = False
            letter_script = ""
        elif ch.isascii():
            if 0 < i < last:
                prev_lower = False
                letter_script = ""
        elif (i == 0 or i == last) and (cat == "Sc" or ch in _EDGE_SYMBOLS):
            continue
        else:
            return True
    if len(scripts) > 1:
        return True
    return len(core) >= 3 and letter_script in _VOWELS and not _has_vowel(core, letter_script)


# Alphabets that write vowels: a long word without one is a misreading ('дфсчъ' is Hebrew
# read as Windows-1251). Abjads (Arabic, Hebrew) and syllabaries are not checked.
_VOWELS = {
    "LATIN": frozenset("aeiouyæœøå"),
    "CYRILLIC": frozenset("аеёиоуыэюяіїєў"),
    "GREEK": frozenset("αεηιουω"),
}


def _has_vowel(word: str, script: str) -> bool:
    vowels = _VOWELS[script]
    return any(ch in vowels for ch in unicodedata.normalize("NFD", word.lower()))


def _language_weights() -> list[dict[str, float]]:
    from charset_normalizer.constant import FREQUENCIES

    tables = []
    for language, letters in FREQUENCIES.items():
        weights = {
            ch: 1.0 - 0.5 * rank / len(letters)
            for rank, ch in enumerate(letters)
            if not ch.isascii()
        }
        if language == "Farsi":  # Persian in Windows-1256 has Arabic yeh and kaf
            weights.setdefault("\u064a", weights.get("\u06cc", 0.0))
            weights.setdefault("\u0643", weights.get("\u06a9", 0.0))
        if weights:
            tables.append(weights)
    return tables


_WEIGHTS: list[dict[str, float]] = []
# The tables list each language's 26 commonest letters: a Latin text's accented letters
# ('ï', 'ç') are mostly beyond them, and a real letter is still a letter.
_UNLISTED = 0.25


def _plausibility(letters: list[str]) -> float:
    """How common these (non-ASCII, lower-case) letters are in the language of the
    script they best fit: 1 for the commonest letters, less for rarer ones."""
    if not letters:
        return 0.75  # only quotes, dashes and symbols: as plausible as common letters
    if not _WEIGHTS:
        _WEIGHTS.extend(_language_weights())
    counts: dict[str, int] = {}
    for ch in letters:
        counts[ch] = counts.get(ch, 0) + 1
    best = max(
        sum(weights.get(ch, _UNLISTED) * n for ch, n in counts.items()) for weights in _WEIGHTS
    )
    return best / len(letters)


def _reading(text: str) -> tuple[int, int, float]:
    """(non-ASCII words, odd ones among them, plausibility of their letters)."""
    words = odd = upper = cased = 0
    letters: list[str] = []
    for token in _TOKEN_BREAK.split(text[:_SAMPLE_CHARS]):
        core = token.strip(_EDGE_PUNCTUATION)
        if core.isascii():
            continue
        # Only words with a foreign letter, or misread, say anything: '€5' and 'it’s'
        # read the same in every code page and would only dilute the share of odd words.
        is_odd = _odd_word(core)
        if not is_odd and all(ch.isascii() or not ch.isalpha() for ch in core):
            continue
        words += 1
        odd += is_odd
        letters.extend(ch.lower() for ch in core if not ch.isascii() and ch.isalpha())
        if any(ch.isalpha() and ch.lower() != ch.upper() for ch in core):
            cased += 1
            upper += len(core) > 1 and core.isupper()
        if words >= _SAMPLE_WORDS:
            break
    plausible = _plausibility(letters)
    # Every word in capitals is what a code page of the wrong case half makes (Hebrew
    # read as KOI8-R); real text has some lower case.
    if cased >= 3 and upper == cased:
        plausible -= 0.15
    return words, odd, plausible


# UTF-16 without a BOM and with few NUL bytes (a text of Chinese, Japanese or Korean,
# whose letters all lie above U+00FF) competes with the code pages, scored like them:
# any pair of bytes is a code point, so it must read as well as one of those would
# ('Bush hid the facts' is ASCII, read before any guess).
_UTF16 = ("utf-16-le", "utf-16-be")
_MULTI_BYTE = frozenset({"gb18030", "big5", "cp950", "shift_jis", "cp932", "euc_jp", "euc_kr",
                         "cp949", *_UTF16})  # fmt: skip
# A handful of bytes make one or two Chinese or Japanese characters in any reading that
# the frequency tables may happen to list ('Ça' is 'ド' in Big5): ask for more than that.
_MIN_CJK_LETTERS = 6


# Chinese code pages hold the Japanese kana, but Chinese text has next to none: a Chinese
# reading whose letters are kana is Western or Japanese bytes misread ('Ça' in
# Windows-1252 is a katakana in Big5)
_CHINESE = frozenset({"gb18030", "big5", "cp950"})


def _is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff"


def _score(text: str, encoding: str) -> float:
    words, odd, plausible = _reading(text)
    kana_share = 0.0
    if encoding in _MULTI_BYTE:
        letters = [ch for ch in text[:_SAMPLE_CHARS] if not ch.isascii() and ch.isalpha()]
        if len(letters) < _MIN_CJK_LETTERS:
            return -1.0
        if encoding in _CHINESE:
            kana_share = sum(map(_is_kana, letters)) / len(letters)
    controls = len(_CONTROLS.findall(text, 0, _SAMPLE_CHARS))
    oddness = 2 * odd / words if words else 0.0  # a misread word weighs more than rare letters
    return plausible - oddness - 2 * kana_share - controls - _HANDICAP.get(encoding, 0.0)


def guess_code_page(sample: bytes) -> Decoded | None:
    """The legacy code page a sample of non-UTF-8 text reads best in, as ``decode_text``
    guesses it (UTF-16 aside), or None when no code page reads it as words (most of its
    words are misreadings in every one): bytes that are not text in any of them. The
    sample should end at a line break, not inside a character."""
    try:
        decoded = _decode_legacy(sample, utf16=False)
    except ImportFailure:
        return None
    words, odd, _ = _reading(decoded.text)
    if decoded.encoding == "latin_1" or (words and odd / words > 0.5):
        return None
    return decoded


def _decode_legacy(data: bytes, *, utf16: bool = True) -> Decoded:
    readings: list[tuple[float, int, str, str]] = []
    seen: set[str] = set()
    candidates = CANDIDATES + (_UTF16 if utf16 and len(data) % 2 == 0 else ())
    for rank, encoding in enumerate(candidates):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text in seen or _looks_binary(text):
            continue
        seen.add(text)
        readings.append((_score(text, encoding), rank, encoding, text))
    if not readings:
        text = data.decode("latin_1")
        if _looks_binary(text):
            raise _not_text(data)
        return Decoded(text, "latin_1", guessed=True)
    readings.sort(key=lambda r: (-r[0], r[1]))
    best_score, _, encoding, text = readings[0]
    alternative = None
    if len(readings) > 1 and best_score - readings[1][0] < UNSURE_MARGIN:
        alternative = readings[1][2]
    others = tuple(r[2] for r in readings[1:4])
    return Decoded(text, encoding, guessed=True, alternative=alternative, others=others)


def guesses(data: bytes) -> list[str]:
    """The code pages a legacy file reads best in, best first (for a choice offered to
    the user); empty for Unicode files."""
    decoded = decode_text(data)
    if not decoded.guessed or decoded.unicode:
        return []
    return [decoded.encoding, *decoded.others]


_LABELS = {
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1252": "Windows-1252 (Western European)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1255": "Windows-1255 (Hebrew)",
    "cp1256": "Windows-1256 (Arabic, Persian, Urdu)",
    "cp1257": "Windows-1257 (Baltic)",
    "cp1258": "Windows-1258 (Vietnamese)",
    "cp874": "Windows-874 (Thai)",
    "koi8-r": "KOI8-R (Russian)",
    "koi8_r": "KOI8-R (Russian)",
    "koi8-u": "KOI8-U (Ukrainian)",
    "koi8_u": "KOI8-U (Ukrainian)",
    "gb18030": "GB18030 (Simplified Chinese)",
    "big5": "Big5 (Traditional Chinese)",
    "big5hkscs": "Big5-HKSCS (Traditional Chinese)",
    "cp950": "Windows-950 (Traditional Chinese, Big5 with Microsoft's additions)",
    "shift_jis": "Shift JIS (Japanese)",
    "cp932": "Windows-932 (Japanese, Shift JIS with Microsoft's additions)",
    "euc_jp": "EUC-JP (Japanese)",
    "euc_kr": "EUC-KR (Korean)",
    "cp949": "Windows-949 (Korean, EUC-KR with Microsoft's additions)",
    "iso8859-15": "ISO-8859-15 (Western European)",
    "iso8859_15": "ISO-8859-15 (Western European)",
    "latin-1": "ISO-8859-1 (Latin-1)",
    "iso8859-1": "ISO-8859-1 (Latin-1)",
    "latin_1": "ISO-8859-1 (Latin-1)",
    "mac-roman": "Mac Roman",
    "mac_roman": "Mac Roman",
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 little-endian",
    "utf-16-be": "UTF-16 big-endian",
    "utf-32-le": "UTF-32 little-endian",
    "utf-32-be": "UTF-32 big-endian",
}


def encoding_label(encoding: str) -> str:
    """A name for an encoding that a user recognises ('Windows-1256 (Arabic, ...)')."""
    return _LABELS.get(encoding, _LABELS.get(encoding.replace("-", "_"), encoding))
