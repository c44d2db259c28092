"""Channel-conflict matching: is a new deal registration about a customer someone already has?

Pure Python on purpose (no Django settings, no database): the rules a channel manager has
to trust are easiest to read, test and benchmark when they are plain functions over small
dataclasses. The Django layer (``deals.services`` / ``deals.conflicts``) fetches candidates,
turns model rows into :class:`Registration` values, calls :func:`score_conflict` and stores
the score and the reasons.

How a conflict is judged
========================
Two questions, multiplied together:

1. *Is it the same customer?* ("identity", 0-100) from the web / e-mail domain and a fuzzy
   score of the normalised company name (legal forms, accents, punctuation and case
   removed). Two signals that agree make it certain; a name match in another country is
   down-weighted, because "Blue Harbor Logistics" in Australia is usually not the one in the
   US. Free-mail domains (gmail.com ...) say nothing about the customer and are ignored.
2. *Is it the same opportunity?* Product overlap and how far apart the registrations are in
   time scale the identity down; a vendor's direct account has neither, and then only
   identity counts (the vendor owns the account whatever is sold).

Every factor that moves the score adds a :class:`Reason`, so the CM reads *why*
("same domain blue-harbor.com", "name 94% similar", "2 of 3 products overlap",
"registered 12 days apart"). Reasons are English ``%``-format templates plus parameters,
marked with ``gettext_noop`` so ``makemessages`` extracts them; the Django layer renders
them in the reader's language with :meth:`Reason.render`.

Candidate retrieval (PostgreSQL, core only - no pg_trgm in the embedded server)
==============================================================================
Scoring is cheap; reading 200,000 open registrations is not. The database narrows them to
at most MAX_CANDIDATES rows with indexes every PostgreSQL has, and Python scores only those.
Each registration and direct account stores derived columns, written by the service that
saves it (never taken from a form; migration 0004 recomputes them when these rules change):

* ``customer_domain_key`` - :func:`domain_key` of the website / e-mail ('' for free mail or
  none); a **btree** index.
* ``customer_name_keys`` (``text[]``) - :func:`name_keys`: the whole name without spaces
  (and, for longer names, with one word left out), distinctive words, consonant skeletons
  and skeleton *pairs* of distinctive words (so "Harbour"/"Harbor" and "Müller"/"Mueller"
  share keys); a **GIN** index with ``fastupdate`` off.
* ``customer_name_forms`` (``text[]``) - :func:`company_name_variants`, handed back to
  :class:`Registration` so candidates are not normalised again on every check.

The new registration is looked up with :func:`name_query_keys` - pairs of words and whole-
name keys rather than single words for multi-word names, because one common word ("blue",
"minh") is shared with thousands of rows and is no evidence. The candidate query
(``deals.conflicts.candidate_deals``)::

    SELECT id, customer_name, customer_domain_key, customer_country, customer_name_forms,
           submitted_at, created_at, product_ids          -- product_ids: kept from the lines
    FROM deals_deal
    WHERE status IN ('submitted', 'more_information', 'approved')   -- open only
      AND NOT partner_id = %(partner_id)s                           -- own deals never conflict
      AND (status = 'approved'                                      -- protected: any age
           OR submitted_at >= %(window_start)s)                     -- CANDIDATE_WINDOW_DAYS
      AND (customer_name_keys && %(query_keys)s                     -- GIN
           OR customer_domain_key = %(domain_key)s)                 -- btree; only if not ''
    ORDER BY (customer_domain_key = %(domain_key)s) DESC,
             (customer_name_keys && %(exact_name_keys)s) DESC,       -- the very same name
             cardinality(ARRAY(SELECT unnest(customer_name_keys)
                               INTERSECT SELECT unnest(%(query_keys)s))) DESC,
             submitted_at DESC
    LIMIT 100                                                       -- MAX_CANDIDATES

PostgreSQL answers the ``OR`` with a BitmapOr of the two indexes; the ranking in ``ORDER
BY`` runs only over rows that share a key. Two lessons from ``bench/conflicts.py``: a
partial index on the open statuses was never used (the ORM's ``status = ANY(text[])`` does
not provably imply the index's cast varchar array predicate), and a GIN index with the
default ``fastupdate`` scans its pending list of recent rows on every lookup (20 ms at
20,000 rows). The same query shape, without partner and window, runs on direct accounts.

Measured (bench/conflicts.py, 200,000 open registrations with 500,000 lines, PostgreSQL 15,
2 cores shared with other test runs, load average about 7.5): a full check - both queries
and the scoring - takes 7 ms at the median, 23 ms at the 95th percentile, 33 ms at worst;
99 of 100 respelled customers are found, none of 100 unknown ones. Of 300 registered names
each given one random typo, 297 are found (the misses lost a word's first letter).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import TypeVar
from urllib.parse import urlsplit

import tldextract
from rapidfuzz import fuzz

# ---------------------------------------------------------------------------------------------
# Thresholds. Scores are 0-100; every constant says what evidence it stands for.
# ---------------------------------------------------------------------------------------------

#: A conflict at or above this is stored and shown to the CM as "possible". Below it the pair
#: is noise: showing it would teach CMs to ignore the conflict list.
REPORT_THRESHOLD = 40
#: At or above this the CM sees "likely conflict": the same customer and the same deal, or
#: close to it. The review queue sorts these first.
LIKELY_THRESHOLD = 75

#: Name similarity (rapidfuzz, 0-100, on normalised names) from which two names are taken to
#: be the same company on their own. Spelling variants of the same name ("Harbor"/"Harbour",
#: one typo in 20 letters) score 90-98; different companies sharing one word rarely pass 80.
NAME_MATCH_SIMILARITY = 85
#: Between this and NAME_MATCH_SIMILARITY names are alike but not the same ("Minh Phát" /
#: "Minh Phát Long" are usually two companies): counted at WEAK_NAME_WEIGHT, which keeps
#: even 84 % under REPORT_THRESHOLD - an alike name is no conflict on its own, only the
#: reason shown next to a shared or related domain.
NAME_HINT_SIMILARITY = 70
WEAK_NAME_WEIGHT = 0.45
#: Names are also compared on their *core* - without generic words - because partners add or
#: drop descriptors ("Blue Harbor" / "Blue Harbour Logistics"). A core match is weaker than a
#: full one, hence the discount; and the core must be long enough not to be a mere initial.
CORE_NAME_DISCOUNT = 0.9
CORE_NAME_MIN_CHARS = 6

#: The same non-free-mail domain is near proof of the same customer (a company's domain is
#: its identity online); not 100 because groups share domains across subsidiaries.
SAME_DOMAIN_IDENTITY = 90
#: Same domain label under another suffix (blue-harbor.com / blue-harbor.de): usually the same
#: group, less often a squatter.
RELATED_DOMAIN_IDENTITY = 75
#: Both sides name a domain and they differ: a name match is then somewhat less convincing.
DIFFERENT_DOMAIN_FACTOR = 0.85

#: Same name, different countries, no shared domain: mostly different companies that happen
#: to share a name, so the score is halved (and the reason says so).
OTHER_COUNTRY_FACTOR = 0.5
#: Same domain, different countries: usually one multinational buying in two places - still
#: the same customer, a little less likely the same deal.
OTHER_COUNTRY_SAME_DOMAIN_FACTOR = 0.85

#: Both sides list products and none is shared: the same customer but probably a different
#: deal. Not zero: the CM should still know another partner works this account.
NO_PRODUCT_OVERLAP_FACTOR = 0.6
#: With partial overlap the factor rises linearly from this to 1.0 at full overlap.
PARTIAL_PRODUCT_OVERLAP_FLOOR = 0.8

#: Registrations this close in time are treated as competing for the same opportunity.
SAME_TIME_DAYS = 30
#: Beyond SAME_TIME_DAYS the factor falls linearly to FAR_APART_FACTOR at FAR_APART_DAYS and
#: stays there: a deal registered half a year earlier is often an older, separate project.
FAR_APART_DAYS = 180
FAR_APART_FACTOR = 0.8

#: How far back open, not yet approved registrations are fetched as candidates (approved ones
#: are candidates while protected). A year covers long enterprise sales cycles.
CANDIDATE_WINDOW_DAYS = 365
#: Upper bound of candidates fetched per check, best-ranked first (same domain, then most
#: shared keys); keeps a check fast even when a name shares a key with thousands of rows.
#: A customer with more than this many open look-alike registrations is flagged anyway.
MAX_CANDIDATES = 100

# ---------------------------------------------------------------------------------------------
# Company names
# ---------------------------------------------------------------------------------------------

# Letters that Unicode does not decompose into base letter + accent, mapped to what a person
# typing without the accent would write. "đ" matters most: Vietnamese names are often typed
# without diacritics ("Đông Á" -> "Dong A").
_SPECIAL_LETTERS = str.maketrans(
    {
        "đ": "d",
        "ð": "d",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
    }
)
# German writes umlauts as ae/oe/ue without the dots ("Mueller" for "Müller"); names are
# compared in both spellings.
_GERMAN_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})

# Legal forms written inside CJK names without spaces; removed as substrings. NFKC has
# already turned ㈱ into (株) and full-width brackets into ASCII ones.
_CJK_LEGAL_FORMS = (
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "(株)",
    "(有)",
    "(同)",
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "公司",
    "주식회사",
    "(주)",
    "유한회사",
)

# Legal forms as token sequences *after* normalisation (lower case, accents and dots
# removed: "S.A." -> "sa", "Co., Ltd." -> "co ltd", "Công ty TNHH" -> "cong ty tnhh").
# Stripped repeatedly from the end, and those in _LEGAL_PREFIXES also from the start, so
# compounds ("gmbh co kg", "co ltd", "cong ty tnhh mot thanh vien") fall away piece by piece.
_LEGAL_FORMS_TEXT = """
    inc incorporated llc llp lp ltd limited co company corp corporation plc pty pte
    gmbh mbh ag kg ohg ug haftungsbeschrankt ev kgaa aktiengesellschaft se
    sarl sas sasu sa sca snc eurl
    sl slu sll srl spa sapa
    bv nv vof cv ltda eireli
    oy oyj ab as asa aps
    kk yk gk
    jsc ojsc pjsc cjsc ooo zao oao pao
    sro spzoo kft zrt nyrt doo
    bhd sdn tbk pt
    tnhh mtv cty ctcp dntn
