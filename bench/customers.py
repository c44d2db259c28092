"""Customer linking: precision and recall on a generated, labelled set of name pairs.

    .venv/bin/python bench/customers.py > bench/results/customers.json

Builds a universe of distinct companies in eight languages (English, German, French,
Spanish, Italian, Dutch, Vietnamese, Japanese), each with a country and, for some, a web
domain. Then labelled pairs:

* **same customer** (positives): a company and a partner's respelling of it, with one to
  three of: another or no legal form ("GmbH" / "Gesellschaft mit beschränkter Haftung",
  "Co., Ltd." / "Công ty TNHH" / "TNHH", "K.K." / "Kabushiki Kaisha" / "株式会社"),
  accents dropped or umlauts written ae/oe/ue, upper or lower case, abbreviations
  ("International" -> "Intl", "&" / "and"), words in another order, one typo (a letter
  dropped, doubled, swapped or replaced, not the first), punctuation and spacing; the
  country left empty on one side sometimes, the domain given on both sides sometimes;
* **different customers** (negatives): a company and the most similar *other* company
  of the universe that the registry's blocking would put in front of the matcher (the
  candidate sharing most index keys): same descriptor and legal form, a shared word, a
  surname one letter apart, the same name in another country.

Each pair is decided by `reporting.quality.customers.decide` (auto link / review / new).
Precision and recall are for automatic links; the share sent to review is reported too,
and the blocking recall (a positive whose spelling shares no index key would never be
scored). Pure Python, no database. Exits 1 if precision < 0.99 or recall < 0.95.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reporting.quality.customers import Spelling, blocking_keys, decide, query_keys  # noqa: E402

SURNAMES = {
    "en": "Smith Johnson Harper Whitaker Bradley Fletcher Caldwell Holloway Pemberton "
    "Ashford Redwood Kingsley Thornton Blackwell Sterling Hartley Langford Winslow "
    "Prescott Hawthorne Carver Donovan Mercer Radcliffe Sutton Wexford Brennan Calloway",
    "de": "Müller Schröder Becker Schäfer Köhler Weiß Hoffmann Krüger Böhm Wagner Fuchs "
    "Lehmann Jäger Vogel Günther Schmitz Bäcker Kühn Möller Meyer Mayer Zimmermann "
    "Braun Hübner Walther Franke Löffler Pfeiffer",
    "fr": "Dubois Lefèvre Moreau Girard Rousseau Fontaine Chevalier Mercier Gauthier "
    "Bonnet Lambert Faure Rivière Garnier Boucher Dupré Lemaître Perrin Renaud Brunet "
    "Gérard Aubert Delacroix Bérenger Marchand Pelletier",
    "es": "García Martínez Rodríguez Fernández López Sánchez Pérez Gómez Díaz Álvarez "
    "Muñoz Jiménez Romero Navarro Torres Domínguez Vázquez Ramírez Castillo Ibáñez "
    "Ortega Delgado Rubio Núñez",
    "it": "Rossi Bianchi Esposito Romano Colombo Ricci Marino Greco Bruno Gallo Conti "
    "De Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro "
    "Mariani Rinaldi Caruso",
    "nl": "De Jong Jansen De Vries Van den Berg Bakker Visser Smit Meijer De Boer "
    "Mulder De Groot Bos Vos Peters Hendriks Van Leeuwen Dekker Brouwer Van Dijk "
    "Kok Verhoeven Schouten",
    "vi": "Minh Phát|Hoàng Long|Thành Công|Phú Thịnh|An Khang|Đại Việt|Sao Mai|Hưng Thịnh|"
    "Tân Phú|Bình Minh|Thiên Long|Nam Á|Trường Sơn|Hải Đăng|Việt Tiến|Kim Ngân|Đông Á|"
    "Gia Bảo|Phúc Lộc|Hồng Hà|Thái Bình|Quang Trung|Lạc Hồng|Vạn Xuân",
    "ja": "Tanaka Suzuki Takahashi Watanabe Yamamoto Nakamura Kobayashi Yoshida Yamada "
    "Sasaki Matsumoto Inoue Kimura Hayashi Shimizu Yamaguchi Mori Ikeda Hashimoto "
    "Ishikawa Ogawa Fujita Okada Goto",
}
DESCRIPTORS = {
    "en": "Logistics|Hotels|Credit Union|Medical Center|Engineering|Foods|Consulting|"
    "Manufacturing|Freight|Dental Group|Law Partners|Construction|Energy|Retail Group|"
    "Software|Analytics|Property Management|Insurance Services|Printing|Marine Supply",
    "de": "Maschinenbau|Logistik|Elektrotechnik|Bauunternehmung|Versicherungsmakler|"
    "Steuerberatung|Metallbau|Lebensmittel|Autohaus|Kältetechnik|Druckerei|Spedition|"
    "Immobilien|Handelshaus|Feinmechanik",
    "fr": "Transports|Boulangerie Industrielle|Assurances|Bâtiment|Informatique|"
    "Cabinet Comptable|Électricité Générale|Distribution|Hôtellerie|Pharmacie Centrale|"
    "Menuiserie|Imprimerie",
    "es": "Construcciones|Transportes|Distribuciones|Asesoría|Hoteles|Alimentación|"
    "Ingeniería|Inmobiliaria|Farmacéutica|Talleres|Climatización",
    "it": "Costruzioni|Trasporti|Meccanica|Alimentari|Arredamenti|Impianti Elettrici|"
    "Logistica|Farmaceutici|Tessile|Ceramiche",
    "nl": "Transport|Bouw|Installatietechniek|Logistiek|Techniek|Vastgoed|Accountants|"
    "Metaalbewerking|Groothandel|Automatisering",
    "vi": "Thương Mại|Xây Dựng|Công Nghệ|Vận Tải|Thực Phẩm|Điện Máy|Dược Phẩm|"
    "Đầu Tư|Thiết Bị Y Tế|Nội Thất|Du Lịch",
    "ja": "Shoji|Kogyo|Denki|Kensetsu|Unyu|Seiyaku|Shokuhin|Tsusho|Seisakusho|Sangyo",
}
LEGAL = {
    "en": ["Inc.", "LLC", "Ltd", "Limited", "Corp.", "Corporation", "Co.", ""],
    "de": ["GmbH", "AG", "GmbH & Co. KG", "KG", "e.K.", ""],
    "fr": ["SARL", "SAS", "SA", "S.A.S.", "EURL", ""],
    "es": ["S.L.", "S.A.", "SL", "SA", "S.L.U.", ""],
    "it": ["S.r.l.", "S.p.A.", "Srl", "SpA", ""],
    "nl": ["B.V.", "N.V.", "BV", ""],
    "vi": ["Co., Ltd.", "JSC", ""],
    "ja": ["Co., Ltd.", "K.K.", "Kabushiki Kaisha", "Corporation", ""],
}
VI_PREFIXES = ["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV", "CTY TNHH"]
COUNTRIES = {"en": "US GB AU", "de": "DE AT CH", "fr": "FR BE", "es": "ES MX",
             "it": "IT", "nl": "NL BE", "vi": "VN", "ja": "JP"}  # fmt: skip
ABBREVIATIONS = {
    "International": "Intl",
    "Corporation": "Corp",
    "Company": "Co",
    "Manufacturing": "Mfg",
    "Engineering": "Eng.",
    "Services": "Svcs",
    "Group": "Grp",
    "and": "&",
    "&": "and",
    "Medical Center": "Med. Ctr.",
    "Construction": "Constr.",
}
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss"})  # fmt: skip


def _plain(text: str) -> str:
    return (
        "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        .replace("đ", "d")
        .replace("Đ", "D")
    )


def _split(text: str, lang: str) -> list[str]:
    return text.split("|") if "|" in text else _surnames(text, lang)


def _surnames(text: str, lang: str) -> list[str]:
    # Multi-word surnames ("De Luca", "Van den Berg") are kept together.
    words, out, glue = text.split(), [], {"De", "Van", "den", "der"}
    i = 0
    while i < len(words):
        name = words[i]
        while name.split()[-1] in glue and i + 1 < len(words):
            i += 1
            name += " " + words[i]
        out.append(name)
        i += 1
    return out


class Company:
    def __init__(self, lang, core, descriptor, legal, country, domain, extra=""):
        self.lang, self.core, self.descriptor = lang, core, descriptor
        self.legal, self.country, self.domain, self.extra = legal, country, domain, extra

    def words(self) -> list[str]:
        core = f"{self.core} {self.extra}".strip()
        if self.lang in ("fr", "es"):
            return [self.descriptor, core]
        if self.lang == "vi":
            return [self.descriptor, core]
        return [core, self.descriptor]

    def name(self, *, legal: str | None = None, prefix: str | None = None) -> str:
        legal = self.legal if legal is None else legal
        body = " ".join(self.words())
        if self.lang == "vi":
            prefix = prefix if prefix is not None else (legal if legal in VI_PREFIXES else "")
            if prefix:
                return f"{prefix} {body}"
            return f"{body} {legal}".strip() if legal not in VI_PREFIXES else body
        return f"{body} {legal}".strip()

    def spelling(self) -> Spelling:
        return Spelling(self.name(), self.country, self.domain)


def universe(rng: random.Random, size: int) -> list[Company]:
    companies, seen = [], set()
    langs = list(SURNAMES)
    extras = {
        "en": "North South Pacific Atlantic Valley Summit Premier United Global",
        "de": "Nord Süd Rhein Bayern Alpen",
        "fr": "Sud Ouest Atlantique Provence",
        "es": "del Norte Levante Ibérica",
        "it": "Nord Adriatica Sud",
        "nl": "Noord Holland Zuid",
        "vi": "Sài Gòn|Hà Nội|Miền Nam|Đà Nẵng",
        "ja": "Tokyo Osaka Nagoya",
    }
    while len(companies) < size:
        lang = rng.choice(langs)
        core = rng.choice(_split(SURNAMES[lang], lang))
        if lang != "vi" and rng.random() < 0.35:  # two-partner names: "Harper & Sutton"
            other = rng.choice(_split(SURNAMES[lang], lang))
            if other != core:
                core = f"{core} {rng.choice(['&', 'und' if lang == 'de' else 'and'])} {other}"
        descriptor = rng.choice(DESCRIPTORS[lang].split("|"))
        extra = ""
        if rng.random() < 0.3:
            pool = extras[lang]
            extra = rng.choice(pool.split("|") if "|" in pool else pool.split())
        legal = rng.choice(LEGAL[lang] + (VI_PREFIXES if lang == "vi" else []))
        country = rng.choice(COUNTRIES[lang].split())
        # "Rizzo & Mancini" is "Mancini & Rizzo": the same partners, one company.
        identity = (frozenset(core.replace("&", " ").split()) - {"and", "und"}, descriptor,
                    extra, country)  # fmt: skip
        if identity in seen:
            continue
        seen.add(identity)
        # Every company has its own domain: two companies sharing a name's core
        # ("Rizzo Nord Costruzioni", "Rizzo Nord Logistica") have two domains.
        slug = _plain(f"{core}{extra}-{descriptor}").lower().replace(" ", "").replace("&", "")
        tld = {"US": "com", "GB": "co.uk", "AU": "com.au", "VN": "com.vn", "JP": "co.jp"}
        domain = f"{slug}.{tld.get(country, country.lower())}" if rng.random() < 0.4 else ""
        companies.append(Company(lang, core, descriptor, legal, country, domain, extra))
    return companies


def _typo(rng: random.Random, text: str) -> str:
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "double", "swap", "replace"])
    if kind == "drop":
        word = word[:at] + word[at + 1 :]
    elif kind == "double":
        word = word[:at] + word[at] + word[at:]
    elif kind == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:
        letters = "aeiourstnl"
        word = word[:at] + rng.choice([c for c in letters if c != word[at]]) + word[at + 1 :]
    words[i] = word
    return " ".join(words)


def respell(rng: random.Random, company: Company) -> tuple[Spelling, list[str]]:
    """A partner's spelling of the company, and what was changed."""
    changes = rng.sample(
        ["legal", "accents", "case", "abbreviation", "order", "typo", "punctuation"],
        k=rng.choice([1, 1, 2, 2, 3]),
    )
    legal = company.legal
    prefix = None
    if "legal" in changes:
        options = [form for form in LEGAL[company.lang] if form != company.legal]
        if company.lang == "vi":
            options += [p for p in VI_PREFIXES if p != company.legal]
        legal = rng.choice(options)
        if company.lang == "de" and legal == "GmbH" and rng.random() < 0.3:
            legal = "Gesellschaft mit beschränkter Haftung"
        if company.lang == "ja" and rng.random() < 0.3:
            legal = "株式会社"
        if company.lang == "vi":
            prefix = legal if legal in VI_PREFIXES else ""
    text = company.name(legal=legal, prefix=prefix)
    if company.lang == "ja" and legal == "株式会社":
        text = f"株式会社 {' '.join(company.words())}"
    if "order" in changes:
        words = company.words()
        words.reverse()
        text = text.replace(" ".join(company.words()), " ".join(words))
    if "abbreviation" in changes:
        for long, short in ABBREVIATIONS.items():
            if f" {long} " in f" {text} ":
                text = f" {text} ".replace(f" {long} ", f" {short} ").strip()
                break
        else:  # nothing to abbreviate: another way of writing it instead
            changes.remove("abbreviation")
            if "punctuation" not in changes:
                changes.append("punctuation")
    if "accents" in changes:
        text = (
            text.translate(UMLAUTS) if company.lang == "de" and rng.random() < 0.5 else _plain(text)
        )
    if "typo" in changes:  # in the name, not in its legal form
        body = " ".join(company.words())
        for words in (company.words(), list(reversed(company.words()))):
            if " ".join(words) in text:
                body = " ".join(words)
                break
        else:
            body = _plain(body) if _plain(body) in text else body
        text = text.replace(body, _typo(rng, body), 1)
    if "punctuation" in changes:
        text = rng.choice([text.replace(" ", "  ", 1), text.replace(",", ""), text + ".",
                           text.replace(" & ", "&"), text.replace(".", "")])  # fmt: skip
    if "case" in changes:
        text = rng.choice([text.upper(), text.lower()])
    country = company.country if rng.random() < 0.85 else ""
    domain = company.domain if rng.random() < 0.5 else ""
    return Spelling(text, country, domain), changes


