"""One customer across partners: how an end customer's spelling is linked to a canonical
customer of the tenant (pure functions; the registry service stores the outcome).

Blocking and name folding are those deal registrations already use (`deals.matching`):
legal forms ("GmbH", "Co., Ltd.", "Công ty TNHH", "株式会社"), accents, case, punctuation
and spacing are folded away, German umlauts are also tried as ae/oe/ue, and candidates
share an index key (whole folded name, distinctive words, consonant skeletons, word pairs).
Here a pair of spellings gets one score, 0-100:

- the best of written-order and word-order-free similarity of the folded names
  (`deals.matching.name_similarity`: "Transports Dubois" = "Dubois Transports");
- the same web domain raises it (a company's domain is its identity online), two
  different real domains lower it;
- two different countries halve it: a customer name in another country is usually
  another company (a subsidiary at best, which is not the same account).

At or above :data:`AUTO_LINK` a spelling is linked without asking; from
:data:`REVIEW` it goes to a CM; below, it becomes a new customer. Thresholds are set
from `bench/customers.py` (precision and recall on a labelled set; docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from deals.matching import (
    company_name_variants,
    domain_key,
    name_keys,
    name_query_keys,
    normalise_company_name,
)

#: Linked automatically from this score: one letter wrong in a long name, another legal
#: form, words swapped, accents dropped still pass; a different word does not.
AUTO_LINK = 90
#: From this score a CM decides (alike names: one word more, a short name with a typo).
REVIEW = 70
SAME_DOMAIN_FLOOR = 95
DIFFERENT_DOMAIN_FACTOR = 0.85
OTHER_COUNTRY_FACTOR = 0.5
#: Names whose folded form is this short are never linked automatically on the name
#: alone: "ABC" and "ABD" are one typo apart and rarely the same company.
SHORT_NAME = 6


@dataclass(frozen=True)
class Spelling:
    name: str
    country: str = ""
    domain: str = ""


def key(name: str) -> str:
    """The folded name, words sorted: equal keys are the same spelling for the registry."""
    return " ".join(sorted(normalise_company_name(name).split()))


def blocking_keys(name: str) -> list[str]:
    """Keys stored for a canonical customer (GIN-indexed array)."""
    return name_keys(name)


def query_keys(name: str) -> list[str]:
    """Keys a new spelling is looked up with (array overlap)."""
    return name_query_keys(name)


#: Long legal forms deals' folding does not strip, as folded words.
LONG_LEGAL_FORMS = (
    "gesellschaft mit beschrankter haftung",
    "gesellschaft mit beschraenkter haftung",
    "societe par actions simplifiee",
    "societe a responsabilite limitee",
    "sociedad anonima",
    "sociedad limitada",
    "societa a responsabilita limitata",
    "societa per azioni",
    "besloten vennootschap",
    "naamloze vennootschap",
    "kabushiki kaisha",
    "ek",  # eingetragener Kaufmann ("e.K.")
)
#: Abbreviations partners write, as folded words -> the word they stand for.
ABBREVIATIONS = {
    "intl": "international",
    "int": "international",
    "mfg": "manufacturing",
    "eng": "engineering",
    "engg": "engineering",
    "svcs": "services",
    "svc": "services",
    "grp": "group",
    "med": "medical",
    "ctr": "center",
    "cntr": "center",
    "constr": "construction",
    "dist": "distribution",
    "mgmt": "management",
    "tech": "technology",
    "sys": "systems",
    "bros": "brothers",
    "assoc": "associates",
    "natl": "national",
}
#: Two words are the same word misspelt from this similarity (one letter wrong in five).
SAME_WORD = 80


@lru_cache(maxsize=65_536)
def forms(name: str) -> frozenset[tuple[str, ...]]:
    """The folded words of a name (plain and German ae/oe/ue spelling), legal forms
    removed and abbreviations written out."""
    found = set()
    for variant in company_name_variants(name or ""):
        text = f" {variant} "
        for form in LONG_LEGAL_FORMS:
            text = text.replace(f" {form} ", " ")
        words = tuple(ABBREVIATIONS.get(word, word) for word in text.split())
        if words:
            found.add(words)
    return frozenset(found)


def _every_word_matched(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Each word of one name has a counterpart in the other (spelling aside): a word
    more or a different word means another company until a person says otherwise."""
    if "".join(left) == "".join(right):
        return True

    def covered(words, others) -> bool:
        return all(any(fuzz.ratio(w, o) >= SAME_WORD for o in others) for w in words)

    return covered(left, right) and covered(right, left)


def name_score(new: str, known: str) -> tuple[int, bool]:
    """(0-100 similarity of two names, whether every word has a counterpart)."""
    best, matched = 0.0, False
    for left in forms(new):
        for right in forms(known):
            a, b = " ".join(left), " ".join(right)
            similarity = max(
                fuzz.ratio(a, b),
                fuzz.token_sort_ratio(a, b),
                fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")),
            )
            every = _every_word_matched(left, right)
            if (similarity, every) > (best, matched):
                best, matched = similarity, every
    return int(round(best)), matched


def score(new: Spelling, known: Spelling) -> int:
    """0-100: how sure we are that two spellings are the same customer."""
    similarity, every_word = name_score(new.name, known.name)
    similarity = float(similarity)
    if not every_word:
        similarity = min(similarity, AUTO_LINK - 1)
    domain_new, domain_known = domain_key(new.domain), domain_key(known.domain)
    if domain_new and domain_known:
        if domain_new == domain_known:
            similarity = max(similarity, SAME_DOMAIN_FLOOR) if similarity >= 50 else similarity
        else:
            similarity *= DIFFERENT_DOMAIN_FACTOR
    country_new, country_known = new.country.upper()[:2], known.country.upper()[:2]
    if country_new and country_known and country_new != country_known:
        similarity *= OTHER_COUNTRY_FACTOR
    return int(round(similarity))


def decide(new: Spelling, known: Spelling) -> tuple[str, int]:
    """("auto" | "review" | "new", score) for a spelling and its best candidate."""
    found = score(new, known)
    short = min(len(key(new.name).replace(" ", "")), len(key(known.name).replace(" ", "")))
    same_domain = bool(domain_key(new.domain)) and domain_key(new.domain) == domain_key(
        known.domain
    )
    if found >= AUTO_LINK and (found == 100 or short >= SHORT_NAME or same_domain):
        return "auto", found
    if found >= REVIEW:
        return "review", found
    return "new", found


def best(new: Spelling, candidates: list[Spelling]) -> tuple[int | None, str, int]:
    """(index of the best candidate or None, decision, score)."""
    ranked = sorted(
        ((decide(new, candidate), i) for i, candidate in enumerate(candidates)),
        key=lambda item: item[0][1],
        reverse=True,
    )
    if not ranked:
        return None, "new", 0
    (decision, found), index = ranked[0]
    return (index if decision != "new" else None), decision, found
