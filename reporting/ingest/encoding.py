"""Text encoding detection and streaming transcoding to UTF-8.

Order of evidence, strongest first:
1. a byte-order mark (UTF-8, UTF-16 and UTF-32 as Excel's "Unicode text" writes them);
2. UTF-16 without a BOM, recognised by its NUL byte pattern;
3. the partner's saved encoding, unless the file is valid UTF-8 with non-ASCII text (a
   cp1252 file practically never forms valid multi-byte UTF-8, so the file has changed);
4. validity as UTF-8 over the *whole* file (a cp1252 byte on row 90,000 must not slip by);
5. Shift-JIS/cp932 when it decodes cleanly and reads as Japanese;
6. cp1252 when the text it decodes to looks like a Western language: charset-normalizer
   has been seen to call cp1252 and latin-1 German files cp1250 and silently turn "ñ"
   into "ń", so it is only asked when cp1252 is implausible;
7. charset-normalizer's best guess; latin-1 as the last resort (it decodes any byte).
"""

import codecs
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .errors import UploadRefused

SAMPLE_BYTES = 1 << 20
BLOCK_BYTES = 8 << 20

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]")
# Characters a Western European text in cp1252 plausibly contains beyond ASCII.
_WESTERN = set(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŒœŠšŽžŸ"
    "€£¥§©®°±²³µ·¹º»«¼½¾¿¡–—‘’‚“”„…•™×÷¢¤¦¨¬¯´¸ƒ†‡ˆ‰‹›˜\u00a0"
)
_LEGACY_NAMES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "windows-1252": "cp1252",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
}


@dataclass(frozen=True)
class EncodingGuess:
    """The encoding chosen for a text file, how many BOM bytes to skip, and why."""

    name: str
    bom_length: int
    reason: str
    certain: bool


def canonical_encoding(name: str) -> str:
    """Python codec name for what users and tools call an encoding ("Shift-JIS" -> cp932)."""
    cleaned = name.strip().lower().replace("_", "-")
    if cleaned in _LEGACY_NAMES:
        return _LEGACY_NAMES[cleaned]
    try:
        return codecs.lookup(cleaned).name
    except LookupError as error:
        raise UploadRefused("unknown_encoding", encoding=name) from error


def utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit in every other position, as in UTF-16."""
    probe = sample[: 4096 - (len(sample[:4096]) % 2)]
    if len(probe) < 4:
        return None
    even_nuls = probe[0::2].count(0) / (len(probe) / 2)
    odd_nuls = probe[1::2].count(0) / (len(probe) / 2)
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _first_invalid_utf8(path: Path, start: int) -> int | None:
    """Byte offset of the first invalid UTF-8 sequence in the file, or None if valid.

    Most files are valid: `_valid_utf8` says so at a fifth of the decoder's cost (it
    only validates, where decoding builds the text); the decoder finds the offset of
    what is not.
    """
    if _valid_utf8(path, start):
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = start
    with path.open("rb") as handle:
        handle.seek(start)
        while block := handle.read(BLOCK_BYTES):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return offset + error.start
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return offset + error.start
    return None


def _valid_utf8(path: Path, start: int) -> bool:
    """True when the file is valid UTF-8 from `start` (polars' validator, in Rust)."""
    pending = b""  # a character cut by the end of the block before
    with path.open("rb") as handle:
        handle.seek(start)
        while block := handle.read(BLOCK_BYTES):
            data = pending + block
            cut = len(data)
            # Back to the start of the last character (at most 4 bytes back), which
            # goes with the next block: continuation bytes are 0b10xxxxxx.
            while cut > max(0, len(data) - 4) and data[cut - 1] & 0xC0 == 0x80:
                cut -= 1
            cut = max(0, cut - 1) if cut and data[cut - 1] >= 0xC0 else cut
            if not _valid_utf8_bytes(data[:cut]):
                return False
            pending = data[cut:]
    return _valid_utf8_bytes(pending)


def _valid_utf8_bytes(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:  # any doubt: the decoder decides
        return False
    return True


def looks_japanese(text: str) -> bool:
    """True when `text` (decoded as cp932) reads as Japanese rather than as mojibake.

    Western cp1252 bytes decoded as cp932 turn into half-width katakana (0xA1-0xDF:
    "ß", "Ä", "Ü") and kanji wedged inside Latin words ("B蛯kerei"); real Japanese
    text has neither in any quantity.
    """
    japanese = half_width = embedded = 0
    non_ascii = 0
    for position, char in enumerate(text):
        if ord(char) <= 127:
            continue
        non_ascii += 1
        if "\uff61" <= char <= "\uff9f":
            half_width += 1
        elif _JAPANESE.match(char):
            japanese += 1
            before = text[position - 1] if position else " "
            after = text[position + 1] if position + 1 < len(text) else " "
            if before.isascii() and before.isalpha() and after.isascii() and after.isalpha():
                embedded += 1
    if japanese < 2 or japanese < 0.6 * non_ascii:
        return False
    return half_width <= 0.2 * (japanese + half_width) and embedded <= 0.2 * japanese


def looks_western(text: str) -> bool:
    """True when the non-ASCII characters of `text` are those Western languages use.

    Cyrillic or Greek decoded as cp1252 gives words made almost entirely of accented
    letters ("Ïðîäàæè"); German, French or Spanish have a few accents among plain letters.
    """
    non_ascii = [char for char in text if ord(char) > 127]
    if not non_ascii:
        return True
    if sum(1 for char in non_ascii if char not in _WESTERN) > 0.05 * len(non_ascii):
        return False
    words = re.findall(r"[^\W\d_]{3,}", text)
    accented_words = [word for word in words if any(ord(char) > 127 for char in word)]
    if not accented_words:
        return True
    heavy = sum(
        1 for word in accented_words if sum(ord(char) > 127 for char in word) > len(word) / 2
    )
    return heavy <= 0.25 * len(accented_words)


def _decodes(sample: bytes, encoding: str) -> str | None:
    try:
        return sample.decode(encoding)
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the sample's end is not an error.
        if error.start >= len(sample) - 4 and error.reason.startswith("unexpected end"):
            return sample[: error.start].decode(encoding, errors="strict")
        return None


def _line_of(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1


def detect_encoding(path: Path, override: str | None = None) -> EncodingGuess:
    """Decide how the text file at `path` is encoded (see the module docstring)."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    for bom, name in BOMS:
        if sample.startswith(bom):
            return EncodingGuess(name, len(bom), "byte-order mark", True)
    utf16 = utf16_without_bom(sample)
    if utf16:
        return EncodingGuess(utf16, 0, "UTF-16 byte pattern", True)
    if b"\x00" in sample:
        raise UploadRefused("nul_bytes")

    invalid_at = _first_invalid_utf8(path, 0)
    has_non_ascii = any(byte > 127 for byte in sample) or invalid_at is not None
    if override:
        encoding = canonical_encoding(override)
        if invalid_at is None and has_non_ascii and encoding not in ("utf-8", "ascii"):
            return EncodingGuess(
                "utf-8", 0, f"valid UTF-8 text (the saved encoding {override} was not used)", True
            )
        if encoding == "utf-8" and invalid_at is not None:
            raise UploadRefused(
                "wrong_encoding", encoding=override, line=_line_of(path, invalid_at)
            )
        if _decodes(sample, encoding) is None:
            raise UploadRefused("wrong_encoding", encoding=override, line=1)
        return EncodingGuess(encoding, 0, "the partner's saved encoding", True)
    if invalid_at is None:
        return EncodingGuess("utf-8", 0, "valid UTF-8 text", True)

    japanese = _decodes(sample, "cp932")
    if japanese is not None and looks_japanese(japanese):
        return EncodingGuess("cp932", 0, "decodes as Japanese Shift-JIS", True)
    western = _decodes(sample, "cp1252")
    if western is not None and looks_western(western):
        return EncodingGuess("cp1252", 0, "Western European text (Windows-1252)", False)

    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is not None and best.encoding:
        name = canonical_encoding(best.encoding)
        return EncodingGuess(name, 0, f"statistical guess ({name})", False)
    if western is not None:
        return EncodingGuess("cp1252", 0, "Windows-1252 (no better guess)", False)
    return EncodingGuess("latin-1", 0, "Latin-1 (no better guess)", False)


# Japanese code pages put the yen sign at byte 0x5C, where Python's codecs (and ASCII)
# read a backslash; Japanese Windows shows "¥". So "\\1,200" is read as a person there reads
# it: "¥1,200" (only right before a digit; a backslash elsewhere stays one).
_YEN_ENCODINGS = {"shift_jis", "cp932", "euc_jp", "iso2022_jp"}
_YEN_BACKSLASH = re.compile(r"\\(?=\d)")


def _as_seen(text: str, encoding: str) -> str:
    if encoding in _YEN_ENCODINGS and "\\" in text:
        return _YEN_BACKSLASH.sub("¥", text)
    return text


def decode_sample(path: Path, guess: EncodingGuess, max_bytes: int = SAMPLE_BYTES) -> str:
    """The first `max_bytes` of the file as text, cut at a whole character."""
    with path.open("rb") as handle:
        handle.seek(guess.bom_length)
        raw = handle.read(max_bytes)
    decoder = codecs.getincrementaldecoder(guess.name)(errors="replace")
    return _as_seen(decoder.decode(raw, final=len(raw) < max_bytes), guess.name)


def iter_utf8_blocks(
    path: Path, guess: EncodingGuess, block_bytes: int = BLOCK_BYTES
) -> Iterator[tuple[bytes, int]]:
    """Yield (UTF-8 bytes, source bytes consumed so far) blocks of the whole file.

    UTF-8 files are passed through untouched (no decode cost on the hot path); anything
    else is transcoded block by block, so memory stays flat however large the file is.
    Bytes that do not decode become U+FFFD and surface as row errors, never a crash.
    """
    with path.open("rb") as handle:
        handle.seek(guess.bom_length)
        consumed = guess.bom_length
        if guess.name in ("utf-8", "ascii"):
            while block := handle.read(block_bytes):
                consumed += len(block)
                yield block, consumed
            return
        decoder = codecs.getincrementaldecoder(guess.name)(errors="replace")
        while block := handle.read(block_bytes):
            consumed += len(block)
            yield _as_seen(decoder.decode(block), guess.name).encode("utf-8"), consumed
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail.encode("utf-8"), consumed


def is_printable_text(text: str) -> bool:
    """False when decoded text is mostly control characters (a binary file in disguise)."""
    if not text:
        return True
    controls = sum(
        1
        for char in text[:65536]
        if unicodedata.category(char) == "Cc" and char not in "\r\n\t\x0c"
    )
    return controls <= 0.01 * min(len(text), 65536)
