"""Text folding shared by header matching, total-row detection and value lookups.

`fold()` makes the forms partners actually type compare equal: case, accents (including
Vietnamese "đ", which Unicode does not decompose), full-width characters, punctuation
and the many spellings of "number" ("No.", "Nr", "#", "N°").
"""

import re
import unicodedata
from functools import lru_cache

from .vocabulary import CURRENCY_SYMBOLS, ISO_CURRENCIES

_PUNCTUATION = re.compile(r"[\s_\-./:;,()\[\]{}'\"*!?+=|\\<>~`^&@%]+")
_NUMBER_WORDS = {"#", "no", "nr", "n°", "n", "num", "number", "numero", "nummer", "nro", "nbr"}
_ABBREVIATIONS = {
    "inv": "invoice",
    "qty": "quantity",
    "amt": "amount",
    "cust": "customer",
    "ext": "extended",
    "ccy": "currency",
    "curr": "currency",
    "prod": "product",
    "dt": "date",
}
# "(VND)", "[EUR]", "in USD", "- EUR" at the end of a header name its currency.
_HEADER_CURRENCY = re.compile(
    r"[\(\[]\s*(?P<bracketed>[^\)\]]{1,6}?)\s*[\)\]]|(?:\bin\s+|\s-\s*|\s)(?P<trailing>[A-Z]{3})\s*$"
)


def strip_accents(text: str) -> str:
    """Remove diacritics from Latin letters; leave other scripts untouched."""
    text = text.replace("đ", "d").replace("Đ", "D").replace("ß", "ss").replace("ø", "o")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=65_536)  # report columns repeat their values; folding is not free
def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a label, words kept apart."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = strip_accents(text)
    words = []
    for word in _PUNCTUATION.sub(" ", text.replace("#", " no ")).split():
        if word in _NUMBER_WORDS:
            word = "no"
        words.append(_ABBREVIATIONS.get(word, word))
    return " ".join(words)


def fold_compact(text: str) -> str:
    """`fold()` without spaces, for scripts that do not separate words (Japanese)."""
    return fold(text).replace(" ", "")


def currency_from_token(token: str | None) -> str | None:
    """ISO code for a currency code or symbol as written in a cell or header, else None."""
    if not token:
        return None
    token = unicodedata.normalize("NFKC", token).strip().rstrip(".")
    upper = token.upper()
    if upper in ISO_CURRENCIES:
        return upper
    return (
        CURRENCY_SYMBOLS.get(token)
        or CURRENCY_SYMBOLS.get(upper)
        or (CURRENCY_SYMBOLS.get(upper + "."))
    )


def split_header_currency(header: str) -> tuple[str, str | None]:
    """("Đơn giá (VND)") -> ("Đơn giá", "VND"): the header without its currency, and it."""
    header = unicodedata.normalize("NFKC", str(header)).strip()
    for match in _HEADER_CURRENCY.finditer(header):
        token = match.group("bracketed") or match.group("trailing")
        code = currency_from_token(token)
        if code:
            cleaned = (header[: match.start()] + header[match.end() :]).strip(" -")
            return cleaned or header, code
    return header, None


def normalise_header_for_signature(header: str) -> str:
    """Stable form of one header for the signature: exact words, no cosmetic differences."""
    header = unicodedata.normalize("NFKC", str(header)).casefold()
    return " ".join(header.split())