def nearest_other(company: Company, index: dict[str, list[int]], everyone, me: int):
    """The other company the registry's blocking ranks first for this one's name."""
    shared: Counter = Counter()
    for key in query_keys(company.name()):
        for other in index.get(key, ()):
            if other != me:
                shared[other] += 1
    if not shared:
        return None
    top = max(shared.values())
    best = [other for other, count in shared.items() if count == top]
    return everyone[min(best)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=12_000, help="labelled pairs (half each)")
    parser.add_argument("--companies", type=int, default=8_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    everyone = universe(rng, args.companies)
    index: dict[str, list[int]] = defaultdict(list)
    for i, company in enumerate(everyone):
        for key in blocking_keys(company.name()):
            index[key].append(i)
    half = args.pairs // 2
    pairs = []  # (label, new, known, kind)
    for n in range(half):
        company = everyone[n % len(everyone)]
        spelling, changes = respell(rng, company)
        pairs.append((True, spelling, company.spelling(), "+".join(sorted(changes))))
    order = list(range(len(everyone)))
    rng.shuffle(order)
    negatives = 0
    for i in order:
        if negatives >= half:
            break
        other = nearest_other(everyone[i], index, everyone, i)
        if other is not None:
            pairs.append((False, everyone[i].spelling(), other.spelling(), "nearest other"))
            negatives += 1
    scored = time.perf_counter()
    outcome: Counter = Counter()
    by_change: dict[str, Counter] = defaultdict(Counter)
    mistakes = {"false_links": [], "missed": []}
    blocked = end_to_end = 0
    for label, new, known, kind in pairs:
        decision, found = decide(new, known)
        outcome[(label, decision)] += 1
        if label:
            by_change[kind][decision] += 1
            keys = set(blocking_keys(known.name))
            found_by_blocking = bool(keys & set(query_keys(new.name))) or bool(
                new.domain and new.domain == known.domain
            )
            blocked += found_by_blocking
            end_to_end += found_by_blocking and decision == "auto"
            if decision != "auto" and len(mistakes["missed"]) < 15:
                mistakes["missed"].append([new.name, known.name, decision, found])
        elif decision == "auto" and len(mistakes["false_links"]) < 15:
            mistakes["false_links"].append(
                [new.name, new.country, known.name, known.country, found]
            )
    elapsed = time.perf_counter() - scored
    positives = sum(1 for p in pairs if p[0])
    negatives = len(pairs) - positives
    true_auto, false_auto = outcome[(True, "auto")], outcome[(False, "auto")]
    review = outcome[(True, "review")] + outcome[(False, "review")]
    result = {
        "pairs": len(pairs),
        "same_customer_pairs": positives,
        "different_customer_pairs": negatives,
        "languages": sorted(SURNAMES),
        "auto_links": true_auto + false_auto,
        "precision_auto": round(true_auto / max(1, true_auto + false_auto), 4),
        "recall_auto": round(true_auto / max(1, positives), 4),
        "recall_auto_or_review": round(
            (true_auto + outcome[(True, "review")]) / max(1, positives), 4
        ),
        "sent_to_review_share": round(review / len(pairs), 4),
        "different_customers_sent_to_review": outcome[(False, "review")],
        "different_customers_linked": false_auto,
        "blocking_recall": round(blocked / max(1, positives), 4),
        "recall_auto_after_blocking": round(end_to_end / max(1, positives), 4),
        "pairs_per_second": round(len(pairs) / elapsed),
        "generate_seconds": round(scored - started, 2),
        "by_change": {
            kind: dict(counts)
            for kind, counts in sorted(by_change.items(), key=lambda kv: -sum(kv[1].values()))[:12]
        },
        "examples": mistakes,
        "seed": args.seed,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["precision_auto"] >= 0.99 and result["recall_auto"] >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