"""
# Forms of several words. Their words are *not* forms on their own: "thành" (in "một thành
# viên") and "phát" are everyday name syllables ("Thành Đạt"), "cong" starts "Công nghệ".
_LEGAL_PHRASES = (
    ("co", "ltd"),
    ("joint", "stock", "company"),
    ("joint", "stock"),
    ("cong", "ty"),
    ("co", "phan"),
    ("mot", "thanh", "vien"),
    ("doanh", "nghiep", "tu", "nhan"),
    ("sp", "z", "oo"),
    ("sp", "zoo"),
    ("sa", "de", "cv"),
    ("s", "de", "rl"),
    ("kabushiki", "kaisha"),
    ("societe", "anonyme"),
    ("sociedad", "limitada"),
)
_LEGAL_SEQUENCES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        {*((token,) for token in _LEGAL_FORMS_TEXT.split()), *_LEGAL_PHRASES},
        key=len,
        reverse=True,  # longest first, so "co ltd" wins over "ltd"
    )
)
# Only these also occur in front of the name ("PT Telkom", "Công ty TNHH Minh Phát",
# "CTCP Đông Á", "The Blue Harbor Company").
_LEGAL_PREFIXES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        {
            ("the",),
            ("pt",),
            ("cong", "ty"),
            ("cty",),
            ("ctcp",),
            ("tnhh",),
            ("mtv",),
            ("co", "phan"),
            ("mot", "thanh", "vien"),
            ("dntn",),
            ("doanh", "nghiep", "tu", "nhan"),
            ("kk",),
            ("ooo",),
            ("zao",),
            ("oao",),
            ("pao",),
        },
        key=len,
        reverse=True,
    )
)

# Connectors dropped so "Smith & Sons" equals "Smith and Sons" and "Smith und Söhne".
_CONNECTORS = frozenset({"and", "und", "et", "the"})

# Words too common in company names to find candidates by: a name sharing only these with
# another says nothing. They stay in the normalised name (the fuzzy score sees them), they are
# just not index keys. Vietnamese words appear syllable by syllable ("thuong mai" = trading).
_GENERIC_WORDS = frozenset(
    """
    logistics logistic solutions solution services service systems system technology
    technologies tech group holding holdings international intl global trading trade
    consulting consultants software digital networks network industries industry
    enterprises enterprise partners management worldwide investment development
    construction manufacturing engineering distribution supply electronics electric
    energy media marketing capital finance financial securities bank insurance
    healthcare medical pharma foods food retail products product import export
    center centre asia pacific europe america vietnam japan germany
    gesellschaft handel technik maschinenbau vertrieb logistik elektro bau systemhaus
    informatik
    thuong mai dich vu xay dung cong nghe dau tu san xuat giai phap ky thuat trien
    viet nam quoc te tap doan xuat nhap khau
    """.split()
)

_DOTS = re.compile(r"\.")
_NON_WORD = re.compile(r"[\W_]+")
_VOWELS_AND_Y = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
_LATIN_LIMIT = 0x0250  # combining marks after letters below this are accents, not kana marks


def _fold(name: str, *, german: bool = False) -> str:
    """Case-fold, transliterate and strip accents from Latin letters; keep other scripts."""
    text = unicodedata.normalize("NFKC", name).casefold()
    if german:
        text = text.translate(_GERMAN_UMLAUTS)
    text = text.translate(_SPECIAL_LETTERS)
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            # Drop accents on Latin letters ("é", "ư", "ệ"); keep marks that change the letter
            # in other scripts (Japanese dakuten: "ガ" is not "カ").
            if kept and ord(kept[-1]) < _LATIN_LIMIT:
                continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _strip_cjk_legal_forms(text: str) -> str:
    for form in _CJK_LEGAL_FORMS:
        text = text.replace(form, " ")
    return text


def _strip_sequences(tokens: list[str]) -> list[str]:
    """Remove legal forms at the end (and known prefixes at the start) until none is left."""
    changed = True
    while changed and tokens:
        changed = False
        for seq in _LEGAL_SEQUENCES:
            if len(seq) < len(tokens) and tuple(tokens[-len(seq) :]) == seq:
                tokens = tokens[: -len(seq)]
                changed = True
                break
        for seq in _LEGAL_PREFIXES:
            if len(seq) < len(tokens) and tuple(tokens[: len(seq)]) == seq:
                tokens = tokens[len(seq) :]
                changed = True
                break
    return tokens


def _name_tokens_of(name: str, *, german: bool = False) -> list[str]:
    text = _fold(name, german=german)
    text = _strip_cjk_legal_forms(text)
    # Dots go without a space so abbreviations survive as one token: "S.A." -> "sa",
    # "K.K." -> "kk", "Co.,Ltd." -> "co ltd".
    text = _NON_WORD.sub(" ", _DOTS.sub("", text))
    tokens = [token for token in text.split() if token not in _CONNECTORS] or text.split()
    # Never strip a name down to nothing: a company called "AG" stays "ag".
    return _strip_sequences(tokens)


def normalise_company_name(name: str) -> str:
    """Company name reduced to what identifies the company, for comparing and display.

    >>> normalise_company_name("Công ty TNHH Minh Phát")
    'minh phat'
    >>> normalise_company_name("Minh Phat Co., Ltd.")
    'minh phat'
    >>> normalise_company_name("Müller Maschinenbau GmbH & Co. KG")
    'muller maschinenbau'
    """
    return " ".join(_name_tokens_of(name or ""))


# Pure functions of a string, cached: a conflict check normalises the same candidate names
# and domains again and again (bench/conflicts.py), and a bounded cache costs a few MB.
@lru_cache(maxsize=65_536)
def company_name_variants(name: str) -> frozenset[str]:
    """The normalised name and, if it has umlauts, its German ae/oe/ue spelling."""
    plain = normalise_company_name(name)
    german = " ".join(_name_tokens_of(name or "", german=True))
    return frozenset({plain, german} - {""})


def _skeleton(token: str) -> str:
    """First letter plus consonants, doubles collapsed: harbour/harbor -> hrbr."""
    return _REPEATS.sub(r"\1", token[0] + _VOWELS_AND_Y.sub("", token[1:]))


#: Tokens shorter than this are not index keys (initials and stray letters match everything).
MIN_KEY_TOKEN_CHARS = 2
#: Single-word consonant skeletons only for words at least this long: on short words they
#: collide too often ("minh", "manh", "mình" -> "mnh") to narrow anything down on their own.
#: Inside a *pair* key they are fine - two skeletons together are rare.
MIN_SKELETON_TOKEN_CHARS = 5
#: Pair keys are built from the first this-many words: names longer than that are rare and
#: the first words carry the identity.
MAX_PAIR_WORDS = 5


def _distinctive(tokens: list[str]) -> list[str]:
    distinctive = [
        token
        for token in tokens
        if len(token) >= MIN_KEY_TOKEN_CHARS and token not in _GENERIC_WORDS
    ]
    # A name made only of generic words ("Global Solutions") still needs keys.
    return distinctive or tokens


def name_tokens(name: str) -> list[str]:
    """Distinctive words of the normalised name, in order (generic words left out)."""
    return _distinctive(normalise_company_name(name).split())


def _loose(word: str) -> str:
    """A spelling-tolerant form: the consonant skeleton of longer Latin words, else the word.

    Short words keep their letters: the skeletons of Vietnamese syllables collapse too far
    ("hà", "hải", "hậu", "huệ" are all "h") and made pair keys match thousands of rows.
    """
    if len(word) >= MIN_SKELETON_TOKEN_CHARS and word.isascii() and word.isalpha():
        return _skeleton(word)
    return word


def _pair_keys(tokens: list[str]) -> set[str]:
    """Unordered pairs of words in loose form ("bl+hrbr").

    Pairs of distinctive words when the name has two or more; otherwise its one distinctive
    word paired with the generic ones ("hrbr+lgstcs"). A generic word in a pair of a richer
    name would match every "Xây dựng ... Sơn" and make the candidate set large.
    """
    words = tokens[:MAX_PAIR_WORDS]
    distinctive = [word for word in words if word not in _GENERIC_WORDS]
    if len(distinctive) >= 2:
        words = distinctive
    pairs = set()
    for i, first in enumerate(words):
        for second in words[i + 1 :]:
            if first in _GENERIC_WORDS and second in _GENERIC_WORDS:
                continue
            pairs.add("+".join(sorted((_loose(first), _loose(second)))))
    return pairs


def _initial_pair_keys(tokens: list[str]) -> set[str]:
    """For two-word names: each word's skeleton with the other's first letter ("bckr+h*").

    A two-word name has a single pair key, so one typo ("Becker Hadel") would lose it;
    this looser key survives a typo anywhere but in the first letter of the other word.
    """
    if len(tokens) != 2:
        return set()
    first, second = tokens
    return {f"{_loose(first)}+{second[0]}*", f"{_loose(second)}+{first[0]}*"}


def _drop_one(tokens: list[str]) -> set[str]:
    """The name with any one word left out, for names of three to MAX_PAIR_WORDS words.

    Only where two or more words remain: a one-word remainder ("handel" of "Schröder
    Handel") would be shared by every "... Handel" and make the lookup broad.
    """
    if not 3 <= len(tokens) <= MAX_PAIR_WORDS:
        return set()
    return {"".join(tokens[:i] + tokens[i + 1 :]) for i in range(len(tokens))}


def _stored_whole_keys(tokens: list[str]) -> set[str]:
    """``=blueharborlogistics`` (the whole name) and ``-harborlogistics`` (one word left out).

    With :func:`_queried_whole_keys` these let names that differ by one added or dropped
    word ("Harbor Logistics" / "Blue Harbor Logistics") meet on a precise key, whichever was
    registered first; the two prefixes keep an exact whole-name match distinguishable, so
    it ranks first among candidates.
    """
    return {"=" + "".join(tokens)} | {"-" + rest for rest in _drop_one(tokens)}


def _queried_whole_keys(tokens: list[str]) -> set[str]:
    whole = "".join(tokens)
    keys = {"=" + whole, "-" + whole}  # the same name; a name of one more word
    for rest in _drop_one(tokens):
        keys.add("=" + rest)  # a name of one word fewer
        keys.add("-" + rest)  # one word different: a typo in it, or another word
    return keys


def exact_name_keys(name: str) -> list[str]:
    """The whole-name keys of ``name``: a candidate holding one has exactly this name."""
    return sorted("=" + variant.replace(" ", "") for variant in company_name_variants(name))


def _skeleton_keys(words: list[str]) -> set[str]:
    return {
        "~" + _loose(word)
        for word in words
        if len(word) >= MIN_SKELETON_TOKEN_CHARS and word.isascii() and word.isalpha()
    }


def name_keys(name: str) -> list[str]:
    """Index keys stored for a registration or account (a GIN-indexed ``text[]`` column).

    * ``=blueharborlogistics`` - the whole normalised name without spaces ("MinhPhat" =
      "Minh Phat"), and ``-harborlogistics``, the same with one word left out (see
      ``_stored_whole_keys``);
    * ``harbor`` - each distinctive word, and ``~hrbr`` - the consonant skeleton of longer
      ones, so a one-word probe ("Siemens", "Harbour") finds longer names containing it;
    * ``bl+hrbr`` - pairs of words in skeleton form, so a probe of several words finds
      names sharing two of them whatever the spelling ("Harbour"/"Harbor",
      "Müller"/"Mueller" both give ``mlr``).

    Every variant of the name (plain and German ae/oe/ue spelling) contributes.
    """
    keys: set[str] = set()
    for variant in company_name_variants(name):
        tokens = variant.split()
        words = _distinctive(tokens)
        keys.update(words)
        keys.update(_stored_whole_keys(tokens))
        keys.update(_skeleton_keys(words))
        long_tokens = [token for token in tokens if len(token) >= MIN_KEY_TOKEN_CHARS]
        keys.update(_pair_keys(long_tokens))
        keys.update(_initial_pair_keys(long_tokens))
    return sorted(keys)


def name_query_keys(name: str) -> list[str]:
    """Keys to look up candidates for a new registration with ``&&`` (array overlap).

    A name of two or more words is looked up by its word pairs and its whole-name keys;
    never by one common word ("blue", "minh"), which thousands of rows share and which is
    no evidence: it would make the candidate set - and the check - large. A one-word name
    has no pairs and is looked up by its word and skeleton too.
    """
    keys: set[str] = set()
    for variant in company_name_variants(name):
        all_tokens = variant.split()
        tokens = [token for token in all_tokens if len(token) >= MIN_KEY_TOKEN_CHARS]
        tokens = tokens or all_tokens
        keys.update(_queried_whole_keys(all_tokens))
        if len(tokens) >= 2:
            keys.update(_pair_keys(tokens))
            keys.update(_initial_pair_keys(tokens))
            keys.update("=" + token for token in tokens)
        else:
            keys.update(tokens)
            keys.update(_skeleton_keys(tokens))
    return sorted(keys)


def name_similarity(left: str, right: str) -> int:
    """0-100 similarity of two company names (raw, not yet normalised)."""
    return _similarity_of_variants(company_name_variants(left), company_name_variants(right))


@lru_cache(maxsize=65_536)
def _core(normalised: str) -> tuple[str, frozenset[str]]:
    """The name without generic words, and the generic words it had."""
    words = normalised.split()
    core = " ".join(word for word in words if word not in _GENERIC_WORDS)
    return core, frozenset(word for word in words if word in _GENERIC_WORDS)


def _similarity_of_variants(left: Collection[str], right: Collection[str]) -> int:
    best = 0.0
    for a in left:
        core_a, generic_a = _core(a)
        for b in right:
            # Written order (a typo in a first letter reorders sorted words), sorted order
            # (words swapped) and without spaces ("SilverPoint", "thuongmai").
            score = max(
                fuzz.ratio(a, b),
                fuzz.token_sort_ratio(a, b),
                fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")),
            )
            core_b, generic_b = _core(b)
            # The core counts when one name only adds or drops descriptors ("Blue Harbor" /
            # "Blue Harbor Logistics"), not when their descriptors differ: "Blue Harbor
            # Hotels" is not "Blue Harbor Logistics", a trading "Minh Phát" not a builder.
            compatible = generic_a <= generic_b or generic_b <= generic_a
            if (
                compatible
                and (core_a != a or core_b != b)
                and min(len(core_a), len(core_b)) >= CORE_NAME_MIN_CHARS
            ):
                score = max(score, fuzz.token_sort_ratio(core_a, core_b) * CORE_NAME_DISCOUNT)
            best = max(best, score)
    return int(round(best))


# ---------------------------------------------------------------------------------------------
# Domains
# ---------------------------------------------------------------------------------------------

#: Mailbox providers anyone can sign up to: sharing one proves nothing about the customer.
FREE_MAIL_DOMAINS = frozenset(
    """
    gmail.com googlemail.com outlook.com hotmail.com hotmail.co.uk hotmail.fr hotmail.de
    hotmail.it live.com live.co.uk msn.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de
    yahoo.co.jp yahoo.com.vn ymail.com rocketmail.com aol.com icloud.com me.com mac.com
    proton.me protonmail.com pm.me zoho.com mail.com gmx.de gmx.net gmx.at gmx.ch web.de
    t-online.de freenet.de orange.fr wanadoo.fr free.fr laposte.net sfr.fr libero.it
    mail.ru yandex.ru yandex.com qq.com 163.com 126.com sina.com naver.com daum.net
    hanmail.net fpt.vn vnn.vn docomo.ne.jp ezweb.ne.jp outlook.jp tutanota.com fastmail.com
    """.split()
)

# Registrable domains come from the public suffix list (tldextract's bundled snapshot, never
# fetched at run time), including its private section: shops on blue-harbor.myshopify.com
# and redwood.myshopify.com are two customers, not one "myshopify.com".
_PUBLIC_SUFFIXES = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)
_VALID_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_WWW = re.compile(r"^www\d*\.")


def normalise_domain(value: str) -> str:
    """Registrable host from a URL, an e-mail address or a bare domain; '' if none.

    >>> normalise_domain("https://www.Blue-Harbor.com:8443/contact?x=1")
    'blue-harbor.com'
    >>> normalise_domain("mailto:Ana@sales.blue-harbor.co.uk")
    'blue-harbor.co.uk'

    Free-mail hosts are returned like any other; use :func:`domain_key` for evidence.
    """
    text = (value or "").strip().lower()
    if not text:
        return ""
    if text.startswith("mailto:"):
        text = text[len("mailto:") :]
    if "://" in text:
        host = urlsplit(text).hostname or ""
    else:
        host = re.split(r"[/?#\s]", text, maxsplit=1)[0]
        host = host.rsplit("@", 1)[-1]  # e-mail address -> its domain
        host = host.split(":", 1)[0]  # port
    host = _WWW.sub("", host.strip(".").strip())
    try:
        host = host.encode("idna").decode("ascii")  # bücher.de == xn--bcher-kva.de
    except UnicodeError:
        return ""
    if not _VALID_HOST.match(host):
        return ""
    return _registrable(host)


def _registrable(host: str) -> str:
    """blue-harbor.co.uk from sales.blue-harbor.co.uk; a host under no known suffix (an
    intranet name) keeps its last two labels."""
    registrable = _PUBLIC_SUFFIXES(host).top_domain_under_public_suffix
    return registrable or ".".join(host.split(".")[-2:])


def is_free_mail(domain: str) -> bool:
    """True for mailbox providers (gmail.com, ...), whose users are not one company."""
    return domain in FREE_MAIL_DOMAINS


@lru_cache(maxsize=65_536)
def domain_key(value: str) -> str:
    """:func:`normalise_domain`, or '' where the domain is no evidence (free mail, none)."""
    domain = normalise_domain(value)
    return "" if is_free_mail(domain) else domain


def _domain_label(domain: str) -> str:
    """The name part of a registrable domain: blue-harbor.co.uk -> blue-harbor."""
    return domain.split(".", 1)[0]


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """What matching needs to know about a deal registration or a direct account.

    ``domain`` may be a URL, an e-mail address or a bare domain (or an already normalised
    :func:`domain_key`). ``products`` holds any hashable product identity (catalogue ids or
    SKUs) - empty when unknown, as for a vendor's direct account. ``registered_on`` is the
    submission date, if any.
    """

    company_name: str
    domain: str = ""
    country: str = ""
    products: frozenset[Hashable] = field(default_factory=frozenset)
    registered_on: date | None = None
    #: :func:`company_name_variants` stored with the row: passing them saves normalising
    #: every candidate again during a check (most of the cost of scoring).
    name_forms: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def name_variants(self) -> frozenset[str]:
        return self.name_forms or company_name_variants(self.company_name)

    @cached_property
    def domain_key(self) -> str:
        return domain_key(self.domain)

    @cached_property
    def country_code(self) -> str:
        return (self.country or "").strip().upper()


@dataclass(frozen=True)
class Reason:
    """One plain-language piece of evidence: a translatable template and its parameters.

    ``code`` is stable (for tests, filters and icons); ``template`` is English with
    ``%(name)s`` placeholders; where the wording depends on a number, ``plural_template``
    is the English form for ``count`` other than one.

    Both forms are catalogue entries of their own (``gettext_noop`` cannot mark plural
    pairs), so the English form is chosen by ``count`` and then translated. That is exact
    for English and Vietnamese (one form); a language with several plural forms would need
    ``ngettext`` entries instead.
    """

    code: str
    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    plural_template: str = ""
    count: int | None = None

    def render(self, gettext: Callable[[str], str] = lambda message: message) -> str:
        """The reason as text; pass Django's ``gettext`` to translate it."""
        template = self.template
        if self.plural_template and self.count is not None and self.count != 1:
            template = self.plural_template
        return gettext(template) % dict(self.params)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Conflict:
    """A scored candidate conflict: 0-100 and the reasons (identity first, then the deal)."""

    score: int
    reasons: tuple[Reason, ...]
    name_similarity: int
    same_domain: bool
    shared_products: int
    days_apart: int | None

    @property
    def is_likely(self) -> bool:
        return self.score >= LIKELY_THRESHOLD

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    def explain(self) -> list[str]:
        """Reasons rendered in English (tests, logs, the benchmark)."""
        return [reason.render() for reason in self.reasons]


def gettext_noop(message: str) -> str:
    """Mark a string for ``makemessages`` (which looks for this name) without translating.

    Django's own ``gettext_noop`` reads settings, and this module must import without them.
    """
    return message


# Reason templates, marked for makemessages. Keep wording short: they are shown as a list.
SAME_DOMAIN = gettext_noop("same domain %(domain)s")
RELATED_DOMAINS = gettext_noop("related domains %(new)s and %(existing)s")
DIFFERENT_DOMAINS = gettext_noop("different domains %(new)s and %(existing)s")
NAME_SIMILAR = gettext_noop("name %(similarity)d%% similar")
NAME_DIFFERENT = gettext_noop("names differ (%(similarity)d%% similar)")
OTHER_COUNTRY = gettext_noop(
    "different countries (%(new)s, %(existing)s): possibly another company with the same name"
)
OTHER_COUNTRY_SAME_DOMAIN = gettext_noop("different countries (%(new)s, %(existing)s)")
PRODUCTS_OVERLAP = gettext_noop("%(shared)d of %(total)d product overlaps")
PRODUCTS_OVERLAP_PLURAL = gettext_noop("%(shared)d of %(total)d products overlap")
NO_PRODUCT_OVERLAP = gettext_noop("no products in common")
REGISTERED_APART = gettext_noop("registered %(days)d day apart")
REGISTERED_APART_PLURAL = gettext_noop("registered %(days)d days apart")
REGISTERED_SAME_DAY = gettext_noop("registered on the same day")


def score_conflict(new: Registration, existing: Registration) -> Conflict | None:
    """Score how likely ``existing`` is the same customer and deal as ``new``.

    Returns ``None`` below REPORT_THRESHOLD or when there is no identity evidence at all.
    """
    reasons: list[Reason] = []
    similarity = _similarity_of_variants(new.name_variants, existing.name_variants)

    # 1. Same customer? ------------------------------------------------------------------
    new_domain, old_domain = new.domain_key, existing.domain_key
    same_domain = bool(new_domain) and new_domain == old_domain
    related_domain = (
        not same_domain
        and bool(new_domain and old_domain)
        and _domain_label(new_domain) == _domain_label(old_domain)
    )
    names_match = similarity >= NAME_MATCH_SIMILARITY

    if same_domain:
        reasons.append(Reason("same_domain", SAME_DOMAIN, {"domain": new_domain}))
        # Two independent signals agreeing leave no doubt.
        identity = 100.0 if names_match else float(SAME_DOMAIN_IDENTITY)
    elif related_domain:
        reasons.append(
            Reason("related_domains", RELATED_DOMAINS, {"new": new_domain, "existing": old_domain})
        )
        identity = float(max(similarity if names_match else 0, RELATED_DOMAIN_IDENTITY))
    elif names_match:
        identity = float(similarity)
    elif similarity >= NAME_HINT_SIMILARITY:
        identity = similarity * WEAK_NAME_WEIGHT
    else:
        return None  # neither domain nor name points at the same customer

    if similarity >= NAME_HINT_SIMILARITY:
        reasons.append(Reason("name_similar", NAME_SIMILAR, {"similarity": similarity}))
    else:
        reasons.append(Reason("name_different", NAME_DIFFERENT, {"similarity": similarity}))

    if new_domain and old_domain and not (same_domain or related_domain):
        identity *= DIFFERENT_DOMAIN_FACTOR
        reasons.append(
            Reason(
                "different_domains", DIFFERENT_DOMAINS, {"new": new_domain, "existing": old_domain}
            )
        )

    new_country, old_country = new.country_code, existing.country_code
    if new_country and old_country and new_country != old_country:
        params = {"new": new_country, "existing": old_country}
        if same_domain or related_domain:
            identity *= OTHER_COUNTRY_SAME_DOMAIN_FACTOR
            reasons.append(Reason("other_country", OTHER_COUNTRY_SAME_DOMAIN, params))
        else:
            identity *= OTHER_COUNTRY_FACTOR
            reasons.append(Reason("other_country_same_name", OTHER_COUNTRY, params))

    # 2. Same opportunity? ---------------------------------------------------------------
    opportunity = 1.0
    shared = len(new.products & existing.products)
    if new.products and existing.products:
        total = len(new.products)
        if shared == 0:
            opportunity *= NO_PRODUCT_OVERLAP_FACTOR
            reasons.append(Reason("no_product_overlap", NO_PRODUCT_OVERLAP))
        else:
            overlap = shared / total
            opportunity *= (
                PARTIAL_PRODUCT_OVERLAP_FLOOR + (1 - PARTIAL_PRODUCT_OVERLAP_FLOOR) * overlap
            )
            reasons.append(
                Reason(
                    "product_overlap",
                    PRODUCTS_OVERLAP,
                    {"shared": shared, "total": total},
                    plural_template=PRODUCTS_OVERLAP_PLURAL,
                    count=total,
                )
            )

    days_apart: int | None = None
    if new.registered_on and existing.registered_on:
        days_apart = abs((new.registered_on - existing.registered_on).days)
        opportunity *= _time_factor(days_apart)
        if days_apart == 0:
            reasons.append(Reason("registered_apart", REGISTERED_SAME_DAY, {"days": 0}))
        else:
            reasons.append(
                Reason(
                    "registered_apart",
                    REGISTERED_APART,
                    {"days": days_apart},
                    plural_template=REGISTERED_APART_PLURAL,
                    count=days_apart,
                )
            )

    score = int(round(min(100.0, identity * opportunity)))
    if score < REPORT_THRESHOLD:
        return None
    return Conflict(
        score=score,
        reasons=tuple(reasons),
        name_similarity=similarity,
        same_domain=same_domain,
        shared_products=shared,
        days_apart=days_apart,
    )


Ref = TypeVar("Ref")


def _time_factor(days_apart: int) -> float:
    if days_apart <= SAME_TIME_DAYS:
        return 1.0
    if days_apart >= FAR_APART_DAYS:
        return FAR_APART_FACTOR
    progress = (days_apart - SAME_TIME_DAYS) / (FAR_APART_DAYS - SAME_TIME_DAYS)
    return 1.0 - (1.0 - FAR_APART_FACTOR) * progress


def rank_conflicts(
    new: Registration, candidates: Iterable[tuple[Ref, Registration]]
) -> list[tuple[Ref, Conflict]]:
    """Score each ``(ref, registration)`` candidate; keep conflicts, highest score first."""
    found = []
    for ref, candidate in candidates:
        conflict = score_conflict(new, candidate)
        if conflict is not None:
            found.append((ref, conflict))
    found.sort(key=lambda pair: pair[1].score, reverse=True)
    return found
